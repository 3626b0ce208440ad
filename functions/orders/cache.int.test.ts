// A warm orders function keeps the group buys its writes proved (lib/orders/snapshots.ts)
// and places an order with one request. Whatever changes after they were kept, the next order is decided on
// what is stored now: through the real handler, against DynamoDB Local.
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '../../lib/store/dynamo';
import { keys } from '../../lib/store/keys';
import { activeLeader, openGroupBuy, placeOrder, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { passCutoff } from '../../test/support/time-travel';

const api = useStack();

/** The DynamoDB requests the platform sends while `work` runs (the handlers share this process's client). */
async function requestsDuring<T>(work: () => Promise<T>): Promise<{ result: T; requests: string[] }> {
  const requests: string[] = [];
  const client = db();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      requests.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'cacheTestRequests' },
  );
  try {
    return { result: await work(), requests };
  } finally {
    client.middlewareStack.remove('cacheTestRequests');
  }
}

async function groupBuyOf(leaderToken: string, stockLimit = 10) {
  const { products } = await supplierWithProducts(api, [{ name: '草莓', unit: '盒', groupPriceFen: 1000 }]);
  const productId = products[0]!.productId;
  const gb = await openGroupBuy(api, leaderToken, { items: [{ productId, stockLimit }] });
  const order = async (quantity = 1) => placeOrder(api, await api.login(unique('resident')), gb.shareToken, [{ productId, quantity }]);
  const remaining = async () => (await api.call('GET', `/group-buys/${gb.groupBuyId}`)).body.items[0].remaining as number;
  return { gb, productId, order, remaining };
}

test('a warm function places an order with one request; a group buy closed after it was kept is refused, and read afresh after', async () => {
  const leader = await activeLeader(api);
  const { gb, order, remaining } = await groupBuyOf(leader.token);
  expect((await order()).status).toBe(201);

  const warm = await requestsDuring(() => order());
  expect(warm.result.status).toBe(201);
  expect(warm.requests).toEqual(['TransactWriteItems']);

  // Closed by the cutoff job: the copy the function keeps still says open, with a cutoff hours away.
  await passCutoff(gb.groupBuyId);
  const operator = await api.login('op-cache', ['operator']);
  const cutoff = await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }));
  expect(cutoff.body).toMatchObject({ closed: 1 });
  const late = await order();
  expect(late.status).toBe(409);
  expect(late.body.error.code).toBe('GROUP_BUY_CLOSED');
  expect(await remaining()).toBe(8);

  // The refusal dropped the kept copy: the next resident is refused on the stored one, without a write.
  const next = await requestsDuring(() => order());
  expect(next.result.body.error.code).toBe('GROUP_BUY_CLOSED');
  expect(next.requests).not.toContain('TransactWriteItems');
  expect(await remaining()).toBe(8);
});

test('a pickup capacity set, raised, lowered or cleared is the one the next order of a warm function meets', async () => {
  const leader = await activeLeader(api);
  const setCapacity = async (dailyOrderCapacity: number | null) =>
    expect((await api.call('PATCH', '/leaders/me', { token: leader.token, body: { pickupPoint: { dailyOrderCapacity } } })).status).toBe(
      200,
    );
  const { order } = await groupBuyOf(leader.token);
  const outcome = async () => {
    const res = await order();
    return res.status === 201 ? 'placed' : (res.body.error.code as string);
  };

  expect(await outcome()).toBe('placed'); // no limit
  await setCapacity(1); // the order above holds the one place
  expect(await outcome()).toBe('PICKUP_POINT_FULL');
  await setCapacity(2);
  expect(await outcome()).toBe('placed'); // 2
  await setCapacity(3);
  expect(await outcome()).toBe('placed'); // 3: the places counter carries it, nothing is kept
  expect(await outcome()).toBe('PICKUP_POINT_FULL');
  await setCapacity(null);
  expect(await outcome()).toBe('placed');
});

test('a group buy moved to another version while open is priced again from the stored copy, not the kept one', async () => {
  const leader = await activeLeader(api);
  const { gb, order } = await groupBuyOf(leader.token);
  expect((await order()).body.totalFen).toBe(1000);

  // No writer changes an open group buy's items today; one that did would move its version on, with its
  // gate's in the same transaction (lib/store/gate.ts), as here.
  const names = { '#version': 'version' };
  await db().send(
    new TransactWriteCommand({
      TransactItems: [
        {
          Update: {
            TableName: tableName(),
            Key: keys.groupBuy(gb.groupBuyId),
            UpdateExpression: 'SET #items[0].groupPriceFen = :price ADD #version :one',
            ExpressionAttributeNames: { '#items': 'items', ...names },
            ExpressionAttributeValues: { ':price': 1200, ':one': 1 },
          },
        },
        {
          Update: {
            TableName: tableName(),
            Key: keys.groupBuyGate(gb.groupBuyId),
            UpdateExpression: 'ADD #version :one',
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: { ':one': 1 },
          },
        },
      ],
    }),
  );
  const repriced = await order(2);
  expect(repriced.status).toBe(201);
  expect(repriced.body).toMatchObject({ totalFen: 2400, items: [expect.objectContaining({ unitPriceFen: 1200, amountFen: 2400 })] });
});
