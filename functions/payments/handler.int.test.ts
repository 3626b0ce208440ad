// The payment provider's webhook: signature, amount and repeats, against the real stack.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { expireDueOrders } from '../../lib/orders/orders';
import { signPayload } from '../../lib/payments/provider';
import { sandbox } from '../../lib/payments/wiring';
import { config } from '../../lib/runtime/config';
import { auditTrail } from '../../lib/store/audit';
import { db, tableName } from '../../lib/store/dynamo';
import { keys } from '../../lib/store/keys';
import { dynamoOrderStore } from '../../lib/store/orders';
import { activeLeader, openGroupBuy, placeOrder, supplierWithProducts, unique } from '../../test/support/fixtures';
import { startTestStack, type TestStack } from '../../test/support/stack';

let api: TestStack;
beforeAll(async () => {
  api = await startTestStack();
});
afterAll(() => api.stop());

async function pendingOrder(quantity = 2) {
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api);
  const gb = await openGroupBuy(api, leader.token, { items: [{ productId: products[0]!.productId, stockLimit: 20 }] });
  const resident = await api.login(unique('payer'));
  const placed = await placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity }]);
  return {
    orderId: placed.body.orderId as string,
    totalFen: placed.body.totalFen as number,
    resident,
    gb,
    productId: products[0]!.productId,
  };
}

function notify(body: Record<string, unknown>, signature?: string) {
  const rawBody = JSON.stringify(body);
  return api.call('POST', '/payments/notify', {
    rawBody,
    headers: { 'X-Payment-Signature': signature ?? signPayload(config.paymentWebhookSecret, rawBody) },
  });
}

const statusOf = async (orderId: string, token: string) => (await api.call('GET', `/orders/${orderId}`, { token })).body.status;

test('a correctly signed notification for the full amount marks the order paid; a repeat changes nothing', async () => {
  const { orderId, totalFen, resident } = await pendingOrder();
  const body = { orderId, paymentId: unique('wx'), amountFen: totalFen, paidAt: new Date().toISOString() };
  const first = await notify(body);
  expect(first.status).toBe(200);
  expect(first.body).toEqual({ orderId, status: 'paid' });
  const again = await notify(body);
  expect(again.status).toBe(200);
  expect(await statusOf(orderId, resident)).toBe('paid');
  expect((await auditTrail(orderId)).filter((e) => e.action === 'order.paid')).toHaveLength(1);
});

test('a bad or missing signature is 401 and the order stays unpaid', async () => {
  const { orderId, totalFen, resident } = await pendingOrder();
  const body = { orderId, paymentId: unique('wx'), amountFen: totalFen, paidAt: new Date().toISOString() };
  const forged = await notify(body, signPayload('not-the-secret', JSON.stringify(body)));
  expect(forged.status).toBe(401);
  expect(forged.body.error.code).toBe('UNAUTHENTICATED');
  const missing = await api.call('POST', '/payments/notify', { rawBody: JSON.stringify(body) });
  expect(missing.status).toBe(401);
  // Signed over another body than the one sent.
  const swapped = await api.call('POST', '/payments/notify', {
    rawBody: JSON.stringify({ ...body, amountFen: 1 }),
    headers: { 'X-Payment-Signature': signPayload(config.paymentWebhookSecret, JSON.stringify(body)) },
  });
  expect(swapped.status).toBe(401);
  expect(await statusOf(orderId, resident)).toBe('pending_payment');
});

test('an amount other than the order total is 409 and the order stays unpaid', async () => {
  const { orderId, totalFen, resident } = await pendingOrder();
  const res = await notify({ orderId, paymentId: unique('wx'), amountFen: totalFen - 1, paidAt: new Date().toISOString() });
  expect(res.status).toBe(409);
  expect(res.body.error.code).toBe('CONFLICT');
  expect(await statusOf(orderId, resident)).toBe('pending_payment');
});

test('a malformed notification is 400; one for an unknown order is 404', async () => {
  const bad = await notify({ orderId: 'x', amountFen: 'a lot' });
  expect(bad.status).toBe(400);
  expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  const unknown = await notify({ orderId: 'NO-SUCH-ORDER', paymentId: 'p', amountFen: 100, paidAt: new Date().toISOString() });
  expect(unknown.status).toBe(404);
});

test('money arriving for an expired order is refunded in full through the provider, and the stock stays released', async () => {
  const { orderId, totalFen, resident, gb, productId } = await pendingOrder(4);
  await expireDueOrders({ orders: dynamoOrderStore(), clock: { now: () => new Date(Date.now() + 20 * 60_000) } });
  expect(await statusOf(orderId, resident)).toBe('expired');

  // The resident pays at the provider after all; the provider notifies us.
  const paymentId = unique('late');
  const late = await sandbox.charge(orderId, totalFen, paymentId);
  const res = await api.call('POST', '/payments/notify', { rawBody: late.rawBody, headers: late.headers });
  expect(res.status).toBe(200);
  expect(res.body.status).toBe('expired');
  await api.drain();

  const refunds = await dynamoOrderStore().listRefunds(orderId);
  expect(refunds).toEqual([expect.objectContaining({ paymentId, amountFen: totalFen, status: 'succeeded' })]);
  const remaining = (await api.call('GET', `/group-buys/${gb.groupBuyId}`)).body.items.find(
    (i: { productId: string }) => i.productId === productId,
  ).remaining;
  expect(remaining).toBe(20);
  // A repeat of the late notification refunds nothing twice.
  await api.call('POST', '/payments/notify', { rawBody: late.rawBody, headers: late.headers });
  await api.drain();
  expect(await dynamoOrderStore().listRefunds(orderId)).toHaveLength(1);
});

test('/dev/pay acts as the sandbox provider: it records the payment and sends a signed notify', async () => {
  const { orderId, totalFen, resident } = await pendingOrder();
  const res = await api.call('POST', `/dev/pay/${orderId}`);
  expect(res.body).toEqual({ orderId, status: 'paid' });
  const order = await api.call('GET', `/orders/${orderId}`, { token: resident });
  expect(order.body.paidAt).toMatch(/\+08:00$/);
  const { Item } = await db().send(
    new GetCommand({ TableName: tableName(), Key: keys.payment((await dynamoOrderStore().get(orderId))!.paymentId!) }),
  );
  expect(Item).toMatchObject({ orderId, amountFen: totalFen, outcome: 'applied' });
  expect((await api.call('POST', '/dev/pay/NO-SUCH-ORDER')).status).toBe(404);
});
