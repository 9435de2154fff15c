import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { LoginEtl } from '../lambda/login-etl.js';
import { lambdaContext } from '../tools/lib/lambda-context.js';

/** A handler with the Lambda contract: partial failures returned, a total failure thrown. */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

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
