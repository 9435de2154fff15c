import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyDatabaseError } from '../../lambda/errors.js';
import { isDeadConnectionError } from '../../lambda/db/database.js';

const pgError = (code: string) => Object.assign(new Error('x'), { code });

describe('classifyDatabaseError', () => {
  it('blames the row for data exceptions and integrity violations', () => {
    for (const code of ['22001', '22P05', '22021', '23514', '23502']) assert.equal(classifyDatabaseError(pgError(code)), 'row', code);
  });
  it('calls everything else transient, including a missing table after a bad deploy', () => {
    for (const code of ['08006', '40001', '40P01', '53300', '57014', '57P01', '42P01', '42883', 'ECONNREFUSED']) {
      assert.equal(classifyDatabaseError(pgError(code)), 'transient', code);
    }
    assert.equal(classifyDatabaseError(new Error('Connection terminated unexpectedly')), 'transient');
    assert.equal(classifyDatabaseError(undefined), 'transient');
  });
});

describe('isDeadConnectionError', () => {
  it('recognises a terminated session and a reset socket', () => {
    assert.ok(isDeadConnectionError(pgError('57P01')));
    assert.ok(isDeadConnectionError(pgError('08006')));
    assert.ok(isDeadConnectionError(pgError('57P05')), 'idle_session_timeout');
    assert.ok(isDeadConnectionError(new Error('Connection terminated unexpectedly')));
    assert.ok(isDeadConnectionError(pgError('ECONNRESET')));
  });
  it('does not retry statement errors', () => {
    assert.ok(!isDeadConnectionError(pgError('23505')));
    assert.ok(!isDeadConnectionError(pgError('57014')));
  });
});
