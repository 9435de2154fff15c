import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * The ids of the messages in a queue, read out with ReceiveMessage until it
 * comes back empty twice, each message hidden for `visibilitySeconds` so it
 * is seen once. Use on a queue
 * without a RedrivePolicy (a DLQ): on a source queue these receives would
 * count towards maxReceiveCount.
 */
export async function receiveAll(client: SQSClient, queueUrl: string, visibilitySeconds = 600): Promise<string[]> {
  const out: string[] = [];
  for (let empty = 0; empty < 2; ) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 0,
        VisibilityTimeout: visibilitySeconds,
      }),
    );
    if (Messages.length === 0) {
      empty += 1;
      continue;
    }
    empty = 0;
    for (const m of Messages) out.push(m.MessageId ?? '');
  }
  return out;
}
