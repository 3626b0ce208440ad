// The scheduled functions, fired by the local scheduler as EventBridge Scheduler fires them in AWS (the
// same input): expiry, the cutoff, the weekly payouts. Each does its job as that function, through the
// stack (which also records the AWS calls each makes, for the IAM check).
import '../test/support/no-after-sales-window';
import { activeLeader, dateIn, openGroupBuy, operatorToken, placeOrder, supplierWithProducts, unique } from '../test/support/fixtures';
import { useStack } from '../test/support/stack';
import { passCutoff } from '../test/support/time-travel';

const api = useStack();

test('expiry, the cutoff and the weekly payouts each run as their schedule fires them', async () => {
  const operator = await operatorToken(api);
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api, [
    { name: '鸡蛋', supplyPriceFen: 500, groupPriceFen: 999, commissionRateBps: 1234 },
  ]);
  const productId = products[0]!.productId;
  const pickupDate = dateIn(1);
  const gb = await openGroupBuy(api, leader.token, { items: [{ productId, stockLimit: 10 }], pickupDate });
  const resident = await api.login(unique('resident'));
  const paid = await placeOrder(api, resident, gb.shareToken, [{ productId, quantity: 3 }]);
  await api.call('POST', `/dev/pay/${paid.body.orderId}`);
  const unpaid = await placeOrder(api, resident, gb.shareToken, [{ productId, quantity: 2 }]);
  const { UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
  const { db, tableName } = await import('../lib/store/dynamo');
  const { keys } = await import('../lib/store/keys');
  // The unpaid order's payment deadline passes (its index key moves with it, as placing would have set it).
  const past = new Date(Date.now() - 1000).toISOString();
  const pending = keys.pendingOrders(unpaid.body.orderId, past);
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.order(unpaid.body.orderId),
      UpdateExpression: 'SET expiresAt = :at, gsi2sk = :sk',
      ExpressionAttributeValues: { ':at': past, ':sk': pending.gsi2sk },
    }),
  );

  await api.stack.scheduler.runNow('expireOrders');
  expect((await api.call('GET', `/orders/${unpaid.body.orderId}`, { token: resident })).body.status).toBe('expired');

  await passCutoff(gb.groupBuyId);
  await api.stack.scheduler.runNow('cutoff');
  await api.drain();
  const ready = (await api.call('GET', `/orders/${paid.body.orderId}`, { token: resident })).body;
  expect(ready).toMatchObject({ status: 'ready_for_pickup', pickupCode: expect.stringMatching(/^\d{6}$/) });
  expect(
    (await api.call('POST', '/pickups', { token: leader.token, body: { pickupCode: ready.pickupCode, date: pickupDate } })).status,
  ).toBe(200);
  await api.drain();

  await api.stack.scheduler.runNow('payoutRun');
  const proposed = (await api.call('GET', '/payouts?status=proposed&limit=100', { token: operator })).body.items;
  // 3 × 999 = 2997 fen; floor(2997 × 1234 / 10000) = 369.
  expect(proposed.filter((p: { leaderId: string }) => p.leaderId === leader.leaderId)).toEqual([
    expect.objectContaining({ amountFen: 369, entryIds: [expect.any(String)] }),
  ]);
});
