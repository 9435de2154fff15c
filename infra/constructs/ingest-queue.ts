import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface IngestQueueProps {
  readonly fifo: boolean;
  readonly maxReceiveCount: number;
  /** The consuming function's timeout and its mapping's batching window: they set the visibility timeout. */
  readonly consumerTimeout: Duration;
  readonly batchingWindow: Duration;
  readonly prod: boolean;
}

/** How long the login queue keeps a message. */
const QUEUE_RETENTION = Duration.days(4);
/**
 * The maximum, and longer than the source queue's: a standard queue's dead
 * letter keeps its original enqueue time, so a DLQ no longer-lived than its
 * source can expire messages the moment they arrive. 14 days leaves time to
 * read the alarm, fix the cause and redrive.
 */
const DEAD_LETTER_RETENTION = Duration.days(14);
/**
 * A dead letter has at least DLQ − queue retention (10 days) left when it
 * arrives; the DeadLetterAge alarm fires halfway through that.
 */
export const DEAD_LETTER_ALARM_AGE = Duration.days((DEAD_LETTER_RETENTION.toDays() - QUEUE_RETENTION.toDays()) / 2);

/**
 * The login queue and its dead-letter queue.
 *
 * Encryption is SSE-SQS (SQS-owned keys): messages are encrypted at rest and
 * producers need no KMS permissions, which a customer-managed key would
 * force on every sender. The PII protection that matters is downstream: the
 * pipeline masks and vaults it, and messages live here for days at most.
 */
export class IngestQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: IngestQueueProps) {
    super(scope, id);
    const removalPolicy = props.prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    // No content-based deduplication: a login body carries no event id or
    // time, so two real logins by the same user on the same device within
    // SQS's 5-minute window hash alike, and SQS would accept both sends but
    // deliver one. Producers give each login its own MessageDeduplicationId
    // (reused only when retrying the same send), as `npm run send` does; a
    // send without one fails instead of being dropped silently.
    const fifo = props.fifo ? { fifo: true, contentBasedDeduplication: false } : {};

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...fifo,
      retentionPeriod: DEAD_LETTER_RETENTION,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy,
    });

    if (props.maxReceiveCount < 5) {
      Annotations.of(this).addWarningV2(
        'login-etl:lowMaxReceiveCount',
        `maxReceiveCount ${props.maxReceiveCount} is below 5: a throttled or briefly failing consumer can dead-letter good messages`,
      );
    }
    this.queue = new sqs.Queue(this, 'Queue', {
      ...fifo,
      // Lambda's rule: at least 6 × the function timeout (+ the batching
      // window), so a message is not redelivered while a retried invocation
      // still holds it.
      visibilityTimeout: Duration.seconds(6 * props.consumerTimeout.toSeconds() + props.batchingWindow.toSeconds()),
      retentionPeriod: QUEUE_RETENTION,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
      removalPolicy,
    });
  }
}
