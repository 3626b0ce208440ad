// Uncollected orders (issue 12): still ready_for_pickup PICKUP_WINDOW_DAYS (3) after the pickup date, an order
// is refunded in full by the scheduled job, earns no commission, and runs repeated or overlapping refund once.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoOrderStore } from '../../lib/store/orders';
import { db, tableName } from '../../lib/store/dynamo';
import { keys } from '../../lib/store/keys';
import { activeLeader, dateIn, openGroupBuy, operatorToken, placeOrder, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { passCutoff } from '../../test/support/time-travel';

const api = useStack();

/** The order's pickup date moves `days` days before today (its ready-index key with it), as if time had passed. */
async function pickupDaysAgo(orderId: string, days: number) {
  const date = dateIn(-days);
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.order(orderId),
      UpdateExpression: 'SET pickupDate = :d, gsi2sk = :sk',
      ConditionExpression: '#status = :ready',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':d': date, ':sk': keys.readyOrders(orderId, date).gsi2sk, ':ready': 'ready_for_pickup' },
    }),
  );
}

test('an order nobody collects is refunded in full 3 days after its pickup date, once, and earns nothing', async () => {
  const operator = await operatorToken(api);
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api, [{ groupPriceFen: 1000, commissionRateBps: 1000 }]);
  const productId = products[0]!.productId;
  const pickupDate = dateIn(1);
  const gb = await openGroupBuy(api, leader.token, { items: [{ productId }], pickupDate });
  const paidOrder = async (quantity: number) => {
    const resident = await api.login(unique('resident'));
    const placed = await placeOrder(api, resident, gb.shareToken, [{ productId, quantity }]);
    expect((await api.call('POST', `/dev/pay/${placed.body.orderId}`)).status).toBe(200);
    return { resident, orderId: placed.body.orderId as string };
  };
  const [collected, forgotten, recent] = [await paidOrder(1), await paidOrder(2), await paidOrder(3)];
  await passCutoff(gb.groupBuyId);
  await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }));
  const read = async (o: { resident: string; orderId: string }) =>
    (await api.call('GET', `/orders/${o.orderId}`, { token: o.resident })).body;
  expect((await read(collected)).status).toBe('ready_for_pickup');
  expect(
    (
      await api.call('POST', '/pickups', {
        token: leader.token,
        body: { pickupCode: (await read(collected)).pickupCode, date: pickupDate },
      })
    ).status,
  ).toBe(200);

  await pickupDaysAgo(forgotten.orderId, 3); // its window is over
  await pickupDaysAgo(recent.orderId, 2); // one more day to collect

  // Two runs at once (a retried schedule overlapping the first) refund it once.
  await Promise.all([api.stack.scheduler.runNow('refundUncollected'), api.stack.scheduler.runNow('refundUncollected')]);
  await api.stack.scheduler.runNow('refundUncollected');
  await api.drain();

  const refunded = await read(forgotten);
  expect(refunded).toMatchObject({ status: 'refunded', totalFen: 2000, refundedFen: 2000, uncollectedAt: expect.any(String) });
  expect(await dynamoOrderStore().listRefunds(forgotten.orderId)).toEqual([
    expect.objectContaining({ amountFen: 2000, reason: 'uncollected', status: 'succeeded' }),
  ]);
  expect((await read(recent)).status).toBe('ready_for_pickup');
  expect((await read(collected)).status).toBe('picked_up');

  // The order due tomorrow: its resident is told today, once, whatever the number of runs.
  const code = (await read(recent)).pickupCode as string;
  const reminders = (await api.call('GET', '/dev/messages?to=13812341234')).body.items.filter(
    (m: { template: string; text: string }) => m.template === 'uncollected_soon' && m.text.includes(code),
  );
  expect(reminders).toHaveLength(1);
  expect(reminders[0].text).toMatch(new RegExp(`^您购买的.+还未领取（取货码${code}），\\d+月\\d+日前未取将自动退款。$`));

  // Commission: the collected order only (10% of 1000), nothing for the uncollected one.
  const ledger = (await api.call('GET', '/leaders/me/commissions', { token: leader.token })).body;
  expect(ledger.entries.map((e: { orderId: string; amountFen: number }) => [e.orderId, e.amountFen])).toEqual([[collected.orderId, 100]]);
  expect((await api.call('GET', `/audit/reconciliation?leaderId=${leader.leaderId}`, { token: operator })).body.discrepancies).toEqual([]);
});
