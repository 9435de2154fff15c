import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { checkKeyCase, readSettings, type LoginEtlSettings } from './context.js';
import { LoginEtlStack } from './login-etl-stack.js';

export interface LoginEtlApp {
  readonly app: App;
  readonly stack: LoginEtlStack;
  readonly settings: LoginEtlSettings;
}

/**
 * The whole CDK app: context validated, the stack, and cdk-nag's AWS
 * Solutions pack registered as a synth-time validation (an unacknowledged
 * error fails `cdk synth`). Shared by `infra/app.ts` and the infra tests so
 * both synthesize exactly the same thing.
 */
export function createLoginEtlApp(props: AppProps = {}): LoginEtlApp {
  const app = new App(props);
  checkKeyCase(app.node.getAllContext());
  const settings = readSettings((key) => app.node.tryGetContext(key));
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const stack = new LoginEtlStack(app, settings.stackName, {
    settings,
    description: 'login-etl: SQS login events masked and loaded into PostgreSQL (Lambda, RDS Proxy)',
  });
  return { app, stack, settings };
}
