/** Lambda's SQS event source mapping rules, shared by the stack's context and the local consumer. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { brokenMappingRule } from '../../../shared/sqs-event-source.js';

describe('brokenMappingRule', () => {
  it('lets a standard batch of up to 10 go without a window, and a larger one with a window of 1 s or more', () => {
    assert.equal(brokenMappingRule({ fifo: false, batchSize: 10, windowSeconds: 0 }), undefined);
    assert.equal(brokenMappingRule({ fifo: false, batchSize: 10_000, windowSeconds: 1 }), undefined);
    assert.equal(brokenMappingRule({ fifo: false, batchSize: 11, windowSeconds: 0 }), 'window-required');
  });
  it('holds a FIFO mapping to 10 records and no window', () => {
    assert.equal(brokenMappingRule({ fifo: true, batchSize: 10, windowSeconds: 0 }), undefined);
    assert.equal(brokenMappingRule({ fifo: true, batchSize: 11, windowSeconds: 5 }), 'fifo-batch-size');
    assert.equal(brokenMappingRule({ fifo: true, batchSize: 10, windowSeconds: 1 }), 'fifo-window');
  });
});
