// The CloudBase document database (`@cloudbase/node-sdk`), built once per process, and the few habits every
// CloudBase adapter shares: documents keyed by a natural `_id` (the DynamoDB key's meaning), transactions of
// single-document operations retried on `DATABASE_TRANSACTION_CONFLICT`, and conditional checks made by
// reading a document inside the transaction and writing it (CloudBase has no ConditionCheck: a document that
// is only read is not protected against a concurrent writer, one that is also written is).
import type * as TcbSdk from '@cloudbase/node-sdk';
import type { Db } from '@cloudbase/database';
import type { z } from 'zod';
import { config } from '../../runtime/config';
import { validationError } from '../../runtime/errors';
import type { Page } from '../../runtime/page';

export type CloudBaseDb = Db;

export interface CloudBaseSettings {
  env?: string;
  serviceUrl?: string;
}

/** A database client. Inside a cloud function no keys are needed; a stand-in (`serviceUrl`) takes any. */
export function makeCloudBaseDb(settings: CloudBaseSettings = config.cloudbase): CloudBaseDb {
  // Loaded when first used, not imported: the AWS bundles leave the SDK out (serverless.yml's esbuild
  // `exclude`) and never reach this line, since their DATA_STORE is `dynamodb`.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tcb = require('@cloudbase/node-sdk') as typeof TcbSdk;
  const app = tcb.init({
    env: settings.env ?? tcb.SYMBOL_CURRENT_ENV,
    ...(settings.serviceUrl ? { serviceUrl: settings.serviceUrl, secretId: 'stand-in', secretKey: 'stand-in' } : {}),
    // One try per call: retries are decided here, where it is known which calls are safe to repeat.
    timeout: 15_000,
  });
  return app.database();
}

let shared: CloudBaseDb | undefined;
/** The process-wide client (lazy, so that importing an adapter costs nothing until it is used). */
export const cloudbaseDb = (): CloudBaseDb => (shared ??= makeCloudBaseDb());

export const codeOf = (err: unknown): string | undefined =>
  err && typeof err === 'object' && typeof (err as { code?: unknown }).code === 'string' ? (err as { code: string }).code : undefined;

export const isDuplicate = (err: unknown) => codeOf(err) === 'DATABASE_DUPLICATE_WRITE';
export const isConflict = (err: unknown) => codeOf(err) === 'DATABASE_TRANSACTION_CONFLICT';

/** A document as stored: the entity's fields and its `_id`. */
export type StoredDoc = Record<string, unknown> & { _id?: unknown };

/** The entity's fields of a document (`_id` is the store's, not the entity's). */
export function fieldsOf(doc: StoredDoc | null | undefined): Record<string, unknown> | undefined {
  if (!doc) return undefined;
  const { _id: _ignored, ...rest } = doc;
  return rest;
}

/** The entity a document holds (its fields, without the store's `_id`), parsed by the entity's schema. */
export const entityOf =
  <T>(schema: z.ZodType<T>) =>
  (doc: StoredDoc): T =>
    schema.parse(fieldsOf(doc));

/** A document without the `undefined` values that optional fields leave (EJSON would write them as nothing, or null). */
export function clean<T extends Record<string, unknown>>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** The outcome a transaction's work decided instead of committing (the transaction is rolled back). */
export class Rollback<T> {
  constructor(readonly outcome: T) {}
}

/** What this code uses of the SDK's transaction (its own type is `any`): single-document operations. */
export interface Transaction {
  collection(name: string): {
    doc(id: string): {
      get(): Promise<unknown>;
      set(data: Record<string, unknown>): Promise<unknown>;
      update(data: Record<string, unknown>): Promise<unknown>;
      remove(): Promise<unknown>;
    };
    add(data: Record<string, unknown>): Promise<unknown>;
  };
  commit(): Promise<unknown>;
  rollback(reason?: unknown): Promise<unknown>;
}

const startTransaction = (db: CloudBaseDb) => (db as unknown as { startTransaction(): Promise<Transaction> }).startTransaction();

/** One document of a transaction (single-document operations are what CloudBase transactions allow). */
export function txDoc(tx: Transaction, collection: string, id: string) {
  const ref = tx.collection(collection).doc(id);
  return {
    async get(): Promise<StoredDoc | undefined> {
      const res = (await ref.get()) as { data?: StoredDoc | null };
      return res.data ?? undefined;
    },
    /** Replaces the document (or creates it). */
    set: (data: Record<string, unknown>) => ref.set(clean(data)),
    /** Updates fields (`_.inc`, `_.set`, `_.remove` …); a nested plain object is merged field by field. */
    update: (data: Record<string, unknown>) => ref.update(data),
    remove: () => ref.remove(),
    /** Inserts the document; `DATABASE_DUPLICATE_WRITE` if its `_id` (or a unique index value) exists. */
    create: (data: Record<string, unknown>) => tx.collection(collection).add({ ...clean(data), _id: id }),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `work` in a transaction and commits it; `work` returning a `Rollback` rolls back with that outcome.
 * A conflict (another transaction wrote one of its documents first) runs it again from the start, with
 * jittered backoff, as a flash sale needs: the SDK's own `runTransaction` tries three times at once.
 */
export async function inTransaction<T>(db: CloudBaseDb, work: (tx: Transaction) => Promise<T | Rollback<T>>, attempts = 12): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const tx = await startTransaction(db);
    let settled = false;
    try {
      const result = await work(tx);
      if (result instanceof Rollback) {
        settled = true;
        await tx.rollback(undefined).catch(() => undefined);
        return result.outcome;
      }
      await tx.commit();
      settled = true;
      return result;
    } catch (err) {
      if (!settled) await tx.rollback(undefined).catch(() => undefined);
      if (!isConflict(err) || attempt >= attempts) throw err;
      await sleep(Math.random() * Math.min(400, 5 * 2 ** attempt));
    }
  }
}

/**
 * Every document a query matches, each read by `parse`, in ascending `sortField` order (`_id` unless named)
 * after `after` (when given), page by page as they are read: the service returns at most 1,000 documents a
 * call, and `skip` would miss or repeat documents written meanwhile.
 */
export async function* eachDoc<T>(
  db: CloudBaseDb,
  collection: string,
  where: Record<string, unknown>,
  parse: (doc: StoredDoc) => T,
  { sortField = '_id', after, pageSize = 1000 }: { sortField?: string; after?: unknown; pageSize?: number } = {},
): AsyncGenerator<T> {
  const _ = db.command;
  for (;;) {
    const page = after === undefined ? where : { ...where, [sortField]: _.gt(after) };
    const { data } = (await db.collection(collection).where(page).orderBy(sortField, 'asc').limit(pageSize).get()) as { data: StoredDoc[] };
    yield* data.map(parse);
    if (data.length < pageSize) return;
    after = data[data.length - 1]![sortField];
  }
}

/** Every document a query matches, in `_id` order. */
export async function queryAll(db: CloudBaseDb, collection: string, where: Record<string, unknown>, pageSize = 1000): Promise<StoredDoc[]> {
  const out: StoredDoc[] = [];
  for await (const doc of eachDoc(db, collection, where, (d) => d, { pageSize })) out.push(doc);
  return out;
}

/** The document `id` of a collection, read by `parse` (as stored, unless given); undefined when there is none. */
export async function getDoc<T = StoredDoc>(
  db: CloudBaseDb,
  collection: string,
  id: string,
  parse: (doc: StoredDoc) => T = (doc) => doc as T,
): Promise<T | undefined> {
  const { data } = (await db.collection(collection).doc(id).get()) as { data: StoredDoc[] };
  return data[0] ? parse(data[0]) : undefined;
}

/** An opaque cursor of a list paged by a sort key (the last key a page returned), and back; a bad one is a 400. */
export function encodeAfter(sortKey: string | undefined): string | undefined {
  return sortKey === undefined ? undefined : Buffer.from(JSON.stringify({ after: sortKey })).toString('base64url');
}

export function decodeAfter(cursor: string | undefined): string | undefined {
  if (!cursor) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && typeof (value as { after?: unknown }).after === 'string')
      return (value as { after: string }).after;
  } catch {
    // fall through
  }
  throw validationError('cursor', 'not a cursor this API issued');
}

/**
 * One page of a list sorted by a string sort key, as the ports answer it: `limit` documents after the cursor's
 * key, each read by `parse`, and a cursor for the next page when there is one.
 */
export async function pageBy<T>(
  db: CloudBaseDb,
  collection: string,
  where: Record<string, unknown>,
  sortField: string,
  direction: 'asc' | 'desc',
  limit: number,
  cursor: string | undefined,
  parse: (doc: StoredDoc) => T,
): Promise<Page<T>> {
  const _ = db.command;
  const after = decodeAfter(cursor);
  const query = after === undefined ? where : { ...where, [sortField]: direction === 'desc' ? _.lt(after) : _.gt(after) };
  const { data } = (await db
    .collection(collection)
    .where(query)
    .orderBy(sortField, direction)
    .limit(Math.min(limit + 1, 1000))
    .get()) as { data: StoredDoc[] };
  const docs = data.slice(0, limit);
  const next = data.length > limit ? encodeAfter(String(docs[docs.length - 1]![sortField])) : undefined;
  return { items: docs.map(parse), ...(next ? { nextCursor: next } : {}) };
}

/** A guard document: its `_id` is the value that may be held once (a phone, an OPENID), its fields who holds it. */
export interface Guard {
  collection: string;
  id: string;
  doc: Record<string, unknown>;
}

/**
 * Creates a guard document and, in the same transaction, what `write` adds beside it; `taken` (nothing written)
 * when the guard exists already. The guard is created, not only read: of two racing transactions one conflicts
 * and, run again, finds it taken (or the insert meets the committed one: `DATABASE_DUPLICATE_WRITE`).
 */
export async function createGuarded<T>(db: CloudBaseDb, guard: Guard, write: (tx: Transaction) => Promise<T>): Promise<T | 'taken'> {
  try {
    return await inTransaction(db, async (tx): Promise<T | 'taken' | Rollback<'taken'>> => {
      const doc = txDoc(tx, guard.collection, guard.id);
      if (await doc.get()) return new Rollback('taken' as const);
      await doc.create(guard.doc);
      return write(tx);
    });
  } catch (err) {
    if (isDuplicate(err)) return 'taken';
    throw err;
  }
}
