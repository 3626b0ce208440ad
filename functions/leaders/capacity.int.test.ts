// A pickup point's daily capacity (issue 12): past it, ordering answers PICKUP_POINT_FULL; two residents
// racing for the last place never both get it; cancelled and expired orders give their place back.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '../../lib/store/dynamo';
import { keys } from '../../lib/store/keys';
import { activeLeader, dateIn, openGroupBuy, placeOrder, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';

const api = useStack();

/** The order's payment deadline passes (its expiry-index key with it), as if its 15 minutes were over. */
async function passDeadline(orderId: string) {
  const past = new Date(Date.now() - 60_000).toISOString();
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: keys.order(orderId),
      UpdateExpression: 'SET expiresAt = :at, gsi2sk = :sk',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':at': past, ':sk': keys.pendingOrders(orderId, past).gsi2sk },
    }),
  );
}

test('capacity: bad input changes nothing; the last place goes to one of two racing residents; cancelled and expired orders free theirs', async () => {
  const leader = await activeLeader(api);
  const setCapacity = (dailyOrderCapacity: unknown, token = leader.token) =>
    api.call('PATCH', '/leaders/me', { token, body: { pickupPoint: { dailyOrderCapacity } } });

  for (const bad of [-1, 1.5, '3', 100_001]) {
    const res = await setCapacity(bad);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('pickupPoint.dailyOrderCapacity');
  }
  expect((await setCapacity(2, await api.login(unique('not-a-leader')))).status).toBe(403);
  expect((await api.call('GET', '/leaders/me', { token: leader.token })).body.pickupPoint.dailyOrderCapacity).toBeUndefined();

  const set = await setCapacity(2);
  expect(set.status).toBe(200);
  expect(set.body.pickupPoint.dailyOrderCapacity).toBe(2);

  const { products } = await supplierWithProducts(api);
  const productId = products[0]!.productId;
  // Two group buys of the same point and date share its places.
  const apples = await openGroupBuy(api, leader.token, { items: [{ productId }] });
  const pears = await openGroupBuy(api, leader.token, { items: [{ productId }], pickupDate: apples.pickupDate });
  const order = async (shareToken: string) => {
    const resident = await api.login(unique('resident'));
    return { resident, res: await placeOrder(api, resident, shareToken, [{ productId, quantity: 1 }]) };
  };

  const first = await order(apples.shareToken);
  expect(first.res.status).toBe(201);
  // One place left, two residents at once: exactly one gets it.
  const race = await Promise.all([order(apples.shareToken), order(pears.shareToken)]);
  expect(race.map((r) => r.res.status).sort()).toEqual([201, 409]);
  const loser = race.find((r) => r.res.status === 409)!;
  expect(loser.res.body.error.code).toBe('PICKUP_POINT_FULL');
  const winner = race.find((r) => r.res.status === 201)!;

  // Another pickup date at the same point has its own places.
  const later = await openGroupBuy(api, leader.token, { items: [{ productId }], pickupDate: dateIn(3) });
  expect((await order(later.shareToken)).res.status).toBe(201);

  // A cancelled order gives its place back.
  expect((await api.call('POST', `/orders/${winner.res.body.orderId}/cancel`, { token: winner.resident })).status).toBe(200);
  const afterCancel = await order(pears.shareToken);
  expect(afterCancel.res.status).toBe(201);
  expect((await order(pears.shareToken)).res.body.error.code).toBe('PICKUP_POINT_FULL');

  // An unpaid order that expires gives its place back.
  await passDeadline(afterCancel.res.body.orderId);
  await api.stack.scheduler.runNow('expireOrders');
  expect((await api.call('GET', `/orders/${afterCancel.res.body.orderId}`, { token: afterCancel.resident })).body.status).toBe('expired');
  expect((await order(apples.shareToken)).res.status).toBe(201);
  expect((await order(apples.shareToken)).res.body.error.code).toBe('PICKUP_POINT_FULL');

  // Raised, the point takes one more; cleared, it takes any number.
  expect((await setCapacity(3)).status).toBe(200);
  expect((await order(apples.shareToken)).res.status).toBe(201);
  expect((await order(apples.shareToken)).res.body.error.code).toBe('PICKUP_POINT_FULL');
  const cleared = await setCapacity(null);
  expect(cleared.body.pickupPoint.dailyOrderCapacity).toBeUndefined();
  expect((await order(apples.shareToken)).res.status).toBe(201);

  // Zero: the point takes no order at all for now.
  expect((await setCapacity(0)).status).toBe(200);
  expect((await order(later.shareToken)).res.body.error.code).toBe('PICKUP_POINT_FULL');
});
