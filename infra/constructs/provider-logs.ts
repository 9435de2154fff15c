import { CfnResource, CustomResourceProviderBase, RemovalPolicy, type Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * CDK's singleton custom-resource providers in the stack (the schema
 * trigger's, the default security group's) are plain CloudFormation Lambda
 * functions: left alone they log to a group Lambda creates on their first
 * run, with no expiry, which the stack neither owns nor deletes. Each gets
 * a log group of its own, with a retention, named by CloudFormation (so a
 * retained one never blocks the next deploy), through the function's
 * LoggingConfig; the function depends on the group, so it exists first.
 * Run it once, after every construct of the stack exists.
 */
export function giveProvidersLogGroups(stack: Stack, prod: boolean): void {
  for (const construct of stack.node.findAll()) {
    if (!(construct instanceof CustomResourceProviderBase)) continue;
    const handler = construct.node.tryFindChild('Handler');
    if (!CfnResource.isCfnResource(handler)) continue;
    const group = new logs.LogGroup(construct, 'Logs', {
      retention: prod ? logs.RetentionDays.THREE_MONTHS : logs.RetentionDays.ONE_MONTH,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    handler.addPropertyOverride('LoggingConfig', { LogGroup: group.logGroupName });
  }
}
