import { UsageError } from '../cli.js';

/** The queue of the original exercise: LocalStack's default account and port. */
export const LOCALSTACK_QUEUE_URL = 'http://localhost:4566/000000000000/login-queue';
export const DEFAULT_REGION = 'us-east-1';

/** Where the SQS API calls go and how they are signed. */
export interface QueueTarget {
  queueUrl: string;
  /** Undefined for a real AWS queue: the SDK then resolves the regional endpoint itself. */
  endpoint?: string;
  region: string;
  /** A loopback endpoint (LocalStack, the emulator) that takes any credentials. */
  local: boolean;
}

export interface QueueTargetFlags {
  queueUrl?: string | undefined;
  endpoint?: string | undefined;
  region?: string | undefined;
}

const AWS_HOST = /\.(amazonaws\.com|amazonaws\.com\.cn|api\.aws)$/;

function parseUrl(value: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`${what} ${JSON.stringify(value)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${what} ${JSON.stringify(value)} must be an http(s) URL`);
  }
  return url;
}

/** Checks the shape SQS gives every queue URL: <endpoint>/<account id>/<queue name>. */
function parseQueueUrl(value: string, what = 'queue URL'): URL {
  const url = parseUrl(value, what);
  if (!/^\/[^/]+\/[^/]+\/?$/.test(url.pathname)) {
    throw new UsageError(`${what} ${JSON.stringify(value)} must look like http://host:port/<account id>/<queue name>`);
  }
  return url;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    /^127\./.test(host) ||
    host === 'localhost.localstack.cloud' ||
    host.endsWith('.localhost.localstack.cloud')
  );
}

/** sqs.<region>.amazonaws.com, sqs.<region>.localhost.localstack.cloud, <region>.queue.amazonaws.com */
function regionOfHost(hostname: string): string | undefined {
  return /^sqs\.([a-z]{2}(?:-[a-z]+)+-\d+)\./.exec(hostname)?.[1] ?? /^([a-z]{2}(?:-[a-z]+)+-\d+)\.queue\./.exec(hostname)?.[1];
}

/**
 * Flags first, then the AWS SDK's own variables, then the LocalStack default.
 * A queue URL that is not an AWS one doubles as the endpoint, so
 * `--queue-url http://localhost:4566/...` alone is enough for LocalStack.
 */
export function resolveQueueTarget(flags: QueueTargetFlags, env: NodeJS.ProcessEnv = process.env): QueueTarget {
  const queueUrl = flags.queueUrl ?? (env.SQS_QUEUE_URL || undefined) ?? LOCALSTACK_QUEUE_URL;
  const parsed = parseQueueUrl(queueUrl);
  const explicit = flags.endpoint ?? (env.AWS_ENDPOINT_URL_SQS || undefined) ?? (env.AWS_ENDPOINT_URL || undefined);
  let endpoint: string | undefined;
  if (explicit !== undefined) {
    endpoint = parseUrl(explicit, 'endpoint').origin;
  } else if (!AWS_HOST.test(parsed.hostname)) {
    const origin = new URL(parsed.origin);
    // RFC 6761 makes *.localhost loopback, but Node's resolver does not know
    // that; emulators hand out such URLs (sqs.us-east-1.localhost:4566).
    if (origin.hostname.endsWith('.localhost')) origin.hostname = '127.0.0.1';
    endpoint = origin.origin;
  }
  const region =
    flags.region ??
    (AWS_HOST.test(parsed.hostname) ? regionOfHost(parsed.hostname) : undefined) ??
    (env.AWS_REGION || undefined) ??
    (env.AWS_DEFAULT_REGION || undefined) ??
    regionOfHost(parsed.hostname) ??
    DEFAULT_REGION;
  const local = endpoint !== undefined && isLoopback(new URL(endpoint).hostname);
  return { queueUrl, ...(endpoint === undefined ? {} : { endpoint }), region, local };
}

/** The same endpoint and credentials, another queue on it (the DLQ, a redrive target). */
export function withQueueUrl(target: QueueTarget, queueUrl: string, what = 'queue URL'): QueueTarget {
  parseQueueUrl(queueUrl, what);
  return { ...target, queueUrl };
}
