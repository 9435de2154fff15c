/** SQS failures as one line each: the SDK's exception classes and names, and Node's socket errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidAddress, KmsAccessDenied, QueueDoesNotExist, SQSServiceException } from '@aws-sdk/client-sqs';
import { classifySqsError, describeSqsError, isPermanentSqsProblem } from '../../../tools/lib/queue/errors.js';

const answer = { $metadata: { httpStatusCode: 400 }, message: 'as SQS said it' };
/** An error the SQS client has no class for, named as the SDK names it (the query code, else the JSON type). */
const named = (name: string) => new SQSServiceException({ ...answer, name, $fault: 'client' });
const socketError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:9324`), { code });
const site = { action: 'ReceiveMessage', queueUrl: 'http://127.0.0.1:9324/000000000000/logins', endpoint: 'http://127.0.0.1:9324' };

describe('classifySqsError', () => {
  it('reads what SQS answered from the SDK’s exception classes', () => {
    assert.equal(classifySqsError(new QueueDoesNotExist(answer)), 'missing-queue');
    assert.equal(classifySqsError(new InvalidAddress(answer)), 'invalid-queue-url');
    assert.equal(classifySqsError(new KmsAccessDenied(answer)), 'denied');
  });
  it('reads the rejections every AWS service shares by their name', () => {
    for (const name of ['InvalidClientTokenId', 'UnrecognizedClientException', 'SignatureDoesNotMatch', 'ExpiredToken']) {
      assert.equal(classifySqsError(named(name)), 'bad-credentials', name);
    }
    assert.equal(classifySqsError(named('AccessDenied')), 'denied');
    assert.equal(classifySqsError(named('OverLimit')), 'other');
  });
  it('tells no answer at all from a missing credential and from anything else', () => {
    assert.equal(classifySqsError(socketError('ECONNREFUSED')), 'unreachable');
    assert.equal(classifySqsError(new AggregateError([socketError('ECONNREFUSED'), socketError('ECONNREFUSED')])), 'unreachable');
    assert.equal(classifySqsError(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' })), 'no-credentials');
    assert.equal(classifySqsError(new TypeError('a bug')), 'other');
  });
  it('retries only what may pass', () => {
    assert.equal(isPermanentSqsProblem('unreachable'), false);
    assert.equal(isPermanentSqsProblem('other'), false);
    assert.equal(isPermanentSqsProblem('missing-queue'), true);
  });
});

describe('describeSqsError', () => {
  it('says what happened and what to do, in one line', () => {
    assert.equal(
      describeSqsError(socketError('ECONNREFUSED'), site),
      'cannot reach SQS at http://127.0.0.1:9324: connection refused (is LocalStack or the emulator running? --endpoint or AWS_ENDPOINT_URL_SQS sets the address)',
    );
    assert.match(describeSqsError(socketError('ENOTFOUND'), { ...site, endpoint: undefined }), /^cannot reach SQS at http:\/\/127\.0\.0\.1:9324: host not found \(check the network/);
    assert.match(describeSqsError(new QueueDoesNotExist(answer), site), /^queue \S+\/logins does not exist at http:\/\/127\.0\.0\.1:9324 \(create it/);
    assert.match(describeSqsError(named('InvalidClientTokenId'), site), /^SQS at \S+ rejected the credentials \(InvalidClientTokenId\): check AWS_PROFILE/);
    assert.equal(describeSqsError(named('AccessDenied'), site), `access denied: ReceiveMessage on ${site.queueUrl} (AccessDenied); the credentials need that SQS permission`);
    assert.equal(describeSqsError(new InvalidAddress(answer), site), `${site.queueUrl} is not a queue URL that SQS at ${site.endpoint} accepts (InvalidAddress)`);
    assert.equal(describeSqsError(named('OverLimit'), site), `ReceiveMessage on ${site.queueUrl} failed: OverLimit: as SQS said it`);
    assert.match(describeSqsError(socketError('ECONNREFUSED'), { action: 'SendMessageBatch', queueUrl: 'arn:aws:sqs:x' }), /^cannot reach SQS at the AWS regional endpoint/);
  });
});
