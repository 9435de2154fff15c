import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';

export interface FixedNameLogGroupProps {
  /** The name the writing service fixes: `/aws/rds/instance/<id>/postgresql`, `/aws/lambda/<function>`. */
  readonly logGroupName: string;
  readonly prod: boolean;
}

/**
 * A log group whose name another service decides, with its retention set
 * before that service first writes (else it creates the group itself, with
 * no expiry).
 *
 * Without prod the stack owns the group and `cdk destroy` deletes it. With
 * prod the logs must outlive the stack, but a retained group with a fixed
 * name would make the next deploy of the same stack fail ("already exists").
 * So in prod the stack does not own it: CDK's LogRetention custom resource
 * creates the group if it is missing, sets its retention either way, and
 * leaves it in place when the stack is deleted.
 */
export class FixedNameLogGroup extends Construct {
  /** What a writer must wait for. */
  readonly ready: IDependable;

  constructor(scope: Construct, id: string, props: FixedNameLogGroupProps) {
    super(scope, id);
    if (props.prod) {
      this.ready = new logs.LogRetention(this, 'Retention', {
        logGroupName: props.logGroupName,
        retention: logs.RetentionDays.ONE_YEAR,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      acknowledgeLogRetentionProvider(Stack.of(this));
    } else {
      this.ready = new logs.LogGroup(this, 'LogGroup', {
        logGroupName: props.logGroupName,
        retention: logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      });
    }
  }
}

/**
 * LogRetention's provider is a stack-level singleton CDK builds with the
 * AWS managed basic-execution policy and `logs:PutRetentionPolicy` on `*`
 * (added whatever role it is given). Its permissions are CDK's, not ours to
 * narrow; its own log group gets a one-day retention from its handler.
 */
function acknowledgeLogRetentionProvider(stack: Stack): void {
  const provider = stack.node.children.find(
    (c) => c.node.id.startsWith('LogRetention') && c.node.tryFindChild('ServiceRole') !== undefined,
  );
  if (!provider) return;
  Validations.of(provider).acknowledge({
    id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    reason:
      'CDK log-retention provider (a custom resource Lambda the stack uses only for log groups whose names RDS and Lambda fix): CloudWatch Logs writes for its own log group, which is all this managed policy grants.',
  });
  Validations.of(provider).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'CDK adds logs:PutRetentionPolicy and logs:DeleteRetentionPolicy on * to its log-retention provider whatever role it is given; the provider only sets retention on the log groups the stack names.',
  });
}
