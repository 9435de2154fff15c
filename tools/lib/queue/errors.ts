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

interface SdkErrorLike {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
  'TimeoutError',
  'RequestTimeout',
]);
// The JSON protocol names (AWS today) and the query protocol names (older
// LocalStack, error codes in x-amzn-query-error) for the same problems.
const MISSING_QUEUE = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'NonExistentQueue']);
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
  'InvalidSecurity',
]);
const DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'KMS.AccessDeniedException', 'KmsAccessDenied']);
const INVALID_URL = new Set(['InvalidAddress', 'AWS.SimpleQueueService.InvalidAddress']);

function codesOf(error: unknown): string[] {
  const e = (error ?? {}) as SdkErrorLike;
  const codes = [e.name, e.code, e.Code].filter((c): c is string => typeof c === 'string');
  // The SDK wraps some socket errors (AggregateError from happy eyeballs).
  const inner = (error as { errors?: unknown }).errors;
  if (Array.isArray(inner)) for (const i of inner) codes.push(...codesOf(i));
  return codes;
}

export function classifySqsError(error: unknown): SqsProblem {
  const codes = codesOf(error);
  const has = (set: Set<string>) => codes.some((c) => set.has(c));
  if (codes.includes('CredentialsProviderError')) return 'no-credentials';
  if (has(MISSING_QUEUE)) return 'missing-queue';
  if (has(BAD_CREDENTIALS)) return 'bad-credentials';
  if (has(DENIED)) return 'denied';
  if (has(INVALID_URL)) return 'invalid-queue-url';
  if (has(NETWORK_CODES)) return 'unreachable';
  return 'other';
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

function errorCode(error: unknown): string {
  return codesOf(error).find((c) => c !== 'Error') ?? 'Error';
}

function errorMessage(error: unknown): string {
  const message = (error as SdkErrorLike | null)?.message;
  return typeof message === 'string' && message.length > 0 ? message.split('\n')[0] ?? '' : String(error);
}

export function describeSqsError(error: unknown, site: SqsCallSite): string {
  const where = site.endpoint ?? originOf(site.queueUrl);
  const code = errorCode(error);
  switch (classifySqsError(error)) {
    case 'unreachable': {
      const why =
        code === 'ECONNREFUSED'
          ? 'connection refused'
          : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
            ? 'host not found'
            : code === 'ECONNRESET' || code === 'EPIPE'
              ? 'connection reset'
              : 'no answer in time';
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

export function isAbort(error: unknown): boolean {
  const name = (error as SdkErrorLike | null)?.name;
  return name === 'AbortError';
}
