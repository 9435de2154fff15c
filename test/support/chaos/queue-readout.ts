import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

export interface QueuedMessage {
  messageId: string;
  body: string;
  /** SQS's ApproximateReceiveCount as the emulator holds it. */
  receiveCount: number;
  state: 'ready' | 'delayed' | 'inflight';
}

interface InspectedMessage {
  messageId: string;
  body: string;
  approximateReceiveCount: number;
}

interface Inspection {
  messages: { ready: InspectedMessage[]; delayed: InspectedMessage[]; inflight: { message: InspectedMessage }[] };
}

/** Every message fauxqs holds for a queue, visible or not, without receiving (no receive count spent). */
export async function inspectQueue(endpoint: string, queueName: string): Promise<QueuedMessage[]> {
  const response = await fetch(`${endpoint}/_fauxqs/queues/${encodeURIComponent(queueName)}`);
  if (!response.ok) throw new Error(`inspecting ${queueName}: HTTP ${response.status}`);
  const { messages } = (await response.json()) as Inspection;
  const of = (m: InspectedMessage, state: QueuedMessage['state']): QueuedMessage => ({
    messageId: m.messageId,
    body: m.body,
    receiveCount: m.approximateReceiveCount,
    state,
  });
  return [
    ...messages.ready.map((m) => of(m, 'ready')),
    ...messages.delayed.map((m) => of(m, 'delayed')),
    ...messages.inflight.map((e) => of(e.message, 'inflight')),
  ];
}

export interface ReceivedCopy {
  messageId: string;
  body: string;
  /** ApproximateReceiveCount as SQS reports it on this receive (this receive included). */
  receiveCount: number;
}

/**
 * Reads a queue out with ReceiveMessage until it comes back empty twice, each
 * message hidden for `visibilitySeconds` so it is seen once. Use on a queue
 * without a RedrivePolicy (a DLQ): on a source queue these receives would
 * count towards maxReceiveCount.
 */
export async function receiveAll(client: SQSClient, queueUrl: string, visibilitySeconds = 600): Promise<ReceivedCopy[]> {
  const out: ReceivedCopy[] = [];
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: visibilitySeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        AttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) {
      empty += 1;
      continue;
    }
    empty = 0;
    for (const m of Messages) {
      out.push({ messageId: m.MessageId ?? '', body: m.Body ?? '', receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0) });
    }
  }
  return out;
}
