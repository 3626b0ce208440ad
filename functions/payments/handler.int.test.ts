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
import { useStack } from '../../test/support/stack';
import { passPaymentDeadline } from '../../test/support/time-travel';

const api = useStack();

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

/** The resident pays `amountFen` at the sandbox provider, which notifies us; then the refunds run. */
async function payAtSandbox(orderId: string, amountFen: number) {
  const paymentId = unique('sbx');
  const charged = await sandbox.charge(orderId, amountFen, paymentId);
  const res = await api.call('POST', '/payments/notify', { rawBody: charged.rawBody, headers: charged.headers });
  await api.drain();
  return { res, paymentId, charged };
}

test('an amount other than the order total is refunded in full and recorded; the order stays unpaid', async () => {
  const { orderId, totalFen, resident } = await pendingOrder();
  const { res, paymentId } = await payAtSandbox(orderId, totalFen - 1);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ orderId, status: 'pending_payment', refunded: true });
  expect(await statusOf(orderId, resident)).toBe('pending_payment');
  expect(await dynamoOrderStore().listRefunds(orderId)).toEqual([
    expect.objectContaining({ paymentId, amountFen: totalFen - 1, status: 'succeeded', reason: expect.stringContaining('paid') }),
  ]);
  expect(await dynamoOrderStore().getPayment(paymentId)).toMatchObject({ outcome: 'refunded', amountFen: totalFen - 1 });
  expect((await auditTrail(orderId)).map((e) => e.action)).toContain('payment.refunded_unapplied');
});

test('money confirmed after the payment deadline is refunded even before the expiry job runs', async () => {
  const { orderId, totalFen, resident } = await pendingOrder();
  await passPaymentDeadline(orderId);
  const { res, paymentId } = await payAtSandbox(orderId, totalFen);
  expect(res.status).toBe(200);
  expect(res.body.refunded).toBe(true);
  expect(await statusOf(orderId, resident)).toBe('pending_payment'); // the expiry job will expire it
  expect(await dynamoOrderStore().listRefunds(orderId)).toEqual([
    expect.objectContaining({ paymentId, amountFen: totalFen, status: 'succeeded' }),
  ]);
});

test('a malformed notification is 400; money for an unknown order is refunded and recorded', async () => {
  const bad = await notify({ orderId: 'x', amountFen: 'a lot' });
  expect(bad.status).toBe(400);
  expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  const { res, paymentId } = await payAtSandbox('NO-SUCH-ORDER', 100);
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ orderId: 'NO-SUCH-ORDER', refunded: true });
  expect(await dynamoOrderStore().listRefunds('NO-SUCH-ORDER')).toEqual([
    expect.objectContaining({ paymentId, amountFen: 100, status: 'succeeded' }),
  ]);
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

test("with the sandbox, starting a payment names the sandbox; only the order's resident may, while it awaits payment", async () => {
  const { orderId, resident } = await pendingOrder();
  const start = await api.call('POST', `/orders/${orderId}/payment`, { token: resident });
  expect(start.status).toBe(200);
  expect(start.body).toEqual({ provider: 'sandbox' });
  expect((await api.call('POST', `/orders/${orderId}/payment`, { token: await api.login(unique('stranger')) })).status).toBe(404);
  expect((await api.call('POST', `/orders/${orderId}/payment`)).status).toBe(401);
  await api.call('POST', `/dev/pay/${orderId}`);
  const again = await api.call('POST', `/orders/${orderId}/payment`, { token: resident });
  expect(again.status).toBe(409);
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
