// Paying through WeChat Pay on CloudBase (PAYMENT_PROVIDER=wechatpay, DATA_STORE=cloudbase): the orders entry
// asks WeChat Pay for a JSAPI prepay with the payer's OPENID from their CloudBase profile; WeChat Pay's signed,
// encrypted notifications reach the payments entry at the notify_url's path; money that does not fit the order
// goes back through the refunds consumer's outbox sweep (submitted), settled by WeChat Pay's refund
// notification, once. WeChat Pay is the stand-in that checks our signatures; the database is CloudBase's stand-in.
import { identity, startWeChatPayStandIn } from '../support/wechatpay-env';
import type { SignedDelivery, WeChatPayStandIn } from '../support/wechatpay-standin';
import { standInDb, seedGroupBuyOfApples, startFunctionStandIn, stopFunctionStandIn } from './function-env';
import { asCaller, bodyOf, moneyEntries, sample, timerContext, timerEvent } from './money';
import type { CloudBaseStandIn } from './standin';

let wechat: WeChatPayStandIn;
let standIn: CloudBaseStandIn;
let entries: Awaited<ReturnType<typeof moneyEntries>>;
let refunds: typeof import('../../functions/refunds/cloudbase').main;
let payer: string;
const OPENID = 'oMiniP7x9Qk2LrTz5VbN1cDe3FgH';

beforeAll(async () => {
  // WeChat Pay's address first: the functions read it when they first pay.
  wechat = await startWeChatPayStandIn();
  standIn = await startFunctionStandIn();
  entries = await moneyEntries();
  ({ main: refunds } = await import('../../functions/refunds/cloudbase'));
  await seedGroupBuyOfApples(standIn, new Date(), 10);
  // A resident who signed in with WeChat: their OPENID is on their profile.
  const db = await standInDb(standIn);
  await db.collection('users').doc('u-wx-payer').set({ userId: 'u-wx-payer', wechatOpenId: OPENID, createdAt: '2026-11-01T00:00:00.000Z' });
  payer = await entries.token('u-wx-payer');
});
afterAll(async () => {
  await stopFunctionStandIn(standIn);
  await wechat.stop();
});

/** WeChat Pay POSTs a delivery to the path of the notify_url we gave it, through HTTP access. */
const deliver = (delivery: SignedDelivery, notifyUrl: string) =>
  entries.payments({
    ...sample('payments-notify.json'),
    path: new URL(notifyUrl).pathname,
    body: delivery.rawBody,
    headers: { host: 'tuangou-prod-1a2b3c.service.tcloudbase.com', 'user-agent': 'Mozilla/4.0', ...delivery.headers },
  });

async function prepaid(key: string) {
  const { orderId, totalFen } = await entries.placeOrder(payer, key, 2);
  const start = await entries.orders(asCaller('orders-payment.json', payer, `/orders/${orderId}/payment`));
  expect([start.statusCode, bodyOf(start).provider]).toEqual([200, 'wechatpay']);
  return { orderId, totalFen };
}

test('a JSAPI prepay for the payer’s OPENID; WeChat Pay’s notification pays the order once', async () => {
  const { orderId, totalFen } = await prepaid('wx-pay-0001');
  const prepay = wechat.requests.find((r) => r.path === '/v3/pay/transactions/jsapi' && r.body.out_trade_no === orderId)!;
  expect(prepay.body).toMatchObject({
    appid: identity.appid,
    mchid: identity.mchid,
    payer: { openid: OPENID },
    amount: { total: totalFen },
  });

  const paid = wechat.pay(orderId);
  expect(new URL(paid.notifyUrl).pathname).toBe('/payments/wechatpay/notify');
  for (let i = 0; i < 2; i++) expect((await deliver(paid.delivery, paid.notifyUrl)).statusCode).toBe(200);
  expect(standIn.documents('orders').find((d) => d._id === orderId)).toMatchObject({
    status: 'paid',
    paymentId: paid.transactionId,
    version: 2,
  });
  expect(standIn.documents('audit').filter((d) => d.entityId === orderId && d.action === 'order.paid')).toHaveLength(1);
  // The sandbox's webhook is closed while WeChat Pay is the provider.
  expect((await entries.payments({ ...sample('payments-notify.json'), body: '{}' })).statusCode).toBe(404);
});

test('a wrong amount is refunded through WeChat Pay by the refunds consumer, and settled by its refund notification once', async () => {
  const { orderId, totalFen } = await prepaid('wx-pay-0002');
  const paid = wechat.pay(orderId, { amountFen: totalFen - 1 });
  expect((await deliver(paid.delivery, paid.notifyUrl)).statusCode).toBe(200);
  expect(standIn.documents('orders').find((d) => d._id === orderId)).toMatchObject({ status: 'pending_payment' });

  const refundId = `unapplied-${paid.transactionId}`;
  expect(await refunds(timerEvent(), timerContext('refunds', 'sweep-1'))).toEqual({ delivered: 1, failed: 0, dead: 0 });
  expect(wechat.refunds.get(refundId)?.request).toMatchObject({
    transaction_id: paid.transactionId,
    amount: { refund: totalFen - 1, total: totalFen - 1, currency: 'CNY' },
  });
  expect(standIn.documents('refunds')).toEqual([expect.objectContaining({ refundId, status: 'submitted' })]);

  const confirmed = wechat.settleRefund(refundId);
  expect(new URL(confirmed.notifyUrl).pathname).toBe('/payments/wechatpay/refund-notify');
  for (let i = 0; i < 2; i++) expect((await deliver(confirmed.delivery, confirmed.notifyUrl)).statusCode).toBe(200);
  expect(standIn.documents('refunds')).toEqual([expect.objectContaining({ refundId, status: 'succeeded' })]);
  expect(standIn.documents('audit').filter((d) => d.entityId === orderId && d.action === 'refund.succeeded')).toHaveLength(1);
});
