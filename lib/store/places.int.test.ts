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
