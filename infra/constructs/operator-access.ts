import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { operatorLogin } from '../../lambda/db/login-names.js';
import type { Database } from './database.js';
import type { Network } from './network.js';

export interface OperatorAccessProps {
  /** Short names from the `operators` context key, already validated. */
  readonly names: readonly string[];
  /** Require `aws:MultiFactorAuthPresent` in the trust policy (context `operatorMfa`). */
  readonly requireMfa: boolean;
  readonly network: Network;
  readonly database: Database;
}

/** One named operator: the role to assume and the database login it signs in as. */
export interface Operator {
  readonly name: string;
  readonly login: string;
  readonly role: iam.Role;
}

/**
 * One IAM role per named operator, for `unmask`, `lookup`, `forget` and
 * `rotate-key` against the deployed database, and the security group the
 * operator's host in the VPC wears (a CloudShell VPC environment or an
 * SSM-managed instance in the app subnets).
 *
 * A role signs in through the proxy as its own login only
 * (`login_etl_op_<name>`), so the database's audit names the person. The
 * keys admit it separately (PiiKeys.admit). Trust is the account: who may
 * assume a role is the account's IAM to decide (a permission set, a group
 * policy naming the role's ARN), and with `operatorMfa` (the default) only
 * a session signed in with MFA may.
 */
export class OperatorAccess extends Construct {
  readonly operators: readonly Operator[];
  readonly securityGroup?: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: OperatorAccessProps) {
    super(scope, id);
    const { network, database } = props;
    if (props.names.length > 0) {
      const sg = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: network.vpc,
        description: 'login-etl operators: attach to the host that runs the operator tools',
        allowAllOutbound: false,
      });
      database.allowProxyFrom(sg, 'operators');
      network.secretsManagerEndpoint.connections.allowDefaultPortFrom(sg, 'operators: masking keyring');
      network.kmsEndpoint.connections.allowDefaultPortFrom(sg, 'operators: vault key');
      this.securityGroup = sg;
    }
    // MFA: IAM users and roles assumed with --serial-number/--token-code
    // carry aws:MultiFactorAuthPresent. Sessions from IAM Identity Center or
    // another role do not (MFA happened at sign-in, the key is absent), so
    // such accounts set -c operatorMfa=false and enforce MFA there.
    const mfa = props.requireMfa ? { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } : {};
    this.operators = props.names.map((name) => {
      const login = operatorLogin(name);
      const role = new iam.Role(this, `Operator-${name}`, {
        assumedBy: new iam.AccountPrincipal(Stack.of(this).account).withConditions(mfa),
        description: `login-etl operator ${name}: signs in to the database as ${login}`,
        maxSessionDuration: Duration.hours(1),
      });
      database.grantLogin(role, login);
      return { name, login, role };
    });
  }
}
