// A suspended leader stops selling at once (issue 17): their open group buys take no order and read
// closed to residents; orders already paid are still handed out; reinstated, the leader sells again.
import { activeLeader, dateIn, openGroupBuy, operatorToken, placeOrder, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { passCutoff } from '../../test/support/time-travel';

const api = useStack();

test('suspension stops new orders in the leader’s open group buys at once; pickups of paid orders go on; reinstated, they sell again', async () => {
  const operator = await operatorToken(api);
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api);
  const productId = products[0]!.productId;
  const pickupDate = dateIn(1);
  const [first, second] = [
    await openGroupBuy(api, leader.token, { items: [{ productId }], pickupDate }),
    await openGroupBuy(api, leader.token, { items: [{ productId }], pickupDate }),
  ];
  const resident = await api.login(unique('resident'));
  const paid = await placeOrder(api, resident, first.shareToken, [{ productId, quantity: 1 }]);
  await api.call('POST', `/dev/pay/${paid.body.orderId}`);
  const unpaid = await placeOrder(api, resident, second.shareToken, [{ productId, quantity: 1 }]);

  expect((await api.call('POST', `/leaders/${leader.leaderId}/suspend`, { token: operator, body: { reason: '投诉核实中' } })).status).toBe(
    200,
  );
  for (const gb of [first, second]) {
    expect((await api.call('GET', `/share/${gb.shareToken}`)).body.status).toBe('closed');
    const refused = await placeOrder(api, resident, gb.shareToken, [{ productId, quantity: 1 }]);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('GROUP_BUY_CLOSED');
  }
  // Money for an order placed before the suspension is not kept: it is refunded, the order stays unpaid.
  await api.call('POST', `/dev/pay/${unpaid.body.orderId}`);
  expect((await api.call('GET', `/orders/${unpaid.body.orderId}`, { token: resident })).body.status).toBe('pending_payment');
  const { dynamoOrderStore } = await import('../../lib/store/orders');
  expect(await dynamoOrderStore().listRefunds(unpaid.body.orderId)).toEqual([
    expect.objectContaining({ amountFen: unpaid.body.totalFen, reason: expect.stringContaining('suspended') }),
  ]);
  // A suspended leader can't open another one either.
  expect(
    (
      await api.call('POST', '/group-buys', {
        token: leader.token,
        body: { title: '再开一个', cutoffAt: new Date(Date.now() + 3_600_000).toISOString(), pickupDate, items: [{ productId }] },
      })
    ).status,
  ).toBe(403);

  // The paid order still closes and is handed out at the suspended leader's point.
  await passCutoff(first.groupBuyId);
  await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }));
  const ready = (await api.call('GET', `/orders/${paid.body.orderId}`, { token: resident })).body;
  expect(ready.status).toBe('ready_for_pickup');
  expect(
    (await api.call('POST', '/pickups', { token: leader.token, body: { pickupCode: ready.pickupCode, date: pickupDate } })).status,
  ).toBe(200);

  // Reinstated: the group buy still before its cutoff sells again.
  expect((await api.call('POST', `/leaders/${leader.leaderId}/approve`, { token: operator })).status).toBe(200);
  expect((await api.call('GET', `/share/${second.shareToken}`)).body.status).toBe('open');
  expect((await placeOrder(api, resident, second.shareToken, [{ productId, quantity: 1 }])).status).toBe(201);
});
