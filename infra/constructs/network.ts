import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface NetworkProps {
  readonly prod: boolean;
}

/**
 * A VPC with no route to the internet: two isolated subnet tiers in two AZs
 * (RDS and RDS Proxy need two), interface endpoints for the only AWS APIs
 * code inside the VPC calls, and flow logs.
 *
 * Why no NAT gateway: the function talks to Postgres (in the VPC), Secrets
 * Manager and KMS (endpoints below). SQS is polled by the Lambda service, not
 * by the function, and logs/metrics leave through the Lambda service too.
 * Two endpoints × two AZs cost less than one NAT gateway per AZ and keep the
 * PII pipeline without any egress path (see docs/deploy.md for the numbers).
 */
export class Network extends Construct {
  readonly vpc: ec2.Vpc;
  /** Lambda functions, the rotation function and the endpoints. */
  readonly appSubnets: ec2.SubnetSelection = { subnetGroupName: 'app' };
  /** The database and its proxy. */
  readonly dataSubnets: ec2.SubnetSelection = { subnetGroupName: 'data' };
  readonly secretsManagerEndpoint: ec2.InterfaceVpcEndpoint;
  readonly kmsEndpoint: ec2.InterfaceVpcEndpoint;

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);

    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.40.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [
        { name: 'app', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
        { name: 'data', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
      ],
      // Nothing may use the default security group: every resource gets its own.
      restrictDefaultSecurityGroup: true,
    });

    // Flow logs (cdk-nag VPC7): the audit trail for who reached the database.
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.prod ? logs.RetentionDays.ONE_YEAR : logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });

    // `open: false`: an endpoint admits only the security groups granted to it
    // (see `allowDefaultPortFrom` calls), not the whole VPC CIDR.
    this.secretsManagerEndpoint = this.vpc.addInterfaceEndpoint('SecretsManager', {
      service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
      subnets: this.appSubnets,
      privateDnsEnabled: true,
      open: false,
    });
    this.kmsEndpoint = this.vpc.addInterfaceEndpoint('Kms', {
      service: ec2.InterfaceVpcEndpointAwsService.KMS,
      subnets: this.appSubnets,
      privateDnsEnabled: true,
      open: false,
    });

    // The endpoints are the VPC's only way out, so they serve this account
    // only: no one can use them with foreign credentials, or to reach a
    // secret or key in another account (e.g. to exfiltrate PII into it).
    for (const endpoint of [this.secretsManagerEndpoint, this.kmsEndpoint]) {
      endpoint.addToPolicy(
        new iam.PolicyStatement({
          principals: [new iam.AnyPrincipal()],
          actions: ['*'],
          resources: ['*'],
          conditions: {
            StringEquals: { 'aws:PrincipalAccount': Aws.ACCOUNT_ID, 'aws:ResourceAccount': Aws.ACCOUNT_ID },
          },
        }),
      );
    }
  }
}
