// The deploy's migration to group-buy gates (lib/store/gate.ts, `npm run migrate-placement`): a group buy
// created before gates keeps its stock on STOCK# items and has no gate. Until the migration runs it refuses
// orders as closed, and stock that changes give back waits on a partial gate; the migration completes the gate
// once, and the group buy takes orders again with every unit accounted for. Through the real handlers and jobs,
// against DynamoDB Local.
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from './dynamo';
import { completeGate, groupBuysInPlay } from './gate';
import { keys } from './keys';
import { dynamoOrderStore } from './orders';
import { expireDueOrders } from '../orders/orders';
import { activeLeader, openGroupBuy, placeOrder, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';

const api = useStack();

const gateOf = async (groupBuyId: string) =>
  (await db().send(new GetCommand({ TableName: tableName(), Key: keys.groupBuyGate(groupBuyId), ConsistentRead: true }))).Item;

/** The group buy as a deploy before gates left it: its stock on a STOCK# item, no gate. */
async function asBeforeGates(groupBuyId: string, productId: string, stockLimit: number) {
  const gate = await gateOf(groupBuyId);
  const stock = {
    ...keys.stock(groupBuyId, productId),
    type: 'STOCK',
    groupBuyId,
    productId,
    stockLimit,
    remaining: gate![`s:${productId}`],
  };
  await db().send(new PutCommand({ TableName: tableName(), Item: stock }));
  await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.groupBuyGate(groupBuyId) }));
}

test('a group buy from before gates takes orders again once the migration completes its gate, with every unit accounted for', async () => {
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api, [{ name: '草莓', unit: '盒', groupPriceFen: 1000 }]);
  const productId = products[0]!.productId;
  const gb = await openGroupBuy(api, leader.token, { items: [{ productId, stockLimit: 10 }] });
  const order = async (quantity: number) => placeOrder(api, await api.login(unique('resident')), gb.shareToken, [{ productId, quantity }]);
  const remaining = async () => (await api.call('GET', `/group-buys/${gb.groupBuyId}`)).body.items[0].remaining as number;

  const unpaid = await order(2);
  expect(unpaid.status).toBe(201);
  await asBeforeGates(gb.groupBuyId, productId, 10);
  expect(await remaining()).toBe(8); // read from the STOCK# item

  // Before the migration: refused as closed, and an expiry gives its stock back to a partial gate.
  const early = await order(1);
  expect(early.status).toBe(409);
  expect(early.body.error.code).toBe('GROUP_BUY_CLOSED');
  await expireDueOrders({ orders: dynamoOrderStore(), clock: { now: () => new Date(Date.now() + 20 * 60_000) } });
  expect((await api.call('GET', `/orders/${unpaid.body.orderId}`, { token: await api.login('op-gate', ['operator']) })).body.status).toBe(
    'expired',
  );
  expect(await gateOf(gb.groupBuyId)).toMatchObject({ [`s:${productId}`]: 2 });

  // The migration: the group buy is in play, its gate is completed once (8 on the STOCK# item + 2 given back).
  expect(await groupBuysInPlay(db())).toContain(gb.groupBuyId);
  expect(await completeGate(db(), gb.groupBuyId)).toBe(true);
  expect(await gateOf(gb.groupBuyId)).toMatchObject({ status: 'open', cutoffAt: expect.any(String), version: 1, [`s:${productId}`]: 10 });
  expect(await remaining()).toBe(10);

  const after = await order(3);
  expect(after.status).toBe(201);
  expect(await remaining()).toBe(7);
  // Run again (a retried deploy step), it changes nothing.
  expect(await completeGate(db(), gb.groupBuyId)).toBe(false);
  expect(await remaining()).toBe(7);
  expect((await order(8)).body.error.code).toBe('OUT_OF_STOCK');
  expect((await order(7)).status).toBe(201);
});

test('a group buy created with its gate is left alone by the migration', async () => {
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api, [{ name: '苹果', unit: '斤', groupPriceFen: 1000 }]);
  const productId = products[0]!.productId;
  const gb = await openGroupBuy(api, leader.token, { items: [{ productId, stockLimit: 4 }] });
  expect((await placeOrder(api, await api.login(unique('resident')), gb.shareToken, [{ productId, quantity: 1 }])).status).toBe(201);
  const before = await gateOf(gb.groupBuyId);
  expect(before).toMatchObject({ status: 'open', [`s:${productId}`]: 3 });
  expect(await completeGate(db(), gb.groupBuyId)).toBe(false);
  expect(await gateOf(gb.groupBuyId)).toEqual(before);
});
