/**
 * CDK entry point (`cdk.json` runs it with tsx). Settings come from context:
 * `npx cdk deploy -c prod=true -c alarmEmail=ops@example.com`; see docs/deploy.md.
 */
import { ContextError } from './context.js';
import { createLoginEtlApp } from './login-etl-app.js';

try {
  createLoginEtlApp().app.synth();
} catch (error) {
  if (!(error instanceof ContextError)) throw error;
  // A bad setting is the operator's to fix: say which, without a stack trace.
  console.error(`login-etl: ${error.message}`);
  process.exit(1);
}
