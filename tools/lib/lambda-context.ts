import type { Context } from 'aws-lambda';

/** The Context the Lambda runtime passes, as far as login-etl reads it (bench and test runs alike). */
export function lambdaContext(requestId = 'bench'): Context {
  return {
    awsRequestId: requestId,
    functionName: 'login-etl',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:login-etl',
    memoryLimitInMB: '512',
    logGroupName: '/aws/lambda/login-etl',
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
