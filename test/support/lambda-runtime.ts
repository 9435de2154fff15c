/**
 * Stands in for the Lambda runtime in a child process: imports the real
 * lambda/handler.ts (so its cold-start wiring runs), invokes it once with the
 * event file given as argument and a minimal context, and reports on stderr.
 */
import { readFileSync } from 'node:fs';
import type { SQSEvent } from 'aws-lambda';
import { lambdaContext } from '../../tools/lib/lambda-context.js';

const event = JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as SQSEvent;
const context = lambdaContext('c6af9ac6-7b61-11e6-9a41-93e812345678');

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
