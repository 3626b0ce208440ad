// The nightly cutoff through `POST /jobs/cutoff` and the stream-driven closing, against the real stack.
import { auditTrail } from '../../lib/store/audit';
import { dynamoOrderStore } from '../../lib/store/orders';
import { activeLeader, openGroupBuy, placeOrder, shanghaiDate, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { passCutoff } from '../../test/support/time-travel';

const api = useStack();
let operator: string;
beforeAll(async () => {
  operator = await api.login('op-cutoff', ['operator']);
});

const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

/** A group buy whose cutoff passes in a moment, with paid and unpaid orders. */
async function groupWithOrders(options: { paid: number; unpaid: number; minTotalQuantity?: number; quantity?: number }) {
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api, [{ name: '草莓', unit: '盒' }]);
  const cutoffAt = soon(3_600_000);
  const gb = await openGroupBuy(api, leader.token, {
    items: [{ productId: products[0]!.productId, stockLimit: 1000 }],
    cutoffAt,
    pickupDate: shanghaiDate(soon(86_400_000)),
    ...(options.minTotalQuantity ? { minTotalQuantity: options.minTotalQuantity } : {}),
  });
  const paid: { orderId: string; token: string }[] = [];
  const unpaid: { orderId: string; token: string }[] = [];
  for (let i = 0; i < options.paid + options.unpaid; i++) {
    const token = await api.login(unique('resident'));
    const res = await placeOrder(api, token, gb.shareToken, [{ productId: products[0]!.productId, quantity: options.quantity ?? 1 }]);
    if (i < options.paid) {
      await api.call('POST', `/dev/pay/${res.body.orderId}`);
      paid.push({ orderId: res.body.orderId, token });
    } else {
      unpaid.push({ orderId: res.body.orderId, token });
    }
  }
  await passCutoff(gb.groupBuyId);
  return { leader, gb, paid, unpaid, productId: products[0]!.productId, pickupDate: shanghaiDate(soon(86_400_000)) };
}

test('the cutoff closes the group: unpaid orders cancelled, paid ones ready for pickup with unique 6-digit codes', async () => {
  const { gb, paid, unpaid } = await groupWithOrders({ paid: 4, unpaid: 2 });
  const report = await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }));
  expect(report.status).toBe(200);
  expect(report.body).toMatchObject({ closed: 1, failed: 0, ordersCancelled: 2 });

  expect((await api.call('GET', `/group-buys/${gb.groupBuyId}`)).body.status).toBe('closed');
  const codes = [];
  for (const o of paid) {
    const order = (await api.call('GET', `/orders/${o.orderId}`, { token: o.token })).body;
    expect(order.status).toBe('ready_for_pickup');
    expect(order.pickupCode).toMatch(/^\d{6}$/);
    codes.push(order.pickupCode);
  }
  expect(new Set(codes).size).toBe(codes.length);
  for (const o of unpaid) expect((await api.call('GET', `/orders/${o.orderId}`, { token: o.token })).body.status).toBe('cancelled');
  expect((await auditTrail(gb.groupBuyId)).map((e) => e.action)).toEqual([
    'groupBuy.opened',
    'groupBuy.closing',
    'groupBuy.decided_closed',
    'groupBuy.closed',
  ]);

  // A second run finds nothing to do and changes nothing.
  const again = await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }));
  expect(again.body).toMatchObject({ closed: 0, failed: 0, ordersCancelled: 0 });
  for (const o of paid)
    expect((await api.call('GET', `/orders/${o.orderId}`, { token: o.token })).body.pickupCode).toBe(codes[paid.indexOf(o)]);
});

test('a group below its minimum fails and every paid order is refunded in full through the payment port', async () => {
  const { gb, paid } = await groupWithOrders({ paid: 2, unpaid: 1, minTotalQuantity: 5, quantity: 2 });
  const report = await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }));
  expect(report.body).toMatchObject({ closed: 0, failed: 1, ordersCancelled: 1 });
  expect((await api.call('GET', `/group-buys/${gb.groupBuyId}`)).body.status).toBe('failed');
  for (const o of paid) {
    const order = (await api.call('GET', `/orders/${o.orderId}`, { token: o.token })).body;
    expect(order).toMatchObject({ status: 'refunded', refundedFen: order.totalFen });
    expect(order.pickupCode).toBeUndefined();
    const refunds = await dynamoOrderStore().listRefunds(o.orderId);
    expect(refunds).toEqual([expect.objectContaining({ amountFen: order.totalFen, status: 'succeeded' })]);
  }
});

test('the leader’s sheet lists the orders with codes and masked contacts, with totals per product; pickups are confirmed once', async () => {
  const { leader, paid, pickupDate, productId } = await groupWithOrders({ paid: 3, unpaid: 1, quantity: 2 });
  await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }));

  const sheet = await api.call('GET', `/pickup-points/${leader.leaderId}/sheet?date=${pickupDate}`, { token: leader.token });
  expect(sheet.status).toBe(200);
  expect(sheet.body.totals).toEqual([{ productId, name: '草莓', unit: '盒', quantity: 6 }]);
  expect(sheet.body.orders).toHaveLength(3);
  expect(sheet.body.orders[0]).toMatchObject({
    contactName: '张*',
    contactPhone: '138****1234',
    status: 'ready_for_pickup',
    items: [{ productId, quantity: 2 }],
  });

  const byOperator = await api.call('GET', `/pickup-points/${leader.leaderId}/sheet?date=${pickupDate}`, { token: operator });
  expect(byOperator.body.orders[0].contactPhone).toBe('13812341234');
  const otherLeader = await activeLeader(api);
  expect((await api.call('GET', `/pickup-points/${leader.leaderId}/sheet?date=${pickupDate}`, { token: otherLeader.token })).status).toBe(
    403,
  );

  const code = sheet.body.orders[0].pickupCode;
  const picked = await api.call('POST', '/pickups', { token: leader.token, body: { pickupCode: code, date: pickupDate } });
  expect(picked.status).toBe(200);
  expect(picked.body).toMatchObject({ orderId: sheet.body.orders[0].orderId, status: 'picked_up' });
  const twice = await api.call('POST', '/pickups', { token: leader.token, body: { pickupCode: code, date: pickupDate } });
  expect(twice.status).toBe(409);

  // Within the after-sales window (48 h by default) the resident may ask for a refund.
  const pickedOrder = paid.find((o) => o.orderId === sheet.body.orders[0].orderId)!;
  const refund = await api.call('POST', `/orders/${pickedOrder.orderId}/refunds`, {
    token: pickedOrder.token,
    body: { amountFen: 100, reason: '有一盒坏了' },
  });
  expect(refund.status).toBe(201);
  expect(refund.body).toMatchObject({ amountFen: 100 });
  const overRefund = await api.call('POST', `/orders/${pickedOrder.orderId}/refunds`, {
    token: pickedOrder.token,
    body: { amountFen: 1_000_000, reason: 'x' },
  });
  expect(overRefund.status).toBe(409);
  const unknown = await api.call('POST', '/pickups', {
    token: leader.token,
    body: { pickupCode: code === '000000' ? '000001' : '000000', date: pickupDate },
  });
  expect(unknown.status).toBe(404);
  // Another leader can't use this point's codes.
  expect(
    (
      await api.call('POST', '/pickups', {
        token: otherLeader.token,
        body: { pickupCode: sheet.body.orders[1].pickupCode, date: pickupDate },
      })
    ).status,
  ).toBe(404);

  await api.drain();
  const after = await api.call('GET', `/pickup-points/${leader.leaderId}/sheet?date=${pickupDate}`, { token: leader.token });
  expect(after.body.orders.find((o: { pickupCode: string }) => o.pickupCode === code).status).toBe('picked_up');
  expect(after.body.totals[0].quantity).toBe(6);
});

test('only operators run jobs', async () => {
  const res = await api.call('POST', '/jobs/cutoff', { token: await api.login(unique('resident')) });
  expect(res.status).toBe(403);
});
