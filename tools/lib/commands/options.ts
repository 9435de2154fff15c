/** Options several tools take, defined once so they read and behave the same everywhere. */
import type { FlagOption, TextOption } from '../command-line.js';
import { MAX_REASON } from '../pii/operator-context.js';
import { DEFAULT_REGION, LOCALSTACK_QUEUE_URL } from '../queue/queue-target.js';

export const logs = {
  type: 'flag',
  description: "show the function's JSON logs and EMF metrics on stdout, as CloudWatch would get them",
} as const satisfies FlagOption;

export const queueUrl = {
  type: 'text',
  value: 'URL',
  description: 'the login queue',
  defaultText: `SQS_QUEUE_URL, else the LocalStack queue ${LOCALSTACK_QUEUE_URL}`,
} as const satisfies TextOption;

/** Where the SQS calls go and how they are signed: resolveQueueTarget reads them. */
export const queueTarget = {
  endpoint: {
    type: 'text',
    value: 'URL',
    description: 'the SQS endpoint (LocalStack, an emulator)',
    defaultText: "AWS_ENDPOINT_URL_SQS or AWS_ENDPOINT_URL, else the queue URL's origin, or AWS's regional endpoint for an AWS queue URL",
  },
  region: {
    type: 'text',
    value: 'R',
    description: 'the AWS region that signs the calls',
    defaultText: `the region of an AWS queue URL, else AWS_REGION or AWS_DEFAULT_REGION, else ${DEFAULT_REGION}`,
  },
} as const satisfies Record<string, TextOption>;

/** Who asks and why: every operator tool that opens or erases originals writes both to the audit log. */
export const operatorContext = {
  reason: {
    type: 'text',
    value: '<why>',
    description: `why, e.g. a ticket reference: one line, at most ${MAX_REASON} characters, stored in the clear in the audit log, so no IP address`,
    required: true,
  },
  operator: {
    type: 'text',
    value: '<name>',
    description: 'the name you state, kept beside the audit row (the database login that ran it is recorded anyway)',
    defaultText: 'the OS user',
  },
} as const satisfies Record<string, TextOption>;
