// The pickup point's capacity lives on its places counters (lib/store/places.ts): the leader's change copies
// it onto every date an order can still be placed for, the opening of a group buy onto its pickup date (on a
// capacity it proves unchanged), and the deploy's migration onto the dates of leaders who set one before.
// Through the real handlers and the DynamoDB store, against DynamoDB Local.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { orderablePickupDates } from '../group-buys/calendar';
import { db, tableName } from './dynamo';
import { dynamoGroupBuyStore } from './group-buys';
import { keys } from './keys';
import { dynamoLeaderStore } from './leaders';
import { copyCapacity } from './places';
import { activeLeader, openGroupBuy, placeOrder, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';

const api = useStack();

const capOf = async (leaderId: string, date: string) =>
  (await db().send(new GetCommand({ TableName: tableName(), Key: keys.pickupPlaces(leaderId, date), ConsistentRead: true }))).Item?.cap as
    number | undefined;

/** The copy on one date's counter gone, as if that date had been out of reach when the capacity was set. */
const dropCap = (leaderId: string, date: string) =>
  db().send(new UpdateCommand({ TableName: tableName(), Key: keys.pickupPlaces(leaderId, date), UpdateExpression: 'REMOVE cap' }));

async function leaderWithCapacity(capacity: number | null) {
  const leader = await activeLeader(api);
  const res = await api.call('PATCH', '/leaders/me', { token: leader.token, body: { pickupPoint: { dailyOrderCapacity: capacity } } });
  expect(res.status).toBe(200);
  return leader;
}

test("a leader's capacity reaches every date an order can be placed for; cleared, it leaves them all", async () => {
  const leader = await leaderWithCapacity(3);
  const dates = orderablePickupDates(new Date());
  expect(dates).toHaveLength(15);
  expect(await Promise.all(dates.map((d) => capOf(leader.leaderId, d)))).toEqual(dates.map(() => 3));

  const cleared = await api.call('PATCH', '/leaders/me', { token: leader.token, body: { pickupPoint: { dailyOrderCapacity: null } } });
  expect(cleared.status).toBe(200);
  expect(await Promise.all(dates.map((d) => capOf(leader.leaderId, d)))).toEqual(dates.map(() => undefined));
});

test('opening a group buy copies the capacity onto its pickup date, which orders then meet', async () => {
  const leader = await leaderWithCapacity(2);
  const { products } = await supplierWithProducts(api);
  const productId = products[0]!.productId;
  const probe = await openGroupBuy(api, leader.token, { items: [{ productId }] });
  await dropCap(leader.leaderId, probe.pickupDate);

  const gb = await openGroupBuy(api, leader.token, { items: [{ productId }], pickupDate: probe.pickupDate });
  expect(await capOf(leader.leaderId, gb.pickupDate)).toBe(2);
  const order = async () => placeOrder(api, await api.login(unique('resident')), gb.shareToken, [{ productId, quantity: 1 }]);
  expect((await order()).status).toBe(201);
  expect((await order()).status).toBe(201);
  expect((await order()).body.error.code).toBe('PICKUP_POINT_FULL');
});

test('a group buy opened on a capacity changed meanwhile is refused and nothing is written', async () => {
  const leader = await leaderWithCapacity(2);
  const { products } = await supplierWithProducts(api);
  const probe = await openGroupBuy(api, leader.token, { items: [{ productId: products[0]!.productId }] });
  const stored = (await dynamoGroupBuyStore().get(probe.groupBuyId))!;
  const copy = { ...stored, groupBuyId: `${stored.groupBuyId}X` };
  const audit = { entityId: copy.groupBuyId, entityType: 'groupBuy', action: 'groupBuy.opened', actor: 'test', at: copy.createdAt };

  expect(await dynamoGroupBuyStore().create(copy, audit, 5)).toBe('leader_changed');
  expect(await dynamoGroupBuyStore().get(copy.groupBuyId)).toBeUndefined();
  expect(await capOf(leader.leaderId, copy.pickupDate)).toBe(2);
  expect(await dynamoGroupBuyStore().create(copy, audit, 2)).toBe('created');
});

test("the migration copies a leader's capacity where it is missing, and leaves a leader who changed it since alone", async () => {
  const leader = await leaderWithCapacity(4);
  const dates = orderablePickupDates(new Date());
  for (const date of dates) await dropCap(leader.leaderId, date);
  const stored = (await dynamoLeaderStore().get(leader.leaderId))!;

  expect(await copyCapacity(db(), stored, dates)).toBe(true);
  expect(await Promise.all(dates.map((d) => capOf(leader.leaderId, d)))).toEqual(dates.map(() => 4));
  expect(await copyCapacity(db(), stored, dates)).toBe(true); // again: the same copies

  await api.call('PATCH', '/leaders/me', { token: leader.token, body: { pickupPoint: { dailyOrderCapacity: 1 } } });
  expect(await copyCapacity(db(), stored, dates)).toBe(false);
  expect(await capOf(leader.leaderId, dates[0]!)).toBe(1);
});

const stored = async (key: { pk: string; sk: string }) =>
  (await db().send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item;

test('without a capacity an order takes no places counter (its gate counts it); a capacity set later counts those orders, and each gives its place back where it is kept', async () => {
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api);
  const productId = products[0]!.productId;
  const apples = await openGroupBuy(api, leader.token, { items: [{ productId }] });
  const pears = await openGroupBuy(api, leader.token, { items: [{ productId }], pickupDate: apples.pickupDate });
  const order = async (shareToken: string) => {
    const resident = await api.login(unique('resident'));
    return { resident, res: await placeOrder(api, resident, shareToken, [{ productId, quantity: 1 }]) };
  };
  const setCapacity = async (dailyOrderCapacity: number | null) =>
    expect((await api.call('PATCH', '/leaders/me', { token: leader.token, body: { pickupPoint: { dailyOrderCapacity } } })).status).toBe(
      200,
    );
  const placesOf = async (groupBuyId: string) => (await stored(keys.groupBuyGate(groupBuyId)))?.places as number | undefined;
  const taken = async () => (await stored(keys.pickupPlaces(leader.leaderId, apples.pickupDate)))?.taken as number | undefined;

  const a = await order(apples.shareToken);
  const b = await order(pears.shareToken);
  const c = await order(pears.shareToken);
  expect([a, b, c].map((o) => o.res.status)).toEqual([201, 201, 201]);
  expect(await stored(keys.pickupPlaces(leader.leaderId, apples.pickupDate))).toBeUndefined();
  expect([await placesOf(apples.groupBuyId), await placesOf(pears.groupBuyId)]).toEqual([1, 2]);

  // Set: the gates' three move onto the date's counter, which then refuses the fifth.
  await setCapacity(4);
  expect(await taken()).toBe(3);
  expect([await placesOf(apples.groupBuyId), await placesOf(pears.groupBuyId)]).toEqual([undefined, undefined]);
  expect((await order(apples.shareToken)).res.status).toBe(201);
  expect((await order(pears.shareToken)).res.body.error.code).toBe('PICKUP_POINT_FULL');

  // An order placed before the capacity, cancelled after it, frees a place on the counter.
  expect((await api.call('POST', `/orders/${b.res.body.orderId}/cancel`, { token: b.resident })).status).toBe(200);
  expect(await taken()).toBe(3);
  const d = await order(pears.shareToken);
  expect(d.res.status).toBe(201);
  expect((await order(apples.shareToken)).res.body.error.code).toBe('PICKUP_POINT_FULL');

  // Cleared: new orders count on the gates again, and so do places given back; set again, the sum is exact.
  await setCapacity(null);
  const e = await order(apples.shareToken);
  expect(e.res.status).toBe(201);
  expect((await api.call('POST', `/orders/${d.res.body.orderId}/cancel`, { token: d.resident })).status).toBe(200);
  expect([await placesOf(apples.groupBuyId), await placesOf(pears.groupBuyId)]).toEqual([1, -1]);
  expect(await taken()).toBe(4);
  // Held now: a, c, the fourth, e = 4 (the counter's 4, plus 1 and -1 on the gates).
  await setCapacity(5);
  expect(await taken()).toBe(4);
  expect((await order(pears.shareToken)).res.status).toBe(201);
  expect((await order(apples.shareToken)).res.body.error.code).toBe('PICKUP_POINT_FULL');
});

test('orders racing a capacity being set are all counted: the places held end up on the counter, none left on a gate', async () => {
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api);
  const productId = products[0]!.productId;
  const gb = await openGroupBuy(api, leader.token, { items: [{ productId }] });
  const order = async () => placeOrder(api, await api.login(unique('resident')), gb.shareToken, [{ productId, quantity: 1 }]);
  const [capacity, ...placed] = await Promise.all([
    api.call('PATCH', '/leaders/me', { token: leader.token, body: { pickupPoint: { dailyOrderCapacity: 100 } } }),
    ...Array.from({ length: 8 }, order),
  ]);
  expect(capacity.status).toBe(200);
  expect(placed.map((r) => r.status)).toEqual(placed.map(() => 201));
  expect((await stored(keys.pickupPlaces(leader.leaderId, gb.pickupDate)))?.taken).toBe(8);
  expect((await stored(keys.groupBuyGate(gb.groupBuyId)))?.places).toBeUndefined();
});

test('the migration tells the gates of a leader with a capacity, and moves onto the counter what they counted meanwhile', async () => {
  const leader = await leaderWithCapacity(3);
  const { products } = await supplierWithProducts(api);
  const gb = await openGroupBuy(api, leader.token, { items: [{ productId: products[0]!.productId }] });
  expect((await stored(keys.groupBuyGate(gb.groupBuyId)))?.capped).toBe(true);
  // As deployed before 2026-12-02: the gate says nothing of places, the counter counts every order.
  await db().send(new UpdateCommand({ TableName: tableName(), Key: keys.groupBuyGate(gb.groupBuyId), UpdateExpression: 'REMOVE capped' }));
  expect(
    (await placeOrder(api, await api.login(unique('r')), gb.shareToken, [{ productId: products[0]!.productId, quantity: 1 }])).status,
  ).toBe(201);
  const before = ((await stored(keys.pickupPlaces(leader.leaderId, gb.pickupDate)))?.taken as number | undefined) ?? 0;
  expect(before).toBe(0);
  expect((await stored(keys.groupBuyGate(gb.groupBuyId)))?.places).toBe(1);

  expect(await copyCapacity(db(), (await dynamoLeaderStore().get(leader.leaderId))!, orderablePickupDates(new Date()))).toBe(true);
  expect(await stored(keys.groupBuyGate(gb.groupBuyId))).toMatchObject({ capped: true });
  expect((await stored(keys.groupBuyGate(gb.groupBuyId)))?.places).toBeUndefined();
  // The order placed meanwhile counted on the gate; it is on the counter now.
  expect((await stored(keys.pickupPlaces(leader.leaderId, gb.pickupDate)))?.taken).toBe(before + 1);
});
