import { SQSClient } from '@aws-sdk/client-sqs';
import type { QueueTarget } from './queue-target.js';

/** LocalStack and the emulator accept any signature; these keep the SDK from searching for real ones. */
const LOCAL_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/**
 * An SQS client for the target. Real credentials come from the SDK's default
 * chain (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO, ...); a loopback endpoint gets
 * dummy ones unless AWS_ACCESS_KEY_ID or AWS_PROFILE is set.
 */
export function createSqsClient(target: QueueTarget, env: NodeJS.ProcessEnv = process.env): SQSClient {
  // The SDK warns on Node 20 about releases from 2027 on; for a CLI user that
  // notice is not actionable and would turn every one-line error into ten lines.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const localCredentials = target.local && !env.AWS_ACCESS_KEY_ID && !env.AWS_PROFILE;
  return new SQSClient({
    region: target.region,
    ...(target.endpoint === undefined ? {} : { endpoint: target.endpoint }),
    ...(localCredentials ? { credentials: LOCAL_CREDENTIALS } : {}),
    // A black-holed endpoint should fail in seconds, not hang; no request
    // timeout, since a long poll legitimately waits up to 20 s.
    requestHandler: { connectionTimeout: 5_000 },
  });
}
