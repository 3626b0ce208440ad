// The pickup-sheet aggregation must stay exact whatever the stream does (issue 4): a record delivered
// twice, a newer image before an older one, a batch that fails once and is delivered again. In every
// case the sheet a leader reads (GET /pickup-points/{leaderId}/sheet) equals a recomputation from the
// orders themselves. The first tests call the function with hand-built stream events (real images of
// real orders); the last lets the real poller deliver a batch that fails once.
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { Context, DynamoDBRecord, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { queueEvent } from '../../test/support/queue-events';
import { advanceClosing, runCutoff } from '../../lib/cutoff/cutoff';
import { cutoffDeps } from '../../lib/cutoff/wiring';
import { db, tableName } from '../../lib/store/dynamo';
import { keys } from '../../lib/store/keys';
import { dynamoOrderStore } from '../../lib/store/orders';
import { activeLeader, openGroupBuy, placeOrder, shanghaiDate, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { main as pickupSheets } from './handler';
import { passCutoff } from '../../test/support/time-travel';

const api = useStack();
let operator: string;
beforeAll(async () => {
  operator = await api.login('op-sheets', ['operator']);
});

const orders = dynamoOrderStore();
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

type Item = Record<string, unknown>;

/** An order as stored (keys, index keys, type and all): what the stream's images carry. */
async function stored(orderId: string): Promise<Item> {
  const { Item } = await db().send(new GetCommand({ TableName: tableName(), Key: keys.order(orderId), ConsistentRead: true }));
  if (!Item) throw new Error(`no order ${orderId}`);
  return Item;
}

interface Point {
  leader: { token: string; leaderId: string };
  pickupDate: string;
  groupBuyId: string;
  orderIds: string[];
}

/** A leader's group buy, its cutoff just passed, with `count` paid orders of one or two products, through HTTP. */
async function pickupPoint(count: number): Promise<Point> {
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api, [
    { name: '草莓', unit: '盒' },
    { name: '鸡蛋', unit: '板' },
  ]);
  const cutoffAt = soon(3_600_000);
  const pickupDate = shanghaiDate(soon(86_400_000));
  const gb = await openGroupBuy(api, leader.token, { items: products.map((p) => ({ productId: p.productId })), cutoffAt, pickupDate });
  const orderIds: string[] = [];
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const token = await api.login(unique('resident'));
      const items = [
        { productId: products[0]!.productId, quantity: i + 1 },
        ...(i % 2 ? [{ productId: products[1]!.productId, quantity: 2 }] : []),
      ];
      const placed = await placeOrder(api, token, gb.shareToken, items);
      if (placed.status !== 201) throw new Error(`order failed: ${placed.text}`);
      const paid = await api.call('POST', `/dev/pay/${placed.body.orderId}`);
      if (paid.status !== 200) throw new Error(`pay failed: ${paid.text}`);
      orderIds.push(placed.body.orderId);
    }),
  );
  await passCutoff(gb.groupBuyId);
  return { leader, pickupDate, groupBuyId: gb.groupBuyId, orderIds };
}

/**
 * Closes the group buy with the cutoff use-cases, as the stream function would, leaving the stream
 * undelivered: the sheet then holds only what the test hands the function itself.
 */
async function closeByHand(point: Point) {
  const deps = cutoffDeps();
  expect((await runCutoff(deps)).begun).toContain(point.groupBuyId);
  for (let i = 0; i < 100; i++) if ((await advanceClosing(deps, point.groupBuyId)).status !== 'closing') return;
  throw new Error('closing did not finish');
}

// ---- Hand-built stream events ------------------------------------------------------------------------------

let sequence = 4_421_584_600_000;
/** A stream record of a change from `oldImage` to `newImage`, shaped as events/dynamodb/stream-modify.json. */
function streamRecord(newImage: Item, oldImage?: Item): DynamoDBRecord {
  const image = (item: Item) => marshall(item, { removeUndefinedValues: true }) as never;
  return {
    eventID: randomUUID().replace(/-/g, ''),
    eventName: oldImage ? 'MODIFY' : 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'ap-east-1',
    eventSourceARN: 'arn:aws:dynamodb:ap-east-1:123456789012:table/tuangou-test/stream/2026-11-20T08:15:42.123',
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: image({ pk: newImage.pk, sk: newImage.sk }),
      NewImage: image(newImage),
      ...(oldImage ? { OldImage: image(oldImage) } : {}),
      SequenceNumber: String(sequence++).padStart(28, '0'),
      SizeBytes: 1024,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** One invocation of the function with these records; it reports no failure. */
async function deliver(...records: DynamoDBRecord[]) {
  expect(await pickupSheets(queueEvent(records))).toEqual({ batchItemFailures: [] });
}

// ---- The sheet, read and recomputed ------------------------------------------------------------------------------

interface SheetView {
  totals: { productId: string; name: string; quantity: number }[];
  orders: {
    orderId: string;
    pickupCode: string;
    contactName: string;
    contactPhone: string;
    status: string;
    items: { productId: string; quantity: number }[];
  }[];
}

const byKey = <T>(list: T[], key: (t: T) => string) => [...list].sort((a, b) => key(a).localeCompare(key(b)));

async function readSheet(point: Point): Promise<SheetView> {
  const res = await api.call('GET', `/pickup-points/${point.leader.leaderId}/sheet?date=${point.pickupDate}`, { token: operator });
  expect(res.status).toBe(200);
  return {
    totals: byKey(res.body.totals as SheetView['totals'], (t) => t.productId).map(({ productId, name, quantity }) => ({
      productId,
      name,
      quantity,
    })),
    orders: byKey(res.body.orders as SheetView['orders'], (o) => o.orderId).map((o) => ({
      orderId: o.orderId,
      pickupCode: o.pickupCode,
      contactName: o.contactName,
      contactPhone: o.contactPhone,
      status: o.status,
      items: byKey(o.items, (l) => l.productId).map(({ productId, quantity }) => ({ productId, quantity })),
    })),
  };
}

/**
 * The sheet recomputed from the orders: every order with a pickup code is listed; the totals count what
 * is still to be handed out or was (ready for pickup, picked up), not what was refunded in full.
 */
async function sheetFromOrders(point: Point): Promise<SheetView> {
  const all = await Promise.all(point.orderIds.map(async (id) => (await orders.get(id))!));
  const listed = all.filter((o) => o.pickupCode !== undefined);
  const totals = new Map<string, { productId: string; name: string; quantity: number }>();
  for (const order of listed) {
    if (order.status !== 'ready_for_pickup' && order.status !== 'picked_up') continue;
    for (const line of order.items) {
      const total = totals.get(line.productId) ?? { productId: line.productId, name: line.name, quantity: 0 };
      total.quantity += line.quantity;
      totals.set(line.productId, total);
    }
  }
  return {
    totals: byKey([...totals.values()], (t) => t.productId),
    orders: byKey(listed, (o) => o.orderId).map((o) => ({
      orderId: o.orderId,
      pickupCode: o.pickupCode!,
      contactName: o.contactName,
      contactPhone: o.contactPhone,
      status: o.status,
      items: byKey(o.items, (l) => l.productId).map(({ productId, quantity }) => ({ productId, quantity })),
    })),
  };
}

async function expectSheetExact(point: Point) {
  const expected = await sheetFromOrders(point);
  expect(await readSheet(point)).toEqual(expected);
  return expected;
}

const confirmPickup = async (point: Point, orderId: string) => {
  const { pickupCode } = (await orders.get(orderId))!;
  const res = await api.call('POST', '/pickups', { token: point.leader.token, body: { pickupCode, date: point.pickupDate } });
  expect(res.status).toBe(200);
};

// ---- Tests ---------------------------------------------------------------------------------------------------------

test('the same record delivered twice, in one batch and in later batches, leaves the sheet exact', async () => {
  const point = await pickupPoint(4);
  const paid = await Promise.all(point.orderIds.map(stored));
  await closeByHand(point);
  const ready = await Promise.all(point.orderIds.map(stored));
  const [r1, r2, r3, r4] = ready.map((image, i) => streamRecord(image, paid[i]));

  await deliver(r1!, r1!, r2!);
  await deliver(r2!, r3!, r4!, r1!);
  await deliver(r4!, r3!, r2!, r1!);

  const sheet = await expectSheetExact(point);
  expect(sheet.orders).toHaveLength(4);
  expect(sheet.totals.reduce((n, t) => n + t.quantity, 0)).toBe(1 + 2 + 3 + 4 + 2 * 2);
});

test('a newer image before an older one (picked up, then ready for pickup) leaves the newer on the sheet', async () => {
  const point = await pickupPoint(4);
  await closeByHand(point);
  const [o1, o2, o3, o4] = point.orderIds as [string, string, string, string];
  const ready = Object.fromEntries(await Promise.all(point.orderIds.map(async (id) => [id, await stored(id)] as const)));

  // o1 is picked up; o2 is picked up, then refunded in full (it leaves the totals); o3 and o4 wait.
  await confirmPickup(point, o1);
  await confirmPickup(point, o2);
  const picked1 = await stored(o1);
  const picked2 = await stored(o2);
  const refund = await api.call('POST', `/orders/${o2}/refunds`, {
    token: operator,
    body: { amountFen: picked2.totalFen, reason: '商品损坏' },
  });
  expect(refund.status).toBe(201);
  const refunded2 = await stored(o2);
  expect([picked1.status, refunded2.status]).toEqual(['picked_up', 'refunded']);

  // Newest first: across batches, and inside one batch.
  await deliver(streamRecord(picked1, ready[o1]), streamRecord(refunded2, picked2));
  await deliver(streamRecord(picked2, ready[o2]), streamRecord(ready[o2]!), streamRecord(ready[o3]!), streamRecord(ready[o1]!));
  await deliver(streamRecord(ready[o4]!), streamRecord(ready[o1]!), streamRecord(picked1, ready[o1]), streamRecord(ready[o1]!));

  const sheet = await expectSheetExact(point);
  expect(Object.fromEntries(sheet.orders.map((o) => [o.orderId, o.status]))).toEqual({
    [o1]: 'picked_up',
    [o2]: 'refunded',
    [o3]: 'ready_for_pickup',
    [o4]: 'ready_for_pickup',
  });
});

// ---- Through the queue: a batch that fails once ---------------------------------------------------------------------

type QueueHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse | void | undefined>;

/** The record a message of the pickupSheets queue carries. */
const recordIn = (m: SQSRecord) => JSON.parse(m.body) as DynamoDBRecord;

/**
 * Wraps pickupSheets as its queue invokes it: the first invocation carrying at least two of this pickup
 * point's orders does half its work with the real function and then fails, by throwing (`'throw'`, a
 * crashed invocation) or by reporting the message at the half and those after it as failed (`'report'`,
 * a partial batch).
 */
function failOnce(point: Point, how: 'throw' | 'report') {
  const consumer = api.stack.queues.subscription('pickupSheets');
  const real: QueueHandler = consumer.handler;
  const seen = new Map<string, number>(); // sequence number → deliveries, for this point's records
  const state = { failed: false, restore: () => void (consumer.handler = real), deliveries: seen };
  const ours = (m: SQSRecord) => recordIn(m).dynamodb?.NewImage?.leaderId?.S === point.leader.leaderId;
  consumer.handler = async (event, context) => {
    const mine = event.Records.filter(ours);
    for (const m of mine) {
      const seq = recordIn(m).dynamodb!.SequenceNumber!;
      seen.set(seq, (seen.get(seq) ?? 0) + 1);
    }
    if (state.failed || mine.length < 2) return real(event, context);
    state.failed = true;
    const half = event.Records.indexOf(mine[Math.floor(mine.length / 2)]!);
    await real({ Records: event.Records.slice(0, half) }, context);
    if (how === 'throw') throw new Error('pickupSheets failed half way (test)');
    return { batchItemFailures: event.Records.slice(half).map((m) => ({ itemIdentifier: m.messageId })) };
  };
  return state;
}

test('a batch that fails once through the queue (half done, then a crash or a reported failure) leaves the sheet exact', async () => {
  const point = await pickupPoint(6);

  // The cutoff through the stream; the first batch of this point's ready orders crashes half way.
  const crash = failOnce(point, 'throw');
  const report = await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator })).finally(crash.restore);
  expect(report.body).toMatchObject({ closed: 1 });
  expect(crash.failed).toBe(true);
  expect(Math.max(...crash.deliveries.values())).toBeGreaterThan(1); // some records came twice
  await expectSheetExact(point);

  // Pickups confirmed; the batch that carries them reports a failure half way and is delivered again.
  const [o1, o2, o3] = point.orderIds as [string, string, string];
  await confirmPickup(point, o1);
  await confirmPickup(point, o2);
  await confirmPickup(point, o3);
  const partial = failOnce(point, 'report');
  try {
    await api.drain();
  } finally {
    partial.restore();
  }
  expect(partial.failed).toBe(true);
  expect(Math.max(...partial.deliveries.values())).toBeGreaterThan(1);

  const sheet = await expectSheetExact(point);
  expect(
    sheet.orders
      .filter((o) => o.status === 'picked_up')
      .map((o) => o.orderId)
      .sort(),
  ).toEqual([o1, o2, o3].sort());
});
