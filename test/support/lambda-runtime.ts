/**
 * Stands in for the Lambda runtime in a child process: imports the real
 * lambda/handler.ts (so its cold-start wiring runs), invokes it once with the
 * event file given as argument and a minimal context, and reports on stderr.
 */
import { readFileSync } from 'node:fs';
import type { Context, SQSEvent } from 'aws-lambda';

const event = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as SQSEvent;
const context = {
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  functionName: 'login-etl',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:login-etl',
  memoryLimitInMB: '512',
  logGroupName: '/aws/lambda/login-etl',
  logStreamName: 'local',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} satisfies Context;

// What the Lambda runtime sets for an on-demand sandbox.
process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
const { handler } = await import('../../lambda/handler.js');
try {
  const response = await handler(event, context);
  process.stderr.write(`RESULT ${JSON.stringify(response)}\n`);
} catch (error) {
  process.stderr.write(`THROWN ${(error as Error).name}\n`);
}
process.exit(0);
