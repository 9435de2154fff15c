import { GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { UsageError } from '../cli.js';
import { sqsCall } from './errors.js';
import type { QueueTarget } from './queue-target.js';

/** What the tools need to know about a queue, read once at start. */
export interface QueueInfo {
  url: string;
  arn: string;
  name: string;
  region: string;
  fifo: boolean;
  visibilityTimeoutSeconds: number;
  /** From the queue's RedrivePolicy, when it has one. */
  deadLetter?: { arn: string; maxReceiveCount: number };
}

interface QueueArn {
  region: string;
  account: string;
  name: string;
}

function parseQueueArn(arn: string): QueueArn {
  const [prefix, partition, service, region, account, name] = arn.split(':');
  if (prefix !== 'arn' || !partition || service !== 'sqs' || !region || !account || !name) {
    throw new UsageError(`${JSON.stringify(arn)} is not an SQS queue ARN`);
  }
  return { region, account, name };
}

/** arn:aws:sqs:<region>:<account>:<name>, for servers that do not report QueueArn. */
function arnFromUrl(queueUrl: string, region: string): string {
  const [, account, name] = new URL(queueUrl).pathname.split('/');
  return `arn:aws:sqs:${region}:${account}:${name}`;
}

function deadLetterOf(policy: string | undefined): QueueInfo['deadLetter'] {
  if (!policy) return undefined;
  try {
    const parsed = JSON.parse(policy) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    if (typeof parsed.deadLetterTargetArn !== 'string') return undefined;
    return { arn: parsed.deadLetterTargetArn, maxReceiveCount: Number(parsed.maxReceiveCount) };
  } catch {
    return undefined;
  }
}

/**
 * Reads the queue's attributes. Also the tools' preflight: an unreachable
 * endpoint, a missing queue or rejected credentials fail here, as one line.
 */
export async function describeQueue(client: SQSClient, target: QueueTarget): Promise<QueueInfo> {
  const { Attributes: a = {} } = await sqsCall({ action: 'GetQueueAttributes', queueUrl: target.queueUrl, endpoint: target.endpoint }, () =>
    client.send(
      new GetQueueAttributesCommand({
        QueueUrl: target.queueUrl,
        AttributeNames: ['QueueArn', 'VisibilityTimeout', 'RedrivePolicy', 'FifoQueue'],
      }),
    ),
  );
  const arn = a.QueueArn ?? arnFromUrl(target.queueUrl, target.region);
  const { region, name } = parseQueueArn(arn);
  const deadLetter = deadLetterOf(a.RedrivePolicy);
  return {
    url: target.queueUrl,
    arn,
    name,
    region,
    fifo: a.FifoQueue === 'true' || name.endsWith('.fifo'),
    visibilityTimeoutSeconds: Number(a.VisibilityTimeout ?? 30),
    ...(deadLetter ? { deadLetter } : {}),
  };
}

export interface QueueDepth {
  visible: number;
  inFlight: number;
  delayed: number;
}

/** The approximate counts SQS reports (eventually consistent on AWS). */
export async function queueDepth(client: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes: a = {} } = await client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  return {
    visible: Number(a.ApproximateNumberOfMessages ?? 0),
    inFlight: Number(a.ApproximateNumberOfMessagesNotVisible ?? 0),
    delayed: Number(a.ApproximateNumberOfMessagesDelayed ?? 0),
  };
}

/** The URL of a queue named by ARN (a RedrivePolicy names its DLQ that way). */
export async function queueUrlOfArn(client: SQSClient, arn: string, target: QueueTarget): Promise<string> {
  const { account, name } = parseQueueArn(arn);
  const { QueueUrl } = await sqsCall({ action: 'GetQueueUrl', queueUrl: arn, endpoint: target.endpoint }, () =>
    client.send(new GetQueueUrlCommand({ QueueName: name, QueueOwnerAWSAccountId: account })),
  );
  if (!QueueUrl) throw new UsageError(`SQS returned no URL for ${arn}`);
  return QueueUrl;
}
