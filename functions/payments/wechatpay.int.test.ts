// Paying through WeChat Pay (PAYMENT_PROVIDER=wechatpay), against the real stack and a stand-in of WeChat
// Pay that checks our request signatures: prepay, genuine and forged notifications, refunds of money that
// does not fit, and refunds confirmed by WeChat Pay's refund notification.
import { identity, merchantKeys, startWeChatPayStandIn } from '../../test/support/wechatpay-env';
import { createVerify } from 'node:crypto';
import { auditTrail } from '../../lib/store/audit';
import { dynamoOrderStore } from '../../lib/store/orders';
import { activeLeader, openGroupBuy, operatorToken, placeOrder, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { passPaymentDeadline } from '../../test/support/time-travel';
import { signedInWithWeChat } from '../../test/support/wechat-sign-in';
import type { SignedDelivery, WeChatPayStandIn } from '../../test/support/wechatpay-standin';
import { newKeyPair } from '../../test/support/wechatpay-standin';

// The stand-in first: the stack's functions read its address when they load.
let wechat: WeChatPayStandIn;
beforeAll(async () => {
  wechat = await startWeChatPayStandIn();
});
afterAll(() => wechat.stop());
const api = useStack();

let shareToken: string;
let productId: string;
beforeAll(async () => {
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api);
  productId = products[0]!.productId;
  shareToken = (await openGroupBuy(api, leader.token, { items: [{ productId, stockLimit: 100 }] })).shareToken;
});

async function pendingOrder(options: { openId?: boolean } = {}) {
  const userId = unique('resident');
  const token = await api.login(userId);
  const openId = options.openId === false ? undefined : await signedInWithWeChat(userId);
  const placed = await placeOrder(api, token, shareToken, [{ productId, quantity: 3 }]);
  expect(placed.status).toBe(201);
  return {
    orderId: placed.body.orderId as string,
    totalFen: placed.body.totalFen as number,
    expiresAt: placed.body.expiresAt as string,
    token,
    openId,
  };
}

/** POSTs a delivery to the path of the notify_url we gave WeChat Pay. */
function deliver(delivery: SignedDelivery, notifyUrl: string) {
  return api.call('POST', new URL(notifyUrl).pathname, { rawBody: delivery.rawBody, headers: delivery.headers });
}

const orderOf = async (orderId: string, token: string) => (await api.call('GET', `/orders/${orderId}`, { token })).body;

async function prepaid() {
  const order = await pendingOrder();
  const res = await api.call('POST', `/orders/${order.orderId}/payment`, { token: order.token });
  expect(res.status).toBe(200);
  return { ...order, jsapi: res.body.jsapi };
}

test('a JSAPI prepay: signed request with time_expire = the order deadline, and paySign the page can use', async () => {
  const { orderId, totalFen, expiresAt, openId, jsapi } = await prepaid();
  const call = wechat.requests.find((r) => r.path === '/v3/pay/transactions/jsapi' && r.body.out_trade_no === orderId)!;
  expect(call.body).toMatchObject({
    appid: identity.appid,
    mchid: identity.mchid,
    out_trade_no: orderId,
    amount: { total: totalFen, currency: 'CNY' },
    payer: { openid: openId },
  });
  expect(new URL(String(call.body.notify_url)).pathname).toBe('/payments/wechatpay/notify');
  expect(call.body.time_expire).toMatch(/\+08:00$/);
  expect(Date.parse(String(call.body.time_expire))).toBe(Math.floor(Date.parse(expiresAt) / 1000) * 1000);
  expect(wechat.refused).toEqual([]);

  const prepayId = wechat.transactions.get(orderId)!.prepayId;
  expect(jsapi).toMatchObject({ appId: identity.appid, package: `prepay_id=${prepayId}`, signType: 'RSA' });
  const message = `${jsapi.appId}\n${jsapi.timeStamp}\n${jsapi.nonceStr}\n${jsapi.package}\n`;
  expect(createVerify('RSA-SHA256').update(message).verify(merchantKeys.publicKey, jsapi.paySign, 'base64')).toBe(true);
});

test('a resident who never signed in with WeChat is told to, and nothing is sent to WeChat Pay', async () => {
  const { orderId, token } = await pendingOrder({ openId: false });
  const res = await api.call('POST', `/orders/${orderId}/payment`, { token });
  expect(res.status).toBe(409);
  expect(res.body.error.message).toMatch(/WeChat sign-in/);
  expect(wechat.requests.some((r) => r.body?.out_trade_no === orderId)).toBe(false);
});

test('a genuine notification pays the order (paid when the 200 is sent); a repeat changes nothing', async () => {
  const { orderId, token } = await prepaid();
  const paid = wechat.pay(orderId);
  const res = await deliver(paid.delivery, paid.notifyUrl);
  expect(res.status).toBe(200);
  expect(await orderOf(orderId, token)).toMatchObject({ status: 'paid' });
  const again = await deliver(paid.delivery, paid.notifyUrl);
  expect(again.status).toBe(200);
  expect((await auditTrail(orderId)).filter((e) => e.action === 'order.paid')).toHaveLength(1);
  expect((await dynamoOrderStore().get(orderId))!.paymentId).toBe(paid.transactionId);
  // The sandbox's HMAC webhook is closed while WeChat Pay is the provider.
  expect((await api.call('POST', '/payments/notify', { rawBody: '{}' })).status).toBe(404);
});

test('forged, altered, stale, replayed, wrong-key and wrong-merchant notifications are refused and change nothing', async () => {
  const { orderId, token } = await prepaid();
  const fiveMinutesAgo = Math.floor(Date.now() / 1000) - 301;
  const forgeries: [string, () => SignedDelivery, number][] = [
    ['signed with another key', () => wechat.pay(orderId, { signWith: newKeyPair().privateKey }).delivery, 401],
    [
      'altered after signing',
      () => {
        const genuine = wechat.pay(orderId).delivery;
        return { ...genuine, rawBody: genuine.rawBody.replace('"EV-', '"EX-') };
      },
      401,
    ],
    ['stale (timestamp over 5 minutes old)', () => wechat.pay(orderId, { timestamp: fiveMinutesAgo }).delivery, 401],
    ['from the future', () => wechat.pay(orderId, { timestamp: fiveMinutesAgo + 700 }).delivery, 401],
    ['named by another public key id', () => wechat.pay(orderId, { serial: 'PUB_KEY_ID_0000000000000000000000000000000' }).delivery, 401],
    ['unsigned', () => ({ ...wechat.pay(orderId).delivery, headers: { 'content-type': 'application/json' } }), 401],
    ['for another merchant', () => wechat.pay(orderId, { resource: { mchid: '1230000109' } }).delivery, 400],
    ['for another app', () => wechat.pay(orderId, { resource: { appid: 'wx0000000000000000' } }).delivery, 400],
    ['encrypted with another APIv3 key', () => wechat.pay(orderId, { apiV3Key: 'b'.repeat(32) }).delivery, 400],
  ];
  for (const [name, make, status] of forgeries) {
    const res = await deliver(make(), wechat.transactions.get(orderId)!.request.notify_url);
    expect({ name, status: res.status, body: res.body }).toEqual({ name, status, body: { code: 'FAIL', message: expect.any(String) } });
  }
  // A genuine notification captured and replayed once its 5 minutes are over.
  const captured = wechat.pay(orderId, { timestamp: fiveMinutesAgo });
  expect((await deliver(captured.delivery, captured.notifyUrl)).status).toBe(401);

  expect(await orderOf(orderId, token)).toMatchObject({ status: 'pending_payment' });
  expect(await dynamoOrderStore().getPayment(wechat.transactions.get(orderId)!.transactionId!)).toBeUndefined();
  expect((await auditTrail(orderId)).map((e) => e.action)).toEqual(['order.placed']);
});

test('a mismatched amount is refunded through WeChat Pay, submitted until its refund notification confirms it', async () => {
  const { orderId, token, totalFen } = await prepaid();
  const paid = wechat.pay(orderId, { amountFen: totalFen - 1 });
  expect((await deliver(paid.delivery, paid.notifyUrl)).status).toBe(200);
  expect(await orderOf(orderId, token)).toMatchObject({ status: 'pending_payment' });
  await api.drain(); // the refunds function sends it

  const refundId = `unapplied-${paid.transactionId}`;
  const sent = wechat.requests.find((r) => r.path === '/v3/refund/domestic/refunds' && r.body.out_refund_no === refundId)!;
  expect(sent.body).toMatchObject({
    transaction_id: paid.transactionId,
    amount: { refund: totalFen - 1, total: totalFen - 1, currency: 'CNY' },
  });
  expect(new URL(String(sent.body.notify_url)).pathname).toBe('/payments/wechatpay/refund-notify');
  const [submitted] = await dynamoOrderStore().listRefunds(orderId);
  expect(submitted).toMatchObject({ refundId, status: 'submitted', amountFen: totalFen - 1 });

  // A forged confirmation changes nothing; WeChat Pay's own settles it, once.
  const forged = wechat.settleRefund(refundId, 'SUCCESS', { signWith: newKeyPair().privateKey });
  expect((await deliver(forged.delivery, forged.notifyUrl)).status).toBe(401);
  expect((await dynamoOrderStore().listRefunds(orderId))[0]!.status).toBe('submitted');
  const confirmed = wechat.settleRefund(refundId);
  expect((await deliver(confirmed.delivery, confirmed.notifyUrl)).status).toBe(200);
  expect((await deliver(confirmed.delivery, confirmed.notifyUrl)).status).toBe(200);
  expect((await dynamoOrderStore().listRefunds(orderId))[0]).toMatchObject({ status: 'succeeded' });
  expect((await auditTrail(orderId)).filter((e) => e.action === 'refund.succeeded')).toHaveLength(1);
});

test('a payment confirmed after the order deadline is refunded, even before the expiry job runs', async () => {
  const { orderId, token } = await prepaid();
  await passPaymentDeadline(orderId);
  const paid = wechat.pay(orderId);
  expect((await deliver(paid.delivery, paid.notifyUrl)).status).toBe(200);
  expect(await orderOf(orderId, token)).toMatchObject({ status: 'pending_payment' });
  await api.drain();
  const [refund] = await dynamoOrderStore().listRefunds(orderId);
  expect(refund).toMatchObject({
    refundId: `unapplied-${paid.transactionId}`,
    status: 'submitted',
    reason: expect.stringContaining('deadline'),
  });
  expect(wechat.refunds.has(refund!.refundId)).toBe(true);
});

test("an operator's refund of a paid order goes to WeChat Pay and is settled by its notification; a closed one is marked failed", async () => {
  const { orderId, token, totalFen } = await prepaid();
  const paid = wechat.pay(orderId);
  await deliver(paid.delivery, paid.notifyUrl);
  const operator = await operatorToken(api);
  const first = await api.call('POST', `/orders/${orderId}/refunds`, { token: operator, body: { amountFen: 100, reason: '少了一个' } });
  const second = await api.call('POST', `/orders/${orderId}/refunds`, { token: operator, body: { amountFen: 200, reason: '又坏了一个' } });
  expect([first.status, second.status]).toEqual([201, 201]);
  await api.drain();
  for (const r of [first, second]) {
    expect(wechat.refunds.get(r.body.refundId)?.request).toMatchObject({
      transaction_id: paid.transactionId,
      amount: { refund: r.body.amountFen, total: totalFen },
    });
  }
  const ok = wechat.settleRefund(first.body.refundId);
  const closed = wechat.settleRefund(second.body.refundId, 'CLOSED');
  expect((await deliver(ok.delivery, ok.notifyUrl)).status).toBe(200);
  expect((await deliver(closed.delivery, closed.notifyUrl)).status).toBe(200);
  const refunds = await dynamoOrderStore().listRefunds(orderId);
  expect(refunds.find((r) => r.refundId === first.body.refundId)).toMatchObject({ status: 'succeeded' });
  expect(refunds.find((r) => r.refundId === second.body.refundId)).toMatchObject({
    status: 'failed',
    failedReason: expect.stringContaining('CLOSED'),
  });
  expect((await orderOf(orderId, token)).refundedFen).toBe(300);
});
