/** npm run bench (docs/performance.md): its options, read by bench/options.ts. */
import { BATCH_SIZE } from '../../../shared/sqs-event-source.js';
import { wholeNumber, wholeNumbers } from '../../../shared/values.js';
import { defineCommand } from '../command-line.js';
import { logs } from './options.js';

export const bench = defineCommand({
  name: 'bench',
  description:
    'Measures, in one run against one PostgreSQL (DATABASE_URL, else the embedded one), in a database of its own that it creates and drops: ' +
    'the COPY ceiling, login-etl end to end by batch size, the one-INSERT-per-message floor, batch-of-10 latency, the production bundle\'s size ' +
    'and cold start, peak memory for the largest batch, throughput with several handler processes, login-etl against the floor behind a ' +
    'simulated network hop, and the partitioned user_logins against an unpartitioned one. Prints a summary with PASS or MISS per ' +
    'target and writes latest.json and latest.svg. Takes minutes: see docs/performance.md.',
  options: {
    messages: { type: 'number', value: 'N', schema: wholeNumber(1), default: 40_000, description: 'generated messages in the main data set' },
    'batch-sizes': {
      type: 'number',
      value: 'LIST',
      schema: wholeNumbers(BATCH_SIZE.min, BATCH_SIZE.max),
      default: [10, 100, 1000, 10_000],
      description: `the SQS event sizes login-etl runs with, comma-separated, each ${BATCH_SIZE.min} to ${BATCH_SIZE.max}`,
    },
    runs: { type: 'number', value: 'R', schema: wholeNumber(1), default: 3, description: 'interleaved runs of ceiling, login-etl and floor' },
    seed: { type: 'number', value: 'S', schema: wholeNumber(0), default: 8, description: 'the seed of the generated messages' },
    'floor-messages': {
      type: 'number',
      value: 'N',
      schema: wholeNumber(1),
      default: 2_000,
      description: 'messages the one-INSERT-per-message floor writes (at most --messages)',
    },
    'latency-invocations': { type: 'number', value: 'N', schema: wholeNumber(1), default: 2_000, description: 'batches of 10 timed for latency' },
    'cold-runs': { type: 'number', value: 'N', schema: wholeNumber(1), default: 10, description: 'fresh processes timed for the cold start' },
    'memory-records': {
      type: 'number',
      value: 'N',
      schema: wholeNumber(1),
      default: 10_000,
      description: `records in the batch whose peak memory is measured (at most ${BATCH_SIZE.max})`,
    },
    concurrency: {
      type: 'number',
      value: 'LIST',
      schema: wholeNumbers(1, 1_000),
      default: [1, 2, 4, 8],
      description: 'the numbers of handler processes to run at once, comma-separated',
    },
    'concurrency-batch': {
      type: 'number',
      value: 'N',
      schema: wholeNumber(1),
      default: 1_000,
      description: `records per batch in the concurrency runs (at most ${BATCH_SIZE.max})`,
    },
    'rtt-ms': {
      type: 'number',
      value: 'MS',
      schema: wholeNumber(0, 1_000),
      default: 2,
      description:
        'round trip of the simulated network hop (a TCP proxy holding each direction back by half of it) that login-etl, the floor and the batch-of-10 latency are measured through again; 0 skips the hop',
    },
    node: {
      type: 'text',
      value: 'PATH',
      description: "the node binary that runs the production bundle's processes (cold start, memory, concurrency)",
      defaultText: 'the node running the bench',
    },
    out: { type: 'text', value: 'DIR', description: 'where latest.json and latest.svg go', defaultText: 'bench/results' },
    'skip-partitioning': {
      type: 'flag',
      description: 'skip the partitioned user_logins against an unpartitioned one (a second database, batch 1,000, at least 2 pairs)',
    },
    check: { type: 'flag', description: 'exit 1 when a target is missed' },
    logs,
  },
  examples: ['npm run bench', 'npm run bench -- --messages 10000 --runs 1', 'npm run bench -- --check', 'npm run bench -- --rtt-ms 4'],
});
