// Leader payouts through WeChat Pay's 商家转账, against the real stack and the WeChat Pay stand-in: a leader
// without a WeChat sign-in is told so and the payout waits; the transfer is sent when they collect, a failed
// one is sent again as a new bill, and only WeChat Pay's genuine notification pays the payout, once.
import '../../test/support/no-after-sales-window';
import { startWeChatPayStandIn } from '../../test/support/wechatpay-env';
import { auditTrail } from '../../lib/store/audit';
import { activeLeader, dateIn, openGroupBuy, operatorToken, placeOrder, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { passCutoff } from '../../test/support/time-travel';
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

const deliver = (delivery: SignedDelivery, notifyUrl: string) =>
  api.call('POST', new URL(notifyUrl).pathname, { rawBody: delivery.rawBody, headers: delivery.headers });

/** A leader whose picked-up order (paid through WeChat Pay) earned a commission, and its proposed payout. */
async function leaderWithProposedPayout() {
  const leader = await activeLeader(api);
  const operator = await operatorToken(api);
  const { products } = await supplierWithProducts(api, [{ groupPriceFen: 1000, supplyPriceFen: 800, commissionRateBps: 1000 }]);
  const pickupDate = dateIn(1);
  const gb = await openGroupBuy(api, leader.token, { items: [{ productId: products[0]!.productId }], pickupDate });
  const residentId = unique('resident');
  const resident = await api.login(residentId);
  await signedInWithWeChat(residentId);
  const placed = await placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity: 3 }]);
  await api.call('POST', `/orders/${placed.body.orderId}/payment`, { token: resident });
  const paid = wechat.pay(placed.body.orderId);
  expect((await deliver(paid.delivery, paid.notifyUrl)).status).toBe(200);

  await passCutoff(gb.groupBuyId);
  await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }));
  const code = (await api.call('GET', `/orders/${placed.body.orderId}`, { token: resident })).body.pickupCode;
  expect((await api.call('POST', '/pickups', { token: leader.token, body: { pickupCode: code, date: pickupDate } })).status).toBe(200);
  await api.drain();
  expect((await api.call('POST', '/jobs/payouts', { token: operator })).status).toBe(200);
  const payout = (await api.call('GET', '/payouts?status=proposed', { token: operator })).body.items.find(
    (p: { leaderId: string }) => p.leaderId === leader.leaderId,
  );
  expect(payout).toMatchObject({ amountFen: 300 });
  return { leader, operator, payoutId: payout.payoutId as string };
}

describe('a payout by 商家转账, step by step', () => {
  let leader: Awaited<ReturnType<typeof leaderWithProposedPayout>>['leader'];
  let operator: string;
  let payoutId: string;
  let openId: string;
  let firstBill: string;
  let secondBill: string;
  // Earning a commission takes a whole day of the platform (pay, cutoff, pickup, payout run): done once.
  beforeAll(async () => {
    ({ leader, operator, payoutId } = await leaderWithProposedPayout());
  }, 120_000);

  test('approved for a leader who never signed in with WeChat: the payout waits, and the leader is told', async () => {
    const approved = await api.call('POST', `/payouts/${payoutId}/approve`, { token: operator });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', waitingFor: 'wechat_sign_in', transfer: { state: 'waiting_for_payee' } });
    expect((await api.call('GET', '/leaders/me/payout', { token: leader.token })).body).toMatchObject({
      payoutId,
      waitingFor: 'wechat_sign_in',
    });
    const refused = await api.call('POST', '/leaders/me/payout/collect', { token: leader.token });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toMatch(/Sign in with WeChat/);
    expect(wechat.transfers.size).toBe(0);
  });

  test('once signed in with WeChat the leader collects: the transfer goes out, signed, and waits for their confirmation', async () => {
    openId = await signedInWithWeChat(leader.userId);
    const collected = await api.call('POST', '/leaders/me/payout/collect', { token: leader.token });
    expect(collected.status).toBe(200);
    expect(collected.body).toMatchObject({
      status: 'approved',
      transfer: { state: 'submitted', attempt: 1, confirm: { mchId: '1900009191', appId: 'wxd678efh567hg6787' } },
    });
    firstBill = [...wechat.transfers.keys()][0]!;
    expect(firstBill).toMatch(/^[0-9A-Za-z]{1,32}$/);
    const sent = wechat.transfers.get(firstBill)!;
    expect(sent.request).toMatchObject({
      appid: 'wxd678efh567hg6787',
      openid: openId,
      transfer_amount: 300,
      transfer_scene_id: '1005',
      transfer_scene_report_infos: [{ info_type: '岗位类型' }, { info_type: '报酬说明' }],
    });
    expect(new URL(sent.request.notify_url).pathname).toBe('/payouts/wechatpay/notify');
    expect(collected.body.transfer.confirm.package).toBe(sent.packageInfo);
    // Collecting again sends nothing new while the bill waits.
    await api.call('POST', '/leaders/me/payout/collect', { token: leader.token });
    expect(wechat.transfers.size).toBe(1);
    expect(wechat.refused).toEqual([]);
  });

  test('a bill that fails (never confirmed) is noted; collecting again sends attempt 2 as a new bill', async () => {
    const failed = wechat.finishTransfer(firstBill, 'CANCELLED');
    expect((await deliver(failed.delivery, failed.notifyUrl)).status).toBe(200);
    expect((await api.call('GET', '/leaders/me/payout', { token: leader.token })).body).toMatchObject({
      status: 'approved',
      transfer: { state: 'failed' },
    });
    const retried = await api.call('POST', '/leaders/me/payout/collect', { token: leader.token });
    expect(retried.body).toMatchObject({ transfer: { state: 'submitted', attempt: 2 } });
    secondBill = [...wechat.transfers.keys()].find((b) => b !== firstBill)!;
    expect(secondBill).toBeDefined();
  });

  test("forged and stale confirmations change nothing; WeChat Pay's own pays the payout, once", async () => {
    const forged = wechat.finishTransfer(secondBill, 'SUCCESS', { signWith: newKeyPair().privateKey });
    expect((await deliver(forged.delivery, forged.notifyUrl)).status).toBe(401);
    const stale = wechat.finishTransfer(secondBill, 'SUCCESS', { timestamp: Math.floor(Date.now() / 1000) - 400 });
    expect((await deliver(stale.delivery, stale.notifyUrl)).status).toBe(401);
    const late = wechat.finishTransfer(firstBill, 'SUCCESS'); // a verdict on the old bill is not this payout's
    expect((await deliver(late.delivery, late.notifyUrl)).status).toBe(200);
    const approved = (await api.call('GET', '/payouts?status=approved', { token: operator })).body.items;
    expect(approved.map((p: { payoutId: string }) => p.payoutId)).toContain(payoutId);

    const success = wechat.finishTransfer(secondBill, 'SUCCESS');
    expect((await deliver(success.delivery, success.notifyUrl)).status).toBe(200);
    expect((await deliver(success.delivery, success.notifyUrl)).status).toBe(200);
    const commissions = (await api.call('GET', '/leaders/me/commissions', { token: leader.token })).body;
    expect(commissions.paidFen).toBe(300);
    expect(commissions.entries.filter((e: { kind: string }) => e.kind === 'payout')).toEqual([
      expect.objectContaining({ amountFen: -300, payoutId }),
    ]);
    expect((await auditTrail(payoutId)).filter((e) => e.action === 'payout.paid')).toHaveLength(1);
  });
});
