// The order placement path (group buy, stock, order, idempotency, audit, and the paid prices that back a
// 划线价) as one contract, written once and run against both stores: DynamoDB Local and CloudBase (its real
// SDK against the wire-level stand-in).
// Same use-case, same assertions: what a resident and an operator would check, races included.
import { randomUUID } from 'node:crypto';
import type { GroupBuy } from '../../schemas/group-buys';
import type { PlaceOrderBody } from '../../schemas/orders';
import { placeOrder } from '../../lib/orders/orders';
import { applyPayment } from '../../lib/payments/payments';
import { referencePrice } from '../../lib/group-buys/reference-price';
import type { OrderDeps } from '../../lib/orders/ports';
import { shareLinkKey, signShareToken } from '../../lib/group-buys/share-link';
import { AppError } from '../../lib/runtime/errors';
import { ulid } from '../../lib/runtime/clock';
import type { Principal } from '../../lib/runtime/auth';
import { APPLES, openGroupBuyRecord } from '../support/seeds';
import type { ContractStores } from './stores';
import { lastStandIn, STORE_TARGETS } from './stores';

const KEY = shareLinkKey('contract-suite-secret');
const START = new Date('2026-12-01T02:00:00.000Z');

describe.each(STORE_TARGETS)('order placement on $name', (target) => {
  let stores: ContractStores;
  let now = START;
  let deps: OrderDeps;

  beforeAll(async () => {
    stores = await target.start();
    deps = {
      orders: stores.orders,
      groupBuys: stores.groupBuys,
      leaderIdOf: async () => undefined,
      clock: { now: () => now },
      ids: { next: () => ulid(now.getTime()) },
      shareKey: () => KEY,
      paymentTimeoutMinutes: 15,
    };
  });
  afterAll(() => stores.stop());
  beforeEach(() => {
    now = START;
  });

  /** A group buy of an active leader: apples (stock limited), rice (per-resident limit), eggs (unlimited). */
  async function openGroupBuy(stock = 5): Promise<{ groupBuy: GroupBuy; shareToken: string }> {
    const leaderId = `L${randomUUID().slice(0, 8)}`;
    await stores.seedLeader(leaderId, 'active');
    const at = now.toISOString();
    const groupBuy = openGroupBuyRecord(
      {
        groupBuyId: ulid(now.getTime()),
        leaderId,
        cutoffAt: new Date(now.getTime() + 24 * 3600_000).toISOString(),
        pickupDate: '2026-12-03',
        items: [
          { ...APPLES, stockLimit: stock },
          {
            productId: 'rice',
            supplierId: 'S1',
            name: '大米',
            unit: '袋',
            supplyPriceFen: 3000,
            groupPriceFen: 4000,
            commissionRateBps: 500,
            perResidentLimit: 2,
          },
          {
            productId: 'eggs',
            supplierId: 'S2',
            name: '鸡蛋',
            unit: '盒',
            supplyPriceFen: 1000,
            groupPriceFen: 1500,
            commissionRateBps: 800,
          },
        ],
      },
      at,
    );
    const audit = {
      entityId: groupBuy.groupBuyId,
      entityType: 'groupBuy',
      action: 'groupBuy.created',
      actor: 'u-leader',
      at,
      after: groupBuy,
    };
    await expect(stores.groupBuys.create(groupBuy, audit as never)).resolves.toBe('created');
    const shareToken = signShareToken(KEY, {
      groupBuyId: groupBuy.groupBuyId,
      leaderId,
      expiresAt: new Date(now.getTime() + 3 * 86400_000),
    });
    return { groupBuy, shareToken };
  }

  const body = (shareToken: string, items: PlaceOrderBody['items']): PlaceOrderBody => ({
    shareToken,
    items,
    contactName: '王芳',
    contactPhone: '13800138000',
  });
  const resident = (userId: string): Principal => ({ userId, roles: [] });
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => 'placed',
      (err: unknown) => {
        if (err instanceof AppError) return err.code;
        throw err;
      },
    );
  const remaining = async (groupBuyId: string, productId = 'apple') =>
    (await stores.groupBuys.getWithStock(groupBuyId))!.stock.get(productId)?.remaining;

  it('refuses a group buy whose leader is not active, and creates one with its stock and audit record otherwise', async () => {
    await stores.seedLeader('L-suspended', 'suspended');
    const at = now.toISOString();
    const { groupBuy } = await openGroupBuy(7);
    const other: GroupBuy = { ...groupBuy, groupBuyId: ulid(now.getTime()), leaderId: 'L-suspended' };
    await expect(
      stores.groupBuys.create(other, {
        entityId: other.groupBuyId,
        entityType: 'groupBuy',
        action: 'groupBuy.created',
        actor: 'x',
        at,
      }),
    ).resolves.toBe('leader_not_active');
    expect(await stores.groupBuys.get(other.groupBuyId)).toBeUndefined();

    const read = await stores.groupBuys.getWithStock(groupBuy.groupBuyId);
    expect(read?.groupBuy).toEqual(groupBuy);
    expect([...read!.stock.values()]).toEqual([expect.objectContaining({ productId: 'apple', stockLimit: 7, remaining: 7 })]);
    expect((await stores.auditTrail(groupBuy.groupBuyId)).map((e) => e.action)).toEqual(['groupBuy.created']);
  });

  it('places an order priced from the group buy, takes its stock, and audits it', async () => {
    const { groupBuy, shareToken } = await openGroupBuy(5);
    const { order, replayed } = await placeOrder(
      deps,
      resident('u-1'),
      'key-1',
      body(shareToken, [
        { productId: 'apple', quantity: 2 },
        { productId: 'eggs', quantity: 1 },
      ]),
    );
    expect(replayed).toBe(false);
    expect(order).toMatchObject({ status: 'pending_payment', totalFen: 2 * 1200 + 1500, version: 1, groupBuyId: groupBuy.groupBuyId });
    expect(await stores.orders.get(order.orderId)).toEqual(order);
    expect(await remaining(groupBuy.groupBuyId)).toBe(3);
    expect((await stores.orders.listByUser('u-1', 10)).items.map((o) => o.orderId)).toEqual([order.orderId]);
    // The record names the version it placed; the order item written with it is that version in full.
    const trail = await stores.auditTrail(order.orderId);
    expect(trail).toEqual([
      expect.objectContaining({ action: 'order.placed', actor: 'u-1', after: { status: 'pending_payment', version: 1, totalFen: 3900 } }),
    ]);
  });

  it('answers a repeated Idempotency-Key with the first order, once, and refuses it with another body', async () => {
    const { groupBuy, shareToken } = await openGroupBuy(5);
    const request = body(shareToken, [{ productId: 'apple', quantity: 1 }]);
    const first = await placeOrder(deps, resident('u-2'), 'same-key', request);
    // Four retries at once, as a flaky mini-program network sends them.
    const repeats = await Promise.all([1, 2, 3, 4].map(() => placeOrder(deps, resident('u-2'), 'same-key', request)));
    expect(repeats.map((r) => [r.order.orderId, r.replayed])).toEqual(repeats.map(() => [first.order.orderId, true]));
    expect(await remaining(groupBuy.groupBuyId)).toBe(4);
    expect((await stores.orders.listByUser('u-2', 10)).items).toHaveLength(1);
    await expect(
      codeOf(placeOrder(deps, resident('u-2'), 'same-key', body(shareToken, [{ productId: 'apple', quantity: 2 }]))),
    ).resolves.toBe('CONFLICT');
    // The same key of another resident is another request.
    expect((await placeOrder(deps, resident('u-3'), 'same-key', request)).replayed).toBe(false);
  });

  it('sells exactly the stock when residents rush for it, never more', async () => {
    const { groupBuy, shareToken } = await openGroupBuy(5);
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        codeOf(placeOrder(deps, resident(`rush-${i}`), `k-${i}`, body(shareToken, [{ productId: 'apple', quantity: 1 }]))),
      ),
    );
    expect(outcomes.filter((o) => o === 'placed')).toHaveLength(5);
    expect(outcomes.filter((o) => o !== 'placed')).toEqual(Array(7).fill('OUT_OF_STOCK'));
    expect(await remaining(groupBuy.groupBuyId)).toBe(0);
    let orders = 0;
    for (let i = 0; i < 12; i++) orders += (await stores.orders.listByUser(`rush-${i}`, 10)).items.length;
    expect(orders).toBe(5);
  });

  it('keeps each resident within their limit, even with orders racing', async () => {
    const { shareToken } = await openGroupBuy(5);
    const outcomes = await Promise.all(
      [1, 2, 3].map((i) =>
        codeOf(placeOrder(deps, resident('u-limit'), `rice-${i}`, body(shareToken, [{ productId: 'rice', quantity: 1 }]))),
      ),
    );
    expect(outcomes.sort()).toEqual(['OUT_OF_STOCK', 'placed', 'placed']);
    expect((await stores.orders.listByUser('u-limit', 10)).items).toHaveLength(2);
  });

  it('refuses orders once the cutoff has passed, and a stale change of an order', async () => {
    const { groupBuy, shareToken } = await openGroupBuy(5);
    const { order } = await placeOrder(deps, resident('u-4'), 'k', body(shareToken, [{ productId: 'apple', quantity: 1 }]));
    // The store itself checks the cutoff at the time it is given (not only the use-case's early read).
    const late = new Date(Date.parse(groupBuy.cutoffAt) + 1000);
    const order2 = { ...order, orderId: ulid(late.getTime()) };
    const audit = { entityId: order2.orderId, entityType: 'order', action: 'order.placed', actor: 'u-5', at: late.toISOString() };
    await expect(
      stores.orders.place({ order: order2, reservations: [{ productId: 'apple', quantity: 1, stockLimited: true }], audit, now: late }),
    ).resolves.toEqual({
      kind: 'group_closed',
    });
    now = late;
    await expect(codeOf(placeOrder(deps, resident('u-5'), 'k2', body(shareToken, [{ productId: 'apple', quantity: 1 }])))).resolves.toBe(
      'GROUP_BUY_CLOSED',
    );
    expect(await remaining(groupBuy.groupBuyId)).toBe(4);

    // Two changes decided on the same version: the first wins, the second is stale.
    const cancel = (actor: string) =>
      stores.orders.change({
        before: order,
        after: { ...order, status: 'cancelled', updatedAt: now.toISOString() },
        release: true,
        audit: { entityId: order.orderId, entityType: 'order', action: 'order.cancelled', actor, at: now.toISOString() },
      } as never);
    expect(await cancel('u-4')).toBe('changed');
    expect(await cancel('u-4')).toBe('stale');
    expect(await stores.orders.get(order.orderId)).toMatchObject({ status: 'cancelled', version: 2 });
    expect(await remaining(groupBuy.groupBuyId)).toBe(5);
    expect((await stores.auditTrail(order.orderId)).map((e) => e.action)).toEqual(['order.placed', 'order.cancelled']);
  });

  it('keeps the prices residents really paid, by business date, as the evidence of a 划线价 (issue 12), and the sold counts', async () => {
    // The only test of the suite that pays: the evidence read below is this test's alone.
    const { groupBuy, shareToken } = await openGroupBuy(5);
    const pay = async (userId: string, items: PlaceOrderBody['items']) => {
      const { order } = await placeOrder(deps, resident(userId), `pay-${userId}`, body(shareToken, items));
      const paid = await applyPayment(
        { orders: stores.orders, clock: { now: () => now } },
        { paymentId: `wx-${order.orderId}`, orderId: order.orderId, amountFen: order.totalFen, paidAt: now.toISOString() },
      );
      expect(paid.outcome).toBe('paid');
      return order;
    };
    // 2026-12-01 10:00 and 18:00 in Shanghai: apples at 12 yuan twice, eggs once; rice reserved, never paid.
    await pay('u-paid-1', [
      { productId: 'apple', quantity: 2 },
      { productId: 'eggs', quantity: 1 },
    ]);
    now = new Date(START.getTime() + 8 * 3600_000);
    await pay('u-paid-2', [{ productId: 'apple', quantity: 1 }]);
    await placeOrder(deps, resident('u-unpaid'), 'unpaid', body(shareToken, [{ productId: 'rice', quantity: 1 }]));

    const apples = await stores.groupBuys.paidPrices('apple', '2026-11-24', '2026-12-01');
    expect(apples).toEqual([{ unitPriceFen: 1200, firstPaidAt: START.toISOString(), lastPaidAt: now.toISOString() }]);
    expect(await stores.groupBuys.paidPrices('eggs', '2026-11-24', '2026-12-01')).toEqual([
      { unitPriceFen: 1500, firstPaidAt: START.toISOString(), lastPaidAt: START.toISOString() },
    ]);
    // A reservation is no sale; dates outside the range are not read.
    expect(await stores.groupBuys.paidPrices('rice', '2026-11-24', '2026-12-01')).toEqual([]);
    expect(await stores.groupBuys.paidPrices('apple', '2026-12-02', '2026-12-08')).toEqual([]);
    expect(await stores.groupBuys.paidPrices('apple', '2026-11-24', '2026-11-30')).toEqual([]);

    // What residents are shown as sold: units in paid orders and the paid orders with the item (接龙), not the
    // unpaid reservation of rice.
    const { sold } = (await stores.groupBuys.getWithStock(groupBuy.groupBuyId))!;
    expect(Object.fromEntries(sold ?? [])).toEqual({ apple: { quantity: 3, buyers: 2 }, eggs: { quantity: 1, buyers: 1 } });

    // What a group buy opened later shows: 12 yuan struck through above 10 within 7 days, nothing after them,
    // nothing above a price that is not lower than what was paid.
    const opened = new Date('2026-12-05T02:00:00.000Z');
    expect(referencePrice(apples, 1000, opened)).toBe(1200);
    expect(referencePrice(apples, 1200, opened)).toBeUndefined();
    expect(referencePrice(apples, 1000, new Date('2026-12-09T02:00:00.000Z'))).toBeUndefined();
  });
});

describe('what the CloudBase adapter sends', () => {
  it('speaks the document-database protocol: transactions of single-document operations, EJSON bodies', () => {
    // Runs after the suite above (same file, in order): the stand-in recorded every request of the CloudBase run.
    const actions = new Set(lastStandIn!.requests.map((r) => r.action));
    for (const a of ['database.startTransaction', 'database.commitTransaction', 'database.getDocument', 'database.insertDocument'])
      expect(actions.has(a)).toBe(true);
    expect(lastStandIn!.requests.every((r) => r.env === 'contract-test')).toBe(true);
    // Conditional writes inside a transaction go by document id (a `where().update()` there would run outside it).
    const txWrites = lastStandIn!.requests.filter((r) => r.transactionId && r.action === 'database.modifyDocument');
    expect(txWrites.length).toBeGreaterThan(0);
    for (const w of txWrites) expect(Object.keys(JSON.parse(String(w.body.query)))).toEqual(['_id']);
  });
});
