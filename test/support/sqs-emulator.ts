import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { buildApp } from 'fauxqs';

/** What fauxqs's inspection endpoint reports for one message. */
interface InspectedMessage {
  messageId: string;
  approximateReceiveCount: number;
}

/** What fauxqs's inspection endpoint reports for one queue (non-destructive). */
interface Inspection {
  messages: { ready: InspectedMessage[]; delayed: InspectedMessage[]; inflight: { message: InspectedMessage }[] };
}

/** A message the queue holds, visible, in flight or delayed. */
interface QueuedMessage {
  messageId: string;
  /** SQS's ApproximateReceiveCount as the emulator holds it. */
  receiveCount: number;
}

export interface EmulatedQueue {
  url: string;
  arn: string;
  name: string;
}

export interface SqsEmulator {
  /** http://127.0.0.1:<port>: pass as --endpoint. */
  endpoint: string;
  client: SQSClient;
  createQueue(name: string, attributes?: Record<string, string>): Promise<EmulatedQueue>;
  /** A queue whose RedrivePolicy sends a message to `<name>-dlq` after `maxReceiveCount` receives. */
  createQueueWithDlq(name: string, options: { maxReceiveCount: number; visibilityTimeout: number }): Promise<{ queue: EmulatedQueue; dlq: EmulatedQueue }>;
  /** Every message in the queue: visible, in flight and delayed; without receiving (no receive count spent). */
  inspect(queue: EmulatedQueue): Promise<QueuedMessage[]>;
  /** Ids of every message in the queue: visible, in flight and delayed. */
  messageIds(queue: EmulatedQueue): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * fauxqs, an SQS-compatible server (long polling, visibility timeouts,
 * system attributes, DLQ moves after maxReceiveCount), in this process on a
 * free loopback port. Built with buildApp() because startFauxqs() listens on
 * every interface; the tests keep all traffic on 127.0.0.1.
 */
export async function startSqsEmulator(): Promise<SqsEmulator> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const app = buildApp({ logger: false });
  const endpoint = await app.listen({ port: 0, host: '127.0.0.1' });
  const client = new SQSClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

  const createQueue = async (name: string, attributes: Record<string, string> = {}): Promise<EmulatedQueue> => {
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (!QueueUrl) throw new Error(`no URL for queue ${name}`);
    const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    return { url: QueueUrl, arn: Attributes?.QueueArn ?? '', name };
  };

  const inspect = async (queue: EmulatedQueue): Promise<QueuedMessage[]> => {
    const response = await fetch(`${endpoint}/_fauxqs/queues/${encodeURIComponent(queue.name)}`);
    if (!response.ok) throw new Error(`inspecting ${queue.name}: HTTP ${response.status}`);
    const { messages } = (await response.json()) as Inspection;
    return [...messages.ready, ...messages.delayed, ...messages.inflight.map((e) => e.message)].map((m) => ({
      messageId: m.messageId,
      receiveCount: m.approximateReceiveCount,
    }));
  };

  return {
    endpoint,
    client,
    createQueue,
    async createQueueWithDlq(name, options) {
      const dlq = await createQueue(`${name}-dlq`);
      const queue = await createQueue(name, {
        VisibilityTimeout: String(options.visibilityTimeout),
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: String(options.maxReceiveCount) }),
      });
      return { queue, dlq };
    },
    inspect,
    async messageIds(queue) {
      return (await inspect(queue)).map((m) => m.messageId);
    },
    async stop() {
      client.destroy();
      await app.close();
    },
  };
}
