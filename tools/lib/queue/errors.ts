import { InvalidAddress, InvalidSecurity, KmsAccessDenied, QueueDoesNotExist, SQSServiceException } from '@aws-sdk/client-sqs';

/**
 * SQS failures a user can act on, as one line each: the CLIs print
 * `<tool>: <message>` and exit non-zero instead of showing an SDK stack.
 */
export class QueueAccessError extends Error {
  override readonly name = 'QueueAccessError';
  constructor(
    message: string,
    readonly problem: SqsProblem,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export type SqsProblem = 'unreachable' | 'missing-queue' | 'no-credentials' | 'bad-credentials' | 'denied' | 'invalid-queue-url' | 'other';

/**
 * Rejections every AWS service shares, for which the SQS client has no
 * classes: the SDK names them by the query protocol's code (the
 * x-amzn-query-error header AWS sends) or, without it, by the JSON type.
 */
const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'IncompleteSignatureException',
  'MissingAuthenticationToken',
  'MissingAuthenticationTokenException',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidAccessKeyId',
]);
const DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

/** Node's socket errors and the SDK's timeouts: no answer from SQS at all, and why. */
const UNREACHABLE: ReadonlyMap<string, string> = new Map([
  ['ECONNREFUSED', 'connection refused'],
  ['ENOTFOUND', 'host not found'],
  ['EAI_AGAIN', 'host not found'],
  ['ECONNRESET', 'connection reset'],
  ['EPIPE', 'connection reset'],
  ['ETIMEDOUT', 'no answer in time'],
  ['EHOSTUNREACH', 'no answer in time'],
  ['ENETUNREACH', 'no answer in time'],
  ['ECONNABORTED', 'no answer in time'],
  ['TimeoutError', 'no answer in time'],
  ['RequestTimeout', 'no answer in time'],
]);

/** What SQS answered, by the SDK's exception classes and names; undefined when nothing here applies. */
function serviceProblem(error: SQSServiceException): SqsProblem | undefined {
  if (error instanceof QueueDoesNotExist) return 'missing-queue';
  if (error instanceof InvalidAddress) return 'invalid-queue-url';
  if (error instanceof InvalidSecurity || BAD_CREDENTIALS.has(error.name)) return 'bad-credentials';
  if (error instanceof KmsAccessDenied || DENIED.has(error.name)) return 'denied';
  return undefined;
}

export function classifySqsError(error: unknown): SqsProblem {
  const answered = error instanceof SQSServiceException ? serviceProblem(error) : undefined;
  if (answered) return answered;
  const code = errorCode(error);
  if (code === 'CredentialsProviderError') return 'no-credentials';
  return UNREACHABLE.has(code) ? 'unreachable' : 'other';
}

/** Problems that retrying will not fix: a consumer stops on them instead of looping. */
export function isPermanentSqsProblem(problem: SqsProblem): boolean {
  return problem !== 'unreachable' && problem !== 'other';
}

export interface SqsCallSite {
  /** The API action or step, e.g. "ReceiveMessage". */
  action: string;
  queueUrl: string;
  endpoint?: string | undefined;
}

function originOf(queueUrl: string): string {
  try {
    const origin = new URL(queueUrl).origin;
    if (origin !== 'null') return origin;
  } catch {
    // an ARN or a malformed URL: fall through
  }
  return 'the AWS regional endpoint';
}

/**
 * The error's name as SQS or the SDK gave it, or Node's code for a socket
 * error (the first wrapped one's, for the AggregateError of a connection
 * tried on several addresses).
 */
function errorCode(error: unknown): string {
  if (error instanceof SQSServiceException) return error.name;
  const e = error as { code?: unknown; name?: unknown; errors?: unknown } | null;
  if (typeof e?.code === 'string') return e.code;
  for (const inner of Array.isArray(e?.errors) ? e.errors : []) {
    const code = errorCode(inner);
    if (code !== 'Error') return code;
  }
  return typeof e?.name === 'string' ? e.name : 'Error';
}

function errorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : undefined;
  return message ? (message.split('\n')[0] ?? '') : String(error);
}

export function describeSqsError(error: unknown, site: SqsCallSite): string {
  const where = site.endpoint ?? originOf(site.queueUrl);
  const code = errorCode(error);
  switch (classifySqsError(error)) {
    case 'unreachable': {
      const why = UNREACHABLE.get(code);
      const hint = site.endpoint
        ? 'is LocalStack or the emulator running? --endpoint or AWS_ENDPOINT_URL_SQS sets the address'
        : 'check the network, the queue URL and the region';
      return `cannot reach SQS at ${where}: ${why} (${hint})`;
    }
    case 'missing-queue':
      return `queue ${site.queueUrl} does not exist at ${where} (create it, or name another with --queue-url or SQS_QUEUE_URL)`;
    case 'no-credentials':
      return `no AWS credentials found for ${where}: set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`;
    case 'bad-credentials':
      return `SQS at ${where} rejected the credentials (${code}): check AWS_PROFILE, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN and the region`;
    case 'denied':
      return `access denied: ${site.action} on ${site.queueUrl} (${code}); the credentials need that SQS permission`;
    case 'invalid-queue-url':
      return `${site.queueUrl} is not a queue URL that SQS at ${where} accepts (${code})`;
    case 'other':
      return `${site.action} on ${site.queueUrl} failed: ${code}: ${errorMessage(error)}`;
  }
}

export function toQueueAccessError(error: unknown, site: SqsCallSite): QueueAccessError {
  if (error instanceof QueueAccessError) return error;
  return new QueueAccessError(describeSqsError(error, site), classifySqsError(error), { cause: error });
}

/** Runs one SQS call; any failure becomes a one-line QueueAccessError. */
export async function sqsCall<T>(site: SqsCallSite, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toQueueAccessError(error, site);
  }
}
