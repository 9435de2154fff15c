import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { loadConfig } from './config.js';
import { LoginEtl } from './login-etl.js';

// Built at cold start: a bad variable fails the init with its name, and the
// pool, keys and data key are reused by every warm invocation.
const loginEtl = new LoginEtl(loadConfig());

export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> =>
  loginEtl.handle(event, context);
