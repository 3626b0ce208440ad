// Residents order through a leader's share link: through HTTP against the real stack and DynamoDB Local.
import { expireDueOrders } from '../../lib/orders/orders';
import { auditTrail } from '../../lib/store/audit';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, partitionOf, queryAll, tableName } from '../../lib/store/dynamo';
import { moveOrdersToKeyIndexes } from '../../scripts/order-indexes';
import { keys } from '../../lib/store/keys';
import { dynamoOrderStore } from '../../lib/store/orders';
import { activeLeader, hoursFromNow, openGroupBuy, placeOrder, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { toBusinessIso } from '../../lib/runtime/time';

const api = useStack();

async function setup(
  items: { stockLimit?: number; perResidentLimit?: number }[] = [{ stockLimit: 10 }],
  groupBuy: { cutoffAt?: string } = {},
) {
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(
    api,
    items.map((_, i) => ({ name: `苹果${i}`, supplyPriceFen: 800 + i, groupPriceFen: 1000 + i * 100 })),
  );
  const gb = await openGroupBuy(api, leader.token, {
    items: products.map((p, i) => ({ productId: p.productId, ...items[i] })),
    ...groupBuy,
  });
  return { leader, products, gb };
}

/** Every timer API jest could fake, so that faking leaves only `Date` moved. */
const TIMERS = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'requestAnimationFrame',
  'cancelAnimationFrame',
  'requestIdleCallback',
  'cancelIdleCallback',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
] as const;
afterEach(() => jest.useRealTimers());

const remainingOf = async (groupBuyId: string, productId: string) =>
  (await api.call('GET', `/group-buys/${groupBuyId}`)).body.items.find((i: { productId: string }) => i.productId === productId)
    .remaining as number;

test('an order is priced from the group buy snapshot, never from the client, and reserves stock', async () => {
  const { products, gb } = await setup([{ stockLimit: 10 }, {}]);
  const resident = await api.login(unique('resident'));
  const res = await api.call('POST', '/orders', {
    token: resident,
    headers: { 'Idempotency-Key': unique('key') },
    body: {
      shareToken: gb.shareToken,
      contactName: '张三',
      contactPhone: '13812341234',
      totalFen: 1,
      items: [
        { productId: products[0]!.productId, quantity: 3, unitPriceFen: 1 },
        { productId: products[1]!.productId, quantity: 2 },
      ],
    },
  });
  expect(res.status).toBe(201);
  expect(res.body).toMatchObject({
    status: 'pending_payment',
    totalFen: 3 * 1000 + 2 * 1100,
    items: [
      { productId: products[0]!.productId, quantity: 3, unitPriceFen: 1000, amountFen: 3000 },
      { productId: products[1]!.productId, quantity: 2, unitPriceFen: 1100, amountFen: 2200 },
    ],
  });
  expect(res.body.expiresAt).toMatch(/\+08:00$/);
  expect(await remainingOf(gb.groupBuyId, products[0]!.productId)).toBe(7);

  const trail = await auditTrail(res.body.orderId);
  expect(trail[0]).toMatchObject({ action: 'order.placed', after: { totalFen: 5200 } });
});

test("an order's placement and payment are audited by the items they wrote: the operator's trail shows who, when and what", async () => {
  const { products, gb } = await setup([{ stockLimit: 10 }]);
  const residentId = unique('audited');
  const resident = await api.login(residentId);
  const placed = await placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity: 2 }]);
  expect(placed.status).toBe(201);
  const { orderId } = placed.body;
  // No audit item was written beside the order (the placement's third item, 2 WCU, saved)…
  expect(await queryAll(db(), partitionOf(keys.auditPartition(orderId)))).toEqual([]);
  // …yet the operator sees the placement, exactly as a record of its own said it, and after a payment (its record
  // kept by the payment's item) both.
  expect((await api.call('POST', `/dev/pay/${orderId}`)).body.status).toBe('paid');
  expect(await queryAll(db(), partitionOf(keys.auditPartition(orderId)))).toEqual([]);
  const operator = await api.login(unique('op'), ['operator']);
  const trail = (await api.call('GET', `/audit/events?entityId=${orderId}`, { token: operator })).body.items;
  expect(trail.map((e: { action: string }) => e.action)).toEqual(['order.placed', 'order.paid']);
  const stored = (await dynamoOrderStore().get(orderId))!;
  expect(trail[0]).toEqual({
    at: toBusinessIso(stored.createdAt),
    actor: residentId,
    action: 'order.placed',
    entityId: orderId,
    entityType: 'order',
    after: { status: 'pending_payment', version: 1, totalFen: 2000 },
  });
  const { paymentId } = (await dynamoOrderStore().get(orderId))!;
  expect(trail[1]).toMatchObject({ actor: 'system:payments', before: { status: 'pending_payment' }, after: { status: 'paid', paymentId } });

  // A placement the order does not say whole (here, another actor) keeps a record of its own.
  const store = dynamoOrderStore();
  const other = { ...stored, orderId: `o-${unique('imported')}`, status: 'pending_payment' as const, version: 1 };
  const outcome = await store.place({
    order: other,
    reservations: [],
    audit: { entityId: other.orderId, entityType: 'order', action: 'order.placed', actor: 'system:import', at: other.createdAt, after: {} },
    now: new Date(),
  });
  expect(outcome).toEqual({ kind: 'placed' });
  expect((await auditTrail(other.orderId)).map((e) => [e.action, e.actor])).toEqual([['order.placed', 'system:import']]);
});

test('50 residents racing for 10 units get exactly 10 orders and 40 OUT_OF_STOCK', async () => {
  const { products, gb } = await setup([{ stockLimit: 10 }]);
  const residents = await Promise.all(Array.from({ length: 50 }, (_, i) => api.login(`racer-${i}-${unique('r')}`)));
  const results = await Promise.all(
    residents.map((token) => placeOrder(api, token, gb.shareToken, [{ productId: products[0]!.productId, quantity: 1 }])),
  );
  const statuses = results.map((r) => r.status);
  expect(statuses.filter((s) => s === 201)).toHaveLength(10);
  expect(statuses.filter((s) => s === 409)).toHaveLength(40);
  for (const r of results.filter((r) => r.status === 409)) {
    expect(r.body.error).toMatchObject({ code: 'OUT_OF_STOCK', details: [{ path: 'items.0.quantity' }] });
  }
  expect(await remainingOf(gb.groupBuyId, products[0]!.productId)).toBe(0);
});

test('a resident ordering twice at once cannot exceed the per-resident limit', async () => {
  const { products, gb } = await setup([{ perResidentLimit: 2 }]);
  const resident = await api.login(unique('greedy'));
  const results = await Promise.all(
    Array.from({ length: 5 }, () => placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity: 1 }])),
  );
  expect(results.filter((r) => r.status === 201)).toHaveLength(2);
  expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'OUT_OF_STOCK')).toBe(true);

  // More than the limit in one order is refused before anything is written.
  const other = await api.login(unique('other'));
  const tooMany = await placeOrder(api, other, gb.shareToken, [{ productId: products[0]!.productId, quantity: 3 }]);
  expect(tooMany.status).toBe(409);
  expect(tooMany.body.error.code).toBe('OUT_OF_STOCK');
  expect((await api.call('GET', '/me/orders', { token: other })).body.items).toHaveLength(0);
});

test('the same Idempotency-Key and body gives the same order; another body is 409; a missing key is 400', async () => {
  const { products, gb } = await setup([{ stockLimit: 10 }]);
  const resident = await api.login(unique('retrier'));
  const key = unique('same-key');
  const items = [{ productId: products[0]!.productId, quantity: 2 }];

  const [a, b, c] = await Promise.all([
    placeOrder(api, resident, gb.shareToken, items, key),
    placeOrder(api, resident, gb.shareToken, items, key),
    placeOrder(api, resident, gb.shareToken, items, key),
  ]);
  expect(new Set([a, b, c].map((r) => r.body.orderId)).size).toBe(1);
  expect([a, b, c].map((r) => r.status).sort()).toEqual([200, 200, 201]);
  const later = await placeOrder(api, resident, gb.shareToken, items, key);
  expect(later.status).toBe(200);
  expect(later.body.orderId).toBe(a.body.orderId);
  expect(await remainingOf(gb.groupBuyId, products[0]!.productId)).toBe(8);

  const different = await placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity: 1 }], key);
  expect(different.status).toBe(409);
  expect(different.body.error.code).toBe('CONFLICT');

  const noKey = await api.call('POST', '/orders', {
    token: resident,
    body: { shareToken: gb.shareToken, items, contactName: '张三', contactPhone: '13812341234' },
  });
  expect(noKey.status).toBe(400);
  expect(noKey.body.error.details[0].path).toBe('Idempotency-Key');
  const shortKey = await placeOrder(api, resident, gb.shareToken, items, 'short');
  expect(shortKey.status).toBe(400);
  expect((await api.call('GET', '/me/orders', { token: resident })).body.items).toHaveLength(1);
});

test('a forged or altered share link is refused with INVALID_SHARE_LINK and creates nothing', async () => {
  const { products, gb } = await setup([{ stockLimit: 10 }]);
  const resident = await api.login(unique('forger'));
  const parts = gb.shareToken.split('.');
  const forged = [parts[0], 'SOMEONEELSE', parts[2], parts[3]].join('.');
  for (const token of [forged, gb.shareToken.slice(0, -2) + (gb.shareToken.endsWith('AA') ? 'BB' : 'AA'), 'garbage']) {
    const res = await placeOrder(api, resident, token, [{ productId: products[0]!.productId, quantity: 1 }]);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_SHARE_LINK');
  }
  expect(await remainingOf(gb.groupBuyId, products[0]!.productId)).toBe(10);
});

test('bad order input is 400 naming the field', async () => {
  const { products, gb } = await setup([{ stockLimit: 10 }]);
  const resident = await api.login(unique('typo'));
  const cases: [unknown[], string][] = [
    [[{ productId: products[0]!.productId, quantity: 0 }], 'items.0.quantity'],
    [[{ productId: products[0]!.productId, quantity: 1.5 }], 'items.0.quantity'],
    [[{ productId: 'NOT-IN-GROUP', quantity: 1 }], 'items.0.productId'],
    [[], 'items'],
  ];
  for (const [items, path] of cases) {
    const res = await api.call('POST', '/orders', {
      token: resident,
      headers: { 'Idempotency-Key': unique('k') },
      body: { shareToken: gb.shareToken, items, contactName: '张三', contactPhone: '13812341234' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  }
  const badPhone = await api.call('POST', '/orders', {
    token: resident,
    headers: { 'Idempotency-Key': unique('k') },
    body: {
      shareToken: gb.shareToken,
      items: [{ productId: products[0]!.productId, quantity: 1 }],
      contactName: '张三',
      contactPhone: '12345',
    },
  });
  expect(badPhone.body.error.details[0].path).toBe('contactPhone');
  expect(await remainingOf(gb.groupBuyId, products[0]!.productId)).toBe(10);
});

test('who may read an order: its resident, its leader (contacts masked), operators; others get 404', async () => {
  const { leader, products, gb } = await setup([{ stockLimit: 10 }]);
  const resident = await api.login(unique('owner'));
  const placed = await placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity: 1 }]);
  const path = `/orders/${placed.body.orderId}`;

  const own = await api.call('GET', path, { token: resident });
  expect(own.status).toBe(200);
  expect(own.body).toMatchObject({
    orderId: placed.body.orderId,
    status: 'pending_payment',
    groupBuyId: gb.groupBuyId,
    leaderId: leader.leaderId,
    totalFen: 1000,
    refundedFen: 0,
    contactPhone: '13812341234',
  });

  const byLeader = await api.call('GET', path, { token: leader.token });
  expect(byLeader.status).toBe(200);
  expect(byLeader.body.contactPhone).toBe('138****1234');
  expect(byLeader.body.contactName).toBe('张*');

  const byOperator = await api.call('GET', path, { token: await api.login('op-2', ['operator']) });
  expect(byOperator.body.contactPhone).toBe('13812341234');

  const otherLeader = await activeLeader(api);
  expect((await api.call('GET', path, { token: otherLeader.token })).status).toBe(404);
  expect((await api.call('GET', path, { token: await api.login(unique('stranger')) })).status).toBe(404);
  expect((await api.call('GET', path)).status).toBe(401);
});

test('GET /me/orders lists only the caller’s orders, newest first', async () => {
  const { products, gb } = await setup([{}]);
  const resident = await api.login(unique('lister'));
  const first = await placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity: 1 }]);
  const second = await placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity: 2 }]);
  await placeOrder(api, await api.login(unique('neighbour')), gb.shareToken, [{ productId: products[0]!.productId, quantity: 1 }]);
  const mine = await api.call('GET', '/me/orders', { token: resident });
  expect(mine.body.items.map((o: { orderId: string }) => o.orderId)).toEqual([second.body.orderId, first.body.orderId]);
});

test("an order from before the key-only index is listed again once the deploy's migration moved it, and only once", async () => {
  const { products, gb } = await setup([{}]);
  const resident = await api.login(unique('old-timer'));
  const older = await placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity: 1 }]);
  const newer = await placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity: 1 }]);
  const listed = async () =>
    (await api.call('GET', '/me/orders', { token: resident })).body.items.map((o: { orderId: string }) => o.orderId);
  const stored = async (orderId: string) =>
    (await db().send(new GetCommand({ TableName: tableName(), Key: keys.order(orderId), ConsistentRead: true }))).Item!;
  // Written as before 2026-12-02: the resident's key on gsi1 (projection ALL), none on gsi4.
  const { gsi4pk, gsi4sk, ...item } = await stored(older.body.orderId);
  expect(gsi4pk).toBe(`USER#${String(item.userId)}#ORDERS`);
  await db().send(new PutCommand({ TableName: tableName(), Item: { ...item, gsi1pk: gsi4pk, gsi1sk: gsi4sk } }));
  expect(await listed()).toEqual([newer.body.orderId]);

  expect(await moveOrdersToKeyIndexes(db())).toBeGreaterThanOrEqual(1);
  expect(await moveOrdersToKeyIndexes(db())).toBe(0);
  expect(await listed()).toEqual([newer.body.orderId, older.body.orderId]);
  const moved = await stored(older.body.orderId);
  expect(moved).toMatchObject({ gsi4pk, gsi4sk });
  expect(moved).not.toHaveProperty('gsi1pk');
  // A change of the order keeps it there (every write of an order keys it on gsi4, never on gsi1).
  await api.call('POST', `/dev/pay/${older.body.orderId}`);
  expect(await stored(older.body.orderId)).toMatchObject({ status: 'paid', gsi4pk, gsi4sk });
  expect(await stored(older.body.orderId)).not.toHaveProperty('gsi1pk');
  expect(await listed()).toEqual([newer.body.orderId, older.body.orderId]);
});

test('an unpaid order expires after the payment timeout and gives its stock back; running expiry twice changes nothing more', async () => {
  const { products, gb } = await setup([{ stockLimit: 5, perResidentLimit: 3 }]);
  const resident = await api.login(unique('slowpayer'));
  const placed = await placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity: 3 }]);
  const paidOne = await placeOrder(api, await api.login(unique('payer')), gb.shareToken, [
    { productId: products[0]!.productId, quantity: 1 },
  ]);
  await api.call('POST', `/dev/pay/${paidOne.body.orderId}`);
  expect(await remainingOf(gb.groupBuyId, products[0]!.productId)).toBe(1);

  const orders = dynamoOrderStore();
  const notYet = await expireDueOrders({ orders, clock: { now: () => new Date(Date.now() + 14 * 60_000) } });
  expect((await api.call('GET', `/orders/${placed.body.orderId}`, { token: resident })).body.status).toBe('pending_payment');

  const later = { now: () => new Date(Date.now() + 16 * 60_000) };
  const first = await expireDueOrders({ orders, clock: later });
  const second = await expireDueOrders({ orders, clock: later });
  expect(first.expired).toBeGreaterThanOrEqual(1);
  expect(notYet.expired).toBe(0);
  expect(second.expired).toBe(0);
  expect((await api.call('GET', `/orders/${placed.body.orderId}`, { token: resident })).body.status).toBe('expired');
  expect((await api.call('GET', `/orders/${paidOne.body.orderId}`, { token: await api.login('op-3', ['operator']) })).body.status).toBe(
    'paid',
  );
  expect(await remainingOf(gb.groupBuyId, products[0]!.productId)).toBe(4);

  // The per-resident allowance came back too: the same resident may order 3 again.
  const again = await placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity: 3 }]);
  expect(again.status).toBe(201);
});

test('cancel before the cutoff: an unpaid order releases its stock; a paid one is also refunded in full', async () => {
  const { products, gb } = await setup([{ stockLimit: 10 }]);
  const resident = await api.login(unique('canceller'));
  const unpaid = await placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity: 2 }]);
  const paid = await placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity: 3 }]);
  expect((await api.call('POST', `/dev/pay/${paid.body.orderId}`)).body.status).toBe('paid');
  expect(await remainingOf(gb.groupBuyId, products[0]!.productId)).toBe(5);

  expect((await api.call('POST', `/orders/${unpaid.body.orderId}/cancel`, { token: resident })).body.status).toBe('cancelled');
  const cancelled = await api.call('POST', `/orders/${paid.body.orderId}/cancel`, { token: resident });
  expect(cancelled.status).toBe(200);
  expect(cancelled.body).toMatchObject({ status: 'cancelled', refundedFen: 3000 });
  expect(await remainingOf(gb.groupBuyId, products[0]!.productId)).toBe(10);

  // The refund goes out through the payment port, driven by the stream.
  await api.drain();
  const refunds = await dynamoOrderStore().listRefunds(paid.body.orderId);
  expect(refunds).toEqual([expect.objectContaining({ amountFen: 3000, status: 'succeeded' })]);
  expect((await auditTrail(paid.body.orderId)).map((e) => e.action)).toEqual([
    'order.placed',
    'order.paid',
    'order.cancelled',
    'refund.succeeded',
  ]);

  // Cancelling again, or someone else's order, changes nothing.
  expect((await api.call('POST', `/orders/${paid.body.orderId}/cancel`, { token: resident })).status).toBe(409);
  expect((await api.call('POST', `/orders/${paid.body.orderId}/cancel`, { token: await api.login(unique('x')) })).status).toBe(404);
});

test('after the cutoff, ordering is GROUP_BUY_CLOSED and cancelling is 409, even before the cutoff job runs', async () => {
  const cutoffAt = new Date(Date.now() + 60_000);
  const { products, gb } = await setup([{ stockLimit: 10 }], { cutoffAt: cutoffAt.toISOString() });
  const resident = await api.login(unique('late'));
  const placed = await placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity: 1 }]);
  expect(placed.status).toBe(201);
  // A second past the cutoff, for the whole in-process stack: only Date is faked, timers run as usual.
  jest.useFakeTimers({ advanceTimers: true, doNotFake: [...TIMERS], now: cutoffAt.getTime() + 1000 });

  const tooLate = await placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity: 1 }]);
  expect(tooLate.status).toBe(409);
  expect(tooLate.body.error.code).toBe('GROUP_BUY_CLOSED');
  // The share page still opens (the token lives until the end of the pickup date).
  expect((await api.call('GET', `/share/${gb.shareToken}`)).status).toBe(200);

  const cancel = await api.call('POST', `/orders/${placed.body.orderId}/cancel`, { token: resident });
  expect(cancel.status).toBe(409);
  expect((await api.call('GET', `/orders/${placed.body.orderId}`, { token: resident })).body.status).toBe('pending_payment');
});

test('opening a group buy needs a cutoff in the future', async () => {
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api);
  const res = await api.call('POST', '/group-buys', {
    token: leader.token,
    body: { title: 't', cutoffAt: hoursFromNow(-1), pickupDate: '2030-01-01', items: [{ productId: products[0]!.productId }] },
  });
  expect(res.status).toBe(400);
});

test('an operator’s full refund of a paid order gives back its stock and the resident’s allowance; a partial one does not', async () => {
  const { products, gb } = await setup([{ stockLimit: 3, perResidentLimit: 2 }]);
  const productId = products[0]!.productId;
  const resident = await api.login(unique('resident'));
  const operator = await api.login('op-refunds', ['operator']);
  const first = await placeOrder(api, resident, gb.shareToken, [{ productId, quantity: 2 }]);
  expect(first.status).toBe(201);
  await api.call('POST', `/dev/pay/${first.body.orderId}`);
  expect(await remainingOf(gb.groupBuyId, productId)).toBe(1);
  // At the limit: the resident may not order more.
  expect((await placeOrder(api, resident, gb.shareToken, [{ productId, quantity: 1 }])).status).toBe(409);

  const partial = await api.call('POST', `/orders/${first.body.orderId}/refunds`, {
    token: operator,
    body: { amountFen: 100, reason: '少了一个' },
  });
  expect(partial.status).toBe(201);
  expect(await remainingOf(gb.groupBuyId, productId)).toBe(1);

  const rest = first.body.totalFen - 100;
  const full = await api.call('POST', `/orders/${first.body.orderId}/refunds`, {
    token: operator,
    body: { amountFen: rest, reason: '缺货' },
  });
  expect(full.status).toBe(201);
  expect((await api.call('GET', `/orders/${first.body.orderId}`, { token: resident })).body.status).toBe('refunded');
  expect(await remainingOf(gb.groupBuyId, productId)).toBe(3);
  // The allowance came back too: the same resident orders the full limit again.
  expect((await placeOrder(api, resident, gb.shareToken, [{ productId, quantity: 2 }])).status).toBe(201);
});
