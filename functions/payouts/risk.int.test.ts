// Risk holds on payouts (issue 12): a payout is held, with its reasons and the figures behind them, when the
// leader's refunds of the last 30 days exceed 30% of paid sales, or when more than half of the commission it
// pays comes from the leader's own orders; an operator releases (→ proposed) or rejects it.
import '../../test/support/no-after-sales-window';
import { activeLeader, dateIn, openGroupBuy, operatorToken, placeOrder, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { passCutoff } from '../../test/support/time-travel';
import type { PayoutView } from '../../schemas/views';

const api = useStack();

test('held for self-purchase or a high refund rate, shown with the figures; released or rejected by an operator; a clean one is proposed', async () => {
  const operator = await operatorToken(api);
  const { products } = await supplierWithProducts(api, [{ groupPriceFen: 1000, supplyPriceFen: 800, commissionRateBps: 1000 }]);
  const productId = products[0]!.productId;
  const pickupDate = dateIn(1);
  const [selfBuyer, refunder, clean] = [await activeLeader(api), await activeLeader(api), await activeLeader(api)];
  const groupBuys = new Map<string, Awaited<ReturnType<typeof openGroupBuy>>>();
  for (const leader of [selfBuyer, refunder, clean]) {
    groupBuys.set(leader.leaderId, await openGroupBuy(api, leader.token, { items: [{ productId }], pickupDate }));
  }
  const orders: { leader: typeof clean; token: string; orderId: string }[] = [];
  const buy = async (leader: typeof clean, quantity: number, token?: string) => {
    const buyer = token ?? (await api.login(unique('resident')));
    const placed = await placeOrder(api, buyer, groupBuys.get(leader.leaderId)!.shareToken, [{ productId, quantity }]);
    expect((await api.call('POST', `/dev/pay/${placed.body.orderId}`)).status).toBe(200);
    orders.push({ leader, token: buyer, orderId: placed.body.orderId });
    return placed.body.orderId as string;
  };
  await buy(selfBuyer, 3, selfBuyer.token); // the leader's own order: commission 300 of 400
  await buy(selfBuyer, 1);
  await buy(refunder, 3);
  const refunded = await buy(refunder, 2); // 2000 of 5000 paid comes back: 40%
  await buy(clean, 2);

  await passCutoff([...groupBuys.values()].map((g) => g.groupBuyId));
  await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }));
  for (const o of orders) {
    const code = (await api.call('GET', `/orders/${o.orderId}`, { token: o.token })).body.pickupCode;
    expect((await api.call('POST', '/pickups', { token: o.leader.token, body: { pickupCode: code, date: pickupDate } })).status).toBe(200);
  }
  const refund = await api.call('POST', `/orders/${refunded}/refunds`, { token: operator, body: { amountFen: 2000, reason: '质量问题' } });
  expect(refund.status).toBe(201);
  await api.drain();
  expect((await api.call('POST', '/jobs/payouts', { token: operator })).status).toBe(200);

  const list = async (status: string) =>
    (await api.call('GET', `/payouts?status=${status}`, { token: operator })).body.items as PayoutView[];
  const held = await list('held');
  const of = (items: PayoutView[], leader: typeof clean) => items.find((p) => p.leaderId === leader.leaderId);
  expect(held).toHaveLength(2);
  expect(of(held, selfBuyer)).toMatchObject({
    status: 'held',
    amountFen: 400,
    riskFlags: ['self_purchase'],
    riskFigures: {
      selfPurchase: { commissionFen: 400, selfPurchaseFen: 300, shareBps: 7500, thresholdBps: 5000, orders: 1 },
      refundRate: { days: 30, paidFen: 4000, refundedFen: 0, rateBps: 0, thresholdBps: 3000 },
    },
  });
  expect(of(held, refunder)).toMatchObject({
    status: 'held',
    amountFen: 300,
    riskFlags: ['high_refund_rate'],
    riskFigures: { refundRate: { paidFen: 5000, refundedFen: 2000, rateBps: 4000 }, selfPurchase: { shareBps: 0 } },
  });
  const proposed = await list('proposed');
  expect(of(proposed, clean)).toMatchObject({ amountFen: 200 });
  expect(of(proposed, clean)!.riskFlags).toBeUndefined();
  expect(of(proposed, selfBuyer)).toBeUndefined();

  // Held: not approvable until released; a release needs a reason and an operator.
  const selfPayout = of(held, selfBuyer)!.payoutId;
  expect((await api.call('POST', `/payouts/${selfPayout}/approve`, { token: operator })).status).toBe(409);
  const noReason = await api.call('POST', `/payouts/${selfPayout}/release`, { token: operator, body: {} });
  expect(noReason.status).toBe(400);
  expect(noReason.body.error.details[0].path).toBe('reason');
  expect((await api.call('POST', `/payouts/${selfPayout}/release`, { token: selfBuyer.token, body: { reason: '自己放行' } })).status).toBe(
    403,
  );
  expect((await list('held')).map((p) => p.payoutId)).toContain(selfPayout);

  const released = await api.call('POST', `/payouts/${selfPayout}/release`, { token: operator, body: { reason: '团长家庭采购，已核实' } });
  expect(released.status).toBe(200);
  expect(released.body).toMatchObject({ status: 'proposed', riskFlags: ['self_purchase'], releaseReason: '团长家庭采购，已核实' });
  expect((await api.call('POST', `/payouts/${selfPayout}/release`, { token: operator, body: { reason: '再放一次' } })).status).toBe(409);
  expect(of(await list('proposed'), selfBuyer)).toMatchObject({ payoutId: selfPayout });
  expect((await api.call('POST', `/payouts/${selfPayout}/approve`, { token: operator })).body.status).toMatch(/approved|paid/);

  // Rejected while held: its earnings become payable again (the next run holds them again).
  const refundPayout = of(held, refunder)!.payoutId;
  const rejected = await api.call('POST', `/payouts/${refundPayout}/reject`, { token: operator, body: { reason: '退款率过高，待核实' } });
  expect(rejected.status).toBe(200);
  expect(rejected.body.status).toBe('rejected');
  expect((await api.call('POST', `/payouts/${refundPayout}/release`, { token: operator, body: { reason: '晚了' } })).status).toBe(409);
  expect((await api.call('GET', '/leaders/me/commissions', { token: refunder.token })).body.availableFen).toBe(300);
});
