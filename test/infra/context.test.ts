/** Context parsing: defaults, both value shapes, and errors that name the key. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auroraMaxConnections } from '../../infra/aurora-capacity.js';
import { proxyConnectionCapacity } from '../../infra/connection-budget.js';
import { checkKeyCase, ContextError, readSettings } from '../../infra/context.js';
import { defaultMaxConnections, describeInstanceClass } from '../../infra/instance-class.js';

const read = (context: Record<string, unknown>) => readSettings((key) => context[key]);

const rejects = (context: Record<string, unknown>, key: string, message: RegExp) =>
  assert.throws(
    () => read(context),
    (error: unknown) => error instanceof ContextError && error.key === key && message.test(error.message),
  );

describe('readSettings', () => {
  test('defaults describe a standard-queue, non-production stack', () => {
    assert.deepEqual(read({}), {
      stackName: 'LoginEtl',
      prod: false,
      fifo: false,
      memorySize: 512,
      timeoutSeconds: 30,
      batchSize: 100,
      maxBatchingWindowSeconds: 5,
      maxReceiveCount: 5,
      dbConnectionBudget: 10,
      database: 'rds',
      auroraMinCapacity: 0.5,
      auroraMaxCapacity: 8,
      auroraReader: false,
      dbInstanceType: 't4g.micro',
      allowBurstableProd: false,
      operators: [],
      operatorMfa: true,
      oldestMessageAlarmSeconds: 600,
      logLevel: 'INFO',
      serviceName: 'login-etl',
      sourceMaps: false,
      tracing: false,
      retentionMonths: 25,
      partitionMonthsAhead: 3,
      quarantineBodyDays: 14,
    });
  });

  test('accepts strings from -c and JSON values from cdk.json alike', () => {
    const fromCli = read({ prod: 'true', dbInstanceType: 'm7g.large', memorySize: '1024', logLevel: 'debug', alarmEmail: 'ops@example.com', sourceMaps: 'true' });
    const fromJson = read({ prod: true, dbInstanceType: 'm7g.large', memorySize: 1024, logLevel: 'DEBUG', alarmEmail: 'ops@example.com', sourceMaps: true });
    assert.deepEqual(fromCli, fromJson);
    assert.equal(fromCli.prod, true);
    assert.equal(fromCli.memorySize, 1024);
    assert.equal(fromCli.logLevel, 'DEBUG');
    assert.equal(fromCli.alarmEmail, 'ops@example.com');
    assert.equal(fromCli.sourceMaps, true);
  });

  test('an empty value means the default', () => {
    assert.equal(read({ memorySize: '', alarmEmail: '' }).memorySize, 512);
    assert.equal(read({ alarmEmail: '' }).alarmEmail, undefined);
  });

  test('FIFO defaults to 10 records and no batching window, and refuses more', () => {
    const fifo = read({ fifo: 'true' });
    assert.equal(fifo.batchSize, 10);
    assert.equal(fifo.maxBatchingWindowSeconds, 0);
    rejects({ fifo: 'true', batchSize: '11' }, 'batchSize', /from 1 to 10/);
    rejects({ fifo: 'true', maxBatchingWindowSeconds: '5' }, 'maxBatchingWindowSeconds', /FIFO/);
  });

  test('a standard batch above 10 records needs a batching window', () => {
    rejects({ batchSize: '50', maxBatchingWindowSeconds: '0' }, 'maxBatchingWindowSeconds', /at least 1/);
    assert.equal(read({ batchSize: '10', maxBatchingWindowSeconds: '0' }).maxBatchingWindowSeconds, 0);
  });

  test('the timeout must cover the database timeouts', () => {
    rejects({ timeoutSeconds: '10' }, 'timeoutSeconds', /at least \d+ s/);
  });

  test('bad values are named with what was expected', () => {
    rejects({ prod: 'yes' }, 'prod', /true or false/);
    rejects({ memorySize: '512MB' }, 'memorySize', /whole number from 128 to 10240/);
    rejects({ memorySize: 64 }, 'memorySize', /from 128/);
    rejects({ dbConnectionBudget: '1' }, 'dbConnectionBudget', /from 2 to 1000/);
    rejects({ alarmEmail: 'ops' }, 'alarmEmail', /e-mail/);
    rejects({ logLevel: 'TRACE' }, 'logLevel', /DEBUG, INFO, WARN, ERROR/);
    rejects({ dbInstanceType: 'db.t4g.micro' }, 'dbInstanceType', /without the "db." prefix/);
    rejects({ stackName: 'login_etl' }, 'stackName', /stack name/);
    rejects({ stackName: 'Login--Etl' }, 'stackName', /single hyphens/);
    rejects({ stackName: 'L'.repeat(55) }, 'stackName', /at most 54/);
    assert.equal(read({ stackName: 'L'.repeat(54) }).stackName.length, 54);
  });

  test('prod=true refuses a burstable instance class unless allowBurstableProd is set', () => {
    rejects({ prod: 'true' }, 'dbInstanceType', /"t4g\.micro", a burstable class, with prod=true.*-c allowBurstableProd=true/);
    rejects({ prod: 'true', dbInstanceType: 't3.large' }, 'dbInstanceType', /burstable/);
    assert.equal(read({ prod: 'true', dbInstanceType: 't4g.micro', allowBurstableProd: 'true' }).dbInstanceType, 't4g.micro');
    assert.equal(read({ prod: 'true', dbInstanceType: 'm7g.large' }).dbInstanceType, 'm7g.large');
    // Without prod a burstable class is the cheap default.
    assert.equal(read({ dbInstanceType: 't3.micro' }).dbInstanceType, 't3.micro');
  });

  test('an instance class whose memory is unknown is refused, naming the classes known', () => {
    rejects({ dbInstanceType: 'x2g.large' }, 'dbInstanceType', /expected a class of t3\/t4g/);
    rejects({ dbInstanceType: 't4g.huge' }, 'dbInstanceType', /expected a class of/);
    assert.equal(read({ dbInstanceType: 'r6gd.2xlarge' }).dbInstanceType, 'r6gd.2xlarge');
  });

  test('dbConnectionBudget must fit the class’s max_connections, less the proxy’s share and the direct connections', () => {
    const micro = describeInstanceClass('t4g.micro');
    assert.ok(micro);
    // LEAST(DBInstanceClassMemory/9531392, 5000), DBInstanceClassMemory taken as 80% of 1 GiB.
    assert.equal(defaultMaxConnections(micro), 90);
    const capacity = proxyConnectionCapacity(defaultMaxConnections(micro));
    assert.equal(capacity, 81);
    // The daily maintenance holds one session of it.
    assert.equal(read({ dbConnectionBudget: String(capacity - 1) }).dbConnectionBudget, capacity - 1);
    rejects({ dbConnectionBudget: String(capacity) }, 'dbConnectionBudget', /and the maintenance's one that exceeds the 81 sessions a t4g\.micro instance leaves the proxy.*max_connections about 90/);
    // Each operator takes one session of the same capacity.
    rejects({ dbConnectionBudget: String(capacity - 1), operators: 'alice' }, 'dbConnectionBudget', /with 1 operator session/);
    // A larger class takes the same budget.
    assert.equal(read({ dbConnectionBudget: '500', dbInstanceType: 'm7g.2xlarge' }).dbConnectionBudget, 500);
    const big = describeInstanceClass('r6g.24xlarge');
    assert.ok(big);
    assert.equal(defaultMaxConnections(big), 5_000);
  });

  test('operators: a comma list from -c or an array from cdk.json, each a valid login name, no repeats', () => {
    assert.deepEqual(read({ operators: 'alice, bob_smith,' }).operators, ['alice', 'bob_smith']);
    assert.deepEqual(read({ operators: ['alice'] }).operators, ['alice']);
    rejects({ operators: 'Alice' }, 'operators', /operator name "Alice" must be 2-30 characters/);
    rejects({ operators: 'alice,a-b' }, 'operators', /operator name "a-b"/);
    rejects({ operators: 'alice,alice' }, 'operators', /names "alice" twice/);
    rejects({ operators: 3 }, 'operators', /short names separated by commas/);
    assert.equal(read({ operatorMfa: 'false' }).operatorMfa, false);
  });

  test('database=aurora: a capacity range in half ACUs (0.5 to 8 by default), checked at synth', () => {
    const aurora = read({ database: 'aurora' });
    assert.equal(aurora.database, 'aurora');
    assert.deepEqual([aurora.auroraMinCapacity, aurora.auroraMaxCapacity, aurora.auroraReader], [0.5, 8, false]);
    const set = read({ database: 'aurora', auroraMinCapacity: '1.5', auroraMaxCapacity: 16 });
    assert.deepEqual([set.auroraMinCapacity, set.auroraMaxCapacity], [1.5, 16]);
    rejects({ database: 'postgres' }, 'database', /expected rds or aurora/);
    rejects({ database: 'aurora', auroraMinCapacity: '0' }, 'auroraMinCapacity', /from 0.5 to 256 in steps of 0.5/);
    rejects({ database: 'aurora', auroraMinCapacity: '1.2' }, 'auroraMinCapacity', /steps of 0.5/);
    rejects({ database: 'aurora', auroraMaxCapacity: '0.5' }, 'auroraMaxCapacity', /from 1 to 256/);
    rejects({ database: 'aurora', auroraMaxCapacity: '512' }, 'auroraMaxCapacity', /from 1 to 256/);
    rejects({ database: 'aurora', auroraMinCapacity: '4', auroraMaxCapacity: '2' }, 'auroraMaxCapacity', /at least auroraMinCapacity \(4\)/);
  });

  test('database=aurora: a reader by default with prod=true, on request without', () => {
    assert.equal(read({ database: 'aurora', prod: 'true' }).auroraReader, true);
    assert.equal(read({ database: 'aurora', prod: 'true', auroraReader: 'false' }).auroraReader, false);
    assert.equal(read({ database: 'aurora', auroraReader: 'true' }).auroraReader, true);
    // No burstable-class rule for Aurora: there is no class.
    assert.equal(read({ database: 'aurora', prod: 'true' }).prod, true);
  });

  test('a key that sizes the other engine is refused, naming it', () => {
    rejects({ auroraMaxCapacity: '16' }, 'auroraMaxCapacity', /applies to database=aurora only, and database is rds/);
    rejects({ auroraReader: 'true' }, 'auroraReader', /database=aurora only/);
    rejects({ database: 'aurora', dbInstanceType: 'm7g.large' }, 'dbInstanceType', /applies to database=rds only, and database is aurora/);
    rejects({ database: 'aurora', allowBurstableProd: 'true' }, 'allowBurstableProd', /database=rds only/);
  });

  test('database=aurora: dbConnectionBudget must fit the max_connections AWS tabulates for the maximum ACUs', () => {
    // 1 ACU: 189 connections; 90% of it, less nothing more than the 7 direct ones: 170, one of them the maintenance's.
    assert.equal(read({ database: 'aurora', auroraMaxCapacity: '1', dbConnectionBudget: '169' }).dbConnectionBudget, 169);
    rejects(
      { database: 'aurora', auroraMaxCapacity: '1', dbConnectionBudget: '170' },
      'dbConnectionBudget',
      /exceeds the 170 sessions an Aurora writer of 0.5-1 ACUs leaves the proxy \(max_connections 189.*raise auroraMaxCapacity/,
    );
    rejects({ database: 'aurora', auroraMaxCapacity: '1', dbConnectionBudget: '169', operators: 'alice' }, 'dbConnectionBudget', /with 1 operator session/);
    // The default range (0.5-8 ACUs): 1,669 connections, 1,502 for the proxy's
    // clients (docs/deploy.md), more than the largest budget the schema allows.
    assert.equal(proxyConnectionCapacity(auroraMaxConnections({ minCapacity: 0.5, maxCapacity: 8 })), 1_502);
    assert.equal(read({ database: 'aurora', dbConnectionBudget: '1000' }).dbConnectionBudget, 1000);
  });

  test('tracing is a boolean key', () => {
    assert.equal(read({ tracing: 'true' }).tracing, true);
    rejects({ tracing: 'on' }, 'tracing', /true or false/);
  });

  test('the error says how to set the key', () => {
    assert.throws(
      () => read({ prod: 1 }),
      /context "prod" is 1: expected true or false \(set it with -c prod=\.\.\. or in cdk\.json\)/,
    );
  });
});

describe('checkKeyCase', () => {
  test('rejects a setting spelled with the wrong case', () => {
    assert.throws(() => checkKeyCase({ memorysize: '1024' }), /context "memorySize" was given as "memorysize"/);
  });

  test('leaves the CDK’s own context keys alone', () => {
    checkKeyCase({ '@aws-cdk/core:checkSecretUsage': true, 'acknowledged-issue-numbers': [1], memorySize: 1 });
  });
});

describe('auroraMaxConnections', () => {
  test('AWS’s table by maximum ACUs; between rows, the lower row', () => {
    const at = (maxCapacity: number, minCapacity = 1) => auroraMaxConnections({ minCapacity, maxCapacity });
    assert.deepEqual([1, 4, 8, 16, 32, 64, 256].map((max) => at(max)), [189, 823, 1_669, 3_360, 5_000, 5_000, 5_000]);
    assert.deepEqual([3.5, 5, 12, 31.5].map((max) => at(max)), [189, 823, 1_669, 3_360]);
  });

  test('a minimum of 0.5 ACUs caps it at 2,000', () => {
    assert.equal(auroraMaxConnections({ minCapacity: 0.5, maxCapacity: 16 }), 2_000);
    assert.equal(auroraMaxConnections({ minCapacity: 0.5, maxCapacity: 8 }), 1_669);
    assert.equal(auroraMaxConnections({ minCapacity: 1, maxCapacity: 16 }), 3_360);
  });
});
