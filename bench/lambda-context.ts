import type { Context, SQSEvent } from 'aws-lambda';
import type { LoginEtl } from '../lambda/login-etl.js';

/** The Context the Lambda runtime passes, as far as login-etl reads it. */
export function lambdaContext(requestId = 'bench'): Context {
  return {
    awsRequestId: requestId,
    functionName: 'login-etl',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:login-etl',
    memoryLimitInMB: '512',
    logGroupName: '/aws/lambda/login-etl',
    logStreamName: 'bench',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Invokes the handler (LoginEtl.handle: the Lambda contract, throwing on a
 * full-batch failure) once per event, in order, and counts the records it
 * asked to have redelivered. A bench run with failures measures nothing.
 */
export async function invokeAll(etl: LoginEtl, events: readonly SQSEvent[], context = lambdaContext()): Promise<number> {
  let failures = 0;
  for (const event of events) {
    try {
      failures += (await etl.handle(event, context)).batchItemFailures.length;
    } catch {
      failures += event.Records.length;
    }
  }
  return failures;
}
