// The payments function's CloudBase entry, called as CloudBase's HTTP access service calls it, with
// DATA_STORE=cloudbase and the real SDK sending its database calls to the stand-in: a resident starts paying
// through the orders entry (which owns `/orders` there), the sandbox provider's signed notification reaches
// `/payments/notify` and pays the order once however often it comes; a forged one changes nothing; money for an
// order that cannot take it is recorded and its refund handed to the refunds consumer's outbox.
import { seedGroupBuyOfApples, useFunctionStandIn } from '../../test/cloudbase/function-env';
import { auditActions } from '../../test/contract/people';
import { asCaller, bodyOf, moneyEntries, sample } from '../../test/cloudbase/money';

const standIn = useFunctionStandIn();
let entries: Awaited<ReturnType<typeof moneyEntries>>;
let resident: string;

beforeAll(async () => {
  entries = await moneyEntries();
  await seedGroupBuyOfApples(standIn, new Date(), 10);
  resident = await entries.token('u-payer');
});

test('a resident pays with the sandbox: the order is paid once, however often the notification comes', async () => {
  const { orderId, totalFen } = await entries.placeOrder(resident, 'pay-key-0001', 2);
  const start = await entries.orders(asCaller('orders-payment.json', resident, `/orders/${orderId}/payment`));
  expect([start.statusCode, bodyOf(start)]).toEqual([200, { provider: 'sandbox' }]);

  const { deliver } = await entries.pay(orderId, totalFen, 'sbx-pay-0001');
  const first = await deliver();
  expect([first.statusCode, bodyOf(first)]).toEqual([200, { orderId, status: 'paid' }]);
  const again = await deliver();
  expect([again.statusCode, bodyOf(again)]).toEqual([200, { orderId, status: 'paid' }]);

  expect(standIn.documents('orders').find((d) => d._id === orderId)).toMatchObject({
    status: 'paid',
    paymentId: 'sbx-pay-0001',
    version: 2,
  });
  expect(standIn.documents('payments')).toEqual([
    expect.objectContaining({ _id: 'sbx-pay-0001', amountFen: totalFen, outcome: 'applied' }),
  ]);
  expect(auditActions(standIn, orderId)).toEqual(['order.placed', 'order.paid']);
  expect(standIn.documents('refunds')).toEqual([]);

  // Paid: there is nothing left to pay.
  const late = await entries.orders(asCaller('orders-payment.json', resident, `/orders/${orderId}/payment`));
  expect([late.statusCode, bodyOf(late)]).toEqual([409, { error: expect.objectContaining({ code: 'CONFLICT' }) }]);
});

test('a forged notification is 401 and changes nothing; a malformed one is 400', async () => {
  const { orderId, totalFen } = await entries.placeOrder(resident, 'pay-key-0002');
  const { rawBody } = await entries.pay(orderId, totalFen, 'sbx-forged-0002');
  const event = sample('payments-notify.json');
  const forged = await entries.payments({ ...event, body: rawBody, headers: { ...event.headers, 'x-payment-signature': 'ab'.repeat(32) } });
  expect([forged.statusCode, bodyOf(forged)]).toEqual([401, { error: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }]);
  expect(standIn.documents('orders').find((d) => d._id === orderId)).toMatchObject({ status: 'pending_payment', version: 1 });
  expect(standIn.documents('payments').find((d) => d._id === 'sbx-forged-0002')).toBeUndefined();

  const { signPayload } = await import('../../lib/payments/provider');
  const { config } = await import('../../lib/runtime/config');
  const bad = JSON.stringify({ orderId, amountFen: 'a lot' });
  const malformed = await entries.payments({
    ...event,
    body: bad,
    headers: { ...event.headers, 'x-payment-signature': signPayload(config.paymentWebhookSecret, bad) },
  });
  expect(malformed.statusCode).toBe(400);
});

test('money for an unknown order is recorded and refunded once: its refund goes to the refunds consumer', async () => {
  const { deliver } = await entries.pay('o-no-such-order', 1500, 'sbx-stray-0003');
  for (let i = 0; i < 2; i++) {
    const answer = await deliver();
    expect([answer.statusCode, bodyOf(answer)]).toEqual([
      200,
      { orderId: 'o-no-such-order', refunded: true, reason: 'payment for an unknown order' },
    ]);
  }
  expect(standIn.documents('payments').find((d) => d._id === 'sbx-stray-0003')).toMatchObject({ amountFen: 1500, outcome: 'refunded' });
  expect(standIn.documents('refunds')).toEqual([
    expect.objectContaining({ refundId: 'unapplied-sbx-stray-0003', orderId: 'o-no-such-order', amountFen: 1500, status: 'requested' }),
  ]);
  expect(auditActions(standIn, 'o-no-such-order')).toEqual(['payment.refunded_unapplied']);
  // One item for the refunds consumer: the refund is sent by it (functions/refunds/cloudbase.test.ts).
  const forRefunds = standIn.documents('outbox').filter((d) => d.consumer === 'refunds');
  expect(
    forRefunds.map(
      (d) => (JSON.parse(String(d.body)) as { dynamodb: { NewImage: { refundId: { S: string } } } }).dynamodb.NewImage.refundId.S,
    ),
  ).toEqual(['unapplied-sbx-stray-0003']);
});

test('serves the providers’ notifications only: the routes under /orders are the orders function’s on CloudBase', async () => {
  const { routes } = await import('./cloudbase');
  expect(Object.keys(routes).sort()).toEqual([
    'POST /payments/notify',
    'POST /payments/wechatpay/notify',
    'POST /payments/wechatpay/refund-notify',
  ]);
  const { routes: orderRoutes } = await import('../orders/cloudbase');
  expect(Object.keys(orderRoutes)).toContain('POST /orders/{orderId}/payment');
  const elsewhere = await entries.payments(asCaller('orders-payment.json', resident, '/orders/o-1/payment'));
  expect(elsewhere.statusCode).toBe(404);
});
