// Honest prices (issue 12, the regulators' 九不得): no sale below cost, a 划线价 only when a real sale in the 7
// days before backs it, sold counts that are real paid orders; products ship in whole cases (caseSize).
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { db, tableName } from '../../lib/store/dynamo';
import { keys } from '../../lib/store/keys';
import { activeLeader, openGroupBuy, operatorToken, placeOrder, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import type { GroupBuyView, ProductView } from '../../schemas/views';

const api = useStack();
let operator: string;
beforeAll(async () => {
  operator = await operatorToken(api);
});

const productOf = async (supplierId: string, productId: string) =>
  ((await api.call('GET', `/products?supplierId=${supplierId}`, { token: operator })).body.items as ProductView[]).find(
    (p) => p.productId === productId,
  );

test('products: caseSize defaults to 1 and is bounded; no price change may sell below cost, and a refused one changes nothing', async () => {
  const { supplierId, products } = await supplierWithProducts(api);
  const productId = products[0]!.productId;
  expect(await productOf(supplierId, productId)).toMatchObject({ caseSize: 1, supplyPriceFen: 800, groupPriceFen: 1000 });

  const create = (body: object) =>
    api.call('POST', '/products', {
      token: operator,
      body: { supplierId, name: '土鸡蛋', unit: '盒', supplyPriceFen: 800, groupPriceFen: 1000, ...body },
    });
  const eggs = await create({ caseSize: 12 });
  expect(eggs.status).toBe(201);
  expect(eggs.body.caseSize).toBe(12);
  for (const caseSize of [0, 1.5, 10_001, '12']) {
    const res = await create({ caseSize });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('caseSize');
  }
  const belowCost = await create({ groupPriceFen: 799 });
  expect(belowCost.status).toBe(400);
  expect(belowCost.body.error.details[0].path).toBe('groupPriceFen');

  const patch = (body: object) => api.call('PATCH', `/products/${productId}`, { token: operator, body });
  for (const [body, field] of [
    [{ groupPriceFen: 800 }, 'groupPriceFen'],
    [{ supplyPriceFen: 1000 }, 'supplyPriceFen'],
    [{ caseSize: 0 }, 'caseSize'],
    [{ groupPriceFen: -5 }, 'groupPriceFen'],
  ] as const) {
    const res = await patch(body);
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe(field);
  }
  expect((await patch({})).status).toBe(400);
  expect(
    (await api.call('PATCH', `/products/${productId}`, { token: await api.login(unique('resident')), body: { caseSize: 6 } })).status,
  ).toBe(403);
  expect(await productOf(supplierId, productId)).toMatchObject({ caseSize: 1, supplyPriceFen: 800, groupPriceFen: 1000 });

  const changed = await patch({ groupPriceFen: 900, caseSize: 6 });
  expect(changed.status).toBe(200);
  expect(await productOf(supplierId, productId)).toMatchObject({ caseSize: 6, supplyPriceFen: 800, groupPriceFen: 900 });
});

test('a 划线价 shows only what residents really paid in the 7 days before; sold counts are paid orders only', async () => {
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api, [{ groupPriceFen: 1200 }, { groupPriceFen: 1500 }]);
  const [apples, pears] = [products[0]!.productId, products[1]!.productId];

  // Nobody types a 划线价: one sent with the group buy is not kept.
  const typed = await api.call('POST', '/group-buys', {
    token: leader.token,
    body: {
      title: '今日鲜果团',
      cutoffAt: new Date(Date.now() + 6 * 3_600_000).toISOString(),
      pickupDate: new Date(Date.now() + 38 * 3_600_000).toISOString().slice(0, 10),
      items: [{ productId: apples, referencePriceFen: 9_999 }, { productId: pears }],
    },
  });
  expect(typed.status).toBe(201);
  const first = typed.body as { shareToken: string };
  const view = async (shareToken: string) => (await api.call('GET', `/share/${shareToken}`)).body.items as GroupBuyView['items'];
  expect((await view(first.shareToken)).map((i) => i.referencePriceFen)).toEqual([undefined, undefined]);

  // Two residents pay for apples (3 units), a third orders and never pays, a fourth pays then cancels.
  const order = async (items: { productId: string; quantity: number }[], pay = true) => {
    const resident = await api.login(unique('resident'));
    const placed = await placeOrder(api, resident, first.shareToken, items);
    expect(placed.status).toBe(201);
    if (pay) expect((await api.call('POST', `/dev/pay/${placed.body.orderId}`)).status).toBe(200);
    return { resident, orderId: placed.body.orderId as string };
  };
  await order([
    { productId: apples, quantity: 2 },
    { productId: pears, quantity: 1 },
  ]);
  await order([{ productId: apples, quantity: 1 }]);
  await order([{ productId: apples, quantity: 5 }], false);
  const cancelled = await order([{ productId: apples, quantity: 4 }]);
  expect((await api.call('POST', `/orders/${cancelled.orderId}/cancel`, { token: cancelled.resident })).status).toBe(200);
  expect((await view(first.shareToken)).map((i) => [i.soldQuantity, i.buyers])).toEqual([
    [3, 2],
    [1, 1],
  ]);

  // Pears' sale moves to 8 days ago: outside the window, it backs nothing.
  const eightDaysAgo = new Date(Date.now() - 8 * 86_400_000).toISOString();
  const { Items } = await db().send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.productPricePartition(pears) },
    }),
  );
  expect(Items).toHaveLength(1);
  await db().send(
    new UpdateCommand({
      TableName: tableName(),
      Key: { pk: Items![0]!.pk, sk: Items![0]!.sk },
      UpdateExpression: 'SET firstPaidAt = :at, lastPaidAt = :at',
      ExpressionAttributeValues: { ':at': eightDaysAgo },
    }),
  );

  // Both get cheaper; the next group buy shows apples' real earlier price, and none for pears.
  for (const [productId, groupPriceFen] of [
    [apples, 1000],
    [pears, 1000],
  ] as const) {
    expect((await api.call('PATCH', `/products/${productId}`, { token: operator, body: { groupPriceFen } })).status).toBe(200);
  }
  const second = await openGroupBuy(api, leader.token, { items: [{ productId: apples }, { productId: pears }] });
  expect((await view(second.shareToken)).map((i) => [i.groupPriceFen, i.referencePriceFen, i.soldQuantity])).toEqual([
    [1000, 1200, 0],
    [1000, undefined, 0],
  ]);
  // Dearer again: no earlier sale was above the new price, so no 划线价.
  expect((await api.call('PATCH', `/products/${apples}`, { token: operator, body: { groupPriceFen: 1300 } })).status).toBe(200);
  const third = await openGroupBuy(api, leader.token, { items: [{ productId: apples }] });
  expect((await view(third.shareToken))[0]!.referencePriceFen).toBeUndefined();
});
