// The DynamoDB document client, built once per process (module scope) from the configuration.
import { randomUUID } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { PutCommandInput, QueryCommandInput, TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../runtime/config';
import { validationError } from '../runtime/errors';
import type { Page } from '../runtime/page';
import type { IndexName, Key } from './keys';
import { indexKeyOf } from './keys';

export function makeDocumentClient(endpoint = config.dynamodbEndpoint) {
  const client = new DynamoDBClient({
    ...(endpoint
      ? {
          endpoint,
          region: process.env.AWS_REGION || 'ap-east-1',
          // DynamoDB Local checks no signature: the key id only picks its database. Never used against AWS.
          credentials: { accessKeyId: config.dynamodbLocalKeyId, secretAccessKey: 'local' },
        }
      : {}),
    maxAttempts: 4,
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export type Db = DynamoDBDocumentClient;

let shared: Db | undefined;
/** The process-wide client (lazy so that importing a module costs nothing until it is used). */
export const db = (): Db => (shared ??= makeDocumentClient());
export const tableName = () => config.tableName;

interface CancellationReason {
  Code?: string;
  /** With ReturnValuesOnConditionCheckFailure ALL_OLD: the item as the refused action found it (wire form). */
  Item?: Record<string, AttributeValue>;
}

/** The per-action reasons of a cancelled transaction (`None` for actions that were fine). */
export function cancellationReasons(err: unknown): string[] | undefined {
  if (!(err instanceof Error) || err.name !== 'TransactionCanceledException') return undefined;
  const reasons = (err as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code ?? 'None');
}

/** The item a cancelled transaction's action found (with ReturnValuesOnConditionCheckFailure ALL_OLD). */
export function itemFound(err: unknown, index: number): Record<string, unknown> | undefined {
  const item = (err as { CancellationReasons?: CancellationReason[] }).CancellationReasons?.[index]?.Item;
  return item ? unmarshall(item) : undefined;
}

export const isConditionFailure = (err: unknown) => err instanceof Error && err.name === 'ConditionalCheckFailedException';

/** The item at `key`, read strongly consistent (what a decision must read), parsed; undefined when there is none. */
export async function readItem<T = Record<string, unknown>>(
  client: Db,
  key: Key,
  parse: (item: Record<string, unknown>) => T = (item) => item as T,
): Promise<T | undefined> {
  const { Item } = await client.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }));
  return Item ? parse(Item) : undefined;
}

/** Encodes a LastEvaluatedKey as an opaque cursor, and back (a malformed cursor is a 400). */
export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const entries = Object.entries(value);
      if (entries.length > 0 && entries.every(([, v]) => typeof v === 'string')) return value as Record<string, string>;
    }
  } catch {
    // fall through
  }
  throw validationError('cursor', 'not a cursor this API issued');
}

/** Runs a paged query; a cursor that DynamoDB refuses (tampered with, or from another list) is a 400. */
export async function withCursor<T>(cursor: string | undefined, query: (startKey?: Record<string, unknown>) => Promise<T>): Promise<T> {
  const startKey = decodeCursor(cursor);
  try {
    return await query(startKey);
  } catch (err) {
    if (startKey && err instanceof Error && err.name === 'ValidationException') {
      throw validationError('cursor', 'not a cursor of this list');
    }
    throw err;
  }
}

/**
 * The condition that an item is still at the integer version it was read at (0: it has none yet). Every
 * conditional write of a versioned item moves its version on, so a write decided on an older read fails.
 */
export function atVersion(version: number) {
  return version > 0
    ? {
        condition: '#version = :expectedVersion',
        names: { '#version': 'version' },
        values: { ':expectedVersion': version } as Record<string, unknown>,
      }
    : { condition: 'attribute_not_exists(#version)', names: { '#version': 'version' }, values: {} as Record<string, unknown> };
}

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** A Put of an item that must not exist yet (its key is a uniqueness guard, or the item is written once). */
export function putIfNew(item: Record<string, unknown>): TransactItem {
  return { Put: { TableName: tableName(), Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** A Put of a versioned item that succeeds only while the stored one is still at `version` (see atVersion). */
export function putAtVersion(item: Record<string, unknown>, version: number): TransactItem {
  const unchanged = atVersion(version);
  return {
    Put: {
      TableName: tableName(),
      Item: item,
      ConditionExpression: unchanged.condition,
      ExpressionAttributeNames: unchanged.names,
      ...(Object.keys(unchanged.values).length ? { ExpressionAttributeValues: unchanged.values } : {}),
    },
  };
}

/**
 * One TransactWriteItems, retried when DynamoDB cancels it for a TransactionConflict (another
 * transaction on the same items, as in a flash sale). Conditional failures are the caller's to read.
 */
export async function transactWrite(client: Db, items: TransactItem[], attempts = 6): Promise<void> {
  const token = randomUUID(); // the SDK's own retries of this call are then harmless
  for (let attempt = 1; ; attempt++) {
    try {
      await client.send(new TransactWriteCommand({ TransactItems: items, ClientRequestToken: token }));
      return;
    } catch (err) {
      const reasons = cancellationReasons(err);
      const conflictOnly = reasons?.some((r) => r === 'TransactionConflict') && !reasons.some((r) => r === 'ConditionalCheckFailed');
      if (!conflictOnly || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** attempt));
    }
  }
}

/**
 * One transaction (transactWrite) whose first actions are guards (an optimistic lock, a uniqueness guard), each
 * named by what its failure means: the name of the first guard whose condition failed, when nothing was
 * written; undefined when all was. Any other failure is thrown.
 */
export async function guardedWrite<G extends string>(client: Db, items: TransactItem[], guards: readonly G[]): Promise<G | undefined> {
  try {
    await transactWrite(client, items);
    return undefined;
  } catch (err) {
    const reasons = cancellationReasons(err);
    const failed = guards.find((_, i) => reasons?.[i] === 'ConditionalCheckFailed');
    if (failed === undefined) throw err;
    return failed;
  }
}

/**
 * One conditional write of a single item: its output, or undefined when its condition failed (someone else got
 * there first). Any other failure is thrown.
 */
export async function unlessConditionFails<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (err) {
    if (isConditionFailure(err)) return undefined;
    throw err;
  }
}

/** A Put of one item under its condition: true when written, false when the condition failed. */
export async function putIf(client: Db, input: Omit<PutCommandInput, 'TableName'>): Promise<boolean> {
  return (await unlessConditionFails(client.send(new PutCommand({ TableName: tableName(), ...input })))) !== undefined;
}

/**
 * The query of one whole partition: of the table (`pk`), or of an index (its partition key, `<index>pk`). Spread
 * into a query with what else it needs (order, consistency).
 */
export function partitionOf(pk: string, index?: IndexName) {
  return {
    TableName: tableName(),
    ...(index ? { IndexName: index } : {}),
    KeyConditionExpression: `${index ? `${indexKeyOf(index)}pk` : 'pk'} = :pk`,
    ExpressionAttributeValues: { ':pk': pk },
  };
}

/** The query of the items of one table partition whose sort keys lie from `from` to `to`, both included. */
export function partitionBetween(pk: string, from: string, to: string) {
  return {
    TableName: tableName(),
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': pk, ':from': from, ':to': to },
  };
}

/**
 * One page of a query, with the cursor of the next (API.md's `limit` and `cursor`): a cursor that is not one
 * of this list's is the client's error, `cursor` named.
 */
export async function queryPage<T>(
  client: Db,
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  parse: (item: Record<string, unknown>) => T,
  limit: number,
  cursor: string | undefined,
): Promise<Page<T>> {
  const page = await withCursor(cursor, (startKey) =>
    client.send(new QueryCommand({ ...input, Limit: limit, ExclusiveStartKey: startKey })),
  );
  const nextCursor = encodeCursor(page.LastEvaluatedKey);
  return { items: (page.Items ?? []).map(parse), ...(nextCursor ? { nextCursor } : {}) };
}

/** Every item a query matches, each read by `parse`, page by page as they are read (however large the partition). */
export async function* queryEach<T>(client: Db, input: QueryCommandInput, parse: (item: Record<string, unknown>) => T): AsyncGenerator<T> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    yield* (page.Items ?? []).map(parse);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/**
 * The items of `itemKeys`, in that order (one not found is left out), by BatchGetItem: 100 keys a call, the
 * keys DynamoDB leaves unprocessed asked again. Eventually consistent unless `consistent`.
 */
export async function readByKeys<T>(
  client: Db,
  itemKeys: Key[],
  parse: (item: Record<string, unknown>) => T,
  options: { consistent?: boolean } = {},
): Promise<T[]> {
  const found = new Map<string, Record<string, unknown>>();
  const id = (k: Record<string, unknown>) => `${String(k.pk)}\u0000${String(k.sk)}`;
  for (let i = 0; i < itemKeys.length; i += 100) {
    let left: Record<string, unknown>[] = itemKeys.slice(i, i + 100);
    while (left.length) {
      const res = await client.send(
        new BatchGetCommand({
          RequestItems: { [tableName()]: { Keys: left, ConsistentRead: options.consistent ?? false } },
        }),
      );
      for (const item of res.Responses?.[tableName()] ?? []) found.set(id(item), item);
      left = res.UnprocessedKeys?.[tableName()]?.Keys ?? [];
    }
  }
  return itemKeys.flatMap((k) => {
    const item = found.get(id(k));
    return item ? [parse(item)] : [];
  });
}

/** The table key of an entry of a KEYS_ONLY index (which carries the table's keys beside its own). */
const tableKey = (entry: Record<string, unknown>): Key => ({ pk: String(entry.pk), sk: String(entry.sk) });

/** queryPage over a KEYS_ONLY index: the page's keys, then their items from the table (readByKeys). */
export async function queryKeysPage<T>(
  client: Db,
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey'>,
  parse: (item: Record<string, unknown>) => T,
  limit: number,
  cursor: string | undefined,
): Promise<Page<T>> {
  const page = await queryPage(client, input, tableKey, limit, cursor);
  return { ...page, items: await readByKeys(client, page.items, parse) };
}

/** Every item of a KEYS_ONLY index's query, read from the table (readByKeys) a page of keys at a time. */
export async function queryAllByKeys(client: Db, input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  const entries = await queryAll(client, input);
  return readByKeys(client, entries.map(tableKey), (i) => i);
}

/** Every item a query matches, page by page (for bounded partitions: a sheet, an order's entries). */
export async function queryAll(client: Db, input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const item of queryEach(client, input, (i) => i)) items.push(item);
  return items;
}
