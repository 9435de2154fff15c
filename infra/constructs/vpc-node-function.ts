import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ALIASES, BUNDLE_TARGET, DEFINES, ESM_REQUIRE_BANNER, EXTERNAL_MODULES, MAIN_FIELDS, nodeOptions } from '../bundling/function-bundle.js';
import type { Network } from './network.js';

export interface VpcNodeFunctionProps {
  readonly network: Network;
  /** Absolute path of the TypeScript entry file; it must export `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Readonly<Record<string, string>>;
  readonly prod: boolean;
  /** Run with --enable-source-maps (stack traces in lambda/*.ts lines, a slower cold start). */
  readonly sourceMaps: boolean;
  /** X-Ray active tracing; CDK adds xray:PutTraceSegments/PutTelemetryRecords to the role. */
  readonly tracing?: boolean;
  /** At most this many invocations at once (none when omitted). */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * A TypeScript Lambda function in the isolated app subnets, bundled locally by
 * esbuild (no Docker), with its own security group (no egress until granted),
 * log group and an execution role holding only what Lambda itself needs.
 */
export class VpcNodeFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: VpcNodeFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.prod ? logs.RetentionDays.THREE_MONTHS : logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.role = this.createRole(props);

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.network.vpc,
      description: `${props.description}: egress only where granted`,
      allowAllOutbound: false,
    });

    this.fn = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      // The newest Node.js runtime in this aws-cdk-lib (cdk-nag L1), named
      // explicitly: NODEJS_LATEST would move with aws-cdk-lib upgrades.
      runtime: lambda.Runtime.NODEJS_24_X,
      // Graviton: about 20% cheaper per GB-second, and nothing here is x86-only.
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      ...(props.tracing ? { tracing: lambda.Tracing.ACTIVE } : {}),
      ...(props.reservedConcurrentExecutions === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      role: this.role,
      logGroup: this.logGroup,
      vpc: props.network.vpc,
      vpcSubnets: props.network.appSubnets,
      securityGroups: [this.securityGroup],
      environment: {
        // Source maps are off by default (SOURCE_MAPS_DEFAULT). The map stays
        // in the asset: -c sourceMaps=true changes the environment only, and
        // a position can be looked up offline.
        ...(props.sourceMaps ? { NODE_OPTIONS: nodeOptions(true) } : {}),
        ...props.environment,
      },
      bundling: BUNDLING,
    });
  }

  private createRole(props: VpcNodeFunctionProps): iam.Role {
    // Instead of the AWS managed AWSLambdaBasicExecutionRole and
    // AWSLambdaVPCAccessExecutionRole (cdk-nag IAM4): the same ENI actions,
    // and log writes to this function's log group only.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role: ${props.description}`,
      inlinePolicies: {
        runtime: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
              resources: [this.logGroup.logGroupArn],
            }),
            new iam.PolicyStatement({
              actions: [
                'ec2:CreateNetworkInterface',
                'ec2:DescribeNetworkInterfaces',
                'ec2:DescribeSubnets',
                'ec2:DeleteNetworkInterface',
                'ec2:AssignPrivateIpAddresses',
                'ec2:UnassignPrivateIpAddresses',
              ],
              resources: ['*'],
            }),
          ],
        }),
      },
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the EC2 network-interface actions Lambda needs to attach the function to the VPC (the action set of AWSLambdaVPCAccessExecutionRole); ec2:Describe* has no resource-level permissions and the ENI ids are not known before Lambda creates them.' +
        (props.tracing
          ? ' With tracing on, also xray:PutTraceSegments and xray:PutTelemetryRecords (added by Lambda active tracing), which support no resource-level permissions.'
          : ''),
    });
    return role;
  }
}

/** esbuild settings, shared with the benchmark (infra/bundling/function-bundle.ts). */
const BUNDLING: BundlingOptions = {
  format: OutputFormat.ESM,
  target: BUNDLE_TARGET,
  minify: true,
  sourceMap: true,
  // Positions only, no embedded sources: the map stays a fraction of its size.
  sourcesContent: false,
  mainFields: MAIN_FIELDS,
  banner: ESM_REQUIRE_BANNER,
  define: DEFINES,
  esbuildArgs: { '--alias': Object.entries(ALIASES).map(([from, to]) => `${from}=${to}`) },
  // The AWS SDK v3 is bundled, not taken from the runtime: the bundle is
  // built and tested with the versions in package-lock.json, the runtime's
  // set is not guaranteed to include @aws-sdk/rds-signer, and three
  // tree-shaken, minified clients load faster at cold start than
  // resolving the runtime's full SDK from node_modules. Size is measured
  // in test/infra (target ≤ 1 MB).
  bundleAwsSDK: true,
  externalModules: EXTERNAL_MODULES,
  forceDockerBundling: false,
};
