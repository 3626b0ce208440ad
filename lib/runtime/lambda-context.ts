// The Lambda context the shared entries read (logs, remaining time) when they run elsewhere: in the local stack
// and on CloudBase. What names the function differs by host; the clock of its time limit does not.
import type { Context } from 'aws-lambda';

type Names = Pick<
  Context,
  'functionName' | 'functionVersion' | 'invokedFunctionArn' | 'memoryLimitInMB' | 'awsRequestId' | 'logGroupName' | 'logStreamName'
>;

/** A context whose remaining time counts down from `timeLimitMs` as of now; the callbacks of old-style handlers do nothing. */
export function lambdaShapedContext(names: Names, timeLimitMs: number): Context {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    ...names,
    getRemainingTimeInMillis: () => Math.max(0, timeLimitMs - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
