// The DynamoDB document client, built once per process (module scope) from the configuration.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  QueryCommand,
  TransactWriteCommand,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { config } from '../runtime/config';
import { validationError } from '../runtime/errors';
import type { Page } from '../runtime/page';

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
}

/** The per-action reasons of a cancelled transaction (`None` for actions that were fine). */
export function cancellationReasons(err: unknown): string[] | undefined {
  if (!(err instanceof Error) || err.name !== 'TransactionCanceledException') return undefined;
  const reasons = (err as Error & { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? [];
  return reasons.map((r) => r.Code ?? 'None');
}

export const isConditionFailure = (err: unknown) => err instanceof Error && err.name === 'ConditionalCheckFailedException';

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

/** Every item a query matches, page by page (for bounded partitions: a sheet, an order's entries). */
export async function queryAll(client: Db, input: QueryCommandInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
