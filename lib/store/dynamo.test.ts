// DynamoDB Local never raises TransactionConflict; production does under contention (a flash sale).
// These tests inject it to prove transactWrite retries conflicts and nothing else.
import type { Db } from './dynamo';
import { cancellationReasons, transactWrite } from './dynamo';

function cancelled(...codes: string[]) {
  return Object.assign(new Error('Transaction cancelled'), {
    name: 'TransactionCanceledException',
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
}

function fakeClient(outcomes: (Error | 'ok')[]) {
  const calls: unknown[] = [];
  const client = {
    send: async (command: { input: unknown }) => {
      calls.push(command.input);
      const next = outcomes.shift() ?? 'ok';
      if (next !== 'ok') throw next;
      return {};
    },
  } as unknown as Db;
  return { client, calls };
}

test('a transaction cancelled by TransactionConflict is retried with the same ClientRequestToken until it goes through', async () => {
  const { client, calls } = fakeClient([cancelled('None', 'TransactionConflict'), cancelled('TransactionConflict', 'None'), 'ok']);
  await transactWrite(client, []);
  expect(calls).toHaveLength(3);
  const tokens = new Set(calls.map((c) => (c as { ClientRequestToken: string }).ClientRequestToken));
  expect(tokens.size).toBe(1);
});

test('a conditional failure is not retried: the caller reads its reasons', async () => {
  const { client, calls } = fakeClient([cancelled('None', 'ConditionalCheckFailed')]);
  const err = await transactWrite(client, []).catch((e: unknown) => e);
  expect(cancellationReasons(err)).toEqual(['None', 'ConditionalCheckFailed']);
  expect(calls).toHaveLength(1);
});

test('conflicts that never clear give up after a bounded number of attempts', async () => {
  const { client, calls } = fakeClient(Array.from({ length: 10 }, () => cancelled('TransactionConflict')));
  await expect(transactWrite(client, [], 3)).rejects.toThrow('Transaction cancelled');
  expect(calls).toHaveLength(3);
});
