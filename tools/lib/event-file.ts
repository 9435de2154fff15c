import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { readInputFile, UsageError } from './cli.js';
import { sqsRecord } from './sqs-event.js';

/**
 * The SAM event shape, checked leniently: `messageId` and `body` are what the
 * pipeline needs; the other record fields are optional, since hand-written
 * events often omit them. (Powertools' SqsSchema requires every field Lambda
 * sends, which would refuse such files.)
 */
const SqsEventFileSchema = z.object({
  Records: z.array(
    z.looseObject({
      messageId: z.string().min(1),
      body: z.string(),
      receiptHandle: z.string().optional(),
      attributes: z.record(z.string(), z.string()).optional(),
      messageAttributes: z.record(z.string(), z.unknown()).optional(),
      md5OfBody: z.string().optional(),
      eventSource: z.string().optional(),
      eventSourceARN: z.string().optional(),
      awsRegion: z.string().optional(),
    }),
  ),
});

export async function readEventFile(file: string): Promise<SQSEvent> {
  const text = await readInputFile(file);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = SqsEventFileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '') : 'the file';
    throw new UsageError(`${file}: not an SQS event: ${where}: ${issue?.message ?? 'invalid'} (expected {"Records": [{"messageId": "...", "body": "..."}, ...]})`);
  }
  // Fields a hand-written event leaves out get what Lambda would have sent.
  const records = parsed.data.Records.map((given): SQSRecord => {
    const defaults = sqsRecord(given.body, { messageId: given.messageId });
    return {
      ...defaults,
      ...given,
      attributes: { ...defaults.attributes, ...given.attributes },
      messageAttributes: (given.messageAttributes ?? {}) as SQSRecord['messageAttributes'],
    };
  });
  return { Records: records };
}
