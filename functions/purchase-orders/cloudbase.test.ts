// The purchase-orders function's CloudBase entry, called as CloudBase's HTTP access service calls it (the samples
// in events/cloudbase/), with DATA_STORE=cloudbase and the real SDK sending its database calls to the stand-in: a
// supplier lists its purchase orders of a date, reads one, acknowledges it once; another supplier sees none.
import type { HttpResult } from '../../lib/runtime/http';
import { standInDb, useFunctionStandIn } from '../../test/cloudbase/function-env';
import { auditActions } from '../../test/contract/people';
import { asCaller, bodyOf, sample } from '../../test/cloudbase/money';
import { orderLine, PICKUP_DATE, readyOrder } from '../../test/support/seeds';

const standIn = useFunctionStandIn();
let main: typeof import('./cloudbase').main;
let supplier: string;
let stranger: string;
let id: string;

/** An order of S1's apples (and S2's rice) ready for pickup at L1's point. */
const order = (orderId: string, apples: number) =>
  readyOrder(orderId, 'L1', 3, [orderLine('apple', 'S1', apples, 800), orderLine('rice', 'S2', 1, 3000)]);

beforeAll(async () => {
  ({ main } = await import('./cloudbase'));
  const { stageIdentity } = await import('../../lib/runtime/auth');
  const { consolidate } = await import('../../lib/purchase-orders/consolidation');
  const { consolidationDeps } = await import('../../lib/purchase-orders/wiring');
  const { purchaseOrderIdOf } = await import('../../lib/purchase-orders/ids');
  const db = await standInDb(standIn);
  // S1's apples come in cases of 6 (the catalogue's product document).
  await db.collection('products').doc('apple').set({
    productId: 'apple',
    supplierId: 'S1',
    name: '苹果',
    unit: '袋',
    supplyPriceFen: 800,
    groupPriceFen: 1600,
    commissionRateBps: 1000,
    caseSize: 6,
    status: 'active',
    createdAt: '2026-11-01T00:00:00.000Z',
    version: 1,
  });
  const pickupPoint = { name: '芳芳小卖部', address: '幸福路 1 号' };
  const deps = { ...consolidationDeps(), groupBuys: { get: async () => ({ pickupPoint }) as never } };
  const result = await consolidate(
    deps,
    [order('O1', 4), order('O2', 5)].map((o) => ({ changeId: o.orderId, order: () => o })),
  );
  expect(result.failedChangeIds).toEqual([]);
  supplier = await stageIdentity.issue({ userId: 'u-s1', roles: ['supplier'], supplierId: 'S1' });
  stranger = await stageIdentity.issue({ userId: 'u-s2', roles: ['supplier'], supplierId: 'S2' });
  id = purchaseOrderIdOf('S1', PICKUP_DATE, 1);
});

const expectOk = (result: HttpResult, status = 200) =>
  expect([result.statusCode, result.statusCode === status ? '' : result.body]).toEqual([status, '']);

test('a supplier lists its purchase orders of a date and reads one, in cases, with its pickup points', async () => {
  const list = sample('purchase-orders-list.json');
  const listed = await main({
    ...asCaller('purchase-orders-list.json', supplier, '/purchase-orders'),
    queryStringParameters: { ...list.queryStringParameters, date: PICKUP_DATE },
  });
  expectOk(listed);
  expect(bodyOf<{ items: { purchaseOrderId: string }[] }>(listed).items.map((p) => p.purchaseOrderId)).toEqual([id]);

  const read = await main(asCaller('purchase-orders-get.json', supplier, `/purchase-orders/${id}`));
  expectOk(read);
  expect(bodyOf(read)).toMatchObject({
    purchaseOrderId: id,
    status: 'issued',
    revision: 1,
    totalFen: 9 * 800,
    lines: [expect.objectContaining({ productId: 'apple', quantity: 9, cases: 2, orderedQuantity: 12, surplusQuantity: 3 })],
    pickupPoints: [
      expect.objectContaining({ leaderId: 'L1', pickupPointName: '芳芳小卖部', lines: [expect.objectContaining({ quantity: 9 })] }),
    ],
  });

  // Another supplier is told it does not exist, and lists only its own.
  expect((await main(asCaller('purchase-orders-get.json', stranger, `/purchase-orders/${id}`))).statusCode).toBe(404);
  const theirs = await main({
    ...asCaller('purchase-orders-list.json', stranger, '/purchase-orders'),
    queryStringParameters: { date: PICKUP_DATE },
  });
  expect(bodyOf<{ items: { supplierId: string }[] }>(theirs).items.map((p) => p.supplierId)).toEqual(['S2']);
});

test('a supplier acknowledges its purchase order once: audited, the second time refused', async () => {
  const acknowledged = await main(asCaller('purchase-orders-acknowledge.json', supplier, `/purchase-orders/${id}/acknowledge`));
  expectOk(acknowledged);
  expect(bodyOf(acknowledged)).toMatchObject({ purchaseOrderId: id, status: 'acknowledged', acknowledgedRevision: 1 });
  const again = await main(asCaller('purchase-orders-acknowledge.json', supplier, `/purchase-orders/${id}/acknowledge`));
  expect([again.statusCode, bodyOf(again)]).toEqual([409, { error: expect.objectContaining({ code: 'CONFLICT' }) }]);
  expect(standIn.documents('purchaseOrders').find((d) => d.purchaseOrderId === id)).toMatchObject({ status: 'acknowledged' });
  expect(auditActions(standIn, id)).toEqual(['purchaseOrder.issued', 'purchaseOrder.acknowledged']);
});

test('serves the shortfalls route its access path brings here (answered, not a 404)', async () => {
  const report = await main({
    ...asCaller('purchase-orders-acknowledge.json', stranger, `/purchase-orders/${id}/shortfalls`, {
      body: { lines: [{ productId: 'apple', shortQuantity: 1 }], reason: '冻伤' },
    }),
    headers: {
      ...sample('purchase-orders-acknowledge.json').headers,
      authorization: `Bearer ${stranger}`,
      'content-type': 'application/json',
    },
  });
  // Not S2's purchase order: told it does not exist, as the AWS entry answers.
  expect([report.statusCode, bodyOf(report)]).toEqual([404, { error: expect.objectContaining({ code: 'NOT_FOUND' }) }]);
});
