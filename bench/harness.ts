// Shared parts of the benchmarks: a DynamoDB Local of their own, the real handlers invoked with
// API Gateway events, and a meter on the DynamoDB client counting requests and capacity.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, DynamoDBRecord } from 'aws-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { LocalDynamo } from '../infra/dynamodb-local';
import { freePort, KEY_ID_VARIABLE, localCredentials, localRegion, newAccessKeyId, startDynamoDbLocal } from '../infra/dynamodb-local';
import { lambdaContext, toHttpApiEvent } from '../infra/http-server';
import { ensureTable, localClient } from '../infra/table';
import type { IndexState } from './capacity';
import { indexState, indexWrites, putUnits, readUnits, updateIndexWrites, writeUnits, itemSize } from './capacity';

export interface Meter {
  requests: Record<string, number>;
  wcu: number;
  /** `wcu` by what was written: a Put by its item's `type` (its index writes included), other writes by their key's prefix. */
  wcuByItem: Record<string, number>;
  rcu: number;
  /** The `TransactItems` of every TransactWriteItems sent, in send order (with `recordTransactWrites`). */
  transactWrites: Input[][];
  reset(): void;
  total(): number;
  /** Takes the meter off the client (a client carries at most one meter). */
  detach(): void;
  /**
   * Items as they stand in the table (written by other clients), so that a later write of one is charged its
   * index changes (a key that changes: delete and put). Items the meter wrote itself it knows already.
   */
  learn(items: Input[]): void;
}

export async function startBenchDynamo(tableName: string): Promise<LocalDynamo> {
  // A key id of the run's own: every client (the handlers', the bench's) reads it from the environment.
  process.env[KEY_ID_VARIABLE] = newAccessKeyId();
  const dynamo = await startDynamoDbLocal({ port: await freePort(), accessKeyId: process.env[KEY_ID_VARIABLE] });
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.TABLE_NAME = tableName;
  process.env.STAGE = 'local';
  process.env.LOG_REQUESTS = '0';
  const client = localClient(dynamo.endpoint);
  await ensureTable(client, tableName);
  client.destroy();
  return dynamo;
}

/** A client of the bench's own, for seeding and its own reads: the meter (on the platform's client) never sees them. */
export function benchClient(endpoint: string) {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region: localRegion(), credentials: localCredentials(), maxAttempts: 8 }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}

// Method syntax on purpose: the SDK's `add` is overloaded per step, which only a bivariant method accepts.
type Sendable = { middlewareStack: { add(mw: unknown, opts: unknown): void; remove(name: string): boolean } };
export type Input = Record<string, unknown>;

/**
 * Counts every request the document client sends and the capacity it would consume in AWS.
 * Items touched by Update/ConditionCheck are counted as under 1 KB (counters and group-buy records
 * here are; bench/orders.ts reads them back after its run and checks it). A Put of an item the meter has
 * seen (written through it, or `learn`ed) is charged its index changes against what it was; an Update of
 * one, a write of each index it is in (its key changes by an Update are not parsed: the group buy's, once
 * per closing); an item it has not seen, as new.
 */
export function meter(client: Sendable, options: { recordTransactWrites?: boolean } = {}): Meter {
  const m: Meter = {
    requests: {},
    wcu: 0,
    wcuByItem: {},
    rcu: 0,
    transactWrites: [],
    reset() {
      m.requests = {};
      m.wcu = 0;
      m.wcuByItem = {};
      m.rcu = 0;
      m.transactWrites = [];
    },
    total: () => Object.values(m.requests).reduce((a, b) => a + b, 0),
    detach: () => void client.middlewareStack.remove('benchMeter'),
    learn: (items) => items.forEach((item) => known.set(itemKey(item), indexState(item))),
  };
  /** What each item the meter has seen is in the indexes (kept across `reset`: it is the table's state). */
  const known = new Map<string, IndexState>();
  const itemKey = (key: Input) => `${String(key.pk)}\u0000${String(key.sk)}`;
  const charge = (label: string, units: number) => {
    m.wcuByItem[label] = (m.wcuByItem[label] ?? 0) + units;
    return units;
  };
  const prefix = (key: Input) => String(key.pk).split('#')[0];
  const put = (item: Input, transactional: boolean) => {
    const units = putUnits(item, transactional, known.get(itemKey(item)));
    known.set(itemKey(item), indexState(item));
    return charge(typeof item.type === 'string' ? item.type : 'item', units);
  };
  /** A write of each index a known item is in whose projection the update changes (updateIndexWrites), or that it leaves. */
  const inIndexes = (key: Input) => updateIndexWrites(known.get(itemKey(key)));
  const update = (key: Input, transactional: boolean) => charge(`update ${prefix(key)}`, writeUnits(256, transactional) + inIndexes(key));
  const remove = (key: Input, transactional: boolean) => {
    const state = known.get(itemKey(key));
    // A deleted item leaves every index it was in, key-only ones too.
    const units = writeUnits(256, transactional) + (state ? indexWrites(state, { keys: state.keys.map(() => undefined), size: 0 }) : 0);
    known.delete(itemKey(key));
    return charge(`delete ${prefix(key)}`, units);
  };
  client.middlewareStack.add(
    (next: (args: { input: Input }) => Promise<{ output: Input }>, context: { commandName: string }) => async (args: { input: Input }) => {
      const name = context.commandName.replace(/Command$/, '');
      m.requests[name] = (m.requests[name] ?? 0) + 1;
      // Kept by reference: neither the platform nor the SDK changes an input once sent.
      if (options.recordTransactWrites && name === 'TransactWriteItems') m.transactWrites.push(args.input.TransactItems as Input[]);
      const result = await next(args);
      const input = args.input;
      const out = result.output;
      switch (name) {
        case 'TransactWriteItems':
          for (const action of input.TransactItems as Input[]) {
            if (action.Put) m.wcu += put((action.Put as Input).Item as Input, true);
            else if (action.Update) m.wcu += update((action.Update as Input).Key as Input, true);
            else if (action.Delete) m.wcu += remove((action.Delete as Input).Key as Input, true);
            else m.wcu += charge(`check ${prefix((action.ConditionCheck as Input).Key as Input)}`, writeUnits(256, true)); // of a small (< 1 KB) item
          }
          break;
        case 'PutItem':
          m.wcu += put(input.Item as Input, false);
          break;
        case 'UpdateItem':
          m.wcu += update(input.Key as Input, false);
          break;
        case 'DeleteItem':
          m.wcu += remove(input.Key as Input, false);
          break;
        case 'GetItem':
          m.rcu += readUnits(out.Item ? itemSize(out.Item as Input) : 1, input.ConsistentRead ? 'strong' : 'eventual');
          break;
        case 'Query': {
          // A query is charged on the total size read, rounded up to 4 KB once.
          const bytes = ((out.Items as Input[] | undefined) ?? []).reduce((s, i) => s + itemSize(i), 0);
          m.rcu += readUnits(bytes || 1, input.ConsistentRead ? 'strong' : 'eventual');
          break;
        }
        case 'BatchGetItem': {
          const responses = Object.values((out.Responses as Record<string, Input[]>) ?? {}).flat();
          m.rcu += responses.reduce((s, i) => s + readUnits(itemSize(i), 'eventual'), 0);
          break;
        }
      }
      return result;
    },
    { step: 'initialize', name: 'benchMeter' },
  );
  return m;
}

export type HttpMain = (event: APIGatewayProxyEventV2, context: unknown) => Promise<APIGatewayProxyStructuredResultV2>;

/** Invokes a function's exported `main` as API Gateway would for this request. */
export async function invokeHttp(
  main: HttpMain,
  routeKey: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    /** The body's exact bytes (a signed webhook's), instead of `body` as JSON. */
    rawBody?: string;
    headers?: Record<string, string>;
    params?: Record<string, string>;
  } = {},
) {
  const [method, routePath] = routeKey.split(' ') as [string, string];
  const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const event = toHttpApiEvent({ method, path: routePath }, options.params ?? {}, {
    method,
    url: path,
    headers,
    body: Buffer.from(options.rawBody ?? (options.body === undefined ? '' : JSON.stringify(options.body))),
  });
  const result = await main(event, lambdaContext('bench'));
  return { status: result.statusCode ?? 200, body: result.body ? JSON.parse(result.body) : undefined };
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Runs `tasks` with at most `concurrency` in flight; returns each task's latency in ms. */
export async function runConcurrently(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<{ latencies: number[]; seconds: number }> {
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = process.hrtime.bigint();
        await task(i);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  return { latencies: latencies.sort((a, b) => a - b), seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The body of an answer that has the expected status; anything else stops the bench with what came back. */
export function expectStatus<T extends object = Json>(what: string, res: { status: number; body: unknown }, status: number): T {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as T;
}

/** An answer of the API as the bench reads it: untyped JSON, checked against the bench's own totals. */
export type Json = Record<string, unknown>;

/** A small deterministic generator (mulberry32): the same data for the same seed on every run. */
export function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What a size's run reports per order, for comparing sizes. */
interface PerOrderFigures {
  wcuPerOrder: number;
  rcuPerOrder: number;
  requestsPerOrder: { total: number };
  msPerOrder: number;
}

/**
 * How figures move from the smallest size to the largest: `ratio(f)` is f at the largest over f at the
 * smallest, and `perOrder` those ratios of the per-order figures (1 when a total grows exactly linearly).
 */
export function growthAcross<R extends PerOrderFigures>(bySize: readonly R[], sizeOf: (r: R) => number) {
  const smallest = bySize.reduce((a, b) => (sizeOf(b) < sizeOf(a) ? b : a));
  const largest = bySize.reduce((a, b) => (sizeOf(b) > sizeOf(a) ? b : a));
  const ratio = (f: (r: R) => number) => round(f(largest) / f(smallest), 2);
  return {
    ratio,
    perOrder: {
      wcuPerOrder: ratio((r) => r.wcuPerOrder),
      rcuPerOrder: ratio((r) => r.rcuPerOrder),
      requestsPerOrder: ratio((r) => r.requestsPerOrder.total),
      msPerOrder: ratio((r) => r.msPerOrder),
    },
  };
}

/**
 * A maker of the table's stream records as Lambda hands them to a function (NEW_AND_OLD_IMAGES), numbered in
 * the order they are made (the router drops the old image before a consumer's queue).
 */
export function streamRecords(run: string, source: { region?: string; streamArn?: string } = {}) {
  let sequence = 0;
  return (eventName: 'INSERT' | 'MODIFY', newItem: Input, oldItem?: Input): DynamoDBRecord => ({
    eventID: `${run}-${++sequence}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: source.region ?? 'ap-east-1',
    ...(source.streamArn ? { eventSourceARN: source.streamArn } : {}),
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: marshall({ pk: newItem.pk, sk: newItem.sk }) as never,
      NewImage: marshall(newItem, { removeUndefinedValues: true }) as never,
      ...(oldItem ? { OldImage: marshall(oldItem, { removeUndefinedValues: true }) as never } : {}),
      SequenceNumber: String(sequence).padStart(21, '1'),
      SizeBytes: itemSize(newItem) + (oldItem ? itemSize(oldItem) : 0),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  });
}
