// Records every AWS action each function performs while the local stack runs it (AWS_CALLS_DIR set: the
// integration suite sets it), as IAM sees it: `TransactWriteItems` is the PutItem/UpdateItem/DeleteItem/
// ConditionCheckItem of its items, a Query names the table or an index. `test/iam/iam.test.ts` then holds
// serverless.yml to exactly those grants, function by function: what DynamoDB Local never checks.
import { AsyncLocalStorage } from 'node:async_hooks';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface AwsCall {
  fn: string;
  /** `dynamodb:PutItem`, `sqs:SendMessage`, … */
  action: string;
  /** `table`, `index` (any of the table's indexes), or `queue:<name>`. */
  resource: string;
}

/** Which function the local stack is running right now (set around each invocation). */
export const invocation = new AsyncLocalStorage<{ functionName: string }>();

export function inFunction<T>(functionName: string, run: () => T): T {
  return invocation.run({ functionName }, run);
}

type Input = Record<string, unknown>;
type Sendable = { middlewareStack: { add(mw: unknown, opts: unknown): void } };

const TRANSACT_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

/** The IAM actions and resources of one DynamoDB or SQS request. */
export function iamOf(service: 'dynamodb' | 'sqs', command: string, input: Input): Omit<AwsCall, 'fn'>[] {
  if (service === 'sqs') {
    const url = String((input.QueueUrl as string | undefined) ?? '');
    const queue = `queue:${url.slice(url.lastIndexOf('/') + 1)}`;
    // SendMessageBatch is authorised as SendMessage (and so on for the other batch actions).
    return [{ action: `sqs:${command.replace(/Batch$/, '')}`, resource: queue }];
  }
  if (command === 'TransactWriteItems' || command === 'TransactGetItems') {
    return ((input.TransactItems as Input[] | undefined) ?? []).flatMap((item) =>
      Object.keys(item)
        .filter((k) => TRANSACT_ACTIONS[k])
        .map((k) => ({ action: `dynamodb:${TRANSACT_ACTIONS[k]}`, resource: 'table' })),
    );
  }
  return [{ action: `dynamodb:${command}`, resource: input.IndexName ? 'index' : 'table' }];
}

/** Records each secret a function reads (from SSM Parameter Store in AWS) as `ssm:GetParameters` of `secret:<NAME>`. */
export function recordSecretReads(reads: ((name: string) => void)[], dir: string): void {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `secrets-${process.pid}-${process.env.JEST_WORKER_ID ?? '0'}.jsonl`);
  const seen = new Set<string>();
  reads.push((name) => {
    const fn = invocation.getStore()?.functionName;
    if (!fn) return;
    const line = JSON.stringify({ fn, action: 'ssm:GetParameters', resource: `secret:${name}` });
    if (!seen.has(line)) {
      seen.add(line);
      appendFileSync(file, line + '\n');
    }
  });
}

/** Puts the recorder on a client (the document client and the SQS client of the functions). */
const recording = new WeakSet<object>();

export function recordAwsCalls(client: Sendable, service: 'dynamodb' | 'sqs', dir: string): void {
  if (recording.has(client)) return; // a second stack in one process shares the client
  recording.add(client);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `calls-${process.pid}-${process.env.JEST_WORKER_ID ?? '0'}.jsonl`);
  const seen = new Set<string>();
  client.middlewareStack.add(
    (next: (args: { input: Input }) => Promise<unknown>, context: { commandName: string }) => async (args: { input: Input }) => {
      const fn = invocation.getStore()?.functionName;
      if (fn) {
        for (const call of iamOf(service, context.commandName.replace(/Command$/, ''), args.input)) {
          const line = JSON.stringify({ fn, ...call });
          if (!seen.has(line)) {
            seen.add(line);
            appendFileSync(file, line + '\n');
          }
        }
      }
      return next(args);
    },
    { step: 'initialize', name: 'awsCallRecorder' },
  );
}
