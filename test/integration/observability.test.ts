import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MetricName, QUARANTINE_REASON_DIMENSION } from '../../lambda/observability/metric-names.js';
import { sqsEvent } from '../../tools/lib/sqs-event.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { testEnv } from '../support/keys.js';
import { repoRoot, runScript, runTool } from '../support/run-tool.js';
import { findPii, sampleBodies } from '../support/samples.js';

interface EmfDocument {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] };
  [key: string]: unknown;
}

function jsonLines(text: string): Record<string, unknown>[] {
  return text.split('\n').flatMap((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? [value as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

const emfDocuments = (text: string) => jsonLines(text).filter((d): d is EmfDocument => '_aws' in d);

/** Sum of a metric over every EMF document, optionally only those with a dimension value. */
function metricTotal(docs: EmfDocument[], name: string, dimension?: [string, string]): number {
  let total = 0;
  for (const doc of docs) {
    if (!doc._aws.CloudWatchMetrics.some((m) => m.Metrics.some((x) => x.Name === name))) continue;
    const dims = doc._aws.CloudWatchMetrics.flatMap((m) => m.Dimensions.flat());
    if (dimension ? doc[dimension[0]] !== dimension[1] : dims.includes(QUARANTINE_REASON_DIMENSION)) continue;
    const value = doc[name];
    total += Array.isArray(value) ? value.reduce((a: number, b: number) => a + b, 0) : Number(value);
  }
  return total;
}

describe('logs and metrics of an invocation', () => {
  let db: TestDatabase;
  let eventFile: string;
  const nasty = [
    '{"user_id": "u-1", "app_version": "1.0", "device_type": "ios", "ip": "10.9.8.7", "device_id": "111-22-3333", "locale": 5}',
    'not json at all 10.1.2.3',
  ];
  const bodies = [...sampleBodies, ...nasty];

  before(async () => {
    db = await createTestDatabase('observability');
    const dir = mkdtempSync(path.join(tmpdir(), 'login-etl-obs-'));
    eventFile = path.join(dir, 'event.json');
    writeFileSync(eventFile, JSON.stringify(sqsEvent(bodies, { idPrefix: 'obs' })));
  });
  after(async () => db.drop());

  it('emits EMF metrics that match what happened, and no PII anywhere', async () => {
    const run = await runTool('invoke', [eventFile, '--logs'], testEnv(db.adminUrl));
    assert.equal(run.code, 0, run.stderr);
    const docs = emfDocuments(run.stdout);
    assert.ok(docs.length >= 2, 'batch metrics and the cold start metric');
    assert.equal(metricTotal(docs, MetricName.RecordsReceived), 102);
    assert.equal(metricTotal(docs, MetricName.RecordsWritten), 99);
    assert.equal(metricTotal(docs, MetricName.RecordsDuplicate), 0);
    assert.equal(metricTotal(docs, MetricName.RecordsQuarantined), 3);
    assert.equal(metricTotal(docs, MetricName.RecordsFailed), 0);
    assert.equal(metricTotal(docs, MetricName.ColdStart), 1);
    assert.equal(metricTotal(docs, MetricName.RecordsQuarantined, [QUARANTINE_REASON_DIMENSION, 'schema_violation']), 2);
    assert.equal(metricTotal(docs, MetricName.RecordsQuarantined, [QUARANTINE_REASON_DIMENSION, 'invalid_json']), 1);
    assert.ok(metricTotal(docs, MetricName.BatchWriteLatency) > 0);
    assert.ok(metricTotal(docs, MetricName.DbConnectLatency) > 0, 'first invocation opened a connection');

    const logs = jsonLines(run.stdout + run.stderr).filter((d) => !('_aws' in d));
    const summary = logs.find((l) => l.message === 'batch processed');
    assert.ok(summary, 'one summary log line per batch');
    assert.equal(summary.level, 'INFO');
    assert.equal(summary.batchSize, 102);
    assert.equal(logs.filter((l) => l.message === 'record quarantined').length, 3);
    for (const line of logs) assert.equal('body' in line, false);

    const everything = run.stdout + run.stderr;
    assert.deepEqual(findPii(everything, [...findPii(bodies.join('\n')), '10.9.8.7', '111-22-3333', '10.1.2.3']), []);
  });

  it('logs a transient failure with its error class and the affected message ids, then throws', async () => {
    // A database without the schema: every write fails with 42883 (no write
    // function), which is transient by design (a bad deploy must not
    // quarantine good messages).
    const empty = await createTestDatabase('observability_empty', { migrate: false });
    try {
      const small = path.join(path.dirname(eventFile), 'small.json');
      const event = sqsEvent(sampleBodies.slice(0, 3), { idPrefix: 'obs-fail' });
      writeFileSync(small, JSON.stringify(event));
      const run = await runScript(path.join(repoRoot, 'test', 'support', 'lambda-runtime.ts'), [small], testEnv(empty.pipelineUrl));
      assert.match(run.stderr, /THROWN FullBatchFailureError/);
      const logs = jsonLines(run.stdout + run.stderr).filter((d) => !('_aws' in d));
      const failure = logs.find((l) => l.level === 'ERROR');
      assert.ok(failure, run.stdout);
      assert.equal(failure.errorType, 'error');
      assert.equal(failure.errorCode, '42883');
      assert.deepEqual(failure.messageIds, event.Records.map((r) => r.messageId));
      assert.equal(failure.function_request_id, 'c6af9ac6-7b61-11e6-9a41-93e812345678');
      assert.equal(failure.cold_start, true);
      const docs = emfDocuments(run.stdout);
      assert.equal(metricTotal(docs, MetricName.RecordsFailed), 3);
      assert.deepEqual(findPii(run.stdout + run.stderr), []);
    } finally {
      await empty.drop();
    }
  });
});
