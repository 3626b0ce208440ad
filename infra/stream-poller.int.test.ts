// The local stream poller against DynamoDB Local's real stream: it must deliver records the way Lambda's
// event source mapping does (NOTES.md, "Streams into functions"), because the stream consumers are
// written against those rules. Each test has its own table and drives the poller with drain().
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertLocalEndpoint } from '../test/support/stack';
import { localCredentials, localRegion } from './dynamodb-local';
import type { PollerOptions, StreamConsumer } from './stream-poller';
import { StreamPoller } from './stream-poller';
import { ensureTable, localClient } from './table';

const endpoint = assertLocalEndpoint(process.env.DYNAMODB_ENDPOINT);

let ddb: DynamoDBClient;
let doc: DynamoDBDocumentClient;
let streams: DynamoDBStreamsClient;
const tables: string[] = [];

beforeAll(() => {
  ddb = localClient(endpoint);
  doc = DynamoDBDocumentClient.from(ddb);
  streams = new DynamoDBStreamsClient({ endpoint, region: localRegion(), credentials: localCredentials() });
});
afterAll(async () => {
  for (const TableName of tables) await ddb.send(new DeleteTableCommand({ TableName })).catch(() => undefined);
  ddb.destroy();
  streams.destroy();
});

/** A fresh table; returns its name and stream ARN. */
async function freshTable() {
  const name = `poller-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  tables.push(name);
  return { name, streamArn: await ensureTable(ddb, name) };
}

interface Thing {
  pk: string;
  sk: string;
  version: number;
  type?: string;
}

const put = (table: string, item: Thing) => doc.send(new PutCommand({ TableName: table, Item: item }));

/** Writes `count` versions of each item, interleaved: a#1, b#1, c#1, a#2, b#2, … */
async function writeVersions(table: string, ids: string[], count: number) {
  for (let v = 1; v <= count; v++) for (const id of ids) await put(table, { pk: id, sk: 'THING', version: v });
}

/** What a consumer saw: one entry per invocation. */
function recorder() {
  const batches: DynamoDBRecord[][] = [];
  return {
    batches,
    /** `pk@version` of every record delivered, in delivery order. */
    delivered: () => batches.flat().map(label),
    record(event: DynamoDBStreamEvent) {
      batches.push(event.Records);
    },
  };
}
const label = (r: DynamoDBRecord) => `${r.dynamodb?.NewImage?.pk?.S}@${r.dynamodb?.NewImage?.version?.N}`;
const seq = (r: DynamoDBRecord) => r.dynamodb!.SequenceNumber!;

function consumer(handler: StreamConsumer['handler'], settings: Partial<StreamConsumer> = {}): StreamConsumer {
  return {
    name: 'consumer',
    handler,
    batchSize: 100,
    maximumRetryAttempts: 10_000,
    bisectBatchOnFunctionError: false,
    reportBatchItemFailures: true,
    ...settings,
  };
}

function poller(streamArn: string, consumers: StreamConsumer[], extra: Partial<PollerOptions> = {}) {
  return new StreamPoller({ client: streams, streamArn, consumers, region: 'ap-east-1', ...extra });
}

test('every record is delivered once, in order per item, in batches of at most batchSize', async () => {
  const { name, streamArn } = await freshTable();
  const ids = ['a', 'b', 'c'];
  await writeVersions(name, ids, 7); // 21 records
  const seen = recorder();

  await poller(streamArn, [consumer(async (e) => seen.record(e), { batchSize: 4 })]).drain();

  expect(seen.delivered()).toHaveLength(21);
  expect(new Set(seen.delivered()).size).toBe(21);
  expect(Math.max(...seen.batches.map((b) => b.length))).toBeLessThanOrEqual(4);
  for (const id of ids) {
    const versions = seen
      .delivered()
      .filter((l) => l.startsWith(`${id}@`))
      .map((l) => Number(l.split('@')[1]));
    expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7]);
  }
  // Lambda's record shape: the stream's ARN, the event name and both images.
  const first = seen.batches[0]![0]!;
  expect(first).toMatchObject({
    eventSource: 'aws:dynamodb',
    eventName: 'INSERT',
    eventSourceARN: streamArn,
    dynamodb: { StreamViewType: 'NEW_AND_OLD_IMAGES', Keys: { pk: { S: 'a' }, sk: { S: 'THING' } } },
  });
  expect(seen.batches.flat().find((r) => r.eventName === 'MODIFY')?.dynamodb?.OldImage).toBeDefined();
});

test('a reported batch item failure redelivers from that record on; the records before it are not redelivered', async () => {
  const { name, streamArn } = await freshTable();
  await writeVersions(name, ['a', 'b', 'c', 'd', 'e', 'f'], 1);
  const seen = recorder();
  let failedOnce = false;

  await poller(streamArn, [
    consumer(
      async (event): Promise<DynamoDBBatchResponse> => {
        seen.record(event);
        if (failedOnce) return { batchItemFailures: [] };
        failedOnce = true;
        // Records c and e fail: Lambda restarts from the lowest, c.
        return { batchItemFailures: [{ itemIdentifier: seq(event.Records[4]!) }, { itemIdentifier: seq(event.Records[2]!) }] };
      },
      { batchSize: 10 },
    ),
  ]).drain();

  expect(seen.batches.map((b) => b.map(label))).toEqual([
    ['a@1', 'b@1', 'c@1', 'd@1', 'e@1', 'f@1'],
    ['c@1', 'd@1', 'e@1', 'f@1'],
  ]);
});

test('a thrown error retries the whole batch', async () => {
  const { name, streamArn } = await freshTable();
  await writeVersions(name, ['a', 'b', 'c'], 1);
  const seen = recorder();
  let calls = 0;

  await poller(streamArn, [
    consumer(
      async (event) => {
        seen.record(event);
        if (++calls === 1) throw new Error('database unavailable');
      },
      { batchSize: 10, reportBatchItemFailures: false },
    ),
  ]).drain();

  expect(seen.batches.map((b) => b.map(label))).toEqual([
    ['a@1', 'b@1', 'c@1'],
    ['a@1', 'b@1', 'c@1'],
  ]);
});

test('with bisectBatchOnFunctionError a poison record is isolated, sent to onFailure after maximumRetryAttempts, and every other record is processed exactly once', async () => {
  const { name, streamArn } = await freshTable();
  const ids = Array.from({ length: 10 }, (_, i) => `item-${i}`);
  for (const id of ids) await put(name, { pk: id, sk: 'THING', version: 1, type: id === 'item-6' ? 'poison' : 'good' });
  const processed: string[] = [];
  const invocationsWithPoison: string[][] = [];
  const failures: { consumer: string; records: DynamoDBRecord[]; reason: string }[] = [];
  const log = jest.spyOn(console, 'error').mockImplementation(() => undefined);

  await poller(
    streamArn,
    [
      consumer(
        async (event) => {
          // All or nothing: a batch holding the poison record fails before doing anything.
          if (event.Records.some((r) => r.dynamodb?.NewImage?.type?.S === 'poison')) {
            invocationsWithPoison.push(event.Records.map(label));
            throw new Error('cannot parse record');
          }
          processed.push(...event.Records.map(label));
        },
        { name: 'orders', batchSize: 10, bisectBatchOnFunctionError: true, maximumRetryAttempts: 2, reportBatchItemFailures: false },
      ),
    ],
    { onFailure: (consumerName, records, reason) => failures.push({ consumer: consumerName, records, reason }) },
  ).drain();

  expect(processed.sort()).toEqual(
    ids
      .filter((id) => id !== 'item-6')
      .map((id) => `${id}@1`)
      .sort(),
  );
  expect(failures).toHaveLength(1);
  expect(failures[0]!.consumer).toBe('orders');
  expect(failures[0]!.records.map(label)).toEqual(['item-6@1']);
  expect(failures[0]!.reason).toContain('cannot parse record');
  expect(log).toHaveBeenCalledWith(expect.stringContaining('orders: 1 record(s) sent to the failure destination'));
  log.mockRestore();
  // Each failure of a batch split it in two (never the same batch again) until the poison record was
  // alone; alone, it was tried once and retried twice.
  const sizes = invocationsWithPoison.map((b) => b.length);
  expect(invocationsWithPoison.filter((b) => b.length === 1)).toEqual([['item-6@1'], ['item-6@1'], ['item-6@1']]);
  for (let i = 1; i < sizes.length - 2; i++) expect(invocationsWithPoison[i]).not.toEqual(invocationsWithPoison[i - 1]);
  expect(sizes[0]).toBe(10);
});

test('records that match no filter pattern never reach the handler', async () => {
  const { name, streamArn } = await freshTable();
  await put(name, { pk: 'o-1', sk: 'ORDER', version: 1, type: 'order' });
  await put(name, { pk: 'p-1', sk: 'PRODUCT', version: 1, type: 'product' });
  await put(name, { pk: 'o-2', sk: 'ORDER', version: 1, type: 'order' });
  await put(name, { pk: 'o-1', sk: 'ORDER', version: 2, type: 'order' }); // a MODIFY
  const seen = recorder();

  await poller(streamArn, [
    consumer(async (e) => seen.record(e), {
      batchSize: 10,
      filterPatterns: [{ eventName: ['INSERT'], dynamodb: { NewImage: { type: { S: ['order'] } } } }],
    }),
  ]).drain();

  expect(seen.delivered()).toEqual(['o-1@1', 'o-2@1']);
});

test('a batch filtered down to nothing is skipped, and the consumer goes on with the next', async () => {
  const { name, streamArn } = await freshTable();
  for (let i = 0; i < 5; i++) await put(name, { pk: `p-${i}`, sk: 'PRODUCT', version: 1, type: 'product' });
  await put(name, { pk: 'o-1', sk: 'ORDER', version: 1, type: 'order' });
  const seen = recorder();

  await poller(streamArn, [
    consumer(async (e) => seen.record(e), { batchSize: 2, filterPatterns: [{ dynamodb: { NewImage: { type: { S: ['order'] } } } }] }),
  ]).drain();

  expect(seen.batches.map((b) => b.map(label))).toEqual([['o-1@1']]);
});

describe('checkpoints', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'checkpoints-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a new poller with the same checkpoint file resumes after what the last one committed', async () => {
    const { name, streamArn } = await freshTable();
    const checkpointFile = join(dir, `${name}.json`);
    await writeVersions(name, ['a', 'b'], 2);
    const first = recorder();
    await poller(streamArn, [consumer(async (e) => first.record(e), { name: 'projector', batchSize: 3 })], { checkpointFile }).drain();
    expect(first.delivered()).toEqual(['a@1', 'b@1', 'a@2', 'b@2']);

    await put(name, { pk: 'a', sk: 'THING', version: 3 });
    await put(name, { pk: 'c', sk: 'THING', version: 1 });
    const second = recorder();
    await poller(streamArn, [consumer(async (e) => second.record(e), { name: 'projector', batchSize: 3 })], { checkpointFile }).drain();

    expect(second.delivered()).toEqual(['a@3', 'c@1']);
  });

  test('checkpoints are per consumer: another consumer reading the same file starts from the beginning', async () => {
    const { name, streamArn } = await freshTable();
    const checkpointFile = join(dir, `${name}.json`);
    await writeVersions(name, ['a'], 2);
    await poller(streamArn, [consumer(async () => undefined, { name: 'projector' })], { checkpointFile }).drain();

    const other = recorder();
    await poller(streamArn, [consumer(async (e) => other.record(e), { name: 'notifier' })], { checkpointFile }).drain();

    expect(other.delivered()).toEqual(['a@1', 'a@2']);
  });
});
