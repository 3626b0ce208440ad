// The closing of group buys must survive (issue 4): killed half way and run again, two cutoffs at once,
// and a group too big for one invocation, all against the real stack and DynamoDB Local. Leaders and
// group buys are made through HTTP; orders are written as placing and paying leaves them (the order
// store's item builder, the sandbox provider's books), for volume. The closing itself always runs
// through the real cutoff job and use-cases, `closeGroupBuys`, the stream router and its queue.
import { AsyncLocalStorage } from 'node:async_hooks';
import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { QueueSubscription } from '../../infra/local-sqs';
import { advanceClosing, PAGE_SIZE, runCutoff } from '../../lib/cutoff/cutoff';
import { cutoffDeps } from '../../lib/cutoff/wiring';
import { sandbox } from '../../lib/payments/wiring';
import { ulid } from '../../lib/runtime/clock';
import { auditTrail } from '../../lib/store/audit';
import { db, tableName } from '../../lib/store/dynamo';
import { keys } from '../../lib/store/keys';
import { dynamoOrderStore, orderItem } from '../../lib/store/orders';
import type { GroupBuy } from '../../schemas/group-buys';
import type { Order } from '../../schemas/orders';
import { activeLeader, openGroupBuy, shanghaiDate, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { main as cutoffJob } from '../cutoff/handler';
import { pendingOrder } from '../../test/support/seeds';
import { passCutoff } from '../../test/support/time-travel';

// Hundreds of orders closed per test, through the stream and the queues: more than the default 30 s on a busy machine.
jest.setTimeout(180_000);

const api = useStack();
let operator: string;
beforeAll(async () => {
  operator = await api.login('op-close', ['operator']);
  installKillSwitch();
});

const deps = cutoffDeps();
const orders = dynamoOrderStore();
const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

/** Checks every item, 16 at a time. */
const each = <T>(items: T[], check: (item: T) => Promise<void>) => pool(items.length, 16, (i) => check(items[i]!));

/** Runs `work(i)` for i < count with at most `concurrency` in flight. */
async function pool(count: number, concurrency: number, work: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

// ---- Killing a function half way ------------------------------------------------------------------
// A "kill" is scoped to one invocation (AsyncLocalStorage): once the invocation has had `writesLeft`
// counted writes land, every DynamoDB call it makes fails, including the answer of writes already in
// flight (they land, the function never learns it), as when Lambda stops a function at its timeout.
// With `writesLeft: Infinity` a zone only counts what an invocation wrote (`landed`).

/** A command's input as the SDK's middleware sees it. */
type CommandInput = Record<string, unknown>;
/** One action of a TransactWriteItems (document client or low-level: a Put's `type` may be `{ S }`). */
interface TransactAction {
  Put?: { Item?: { type?: string | { S?: string } } };
}

interface KillZone {
  writesLeft: number;
  counts: (command: string, input: CommandInput) => boolean;
  dead: boolean;
  landed: number;
}
const killZones = new AsyncLocalStorage<KillZone>();
const killed = () => Object.assign(new Error('killed half way (test)'), { name: 'KilledHalfWay' });

function installKillSwitch() {
  const stack = db().middlewareStack as unknown as { add(mw: unknown, options: unknown): void };
  stack.add(
    (next: (args: { input: CommandInput }) => Promise<unknown>, context: { commandName: string }) =>
      async (args: { input: CommandInput }) => {
        const zone = killZones.getStore();
        if (!zone) return next(args);
        if (zone.dead) throw killed();
        const result = await next(args);
        if (zone.counts(context.commandName, args.input)) {
          zone.landed++;
          if (--zone.writesLeft <= 0) zone.dead = true;
        }
        if (zone.dead) throw killed();
        return result;
      },
    { step: 'initialize', name: 'testKillSwitch' },
  );
}

const itemType = (action: TransactAction) => {
  const type = action.Put?.Item?.type;
  return typeof type === 'object' ? type.S : type;
};
/** A transaction that changes an order (a cancel, a pickup code, a refund). */
const orderWrite = (command: string, input: CommandInput) =>
  command === 'TransactWriteItemsCommand' && (input.TransactItems as TransactAction[]).some((a) => itemType(a) === 'ORDER');
const anyTransaction = (command: string) => command === 'TransactWriteItemsCommand';

/** Runs `work` without the error log lines of the kills it expects (other errors are still logged). */
async function quietKills<T>(work: () => Promise<T>): Promise<T> {
  const log = console.error;
  const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    if (!String(args[0]).includes('killed half way')) log(...args);
  });
  try {
    return await work();
  } finally {
    spy.mockRestore();
  }
}

function killZone(writes: number, counts: KillZone['counts']): KillZone {
  return { writesLeft: writes, counts, dead: false, landed: 0 };
}

/** The queue's event source of a consumer function (its handler is what the queue invokes). */
function queueConsumer(name: string): QueueSubscription {
  return api.stack.queues.subscription(name);
}

type QueueHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse | void | undefined>;

/** Puts `wrap` around a consumer function as its queue invokes it, until the returned restore is called. */
function aroundQueueFunction(name: string, wrap: (real: QueueHandler, event: SQSEvent, context?: Context) => ReturnType<QueueHandler>) {
  const consumer = queueConsumer(name);
  const real = consumer.handler;
  consumer.handler = (event, context) => wrap(real, event, context);
  return () => void (consumer.handler = real);
}

/** Every order of the group buy in `status`: a whole pass of the store's pages. */
async function everyOrderIn(groupBuyId: string, status: Order['status']) {
  const found: Order[] = [];
  let after: string | undefined;
  do {
    const page = await deps.cutoff.ordersIn(groupBuyId, status, 1000, after);
    found.push(...page.items);
    after = page.nextCursor;
  } while (after);
  return found;
}

/** The first invocation of closeGroupBuys dies after `writes` order changes have landed (mid-page). */
function killFirstClosingInvocation(groupBuyId: string, writes: number) {
  const observed = { killed: false, readyAtKill: -1, refundedAtKill: -1, invocations: 0 };
  const restore = aroundQueueFunction('closeGroupBuys', async (real, event, context) => {
    observed.invocations++;
    if (observed.killed) return real(event, context);
    const zone = killZone(writes, orderWrite);
    const response = await quietKills(() => killZones.run(zone, () => real(event, context)));
    if (!zone.dead) return response;
    observed.killed = true;
    observed.readyAtKill = (await everyOrderIn(groupBuyId, 'ready_for_pickup')).length;
    observed.refundedAtKill = (await everyOrderIn(groupBuyId, 'refunded')).length;
    // Lambda reports a function that was stopped as a failed invocation: the queue delivers the batch again.
    throw new Error('closeGroupBuys was killed half way');
  });
  return { observed, restore };
}

// ---- Seeding -----------------------------------------------------------------------------------------

interface Seeded {
  leaderId: string;
  groupBuy: GroupBuy;
  pickupDate: string;
  paid: Order[];
  unpaid: Order[];
}

/**
 * A group buy, opened through HTTP, whose cutoff passes in a moment, with orders written by the order
 * store's item builder (25 to a request) as they stand once placed (and paid: the sandbox provider took
 * the money, as `POST /dev/pay` makes it do, so that refunds go through its books).
 */
async function groupWithOrders(options: { paid: number; unpaid: number; quantity?: number; failing?: boolean }): Promise<Seeded> {
  const quantity = options.quantity ?? 1;
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api, [{ name: '草莓', unit: '盒' }]);
  const cutoffAt = soon(3_600_000);
  const pickupDate = shanghaiDate(soon(86_400_000));
  const opened = await openGroupBuy(api, leader.token, {
    items: [{ productId: products[0]!.productId }],
    cutoffAt,
    pickupDate,
    ...(options.failing ? { minTotalQuantity: options.paid * quantity + 1 } : {}),
  });
  const groupBuy = (await deps.cutoff.get(opened.groupBuyId))!;
  const seeded = await seedOrders(groupBuy, options);
  await passCutoff(groupBuy.groupBuyId);
  return { leaderId: leader.leaderId, groupBuy: (await deps.cutoff.get(groupBuy.groupBuyId))!, pickupDate, ...seeded };
}

/** Orders of a group buy as placing (and paying) leaves them, written straight with the item builder. */
async function seedOrders(groupBuy: GroupBuy, options: { paid: number; unpaid: number; quantity?: number; failing?: boolean }) {
  const at = new Date(Date.now() - 60_000).toISOString();
  const requested = [{ productId: groupBuy.items[0]!.productId, quantity: options.quantity ?? 1 }];
  const placed = (i: number): Order =>
    pendingOrder(groupBuy, requested, {
      orderId: ulid(),
      userId: unique(`resident-${i}`),
      at,
      // Not yet expired: the expiry job is not what this file tests.
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
  // The unpaid first: their ids (monotonic ULIDs) sort first, so the closing's first pages are theirs.
  const unpaid = Array.from({ length: options.unpaid }, (_, i) => placed(options.paid + i));
  const paid = Array.from({ length: options.paid }, (_, i): Order => ({
    ...placed(i),
    status: 'paid',
    paidAt: at,
    updatedAt: at,
    paymentId: `sandbox-${ulid()}`,
    version: 2,
  }));
  const items = [...paid, ...unpaid].map(orderItem);
  const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, b) => items.slice(b * 25, b * 25 + 25));
  await pool(batches.length, 8, async (b) => {
    let requests = batches[b]!.map((Item) => ({ PutRequest: { Item } }));
    while (requests.length) {
      const { UnprocessedItems } = await db().send(new BatchWriteCommand({ RequestItems: { [tableName()]: requests } }));
      requests = (UnprocessedItems?.[tableName()] ?? []) as typeof requests;
    }
  });
  // Only refunds need the provider's record of the payment.
  if (options.failing)
    await pool(paid.length, 16, async (i) => void (await sandbox.charge(paid[i]!.orderId, paid[i]!.totalFen, paid[i]!.paymentId!)));
  return { paid, unpaid };
}

// ---- What exactly once means -----------------------------------------------------------------------------

async function queryAll(partition: string, skPrefix?: string) {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: skPrefix ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk',
        ExpressionAttributeValues: { ':pk': partition, ...(skPrefix ? { ':prefix': skPrefix } : {}) },
        ExclusiveStartKey: startKey,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** The pickup-code guard items of a pickup point and date (`PICKUP#<leaderId>#<date>`). */
const codeGuards = (leaderId: string, date: string) => queryAll(keys.pickupCode(leaderId, date, '').pk);

const actionsOf = async (entityId: string) => (await auditTrail(entityId)).map((e) => e.action);

/** `action`'s record is in the order's trail, from `from` to `to` by the cutoff, and not an audit item of its own. */
async function expectKeptRecord(orderId: string, action: string, from: string, to: string) {
  expect((await queryAll(keys.auditPartition(orderId))).map((i) => i.action)).not.toContain(action);
  const record = (await auditTrail(orderId)).find((e) => e.action === action);
  expect(record).toMatchObject({ entityId: orderId, actor: 'system:cutoff', before: { status: from }, after: { status: to } });
  if (to === 'ready_for_pickup') {
    const order = (await orders.get(orderId))!;
    expect(record?.after).toMatchObject({ pickupCode: order.pickupCode });
  }
}
const count = <T>(list: T[], value: T) => list.filter((x) => x === value).length;

/** Every order ended exactly as after one clean run: one code (or one refund) each, nothing twice. */
async function expectClosedExactlyOnce(s: Seeded, outcome: 'closed' | 'failed') {
  const groupBuy = (await deps.cutoff.get(s.groupBuy.groupBuyId))!;
  expect(groupBuy.status).toBe(outcome);
  expect(await actionsOf(groupBuy.groupBuyId)).toEqual([
    'groupBuy.opened',
    'groupBuy.closing',
    `groupBuy.decided_${outcome}`,
    `groupBuy.${outcome}`,
  ]);

  await each(s.unpaid, async (placed) => {
    const order = (await orders.get(placed.orderId))!;
    expect(order.status).toBe('cancelled');
    expect(order.pickupCode).toBeUndefined();
    expect(count(await actionsOf(order.orderId), 'order.cancelled_at_cutoff')).toBe(1);
  });
  // The closing's records are kept by the items it wrote once with each change (the tally, the code's guard):
  // no audit item of their own, and the operator's trail shows each whole.
  const [cancelledOne, paidOne] = [s.unpaid[0], s.paid[0]];
  if (cancelledOne) await expectKeptRecord(cancelledOne.orderId, 'order.cancelled_at_cutoff', 'pending_payment', 'cancelled');
  if (paidOne && outcome === 'closed') await expectKeptRecord(paidOne.orderId, 'order.ready_for_pickup', 'paid', 'ready_for_pickup');
  if (paidOne && outcome === 'failed') await expectKeptRecord(paidOne.orderId, 'order.refunded_group_failed', 'paid', 'refunded');

  const paid = await Promise.all(s.paid.map(async (p) => (await orders.get(p.orderId))!));
  const guards = await codeGuards(s.leaderId, s.pickupDate);
  if (outcome === 'closed') {
    for (const order of paid)
      expect({ orderId: order.orderId, status: order.status, pickupCode: order.pickupCode }).toEqual({
        orderId: order.orderId,
        status: 'ready_for_pickup',
        pickupCode: expect.stringMatching(/^\d{6}$/),
      });
    const codes = paid.map((o) => o.pickupCode!);
    expect(new Set(codes).size).toBe(paid.length);
    // One guard per ready order, naming that order with its code: no code was taken twice or left behind.
    expect(guards).toHaveLength(paid.length);
    expect(new Map(guards.map((g) => [g.code as string, g.orderId as string]))).toEqual(
      new Map(paid.map((o) => [o.pickupCode!, o.orderId])),
    );
    await each(paid, async (order) => {
      const actions = await actionsOf(order.orderId);
      expect(count(actions, 'order.ready_for_pickup')).toBe(1);
      expect(count(actions, 'order.refunded_group_failed')).toBe(0);
      expect(await orders.listRefunds(order.orderId)).toEqual([]);
    });
  } else {
    expect(guards).toHaveLength(0);
    await each(paid, async (order) => {
      expect(order).toMatchObject({ status: 'refunded', refundedFen: order.totalFen });
      expect(order.pickupCode).toBeUndefined();
      expect(await orders.listRefunds(order.orderId)).toEqual([
        expect.objectContaining({ refundId: `${order.orderId}-group-failed`, amountFen: order.totalFen, status: 'succeeded' }),
      ]);
      expect(count(await actionsOf(order.orderId), 'order.refunded_group_failed')).toBe(1);
      // The provider's own books: one refund of the payment, for exactly what was paid.
      expect(await queryAll(keys.sandboxPayment(order.paymentId!).pk, 'REFUND#')).toEqual([
        expect.objectContaining({ refundId: `${order.orderId}-group-failed`, amountFen: order.totalFen }),
      ]);
      expect(await queryAll(keys.sandboxPayment(order.paymentId!).pk, 'PAYMENT')).toEqual([
        expect.objectContaining({ amountFen: order.totalFen, refundedFen: order.totalFen }),
      ]);
    });
  }
  return groupBuy;
}

/** Closes `groupBuyId` by calling the use-case until it is no longer closing (as the stream would). */
async function closeByHand(groupBuyId: string) {
  for (let i = 0; i < 1000; i++) {
    const result = await advanceClosing(deps, groupBuyId, { maxPages: 5 });
    if (result.status !== 'closing') return result;
  }
  throw new Error('closing did not finish');
}

// ---- 1. Killed half way, run again ----------------------------------------------------------------------

/** What the kill tests left, for the check of the closing's counters below. */
const afterKill: {
  closed?: { groupBuy: GroupBuy; seeded: Seeded };
  failed?: { groupBuy: GroupBuy; seeded: Seeded; report: Record<string, number> };
} = {};

test('killed half way and run again (closed group): one pickup code per paid order, nothing twice', async () => {
  const s = await groupWithOrders({ paid: 110, unpaid: 110 });
  const id = s.groupBuy.groupBuyId;

  // The cutoff job dies right after its first write (its answer lost), then runs again.
  await expect(killZones.run(killZone(1, anyTransaction), () => cutoffJob())).rejects.toThrow(/killed/);
  expect((await deps.cutoff.get(id))!.status).toBe('closing');
  expect(await cutoffJob()).toEqual({ begun: 0 });

  // A first closing invocation stops after one page of its pass over the orders (by id: 100 of the 110 unpaid
  // orders cancelled), and records where the pass stands...
  const first = await advanceClosing(deps, id, { maxPages: 1 });
  expect(first).toMatchObject({ status: 'closing', stats: { pages: 1, ordersCancelled: PAGE_SIZE } });
  expect((await deps.cutoff.get(id))!.closeCursor).toMatchObject({ phase: 'cancel-unpaid', after: expect.any(String) });

  // ...then the stream function, going on from there, is killed in the middle of a page: 10 cancels and 17
  // pickup codes in.
  const kill = killFirstClosingInvocation(id, 10 + 17);
  try {
    await api.drain();
  } finally {
    kill.restore();
  }
  expect(kill.observed.killed).toBe(true);
  expect(kill.observed.readyAtKill).toBeGreaterThanOrEqual(17);
  expect(kill.observed.readyAtKill).toBeLessThan(PAGE_SIZE);
  expect(kill.observed.invocations).toBeGreaterThan(1);

  // And the operator runs the cutoff once more: it finds nothing left to do.
  const again = await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }));
  expect(again.body).toMatchObject({ closed: 0, failed: 0, ordersCancelled: 0 });
  const groupBuy = await expectClosedExactlyOnce(s, 'closed');
  afterKill.closed = { groupBuy, seeded: s };
});

test('killed half way and run again (group below its minimum): one refund per paid order, nothing twice', async () => {
  const s = await groupWithOrders({ paid: 110, unpaid: 10, failing: true });
  const id = s.groupBuy.groupBuyId;

  // The operator's cutoff; the closing invocation it starts is killed mid-page (10 cancels, 37 refunds in).
  const kill = killFirstClosingInvocation(id, 10 + 37);
  const report = await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator })).finally(kill.restore);
  expect(kill.observed.killed).toBe(true);
  expect(kill.observed.refundedAtKill).toBeGreaterThanOrEqual(37);
  expect(kill.observed.refundedAtKill).toBeLessThan(PAGE_SIZE);
  expect(report.status).toBe(200);
  // Failed within the report's window, or (on a slow machine, the killed invocation's retry waiting out its
  // backoff) still closing when the report was made; either way it ends failed, once.
  expect(report.body.failed + report.body.inProgress).toBe(1);

  const groupBuy = await expectClosedExactlyOnce(s, 'failed');
  afterKill.failed = { groupBuy, seeded: s, report: report.body };
});

// The closing's counters (closeStats, and the report's ordersCancelled made from them) are an aggregate
// too: after a kill and a re-run they should still count every order once.
test('after a kill the closing’s counters still count every order once (closeStats, the report’s ordersCancelled)', () => {
  const { closed, failed } = afterKill;
  if (!closed || !failed) throw new Error('runs after the two kill tests above');
  const counts = ({ ordersCancelled, ordersReady, ordersRefunded }: NonNullable<GroupBuy['closeStats']>) => ({
    ordersCancelled,
    ordersReady,
    ordersRefunded,
  });
  expect({
    closedGroup: counts(closed.groupBuy.closeStats!),
    failedGroup: counts(failed.groupBuy.closeStats!),
    // (A report made while the closing still ran counts only what was settled by then: checked when it was done.)
    failedGroupReport: { ordersCancelled: failed.report.inProgress ? failed.seeded.unpaid.length : failed.report.ordersCancelled },
  }).toEqual({
    closedGroup: { ordersCancelled: closed.seeded.unpaid.length, ordersReady: closed.seeded.paid.length, ordersRefunded: 0 },
    failedGroup: { ordersCancelled: failed.seeded.unpaid.length, ordersReady: 0, ordersRefunded: failed.seeded.paid.length },
    failedGroupReport: { ordersCancelled: failed.seeded.unpaid.length },
  });
});

// ---- 2. Two cutoffs at once ---------------------------------------------------------------------------------

// Each test closes a group that reaches its minimum and one that does not, side by side.
test('two POST /jobs/cutoff at once close each group buy once', async () => {
  const closing = await groupWithOrders({ paid: 110, unpaid: 10 });
  const failing = await groupWithOrders({ paid: 110, unpaid: 10, failing: true });

  const [a, b] = await api.whilePolling(
    Promise.all([api.call('POST', '/jobs/cutoff', { token: operator }), api.call('POST', '/jobs/cutoff', { token: operator })]),
  );
  expect([a.status, b.status]).toEqual([200, 200]);
  // Each group buy was begun by exactly one of the two (and no other was due): between them the two reports
  // count two group buys, closed, failed or (on a slow machine) still closing when they answered.
  const counted = (r: typeof a) => r.body.closed + r.body.failed + r.body.inProgress;
  expect(counted(a) + counted(b)).toBe(2);
  expect(a.body.closed + b.body.closed).toBeLessThanOrEqual(1);
  expect(a.body.failed + b.body.failed).toBeLessThanOrEqual(1);

  await expectClosedExactlyOnce(closing, 'closed');
  await expectClosedExactlyOnce(failing, 'failed');
});

test('two closings of one group buy at once, beside the stream function, close it once', async () => {
  const closing = await groupWithOrders({ paid: 120, unpaid: 10 });
  const failing = await groupWithOrders({ paid: 120, unpaid: 10, failing: true });
  const ids = [closing.groupBuy.groupBuyId, failing.groupBuy.groupBuyId];
  expect((await runCutoff(deps)).begun.sort()).toEqual([...ids].sort());

  // Two invocations per group buy racing page by page, while the stream delivers the same work.
  const results = await Promise.all([closeByHand(ids[0]!), closeByHand(ids[0]!), closeByHand(ids[1]!), closeByHand(ids[1]!), api.drain()]);
  expect(results.slice(0, 4).map((r) => r?.status)).toEqual(['closed', 'closed', 'failed', 'failed']);
  await api.drain(); // the refunds of the failed group, and the pickup sheets

  await expectClosedExactlyOnce(closing, 'closed');
  await expectClosedExactlyOnce(failing, 'failed');
});

// closeStats.pages is what an operator (and the "pages per invocation") reads the closing's work by.
test('closeStats counts the pages of the invocation that finishes the closing', async () => {
  const s = await groupWithOrders({ paid: 110, unpaid: 10 });
  const id = s.groupBuy.groupBuyId;
  expect((await runCutoff(deps)).begun).toEqual([id]);

  // One invocation does it all: a pass of cancels over the 120 orders (a page that cancels the 10; the last 20
  // orders, none unpaid, are no page of work), a pass of pickup codes (two pages), then it finishes.
  const result = await advanceClosing(deps, id, { maxPages: 5 });
  expect(result).toMatchObject({ status: 'closed', stats: { ordersCancelled: 10, ordersReady: 110, pages: 3 } });
  await api.drain();

  expect((await deps.cutoff.get(id))!.closeStats).toEqual({ ordersCancelled: 10, ordersReady: 110, ordersRefunded: 0, pages: 3 });
});

// ---- 4. A group too big for one invocation --------------------------------------------------------------------

// 1,000 orders keep the suite fast; `npm run bench -- --only cutoff --big` measures a group of 10,000.
test('a group of 1,000 orders closes through the stream in many invocations of at most 5 pages each', async () => {
  const ORDERS = 1000;
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api, [{ name: '西瓜', unit: '个' }]);
  const pickupDate = shanghaiDate(soon(86_400_000));
  const opened = await openGroupBuy(api, leader.token, {
    items: [{ productId: products[0]!.productId }],
    cutoffAt: soon(3_600_000),
    pickupDate,
  });
  const groupBuy = (await deps.cutoff.get(opened.groupBuyId))!;
  const orderIds = (await seedOrders(groupBuy, { paid: ORDERS, unpaid: 0 })).paid.map((o) => o.orderId);
  await passCutoff(groupBuy.groupBuyId);

  // Each invocation of closeGroupBuys, measured: the orders it settled (its order writes) and its time.
  const invocations: { orders: number; ms: number }[] = [];
  const restore = aroundQueueFunction('closeGroupBuys', async (real, event, context) => {
    const probe = killZone(Number.POSITIVE_INFINITY, orderWrite);
    const started = Date.now();
    const response = await killZones.run(probe, () => real(event, context));
    invocations.push({ orders: probe.landed, ms: Date.now() - started });
    return response;
  });
  expect(await cutoffJob()).toEqual({ begun: 1 });
  // Only the closing's queue is fed: the other consumers are not under test here, and on a loaded machine
  // their work would only slow the closing's chain of invocations down.
  await api.stack.drain({ only: ['closeGroupBuys'] }).finally(restore);

  const closed = (await deps.cutoff.get(groupBuy.groupBuyId))!;
  expect(closed.status).toBe('closed');
  expect(closed.closeStats).toMatchObject({ ordersReady: ORDERS });
  const working = invocations.filter((i) => i.orders > 0);
  expect(working.reduce((sum, i) => sum + i.orders, 0)).toBe(ORDERS);
  expect(working.length).toBeGreaterThanOrEqual(Math.ceil(ORDERS / (5 * PAGE_SIZE)));
  expect(Math.max(...working.map((i) => i.orders))).toBeLessThanOrEqual(5 * PAGE_SIZE);

  const codes = new Set<string>();
  await pool(orderIds.length, 16, async (i) => {
    const order = (await orders.get(orderIds[i]!))!;
    expect(order.status).toBe('ready_for_pickup');
    codes.add(order.pickupCode!);
  });
  expect(codes.size).toBe(ORDERS);
  expect(await codeGuards(leader.leaderId, pickupDate)).toHaveLength(ORDERS);
  // What the invocations took here (work budget 5 s; a page runs 8 orders at a time): shown, not asserted,
  // as these machines are shared.
  console.log(
    `closeGroupBuys: ${working.length} invocations with work (of ${invocations.length}), orders settled ${working.map((i) => i.orders).join(' ')}, max ${Math.max(...invocations.map((i) => i.ms))} ms`,
  );
}, 120_000);
