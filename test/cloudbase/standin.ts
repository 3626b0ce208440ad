// A stand-in of CloudBase's document-database HTTP API, for tests only: the real `@cloudbase/node-sdk`,
// initialised with `serviceUrl`, sends every database call here (`POST {serviceUrl}?env=…&seqId=…`, a JSON
// body with `action` and EJSON strings), and this answers as the service's wire protocol does. Queries and
// updates are evaluated by mingo; transactions are snapshot-isolated with first-writer-wins conflicts
// (`DATABASE_TRANSACTION_CONFLICT`), as MongoDB's are; inserts that repeat an `_id` or a unique index value
// fail with `DATABASE_DUPLICATE_WRITE`. It proves what an adapter sends and how it reads the answers; it
// cannot prove the service's own semantics (docs/decisions.md lists what it does not model).
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EJSON } from 'bson';
import { find, Query, update } from 'mingo';

type Doc = Record<string, unknown>;

export interface StandInOptions {
  /** Unique indexes per collection: `{ leaders: [['userId'], ['referralCode']] }`. */
  uniqueIndexes?: Record<string, string[][]>;
  /** A transaction left open longer than this is aborted (a function killed mid-transaction leaves one). */
  transactionLifetimeMs?: number;
  /** How long a write outside a transaction waits for a document another transaction holds. */
  lockWaitMs?: number;
}

export interface RecordedRequest {
  action: string;
  collectionName?: string;
  transactionId?: string;
  body: Record<string, unknown>;
  env: string | null;
}

/** One committed version of a document (`doc` undefined: removed). */
interface Version {
  seq: number;
  doc: Doc | undefined;
}

interface Transaction {
  id: string;
  snapshot: number;
  startedAt: number;
  writes: Map<string, Map<string, Doc | undefined>>;
  state: 'active' | 'aborted' | 'committed';
}

class DbError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const conflict = () => new DbError('DATABASE_TRANSACTION_CONFLICT', 'database transaction conflict');
const keyOf = (id: unknown) => JSON.stringify(id);
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;

/** An EJSON field of the request: a document (a query, an update, a projection, an order), or undefined when absent. */
const parse = (s: unknown): Doc | undefined => (typeof s === 'string' && s !== '' ? (EJSON.parse(s, { relaxed: true }) as Doc) : undefined);
const encode = (doc: Doc) => EJSON.stringify(doc, { relaxed: false });
const clone = <T>(v: T): T => (v === undefined ? v : structuredClone(v));

export class CloudBaseStandIn {
  private server: Server | undefined;
  /** collection → document key → committed versions, oldest first. */
  private readonly data = new Map<string, Map<string, Version[]>>();
  private readonly transactions = new Map<string, Transaction>();
  /** `collection\0key` → id of the active transaction that wrote it. */
  private readonly locks = new Map<string, string>();
  private seq = 0;
  private readonly unique: Record<string, string[][]>;
  private readonly lifetimeMs: number;
  private readonly lockWaitMs: number;
  private failures: { action: string; code: string; times: number }[] = [];
  private killSwitch: { writesLeft: number; counts: (r: RecordedRequest) => boolean } | undefined;
  private dead = false;
  /** Every request received, in order (tests read what an adapter sent). */
  readonly requests: RecordedRequest[] = [];
  url = '';

  constructor(options: StandInOptions = {}) {
    this.unique = options.uniqueIndexes ?? {};
    this.lifetimeMs = options.transactionLifetimeMs ?? 10_000;
    this.lockWaitMs = options.lockWaitMs ?? 3_000;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.serve(req).then(
        ({ status, body }) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        () => res.destroy(),
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/admin`;
    return this.url;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    // The SDK keeps its connections alive: close them, or the server waits for their idle timeout.
    this.server?.closeAllConnections?.();
    await closed;
  }

  /** The next `times` requests of this action answer `{code}` instead of doing anything. */
  failNext(action: string, code: string, times = 1): void {
    this.failures.push({ action, code, times });
  }

  /**
   * After `writes` counted requests have been applied, every later request fails as if the function had died:
   * the last counted write lands, its caller never hears of it. `revive()` ends it.
   */
  killAfter(writes: number, counts: (r: RecordedRequest) => boolean = (r) => isWrite(r.action)): void {
    this.killSwitch = { writesLeft: writes, counts };
    this.dead = false;
  }

  revive(): void {
    this.killSwitch = undefined;
    this.dead = false;
  }

  /** The committed documents of a collection (tests look at the store as it is). */
  documents(collection: string): Doc[] {
    return [...this.view(collection, this.seq, undefined).values()].map((d) => clone(d));
  }

  /** Transactions still open (a killed function leaves one until its lifetime runs out). */
  openTransactions(): number {
    this.expireTransactions();
    return [...this.transactions.values()].filter((t) => t.state === 'active').length;
  }

  private async serve(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    const env = new URL(req.url ?? '/', 'http://x').searchParams.get('env');
    const record: RecordedRequest = {
      action: String(body.action),
      ...(typeof body.collectionName === 'string' ? { collectionName: body.collectionName } : {}),
      ...(typeof body.transactionId === 'string' ? { transactionId: body.transactionId } : {}),
      body,
      env,
    };
    this.requests.push(record);
    if (this.dead) throw new Error('killed');
    const requestId = randomBytes(8).toString('hex');
    const failure = this.failures.find((f) => f.action === record.action && f.times > 0);
    if (failure) {
      failure.times--;
      if (failure.code === 'DATABASE_TRANSACTION_CONFLICT' && record.transactionId) this.abort(record.transactionId);
      return { status: 200, body: { requestId, code: failure.code, message: `injected ${failure.code}` } };
    }
    try {
      const data = await this.dispatch(record.action, body);
      if (this.killSwitch?.counts(record) && --this.killSwitch.writesLeft <= 0) {
        // Applied, and the caller never hears of it: the connection drops instead of the answer.
        this.dead = true;
        throw new Error('killed after applying');
      }
      return { status: 200, body: { requestId, ...data } };
    } catch (err) {
      if (err instanceof DbError) return { status: 200, body: { requestId, code: err.code, message: err.message } };
      return { status: 200, body: { requestId, code: 'DATABASE_REQUEST_FAILED', message: String(err) } };
    }
  }

  private async dispatch(action: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.expireTransactions();
    const collection = typeof body.collectionName === 'string' ? body.collectionName : '';
    const tx = typeof body.transactionId === 'string' ? this.activeTransaction(body.transactionId) : undefined;
    switch (action) {
      case 'database.startTransaction': {
        const id = randomBytes(12).toString('hex');
        this.transactions.set(id, { id, snapshot: this.seq, startedAt: Date.now(), writes: new Map(), state: 'active' });
        return { transactionId: id };
      }
      case 'database.commitTransaction':
        this.commit(this.activeTransaction(String(body.transactionId)));
        return {};
      case 'database.abortTransaction':
        this.abort(String(body.transactionId));
        return {};
      case 'database.insertDocument': {
        const ids: unknown[] = [];
        for (const raw of body.data as string[]) {
          const doc = parse(raw) as Doc;
          if (doc._id === undefined) doc._id = randomBytes(16).toString('hex');
          await this.write(tx, collection, doc._id, (current) => {
            if (current) throw new DbError('DATABASE_DUPLICATE_WRITE', `E11000 duplicate key error collection: ${collection} index: _id_`);
            return doc;
          });
          ids.push(doc._id);
        }
        return { data: { insertedIds: ids } };
      }
      case 'database.getDocument': {
        const docs = this.select(tx, collection, body);
        const offset = Number(body.offset ?? 0);
        const limit = Math.min(Number(body.limit ?? DEFAULT_LIMIT) || DEFAULT_LIMIT, MAX_LIMIT);
        const projection = parse(body.projection);
        let cursor = find(docs, {}, projection);
        const order = parse(body.order);
        if (order && Object.keys(order).length) cursor = cursor.sort(order);
        const list = cursor.skip(offset).limit(limit).all() as Doc[];
        return { data: { list: list.map(encode) }, offset, limit };
      }
      case 'database.calculateDocument':
        return { data: { total: this.select(tx, collection, body).length } };
      case 'database.modifyDocument':
        return { data: await this.modify(tx, collection, body) };
      case 'database.modifyAndReturnDoc': {
        const [target] = this.select(tx, collection, body);
        if (!target) return { data: { updated: 0, doc: null } };
        let after: Doc | undefined;
        await this.write(
          tx,
          collection,
          target._id,
          (current) => (after = current ? applyUpdate(current, parse(body.data) as Doc) : current),
        );
        return { data: { updated: after ? 1 : 0, doc: after ? encode(after) : null } };
      }
      case 'database.removeDocument': {
        const targets = this.select(tx, collection, body);
        const chosen = body.multi === false ? targets.slice(0, 1) : targets;
        let deleted = 0;
        for (const t of chosen) {
          await this.write(tx, collection, t._id, (current) => {
            if (current) deleted++;
            return undefined;
          });
        }
        return { data: { deleted } };
      }
      default:
        throw new DbError('INVALID_PARAM', `unknown action ${action}`);
    }
  }

  private async modify(tx: Transaction | undefined, collection: string, body: Record<string, unknown>) {
    const data = parse(body.data) as Doc;
    const query = parse(body.query) ?? {};
    if (body.merge === false) {
      // doc(id).set(): the whole document replaced, or created (upsert).
      const id = query._id;
      let upserted: unknown;
      let updated = 0;
      await this.write(tx, collection, id, (current) => {
        if (!current) upserted = id;
        else if (!sameDoc(current, { ...data, _id: id })) updated = 1;
        return { ...data, _id: id };
      });
      return { updated, ...(upserted !== undefined ? { upsert_id: upserted } : {}) };
    }
    const targets = this.select(tx, collection, body);
    const chosen = body.multi === false ? targets.slice(0, 1) : targets;
    let updated = 0;
    for (const t of chosen) {
      await this.write(tx, collection, t._id, (current) => {
        // Still matching when the write applies (an outside write may have waited for a transaction).
        if (!current || !new Query(query).test(current)) return current;
        const after = applyUpdate(current, data);
        if (!sameDoc(current, after)) updated++;
        return after;
      });
    }
    return { updated };
  }

  /** The documents a request's query matches, as the transaction (or the committed state) sees them. */
  private select(tx: Transaction | undefined, collection: string, body: Record<string, unknown>): Doc[] {
    const query = parse(body.query) ?? {};
    const docs = [...this.view(collection, tx ? tx.snapshot : this.seq, tx).values()];
    const q = new Query(query);
    return docs.filter((d) => q.test(d)).map((d) => clone(d));
  }

  private view(collection: string, at: number, tx: Transaction | undefined): Map<string, Doc> {
    const out = new Map<string, Doc>();
    for (const [key, versions] of this.data.get(collection) ?? []) {
      const visible = [...versions].reverse().find((v) => v.seq <= at);
      if (visible?.doc) out.set(key, visible.doc);
    }
    for (const [key, doc] of tx?.writes.get(collection) ?? []) {
      if (doc) out.set(key, doc);
      else out.delete(key);
    }
    return out;
  }

  private latest(collection: string, key: string): Version | undefined {
    return this.data.get(collection)?.get(key)?.at(-1);
  }

  /**
   * Writes one document: inside a transaction into its write set (first writer wins: a document another open
   * transaction wrote, or one committed after this transaction's snapshot, is a conflict that aborts it);
   * outside, at once, after waiting for any transaction that holds the document.
   */
  private async write(tx: Transaction | undefined, collection: string, id: unknown, change: (current: Doc | undefined) => Doc | undefined) {
    const key = keyOf(id);
    const lock = `${collection}\0${key}`;
    if (tx) {
      const holder = this.locks.get(lock);
      if ((holder && holder !== tx.id) || (this.latest(collection, key)?.seq ?? 0) > tx.snapshot) {
        this.abort(tx.id);
        throw conflict();
      }
      const own = tx.writes.get(collection);
      const current = own?.has(key) ? own.get(key) : this.view(collection, tx.snapshot, undefined).get(key);
      const next = change(clone(current));
      if (next) this.checkUnique(collection, key, next, tx);
      this.locks.set(lock, tx.id);
      if (!tx.writes.has(collection)) tx.writes.set(collection, new Map());
      tx.writes.get(collection)!.set(key, next);
      return;
    }
    const until = Date.now() + this.lockWaitMs;
    while (this.locks.has(lock)) {
      if (Date.now() > until) throw new DbError('DATABASE_REQUEST_FAILED', 'lock wait timed out');
      await new Promise((r) => setTimeout(r, 5));
      this.expireTransactions();
    }
    const current = this.latest(collection, key)?.doc;
    const next = change(clone(current));
    if (next === current) return;
    if (next) this.checkUnique(collection, key, next, undefined);
    this.put(collection, key, next, ++this.seq);
  }

  private checkUnique(collection: string, key: string, doc: Doc, tx: Transaction | undefined) {
    for (const fields of this.unique[collection] ?? []) {
      const value = JSON.stringify(fields.map((f) => doc[f]));
      const clash = (other: Doc | undefined, otherKey: string) =>
        other && otherKey !== key && JSON.stringify(fields.map((f) => other[f])) === value;
      for (const [k, d] of this.view(collection, this.seq, tx)) {
        if (clash(d, k))
          throw new DbError(
            'DATABASE_DUPLICATE_WRITE',
            `E11000 duplicate key error collection: ${collection} index: ${fields.join('_1_')}_1`,
          );
      }
      // Another open transaction holding that value: MongoDB reports a write conflict on the index key.
      for (const other of this.transactions.values()) {
        if (other === tx || other.state !== 'active') continue;
        for (const [k, d] of other.writes.get(collection) ?? []) {
          if (clash(d, k)) {
            if (tx) this.abort(tx.id);
            throw conflict();
          }
        }
      }
    }
  }

  private put(collection: string, key: string, doc: Doc | undefined, seq: number) {
    if (!this.data.has(collection)) this.data.set(collection, new Map());
    const versions = this.data.get(collection)!;
    const list = versions.get(key) ?? [];
    list.push({ seq, doc });
    // Versions older than every open snapshot are never read again.
    const oldest = Math.min(this.seq, ...[...this.transactions.values()].filter((t) => t.state === 'active').map((t) => t.snapshot));
    while (list.length > 1 && list[1]!.seq <= oldest) list.shift();
    versions.set(key, list);
  }

  private activeTransaction(id: string): Transaction {
    const tx = this.transactions.get(id);
    if (!tx) throw new DbError('DATABASE_TRANSACTION_FAIL', 'no such transaction');
    if (tx.state === 'aborted') throw conflict();
    if (tx.state === 'committed') throw new DbError('DATABASE_TRANSACTION_FAIL', 'transaction already committed');
    return tx;
  }

  private commit(tx: Transaction) {
    const seq = ++this.seq;
    for (const [collection, writes] of tx.writes) {
      for (const [key, doc] of writes) {
        this.put(collection, key, doc, seq);
        this.locks.delete(`${collection}\0${key}`);
      }
    }
    tx.state = 'committed';
  }

  private abort(id: string) {
    const tx = this.transactions.get(id);
    if (!tx || tx.state !== 'active') return;
    for (const [collection, writes] of tx.writes) for (const key of writes.keys()) this.locks.delete(`${collection}\0${key}`);
    tx.state = 'aborted';
  }

  private expireTransactions() {
    const now = Date.now();
    for (const tx of this.transactions.values()) if (tx.state === 'active' && now - tx.startedAt > this.lifetimeMs) this.abort(tx.id);
  }
}

function applyUpdate(current: Doc, data: Doc): Doc {
  const next = clone(current);
  const operators = Object.keys(data).some((k) => k.startsWith('$'));
  if (!operators) return { ...data, _id: current._id };
  update(next, data as never);
  return next;
}

const sameDoc = (a: Doc, b: Doc) => EJSON.stringify(sortKeys(a)) === EJSON.stringify(sortKeys(b));

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    const doc = v as Doc;
    return Object.fromEntries(
      Object.keys(doc)
        .sort()
        .map((k) => [k, sortKeys(doc[k])]),
    );
  }
  return v;
}

export const isWrite = (action: string) =>
  [
    'database.insertDocument',
    'database.modifyDocument',
    'database.modifyAndReturnDoc',
    'database.removeDocument',
    'database.commitTransaction',
  ].includes(action);

/** Starts a stand-in on a free loopback port. */
export async function startStandIn(options: StandInOptions = {}): Promise<CloudBaseStandIn> {
  const standIn = new CloudBaseStandIn(options);
  await standIn.start();
  return standIn;
}
