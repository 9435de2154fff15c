/** The tools that run the function on this machine: demo, invoke, migrate, and the test runner. */
import { defineCommand } from '../command-line.js';
import { MAINTENANCE_ENV, MAINTENANCE_MONTHS_AHEAD, QUARANTINE_BODY_DAYS, RETENTION_MONTHS } from '../../../shared/maintenance-settings.js';
import { logs } from './options.js';

const DATABASE = 'Uses DATABASE_URL (its owner migrates; the handler runs as login_etl_pipeline), else an embedded PostgreSQL under .data/.';

export const demo = defineCommand({
  name: 'demo',
  description:
    'The exercise end to end: migrates, sends the 100 sample messages of test/fixtures/login-messages.jsonl through the real handler ' +
    'as one SQS event, and prints what landed: counts, quarantine reasons, the Lambda response and a few masked rows. ' +
    `Never prints a plain ip or device id. Running it again shows redelivery writing nothing new. ${DATABASE}`,
  options: { logs },
  examples: ['npm run demo'],
});

export const invoke = defineCommand({
  name: 'invoke',
  description:
    'Runs the handler on an SQS event file, the shape `sam local invoke -e` takes (test/fixtures has some). ' +
    'Prints the SQSBatchResponse on stdout and a one-line summary on stderr. ' +
    `Migrates first. ${DATABASE}`,
  options: { logs },
  positionals: { name: 'event.json', description: 'the SQS event, as JSON', count: 'one' },
  examples: ['npm run invoke -- test/fixtures/sample-event.json', 'npm run invoke -- test/fixtures/small-event.json --logs'],
});

export const migrate = defineCommand({
  name: 'migrate',
  description:
    'Applies the pending SQL migrations, in order, each once (demo, invoke, consume and the tests do it too). ' +
    'Prints what it applied. Uses DATABASE_URL, which must name the database owner, else an embedded PostgreSQL under .data/.',
  options: {},
  examples: ['npm run migrate', 'DATABASE_URL=postgres://owner@db.example:5432/logins npm run migrate'],
});

export const test = defineCommand({
  name: 'test',
  description:
    "All tests, by node's test runner over test/**/*.test.ts and bench/test/**/*.test.ts, two files at a time, against a real PostgreSQL: " +
    'DATABASE_URL when set, else an embedded one started for the run. Each test file creates and drops a database of its own.',
  options: {
    chaos: { type: 'flag', description: 'run only the reliability suite (test/reliability), at full size' },
  },
  positionals: { name: 'file.test.ts', description: 'run only these test files', count: 'any' },
  examples: ['npm test', 'npm test -- test/unit/config.test.ts', 'npm test -- --chaos'],
});

export const maintain = defineCommand({
  name: 'maintain',
  description:
    'Partition maintenance, as the scheduled function runs it in AWS: creates the months of user_logins ahead, moves logins out of the ' +
    'default partition into their month, drops the months past retention with the sealed originals and data keys only they used, and ' +
    'shreds quarantined bodies past their retention (the rows stay). Without --apply it prints what it would do and changes nothing. ' +
    'Prints table names, dates and counts, never a value. Runs as login_etl_maintenance, which may do this and nothing else; ' +
    'DATABASE_URL (its owner sets that login up), else the embedded PostgreSQL under .data/.',
  options: {
    'months-ahead': {
      type: 'text',
      value: 'N',
      description: 'months of partitions kept ready after this one, 1 to 24',
      defaultText: `${MAINTENANCE_ENV.monthsAhead}, else ${MAINTENANCE_MONTHS_AHEAD}`,
    },
    'retention-months': {
      type: 'text',
      value: 'N',
      description: 'months of logins kept: a month goes once it ended more than N months ago, 1 to 1200',
      defaultText: `${MAINTENANCE_ENV.retentionMonths}, else ${RETENTION_MONTHS}`,
    },
    'quarantine-body-days': {
      type: 'text',
      value: 'N',
      description: 'days a quarantined body stays sealed before it is shredded, 1 to 365',
      defaultText: `${MAINTENANCE_ENV.quarantineBodyDays}, else ${QUARANTINE_BODY_DAYS}`,
    },
    apply: { type: 'flag', description: 'do it; without it, only print what would be done' },
  },
  examples: ['npm run maintain', 'npm run maintain -- --retention-months 13 --apply'],
});
