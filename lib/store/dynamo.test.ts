// DynamoDB Local never raises TransactionConflict; production does under contention (a flash sale).
// These tests inject it to prove transactWrite retries conflicts and nothing else.
import type { Db } from './dynamo';
import { cancellationReasons, guardedWrite, partitionOf, transactWrite } from './dynamo';

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

test('a guarded transaction names the guard whose condition failed, and throws any other failure', async () => {
  expect(await guardedWrite(fakeClient(['ok']).client, [], ['stale'])).toBeUndefined();
  expect(await guardedWrite(fakeClient([cancelled('ConditionalCheckFailed', 'None')]).client, [], ['taken', 'full'])).toBe('taken');
  expect(await guardedWrite(fakeClient([cancelled('None', 'ConditionalCheckFailed')]).client, [], ['taken', 'full'])).toBe('full');
  // An action that is not a guard: its failure is not one the caller expects.
  await expect(guardedWrite(fakeClient([cancelled('None', 'ConditionalCheckFailed')]).client, [], ['stale'])).rejects.toThrow(
    'Transaction cancelled',
  );
  await expect(guardedWrite(fakeClient([new Error('network')]).client, [], ['stale'])).rejects.toThrow('network');
});

test('a partition query names the table’s key, or the index and its own key', () => {
  expect(partitionOf('P#1')).toMatchObject({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'P#1' } });
  expect(partitionOf('P#1')).not.toHaveProperty('IndexName');
  expect(partitionOf('L#1', 'gsi2')).toMatchObject({ IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk' });
});
