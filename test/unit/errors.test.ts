import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DatabaseError } from 'pg';
import {
  classifyDatabaseError,
  databaseErrorKind,
  isDeadConnectionError,
  refusedSqlState,
  rowRejection,
  type DatabaseErrorKind,
} from '../../lambda/db/database-errors.js';
import { MigrationFailedError } from '../../lambda/db/migration-errors.js';
import { RowRejectedError } from '../../lambda/errors.js';

/** What pg raises when the server answers with an ErrorResponse. */
const pgError = (code: string) => Object.assign(new DatabaseError('x', 0, 'error'), { code });
/** What node raises for a socket (no server answer). */
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });

describe('classifyDatabaseError', () => {
  it('blames the row for data exceptions and integrity violations', () => {
    for (const code of ['22001', '22P05', '22021', '23514', '23502']) assert.equal(classifyDatabaseError(pgError(code)), 'row', code);
  });
  it('calls everything else transient, including a missing table after a bad deploy', () => {
    for (const code of ['08006', '40001', '40P01', '53300', '57014', '57P01', '42P01', '42883']) {
      assert.equal(classifyDatabaseError(pgError(code)), 'transient', code);
    }
    assert.equal(classifyDatabaseError(socketError('ECONNREFUSED')), 'transient');
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
    assert.ok(isDeadConnectionError(socketError('ECONNRESET')));
  });
  it('does not retry statement errors', () => {
    assert.ok(!isDeadConnectionError(pgError('23505')));
    assert.ok(!isDeadConnectionError(pgError('57014')));
  });
});

describe('what a Postgres error means (databaseErrorKind), one table for the pipeline, the pool and the migrator', () => {
  const table: [string, unknown, DatabaseErrorKind][] = [
    ['22001 string_data_right_truncation', pgError('22001'), 'row'],
    ['22P05 untranslatable_character', pgError('22P05'), 'row'],
    ['23514 check_violation', pgError('23514'), 'row'],
    ['23502 not_null_violation', pgError('23502'), 'row'],
    ['40001 serialization_failure', pgError('40001'), 'statement'],
    ['40P01 deadlock_detected', pgError('40P01'), 'statement'],
    ['53300 too_many_connections', pgError('53300'), 'statement'],
    ['55P03 lock_not_available', pgError('55P03'), 'statement'],
    ['57014 query_canceled (statement timeout)', pgError('57014'), 'statement'],
    ['42P01 undefined_table', pgError('42P01'), 'statement'],
    ['28P01 invalid_password', pgError('28P01'), 'statement'],
    ['XX000 internal_error', pgError('XX000'), 'statement'],
    ['08006 connection_failure', pgError('08006'), 'connection-lost'],
    ['08P01 protocol_violation', pgError('08P01'), 'connection-lost'],
    ['57P01 admin_shutdown', pgError('57P01'), 'connection-lost'],
    ['57P02 crash_shutdown', pgError('57P02'), 'connection-lost'],
    ['57P03 cannot_connect_now', pgError('57P03'), 'connection-lost'],
    ['57P05 idle_session_timeout', pgError('57P05'), 'connection-lost'],
    ['25P03 idle_in_transaction_session_timeout', pgError('25P03'), 'connection-lost'],
    ['ECONNRESET', socketError('ECONNRESET'), 'connection-lost'],
    ['EPIPE', socketError('EPIPE'), 'connection-lost'],
    ['ETIMEDOUT', socketError('ETIMEDOUT'), 'connection-lost'],
    ['pg: Connection terminated unexpectedly', new Error('Connection terminated unexpectedly'), 'connection-lost'],
    ['pg: client not queryable', new Error('Client has encountered a connection error and is not queryable'), 'connection-lost'],
    ['ECONNREFUSED', socketError('ECONNREFUSED'), 'no-answer'],
    ['ENOTFOUND', socketError('ENOTFOUND'), 'no-answer'],
    ['pg: connect timeout', new Error('timeout exceeded when trying to connect'), 'no-answer'],
    ['pg: query read timeout', new Error('Query read timeout'), 'no-answer'],
    ['a SQLSTATE-shaped code on an error the server did not send', Object.assign(new Error('x'), { code: '23514' }), 'no-answer'],
    ['a migration that failed (the migrator wraps the server error)', new MigrationFailedError('009_x', '42601', pgError('42601')), 'no-answer'],
    ['not an error', undefined, 'no-answer'],
  ];
  for (const [name, error, kind] of table) {
    it(`${name}: ${kind}`, () => assert.equal(databaseErrorKind(error), kind));
  }

  it('a SQLSTATE counts as an answer only on a session still in step', () => {
    assert.equal(refusedSqlState(pgError('23514')), '23514');
    assert.equal(refusedSqlState(pgError('55P03')), '55P03');
    assert.equal(refusedSqlState(pgError('57P01')), undefined, 'the session ended: the migrator raises it as it is, to be retried');
    assert.equal(refusedSqlState(pgError('08006')), undefined);
    assert.equal(refusedSqlState(socketError('EPIPE')), undefined, 'a socket code is not a SQLSTATE, even with five letters');
  });

  it('a refused row becomes the pipeline\'s RowRejectedError: its SQLSTATE and class, never the server text', () => {
    const error = Object.assign(new DatabaseError('invalid input syntax for type uuid: "10.1.2.3"', 0, 'error'), { code: '22P02' });
    const rejection = rowRejection(error);
    assert.ok(rejection instanceof RowRejectedError);
    assert.equal(rejection.detail, 'SQLSTATE 22P02: the database refused the row (a data exception)');
    assert.equal(rejection.message, rejection.detail);
    assert.equal(rejection.code, '22P02');
    assert.equal(rowRejection(pgError('23514'))?.detail, 'SQLSTATE 23514: the database refused the row (an integrity constraint)');
    for (const other of [pgError('57014'), pgError('57P01'), socketError('ECONNREFUSED')]) assert.equal(rowRejection(other), undefined);
  });
});
