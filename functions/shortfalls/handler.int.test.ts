// Shortfalls through HTTP against the local stack: a supplier reports units that will not arrive; the
// latest-placed orders give them up, each resident is refunded for exactly the missing units, and the
// purchase order (a revision), the pickup sheet and the leader's commission follow to the fen. The same
// report again refunds nothing twice; bad input changes nothing.
import { dynamoOrderStore } from '../../lib/store/orders';
import { activeLeader, openGroupBuy, operatorToken, placeOrder, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { passCutoff } from '../../test/support/time-travel';

const api = useStack();

const orders = dynamoOrderStore();

test('a shortfall across three orders: latest placed first, refunds to the fen, the purchase order, sheet and commission follow; reported twice, refunded once; bad input changes nothing', async () => {
  const operator = await operatorToken(api);
  // Eggs 10.00 a box to residents (8.00 supply, 10% commission), 6 boxes a case; milk 5.00 from the same supplier.
  const supplier = await supplierWithProducts(api, [
    { name: '鸡蛋', unit: '盒', supplyPriceFen: 800, groupPriceFen: 1000, commissionRateBps: 1000, caseSize: 6 },
    { name: '牛奶', unit: '瓶', supplyPriceFen: 300, groupPriceFen: 500, commissionRateBps: 1000 },
  ]);
  const [egg, milk] = [supplier.products[0]!.productId, supplier.products[1]!.productId];
  const supplierToken = await api.login(unique('egg-clerk'), ['supplier'], supplier.supplierId);
  const leader = await activeLeader(api);
  const gb = await openGroupBuy(api, leader.token, {
    items: [{ productId: egg }, { productId: milk }],
    cutoffAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  const { pickupDate } = gb;
  const residents: string[] = [];
  const placed: string[] = [];
  // Placed in this order: first 2 eggs, then 3 eggs and a milk, then 2 eggs.
  for (const items of [
    [{ productId: egg, quantity: 2 }],
    [
      { productId: egg, quantity: 3 },
      { productId: milk, quantity: 1 },
    ],
    [{ productId: egg, quantity: 2 }],
  ]) {
    const resident = await api.login(unique('resident'));
    const res = await placeOrder(api, resident, gb.shareToken, items);
    expect(res.status).toBe(201);
    await api.call('POST', `/dev/pay/${res.body.orderId}`);
    residents.push(resident);
    placed.push(res.body.orderId as string);
    await new Promise((r) => setTimeout(r, 5)); // distinct placing times
  }
  const [first, second, third] = placed as [string, string, string];
  await passCutoff([gb.groupBuyId]);
  expect((await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }))).status).toBe(200);
  await api.drain();

  const poId = `${supplier.supplierId}-${pickupDate}`;
  const readPo = async () => (await api.call('GET', `/purchase-orders/${poId}`, { token: supplierToken })).body;
  const before = await readPo();
  expect(before.lines.find((l: { productId: string }) => l.productId === egg)).toMatchObject({
    quantity: 7,
    cases: 2,
    orderedQuantity: 12,
    surplusQuantity: 5,
  });
  const report = (body: unknown, token = supplierToken) =>
    api.call('POST', `/purchase-orders/${poId}/shortfalls`, { token, body: body as Record<string, unknown> });

  // Bad input: each answer names its field, and nothing changes.
  for (const [body, path] of [
    [{ lines: [{ productId: egg, shortQuantity: -1 }], reason: '破损' }, 'lines.0.shortQuantity'],
    [{ lines: [{ productId: egg, shortQuantity: 0 }], reason: '破损' }, 'lines.0.shortQuantity'],
    [{ lines: [{ productId: egg, shortQuantity: 1.5 }], reason: '破损' }, 'lines.0.shortQuantity'],
    // Above what residents ordered: the 5 boxes of surplus in the second case never cover a shortfall.
    [{ lines: [{ productId: egg, shortQuantity: 8 }], reason: '破损' }, 'lines.0.shortQuantity'],
    [
      {
        lines: [
          { productId: milk, shortQuantity: 1 },
          { productId: 'p-not-on-it', shortQuantity: 1 },
        ],
        reason: '破损',
      },
      'lines.1.productId',
    ],
    [{ lines: [], reason: '破损' }, 'lines'],
    [{ lines: [{ productId: egg, shortQuantity: 1 }] }, 'reason'],
  ] as const) {
    const res = await report(body);
    expect([res.status, res.body.error.code, res.body.error.details?.[0]?.path]).toEqual([400, 'VALIDATION_FAILED', path]);
  }
  // Another supplier, a leader or a resident: no such purchase order.
  const other = await supplierWithProducts(api);
  const otherToken = await api.login(unique('clerk'), ['supplier'], other.supplierId);
  for (const token of [otherToken, leader.token, residents[0]!])
    expect((await report({ lines: [{ productId: egg, shortQuantity: 1 }], reason: '破损' }, token)).status).toBe(404);
  expect(await readPo()).toEqual(before);
  expect(
    (await orders.listRefunds(first)).length + (await orders.listRefunds(second)).length + (await orders.listRefunds(third)).length,
  ).toBe(0);

  // 3 boxes of eggs will not arrive: the third order (2 boxes) gives up both, the second one of its 3.
  const shortfall = { lines: [{ productId: egg, shortQuantity: 3 }], reason: '运输破损' };
  const res = await report(shortfall);
  expect(res.status).toBe(201);
  expect(res.body.shortfallId).toMatch(/^sf-/);
  expect(res.body.refunds).toEqual([
    { orderId: third, productId: egg, quantity: 2, amountFen: 2000 },
    { orderId: second, productId: egg, quantity: 1, amountFen: 1000 },
  ]);
  await api.drain();

  // Each resident sees exactly the missing units refunded, paid back by the refunds consumer.
  const orderOf = async (orderId: string, token: string) => (await api.call('GET', `/orders/${orderId}`, { token })).body;
  expect(await orderOf(third, residents[2]!)).toMatchObject({ status: 'refunded', totalFen: 2000, refundedFen: 2000 });
  expect(await orderOf(second, residents[1]!)).toMatchObject({ status: 'ready_for_pickup', totalFen: 3500, refundedFen: 1000 });
  expect(await orderOf(first, residents[0]!)).toMatchObject({ status: 'ready_for_pickup', refundedFen: 0 });
  expect((await orders.listRefunds(third)).map((r) => [r.amountFen, r.status])).toEqual([[2000, 'succeeded']]);
  expect((await orders.listRefunds(second)).map((r) => [r.amountFen, r.status, r.lines])).toEqual([
    [1000, 'succeeded', [{ productId: egg, amountFen: 1000 }]],
  ]);

  // The purchase order is revised: 4 boxes (one case, 2 over), the revision names the orders.
  const after = await readPo();
  expect(after.revision).toBe(before.revision + 1);
  expect(after.totalFen).toBe(before.totalFen - 3 * 800);
  expect(after.lines.find((l: { productId: string }) => l.productId === egg)).toMatchObject({
    quantity: 4,
    amountFen: 3200,
    cases: 1,
    orderedQuantity: 6,
    surplusQuantity: 2,
  });
  const revisions = (await api.call('GET', `/purchase-orders/${poId}/revisions`, { token: supplierToken })).body.items;
  expect(revisions.at(-1)).toMatchObject({ lines: [{ productId: egg, before: 7, after: 4, delta: -3 }] });

  // The pickup sheet hands out what arrives: 4 boxes of eggs and the milk.
  const sheet = (await api.call('GET', `/pickup-points/${leader.leaderId}/sheet?date=${pickupDate}`, { token: leader.token })).body;
  expect(sheet.totals.map((t: { productId: string; quantity: number }) => [t.productId, t.quantity]).sort()).toEqual(
    [
      [egg, 4],
      [milk, 1],
    ].sort(),
  );
  const secondOnSheet = sheet.orders.find((o: { orderId: string }) => o.orderId === second);
  expect(secondOnSheet.items.map((i: { productId: string; quantity: number }) => [i.productId, i.quantity])).toEqual([
    [egg, 2],
    [milk, 1],
  ]);

  // Reported again: the same answer, nothing refunded twice, the purchase order unmoved.
  const again = await report(shortfall);
  expect(again.status).toBe(200);
  expect(again.body).toEqual(res.body);
  await api.drain();
  expect((await orders.listRefunds(second)).length + (await orders.listRefunds(third)).length).toBe(2);
  expect(await orderOf(second, residents[1]!)).toMatchObject({ refundedFen: 1000 });
  expect((await readPo()).revision).toBe(after.revision);

  // The leader's commission is on what the resident kept: 2 boxes and a milk, 25.00 × 10%.
  const code = (await orderOf(second, residents[1]!)).pickupCode as string;
  expect((await api.call('POST', '/pickups', { token: leader.token, body: { pickupCode: code, date: pickupDate } })).status).toBe(200);
  await api.drain();
  const commissions = (await api.call('GET', '/leaders/me/commissions', { token: leader.token })).body;
  expect(
    commissions.entries
      .filter((e: { orderId?: string; kind: string }) => e.orderId === second && e.kind === 'accrual')
      .reduce((s: number, e: { amountFen: number }) => s + e.amountFen, 0),
  ).toBe(250);

  // Shipped: no more shortfalls (409), and nothing changes.
  expect((await api.call('POST', `/purchase-orders/${poId}/ship`, { token: supplierToken })).status).toBe(200);
  const shipped = await report({ lines: [{ productId: egg, shortQuantity: 1 }], reason: '又坏了' });
  expect([shipped.status, shipped.body.error.code]).toEqual([409, 'CONFLICT']);
  expect(await orderOf(first, residents[0]!)).toMatchObject({ refundedFen: 0 });
});
