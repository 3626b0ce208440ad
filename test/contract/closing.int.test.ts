// The closing of a group buy and the pickup that follows, as one contract run against both stores: DynamoDB
// Local and CloudBase (its real SDK against the wire-level stand-in). Orders are placed and paid through the
// use-cases; the cutoff, the closing and the pickup run as their functions run them. What must hold however
// often the closing is delivered, or killed half way: each unpaid order cancelled once, each paid one made
// ready with a code of its own once (or refunded once), the group buy's final status and counts exact, no
// order taken once the closing has begun, and a pickup code used once.
import { randomUUID } from 'node:crypto';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { GroupBuy } from '../../schemas/group-buys';
import type { Order } from '../../schemas/orders';
import type { CutoffDeps, CutoffStore } from '../../lib/cutoff/cutoff';
import { advanceClosing, runCutoff } from '../../lib/cutoff/cutoff';
import { placeOrder } from '../../lib/orders/orders';
import type { OrderDeps } from '../../lib/orders/ports';
import { applyPayment } from '../../lib/payments/payments';
import type { PickupDeps, PickupStore } from '../../lib/pickups/pickups';
import { confirmPickup, pickupSheet, sheetLineOf } from '../../lib/pickups/pickups';
import { shareLinkKey, signShareToken } from '../../lib/group-buys/share-link';
import { AppError } from '../../lib/runtime/errors';
import { ulid } from '../../lib/runtime/clock';
import type { Principal } from '../../lib/runtime/auth';
import type { Leader } from '../../schemas/leaders';
import { dynamoCutoffStore } from '../../lib/store/cutoff';
import { dynamoPickupStore } from '../../lib/store/pickups';
import { orderItem } from '../../lib/store/orders';
import { config } from '../../lib/runtime/config';
import { COLLECTIONS } from '../../lib/adapters/cloudbase/collections';
import { orderDoc } from '../../lib/adapters/cloudbase/orders';
import { cloudbaseCutoffStore } from '../../lib/adapters/cloudbase/cutoff';
import { cloudbasePickupStore } from '../../lib/adapters/cloudbase/pickups';
import { APPLES, openGroupBuyRecord, pendingOrder } from '../support/seeds';
import type { ContractStores } from './stores';
import { ORDERING_BUILDERS, storeTargets } from './stores';

const KEY = shareLinkKey('closing-contract-secret');
const OPENED = new Date('2026-12-01T02:00:00.000Z');
/** Every group buy of the suite closes at 14:00 Shanghai. */
const CUTOFF = new Date('2026-12-01T06:00:00.000Z');
const AFTER_CUTOFF = new Date(CUTOFF.getTime() + 60_000);
const PICKUP_DATE = '2026-12-02';
/**
 * Transactions a killed function leaves open end this soon on the stand-in (the service ends them too); long
 * enough for any live transaction on a loaded machine.
 */
const TX_LIFETIME_MS = 3_000;

interface ClosingStores extends Omit<ContractStores, 'stop'> {
  cutoff: CutoffStore;
  pickups: PickupStore;
  /** Orders written as placing (and paying) leaves them, for volume: what the kill tests close. */
  seedOrders(orders: Order[]): Promise<void>;
  /** After `transactions` more transactions commit, the function dies: later calls fail, the last answer is lost. */
  killAfter(transactions: number): void;
  /** Revives the function once what the dead one left behind has settled (its open transactions ended). */
  revive(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A kill switch on the DynamoDB client: what the stand-in's `killAfter` does to a CloudBase function. */
function dynamoKillSwitch(client: DynamoDBDocumentClient) {
  let state: { left: number; dead: boolean } | undefined;
  const killed = () => new Error('killed half way (test)');
  (client.middlewareStack as unknown as { add(mw: unknown, options: unknown): void }).add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName: string }) => async (args: unknown) => {
      if (state?.dead) throw killed();
      // Counted when sent, not when answered: exactly `left` transactions reach the table whatever runs in
      // parallel (counted on the answers, a page's writes sent together all landed before the switch tripped).
      if (state && context.commandName.startsWith('TransactWrite')) {
        if (state.left <= 0) {
          state.dead = true;
          throw killed();
        }
        state.left--;
      }
      const result = await next(args);
      if (state?.left === 0) state.dead = true;
      if (state?.dead) throw killed();
      return result;
    },
    { step: 'initialize', name: 'contractKillSwitch' },
  );
  return {
    killAfter: (transactions: number) => void (state = { left: transactions, dead: false }),
    revive: async () => {
      // Its other calls in flight fail in turn.
      await sleep(300);
      state = undefined;
    },
  };
}

const TARGETS = storeTargets<ClosingStores>(
  {
    dynamodb: (client) => ({
      ...ORDERING_BUILDERS.dynamodb(client),
      cutoff: dynamoCutoffStore(client),
      pickups: dynamoPickupStore(client),
      async seedOrders(orders) {
        for (let i = 0; i < orders.length; i += 25) {
          const batch = orders.slice(i, i + 25).map((o) => ({ PutRequest: { Item: orderItem(o) } }));
          await client.send(new BatchWriteCommand({ RequestItems: { [config.tableName]: batch } }));
        }
      },
      ...dynamoKillSwitch(client),
    }),
    cloudbase: (db, standIn) => ({
      ...ORDERING_BUILDERS.cloudbase(db, standIn),
      cutoff: cloudbaseCutoffStore(db),
      pickups: cloudbasePickupStore(db),
      async seedOrders(orders) {
        await Promise.all(orders.map((o) => db.collection(COLLECTIONS.orders).doc(o.orderId).set(orderDoc(o))));
      },
      killAfter: (transactions) => standIn.killAfter(transactions, (r) => r.action === 'database.commitTransaction'),
      async revive() {
        while (standIn.openTransactions() > 0) await sleep(100);
        standIn.revive();
      },
    }),
  },
  { standIn: { transactionLifetimeMs: TX_LIFETIME_MS } },
);

const resident = (userId: string): Principal => ({ userId, roles: [] });
const operator: Principal = { userId: 'op-1', roles: ['operator'] };
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: unknown) => {
      if (err instanceof AppError) return err.code;
      throw err;
    },
  );

describe.each(TARGETS)('closing and pickup on $name', (target) => {
  let stores: ClosingStores & { stop(): Promise<void> };
  let now = OPENED;
  const clock = { now: () => now };
  let orderDeps: OrderDeps;
  let cutoffDeps: CutoffDeps;
  const leaders = new Map<string, Leader>();
  let pickupDeps: PickupDeps;

  beforeAll(async () => {
    stores = await target.start();
    orderDeps = {
      orders: stores.orders,
      groupBuys: stores.groupBuys,
      leaderIdOf: async () => undefined,
      clock,
      ids: { next: () => ulid(now.getTime()) },
      shareKey: () => KEY,
      paymentTimeoutMinutes: 15,
    };
    cutoffDeps = { cutoff: stores.cutoff, orders: stores.orders, clock };
    pickupDeps = { pickups: stores.pickups, orders: stores.orders, leaders: { getByUser: async (u) => leaders.get(u) }, clock };
  });
  afterAll(() => stores.stop());
  beforeEach(() => {
    now = OPENED;
  });

  /** A leader's open group buy of apples, with `paid` orders paid and `unpaid` ones not, placed through the use-cases. */
  async function groupWithOrders(options: { paid: number; unpaid: number; minTotalQuantity?: number; written?: boolean }) {
    const leaderId = `L${randomUUID().slice(0, 8)}`;
    await stores.seedLeader(leaderId, 'active');
    leaders.set(`user-${leaderId}`, {
      leaderId,
      userId: `user-${leaderId}`,
      name: '李团长',
      phone: '13900000000',
      pickupPoint: { name: '幸福小区', address: '1 号楼', community: '幸福', city: '杭州' },
      status: 'active',
      referralCode: `R${leaderId}`,
      createdAt: OPENED.toISOString(),
      updatedAt: OPENED.toISOString(),
      version: 1,
    });
    const groupBuy: GroupBuy = {
      ...openGroupBuyRecord(
        {
          groupBuyId: ulid(now.getTime()),
          leaderId,
          cutoffAt: CUTOFF.toISOString(),
          pickupDate: PICKUP_DATE,
          items: [{ ...APPLES, stockLimit: 500 }],
        },
        now.toISOString(),
      ),
      ...(options.minTotalQuantity ? { minTotalQuantity: options.minTotalQuantity } : {}),
    };
    const audit = {
      entityId: groupBuy.groupBuyId,
      entityType: 'groupBuy',
      action: 'groupBuy.created',
      actor: 'u-leader',
      at: groupBuy.createdAt,
    };
    expect(await stores.groupBuys.create(groupBuy, audit)).toBe('created');
    const shareToken = signShareToken(KEY, {
      groupBuyId: groupBuy.groupBuyId,
      leaderId,
      expiresAt: new Date(CUTOFF.getTime() + 86400_000),
    });
    const place = (userId: string) =>
      placeOrder(orderDeps, resident(userId), `key-${userId}`, {
        shareToken,
        items: [{ productId: 'apple', quantity: 1 }],
        contactName: '王芳',
        contactPhone: '13800138000',
      }).then((r) => r.order);
    const paid: Order[] = [];
    const unpaid: Order[] = [];
    if (options.written) {
      const at = now.toISOString();
      const order = (userId: string) =>
        pendingOrder(groupBuy, [{ productId: 'apple', quantity: 1 }], {
          // Not a derived (`o-`) id: these orders were written, not placed, so they have no placement record.
          orderId: `seeded-${randomUUID()}`,
          userId,
          at,
          expiresAt: new Date(now.getTime() + 15 * 60_000).toISOString(),
        });
      paid.push(
        ...Array.from({ length: options.paid }, (_, i): Order => {
          const placed = order(`${leaderId}-paid-${i}`);
          return { ...placed, status: 'paid', paidAt: at, paymentId: `wx-${placed.orderId}`, version: 2 };
        }),
      );
      unpaid.push(...Array.from({ length: options.unpaid }, (_, i) => order(`${leaderId}-unpaid-${i}`)));
      await stores.seedOrders([...paid, ...unpaid]);
      return { groupBuy, leaderId, leaderUser: resident(`user-${leaderId}`), paid, unpaid, shareToken, place, audited: false };
    }
    for (let i = 0; i < options.paid; i++) {
      const order = await place(`${leaderId}-paid-${i}`);
      const result = await applyPayment(
        { orders: stores.orders, clock },
        { paymentId: `wx-${order.orderId}`, orderId: order.orderId, amountFen: order.totalFen, paidAt: now.toISOString() },
      );
      expect(result.outcome).toBe('paid');
      paid.push(order);
    }
    for (let i = 0; i < options.unpaid; i++) unpaid.push(await place(`${leaderId}-unpaid-${i}`));
    return { groupBuy, leaderId, leaderUser: resident(`user-${leaderId}`), paid, unpaid, shareToken, place, audited: true };
  }

  const current = (orders: Order[]) => Promise.all(orders.map(async (o) => (await stores.orders.get(o.orderId))!));
  const actionsOf = async (entityId: string) => (await stores.auditTrail(entityId)).map((e) => e.action);

  /** What a user checks of a closed group: its status and counts, each order settled once with its own code. */
  async function expectClosedExactly(seeded: Awaited<ReturnType<typeof groupWithOrders>>) {
    const gb = await stores.cutoff.get(seeded.groupBuy.groupBuyId);
    expect(gb).toMatchObject({
      status: 'closed',
      closeStats: { ordersCancelled: seeded.unpaid.length, ordersReady: seeded.paid.length, ordersRefunded: 0 },
    });
    expect(gb?.closePhase).toBeUndefined();
    const ready = await current(seeded.paid);
    // Placed (1), paid (2), made ready (3): changed once, whatever was delivered twice or done again.
    expect(ready.map((o) => [o.status, o.version])).toEqual(ready.map(() => ['ready_for_pickup', 3]));
    const codes = ready.map((o) => o.pickupCode);
    expect(codes.every((c) => /^\d{6}$/.test(c ?? ''))).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
    for (const o of ready) {
      expect(await stores.pickups.orderIdForCode(seeded.leaderId, PICKUP_DATE, o.pickupCode!)).toBe(o.orderId);
      expect(await actionsOf(o.orderId)).toEqual([...(seeded.audited ? ['order.placed', 'order.paid'] : []), 'order.ready_for_pickup']);
    }
    const cancelled = await current(seeded.unpaid);
    expect(cancelled.map((o) => [o.status, o.version])).toEqual(cancelled.map(() => ['cancelled', 2]));
    for (const o of cancelled)
      expect(await actionsOf(o.orderId)).toEqual([...(seeded.audited ? ['order.placed'] : []), 'order.cancelled_at_cutoff']);
    expect(await actionsOf(seeded.groupBuy.groupBuyId)).toEqual([
      'groupBuy.created',
      'groupBuy.closing',
      'groupBuy.decided_closed',
      'groupBuy.closed',
    ]);
  }

  it('closes a group buy exactly once however often the closing is delivered, and takes no order from then on', async () => {
    const seeded = await groupWithOrders({ paid: 3, unpaid: 2 });
    now = AFTER_CUTOFF;
    expect((await runCutoff(cutoffDeps)).begun).toContain(seeded.groupBuy.groupBuyId);
    // An order whose request began before the cutoff, written after the closing began: refused.
    now = new Date(CUTOFF.getTime() - 1000);
    await expect(codeOf(seeded.place('late-resident'))).resolves.toBe('GROUP_BUY_CLOSED');
    now = AFTER_CUTOFF;

    // The closing's change delivered three times, two of them at once; then the cutoff runs again.
    await Promise.all([advanceClosing(cutoffDeps, seeded.groupBuy.groupBuyId), advanceClosing(cutoffDeps, seeded.groupBuy.groupBuyId)]);
    expect(await advanceClosing(cutoffDeps, seeded.groupBuy.groupBuyId)).toMatchObject({ status: 'closed', stats: { pages: 0 } });
    expect((await runCutoff(cutoffDeps)).begun).not.toContain(seeded.groupBuy.groupBuyId);
    await expectClosedExactly(seeded);
  });

  it.each([
    ['while cancelling the unpaid orders', 2],
    ['while making the paid orders ready', 3 + 1 + 3],
  ])('killed half way %s and run again: every order settled once, the counts exact', async (_when, transactions) => {
    const seeded = await groupWithOrders({ paid: 12, unpaid: 3, written: true });
    now = AFTER_CUTOFF;
    await runCutoff(cutoffDeps);

    stores.killAfter(transactions);
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    await expect(advanceClosing(cutoffDeps, seeded.groupBuy.groupBuyId)).rejects.toThrow();
    await stores.revive();
    logged.mockRestore();
    const settled = (await current([...seeded.paid, ...seeded.unpaid])).filter(
      (o) => o.status === 'ready_for_pickup' || o.status === 'cancelled',
    );
    // Half way: some orders settled, not all.
    expect(settled.length).toBeGreaterThan(0);
    expect(settled.length).toBeLessThan(seeded.paid.length + seeded.unpaid.length);

    // The change comes again (after the visibility timeout), and twice at once.
    await Promise.all([advanceClosing(cutoffDeps, seeded.groupBuy.groupBuyId), advanceClosing(cutoffDeps, seeded.groupBuy.groupBuyId)]);
    await advanceClosing(cutoffDeps, seeded.groupBuy.groupBuyId);
    await expectClosedExactly(seeded);
  });

  it('fails a group below its minimum: each paid order refunded in full once, the unpaid cancelled', async () => {
    const seeded = await groupWithOrders({ paid: 2, unpaid: 1, minTotalQuantity: 5 });
    now = AFTER_CUTOFF;
    await runCutoff(cutoffDeps);
    await Promise.all([advanceClosing(cutoffDeps, seeded.groupBuy.groupBuyId), advanceClosing(cutoffDeps, seeded.groupBuy.groupBuyId)]);
    await advanceClosing(cutoffDeps, seeded.groupBuy.groupBuyId);

    expect(await stores.cutoff.get(seeded.groupBuy.groupBuyId)).toMatchObject({
      status: 'failed',
      outcome: 'failed',
      paidQuantity: 2,
      closeStats: { ordersCancelled: 1, ordersReady: 0, ordersRefunded: 2 },
    });
    for (const order of await current(seeded.paid)) {
      expect([order.status, order.version, order.refundedFen, order.pickupCode]).toEqual(['refunded', 3, order.totalFen, undefined]);
      expect(await stores.orders.listRefunds(order.orderId)).toEqual([
        expect.objectContaining({ amountFen: order.totalFen, status: 'requested', reason: 'group below its minimum' }),
      ]);
    }
    expect((await current(seeded.unpaid)).map((o) => o.status)).toEqual(['cancelled']);
  });

  it('orders racing the closing are either refused or settled by it: none is left behind', async () => {
    const seeded = await groupWithOrders({ paid: 0, unpaid: 0 });
    // Residents whose requests began a second before the cutoff, while the cutoff job begins the closing.
    const racers = Array.from({ length: 8 }, (_, i) => `racer-${seeded.leaderId}-${i}`);
    const outcomes = await Promise.all([
      ...racers.map(async (userId) => {
        await sleep(Math.random() * 30);
        return codeOf(
          placeOrder({ ...orderDeps, clock: { now: () => new Date(CUTOFF.getTime() - 1000) } }, resident(userId), `key-${userId}`, {
            shareToken: seeded.shareToken,
            items: [{ productId: 'apple', quantity: 1 }],
            contactName: '王芳',
            contactPhone: '13800138000',
          }),
        );
      }),
      runCutoff({ ...cutoffDeps, clock: { now: () => AFTER_CUTOFF } }).then(() => 'cutoff'),
    ]);
    expect(outcomes.every((o) => ['ok', 'GROUP_BUY_CLOSED', 'cutoff'].includes(o))).toBe(true);
    now = AFTER_CUTOFF;
    await advanceClosing(cutoffDeps, seeded.groupBuy.groupBuyId);
    const placed = outcomes.filter((o) => o === 'ok').length;
    expect(await stores.cutoff.get(seeded.groupBuy.groupBuyId)).toMatchObject({
      status: 'closed',
      closeStats: { ordersCancelled: placed, ordersReady: 0, ordersRefunded: 0 },
    });
    // A whole pass finds no unpaid order (a page of the first 100 orders holds them all here).
    expect((await stores.cutoff.ordersIn(seeded.groupBuy.groupBuyId, 'pending_payment', 100)).items).toEqual([]);
  });

  it('keeps the sheet from the newest order images, and confirms a pickup (核销) once however often it is sent', async () => {
    const seeded = await groupWithOrders({ paid: 2, unpaid: 1 });
    now = AFTER_CUTOFF;
    await runCutoff(cutoffDeps);
    await advanceClosing(cutoffDeps, seeded.groupBuy.groupBuyId);
    const ready = await current(seeded.paid);
    // The sheet consumer's writes: each ready image, one delivered twice, and an older image after them.
    const writes = [];
    for (const order of [...ready, ready[0]!]) writes.push(await stores.pickups.upsertSheetLine(sheetLineOf(order)!));
    expect(writes).toEqual(['written', 'written', 'stale']);
    expect(await stores.pickups.upsertSheetLine({ ...sheetLineOf(ready[1]!)!, status: 'paid', orderVersion: 2 })).toBe('stale');

    const sheet = await pickupSheet(pickupDeps, seeded.leaderUser, seeded.leaderId, PICKUP_DATE);
    expect(sheet.orders.map((o) => [o.pickupCode, o.status])).toEqual(
      ready.map((o) => [o.pickupCode, 'ready_for_pickup']).sort((a, b) => a[0]!.localeCompare(b[0]!)),
    );
    expect(sheet.totals).toEqual([{ productId: 'apple', name: '苹果', unit: '袋', quantity: 2 }]);
    // The leader sees residents masked; an operator sees them whole; another leader not at all.
    expect(sheet.orders[0]).toMatchObject({ contactName: '王*', contactPhone: '138****8000' });
    expect((await pickupSheet(pickupDeps, operator, seeded.leaderId, PICKUP_DATE)).orders[0]).toMatchObject({ contactName: '王芳' });
    await expect(codeOf(pickupSheet(pickupDeps, resident('someone'), seeded.leaderId, PICKUP_DATE))).resolves.toBe('FORBIDDEN');

    // The same code sent twice at once (a double tap), then again: one pickup.
    const target = ready[0]!;
    const confirm = () => codeOf(confirmPickup(pickupDeps, seeded.leaderUser, target.pickupCode!, PICKUP_DATE));
    expect((await Promise.all([confirm(), confirm()])).sort()).toEqual(['CONFLICT', 'ok']);
    await expect(confirm()).resolves.toBe('CONFLICT');
    const picked = (await stores.orders.get(target.orderId))!;
    expect(picked).toMatchObject({ status: 'picked_up', version: 4, pickedUpAt: AFTER_CUTOFF.toISOString() });
    expect(await actionsOf(target.orderId)).toEqual(['order.placed', 'order.paid', 'order.ready_for_pickup', 'order.picked_up']);
    await expect(codeOf(confirmPickup(pickupDeps, seeded.leaderUser, '000000', PICKUP_DATE))).resolves.toBe('NOT_FOUND');

    // The picked-up image reaches the sheet: still counted, marked collected.
    expect(await stores.pickups.upsertSheetLine(sheetLineOf(picked)!)).toBe('written');
    const after = await pickupSheet(pickupDeps, seeded.leaderUser, seeded.leaderId, PICKUP_DATE);
    expect(after.orders.find((o) => o.orderId === target.orderId)?.status).toBe('picked_up');
    expect(after.totals).toEqual([{ productId: 'apple', name: '苹果', unit: '袋', quantity: 2 }]);
  });
});
