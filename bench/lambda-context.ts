import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { LoginEtl } from '../lambda/login-etl.js';

/** A handler with the Lambda contract: partial failures returned, a total failure thrown. */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** The Context the Lambda runtime passes, as far as login-etl reads it (bench and test runs alike). */
export function lambdaContext(requestId = 'bench'): Context {
  return {
    awsRequestId: requestId,
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
  };
}

/** One invocation: the records the handler asked to have redelivered (all of them when it threw). */
export async function invokeCounting(handler: SqsHandler, event: SQSEvent, context: Context): Promise<number> {
  try {
    return (await handler(event, context)).batchItemFailures.length;
  } catch {
    return event.Records.length;
  }
}

/**
 * Invokes the handler once per event, in order, and counts the records it
 * asked to have redelivered. A bench run with failures measures nothing.
 */
export async function invokeEach(handler: SqsHandler, events: readonly SQSEvent[], context: Context): Promise<number> {
  let failures = 0;
  for (const event of events) failures += await invokeCounting(handler, event, context);
  return failures;
}

/** invokeEach on LoginEtl.handle, what lambda/handler.ts exports. */
export function invokeAll(etl: LoginEtl, events: readonly SQSEvent[]): Promise<number> {
  return invokeEach((event, context) => etl.handle(event, context), events, lambdaContext());
}
