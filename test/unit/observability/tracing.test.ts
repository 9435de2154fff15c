import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTracing, noTracing } from '../../../lambda/observability/tracing.js';

describe('tracing', () => {
  it('is a pass-through when disabled', async () => {
    assert.equal(await createTracing(false, 'svc'), noTracing);
    assert.equal(await noTracing.span('x', async () => 42), 42);
  });

  it('runs the work and passes errors through when enabled outside an X-Ray segment', async () => {
    const tracing = await createTracing(true, 'svc');
    assert.notEqual(tracing, noTracing);
    assert.equal(await tracing.span('x', async () => 'ok', { batchSize: 3 }), 'ok');
    await assert.rejects(tracing.span('x', async () => Promise.reject(new Error('boom'))), /boom/);
  });
});
