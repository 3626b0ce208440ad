// Commissions, refunds, referral, payouts and reconciliation, through HTTP and the stream, to the fen.
import '../../test/support/no-after-sales-window';
import { activeLeader, dateIn, openGroupBuy, placeOrder, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { passCutoff } from '../../test/support/time-travel';

const api = useStack();
let operator: string;
beforeAll(async () => {
  operator = await api.login('op-ledger', ['operator']);
});

/**
 * A leader whose group buy closed: `orders` residents each bought `quantity` of every product, paid,
 * and picked up. Prices: product i at 999 + i·1000 fen with commission 1234 bps (so floors matter).
 */
async function leaderWithPickups(options: { orders: number; quantity?: number; referralCode?: string; products?: number }) {
  const leader = options.referralCode ? await recruitedLeader(options.referralCode) : await activeLeader(api);
  const { products } = await supplierWithProducts(
    api,
    Array.from({ length: options.products ?? 1 }, (_, i) => ({
      name: `鸡蛋${i}`,
      supplyPriceFen: 500 + i * 1000,
      groupPriceFen: 999 + i * 1000,
      commissionRateBps: 1234,
    })),
  );
  const cutoffAt = new Date(Date.now() + 3_600_000).toISOString();
  const pickupDate = dateIn(1);
  const gb = await openGroupBuy(api, leader.token, { items: products.map((p) => ({ productId: p.productId })), cutoffAt, pickupDate });
  const orders: { orderId: string; resident: string; totalFen: number }[] = [];
  for (let i = 0; i < options.orders; i++) {
    const resident = await api.login(unique('resident'));
    const placed = await placeOrder(
      api,
      resident,
      gb.shareToken,
      products.map((p) => ({ productId: p.productId, quantity: options.quantity ?? 3 })),
    );
    await api.call('POST', `/dev/pay/${placed.body.orderId}`);
    orders.push({ orderId: placed.body.orderId, resident, totalFen: placed.body.totalFen });
  }
  await passCutoff(gb.groupBuyId);
  await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }));
  for (const o of orders) {
    const code = (await api.call('GET', `/orders/${o.orderId}`, { token: o.resident })).body.pickupCode;
    const picked = await api.call('POST', '/pickups', { token: leader.token, body: { pickupCode: code, date: pickupDate } });
    if (picked.status !== 200) throw new Error(`pickup failed: ${picked.text}`);
  }
  await api.drain();
  return { leader, products, orders };
}

async function recruitedLeader(referralCode: string) {
  const token = await api.login(unique('recruit'));
  const applied = await api.call('POST', '/leaders', {
    token,
    body: {
      name: '新团长',
      phone: '13900002222',
      pickupPoint: { name: '新点', address: '新路 2 号', community: '新小区', city: '杭州' },
      referralCode,
    },
  });
  await api.call('POST', `/leaders/${applied.body.leaderId}/approve`, { token: operator });
  return { token, leaderId: applied.body.leaderId as string };
}

const commissions = async (leaderToken: string) => (await api.call('GET', '/leaders/me/commissions', { token: leaderToken })).body;
const reconciliation = async (leaderId: string) =>
  (await api.call('GET', `/audit/reconciliation?leaderId=${leaderId}`, { token: operator })).body;

test('a picked-up order line earns floor(net × rate / 10000), booked once however often the stream delivers it', async () => {
  const { leader, orders } = await leaderWithPickups({ orders: 2, quantity: 3 });
  // 3 × 999 = 2997 fen per line; floor(2997 × 1234 / 10000) = floor(369.8298) = 369.
  const body = await commissions(leader.token);
  expect(body.entries.filter((e: { kind: string }) => e.kind === 'accrual').map((e: { amountFen: number }) => e.amountFen)).toEqual([
    369, 369,
  ]);
  expect(body).toMatchObject({ leaderId: leader.leaderId, pendingFen: 0, availableFen: 738, paidFen: 0 });
  expect((await reconciliation(leader.leaderId)).discrepancies).toEqual([]);

  // Re-delivering every record books nothing more.
  await api.drain();
  const { bookOrderCommissions } = await import('../../lib/commissions/commissions');
  const { commissionDeps } = await import('../../lib/commissions/wiring');
  const { dynamoOrderStore } = await import('../../lib/store/orders');
  for (const o of orders) await bookOrderCommissions(commissionDeps(), (await dynamoOrderStore().get(o.orderId))!);
  expect((await commissions(leader.token)).availableFen).toBe(738);
});

test('refunds after pickup append the reversal that brings each line back to the formula; more than remains is 409', async () => {
  const { leader, orders, products } = await leaderWithPickups({ orders: 1, quantity: 3, products: 2 });
  const [order] = orders;
  // Lines: 2997 and 3 × 1999 = 5997 fen; commissions 369 and floor(5997 × 0.1234) = 740.
  expect((await commissions(leader.token)).availableFen).toBe(369 + 740);

  // (This file runs with no after-sales window: the resident's window has passed, an operator refunds.)
  expect(
    (await api.call('POST', `/orders/${order!.orderId}/refunds`, { token: order!.resident, body: { amountFen: 1000, reason: '坏了一个' } }))
      .status,
  ).toBe(409);
  const partial = await api.call('POST', `/orders/${order!.orderId}/refunds`, {
    token: operator,
    body: { amountFen: 1000, reason: '坏了一个' },
  });
  expect(partial.status).toBe(201);
  expect(partial.body).toMatchObject({
    refundId: expect.any(String),
    amountFen: 1000,
    lines: [{ productId: products[0]!.productId, amountFen: 1000 }],
  });
  await api.drain();
  // Line 1 net 1997 → floor(246.4298) = 246: a reversal of −123.
  let body = await commissions(leader.token);
  expect(body.entries.filter((e: { kind: string }) => e.kind === 'reversal').map((e: { amountFen: number }) => e.amountFen)).toEqual([
    -123,
  ]);
  expect(body.availableFen).toBe(246 + 740);

  // Allocated in line order: 1997 left on line 1, then 1000 of line 2.
  const operatorRefund = await api.call('POST', `/orders/${order!.orderId}/refunds`, {
    token: operator,
    body: { amountFen: 2997, reason: '运营补偿' },
  });
  expect(operatorRefund.body.lines).toEqual([
    { productId: products[0]!.productId, amountFen: 1997 },
    { productId: products[1]!.productId, amountFen: 1000 },
  ]);
  await api.drain();
  body = await commissions(leader.token);
  // Line 1 net 0 → 0; line 2 net 4997 → floor(616.6298) = 616.
  expect(body.availableFen).toBe(0 + 616);

  const tooMuch = await api.call('POST', `/orders/${order!.orderId}/refunds`, {
    token: operator,
    body: { amountFen: order!.totalFen, reason: 'x' },
  });
  expect(tooMuch.status).toBe(409);
  expect(tooMuch.body.error.code).toBe('CONFLICT');
  const orderView = (await api.call('GET', `/orders/${order!.orderId}`, { token: order!.resident })).body;
  expect(orderView).toMatchObject({ status: 'picked_up', refundedFen: 3997 });
  expect((await reconciliation(leader.leaderId)).discrepancies).toEqual([]);

  // The whole remainder: the order is refunded and every line's commission returns to zero.
  const rest = await api.call('POST', `/orders/${order!.orderId}/refunds`, {
    token: operator,
    body: { amountFen: order!.totalFen - 3997, reason: '全部退款' },
  });
  expect(rest.status).toBe(201);
  await api.drain();
  expect((await api.call('GET', `/orders/${order!.orderId}`, { token: order!.resident })).body.status).toBe('refunded');
  expect((await commissions(leader.token)).availableFen).toBe(0);
  expect((await reconciliation(leader.leaderId)).discrepancies).toEqual([]);
});

test('a resident cannot refund before pickup or someone else’s order; bad amounts are 400', async () => {
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api);
  const gb = await openGroupBuy(api, leader.token, { items: [{ productId: products[0]!.productId }] });
  const resident = await api.login(unique('early'));
  const placed = await placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity: 1 }]);
  await api.call('POST', `/dev/pay/${placed.body.orderId}`);
  const early = await api.call('POST', `/orders/${placed.body.orderId}/refunds`, {
    token: resident,
    body: { amountFen: 100, reason: 'x' },
  });
  expect(early.status).toBe(409);
  expect(
    (
      await api.call('POST', `/orders/${placed.body.orderId}/refunds`, {
        token: await api.login(unique('x')),
        body: { amountFen: 100, reason: 'x' },
      })
    ).status,
  ).toBe(404);
  for (const amountFen of [0, -5, 1.5, '100']) {
    const bad = await api.call('POST', `/orders/${placed.body.orderId}/refunds`, { token: operator, body: { amountFen, reason: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details[0].path).toBe('amountFen');
  }
  // An operator may refund before pickup; a retry with the same Idempotency-Key refunds once.
  const key = unique('refund-key');
  const first = await api.call('POST', `/orders/${placed.body.orderId}/refunds`, {
    token: operator,
    headers: { 'Idempotency-Key': key },
    body: { amountFen: 100, reason: '缺货' },
  });
  const again = await api.call('POST', `/orders/${placed.body.orderId}/refunds`, {
    token: operator,
    headers: { 'Idempotency-Key': key },
    body: { amountFen: 100, reason: '缺货' },
  });
  expect(first.status).toBe(201);
  expect(again.status).toBe(200);
  expect(again.body.refundId).toBe(first.body.refundId);
  expect((await api.call('GET', `/orders/${placed.body.orderId}`, { token: resident })).body.refundedFen).toBe(100);
});

test('the recruiter earns REFERRAL_BPS of the recruit’s lines, reversed alike on refund; one level only', async () => {
  const recruiter = await activeLeader(api);
  const { leader: recruit, orders } = await leaderWithPickups({ orders: 1, quantity: 10, referralCode: recruiter.referralCode });
  // 10 × 999 = 9990 fen; referral floor(9990 × 100 / 10000) = 99.
  const recruiterView = await commissions(recruiter.token);
  expect(recruiterView.entries).toEqual([expect.objectContaining({ kind: 'referral', amountFen: 99, orderId: orders[0]!.orderId })]);
  expect((await commissions(recruit.token)).entries[0]).toMatchObject({ kind: 'accrual', amountFen: Math.floor((9990 * 1234) / 10000) });

  await api.call('POST', `/orders/${orders[0]!.orderId}/refunds`, { token: operator, body: { amountFen: 4995, reason: '半退' } });
  await api.drain();
  const after = await commissions(recruiter.token);
  // net 4995 → floor(49.95) = 49: a referral reversal of −50.
  expect(after.entries.find((e: { kind: string }) => e.kind === 'reversal')).toMatchObject({ amountFen: -50, orderId: orders[0]!.orderId });
  expect(after.availableFen).toBe(49);
  expect((await reconciliation(recruiter.leaderId)).discrepancies).toEqual([]);
  expect((await reconciliation(recruit.leaderId)).discrepancies).toEqual([]);

  // A recruit of the recruit earns the first recruiter nothing (one level only).
  const { leader: secondLevel } = await leaderWithPickups({
    orders: 1,
    quantity: 10,
    referralCode: (await api.call('GET', '/leaders/me', { token: recruit.token })).body.referralCode,
  });
  expect((await commissions(recruiter.token)).entries).toHaveLength(2);
  expect((await commissions(recruit.token)).entries.some((e: { kind: string }) => e.kind === 'referral')).toBe(true);
  void secondLevel;
});

test('payouts: proposed from the available balance, approved and paid once; rejected entries come back; a refund after payout lowers the next one', async () => {
  const { leader, orders } = await leaderWithPickups({ orders: 3, quantity: 3 });
  const run = await api.call('POST', '/jobs/payouts', { token: operator });
  expect(run.status).toBe(200);
  expect(run.body.proposed).toBeGreaterThanOrEqual(1);
  const proposed = (await api.call('GET', '/payouts?status=proposed', { token: operator })).body.items.find(
    (p: { leaderId: string }) => p.leaderId === leader.leaderId,
  );
  expect(proposed).toMatchObject({ amountFen: 3 * 369, status: 'proposed' });
  const accrualIds = (await commissions(leader.token)).entries.map((e: { entryId: string }) => e.entryId).sort();
  expect([...proposed.entryIds].sort()).toEqual(accrualIds);

  // Reject: the entries are payable again, and the next run proposes them again.
  expect(
    (await api.call('POST', `/payouts/${proposed.payoutId}/reject`, { token: operator, body: { reason: '核对中' } })).body.status,
  ).toBe('rejected');
  expect((await api.call('POST', `/payouts/${proposed.payoutId}/approve`, { token: operator })).status).toBe(409);
  await api.call('POST', '/jobs/payouts', { token: operator });
  const again = (await api.call('GET', '/payouts?status=proposed', { token: operator })).body.items.find(
    (p: { leaderId: string }) => p.leaderId === leader.leaderId,
  );
  expect(again.amountFen).toBe(3 * 369);

  const paid = await api.call('POST', `/payouts/${again.payoutId}/approve`, { token: operator });
  expect(paid.body).toMatchObject({ status: 'paid', amountFen: 1107 });
  expect((await api.call('POST', `/payouts/${again.payoutId}/approve`, { token: operator })).status).toBe(409);
  let body = await commissions(leader.token);
  expect(body).toMatchObject({ paidFen: 1107, availableFen: 0, pendingFen: 0 });
  expect(body.entries[0]).toMatchObject({ kind: 'payout', amountFen: -1107, payoutId: again.payoutId });

  // A second run proposes nothing: every entry is paid.
  expect((await api.call('POST', '/jobs/payouts', { token: operator })).body.proposed).toBe(0);

  // A refund after the payout: the reversal makes the balance negative, carried forward.
  await api.call('POST', `/orders/${orders[0]!.orderId}/refunds`, { token: operator, body: { amountFen: 2997, reason: '售后' } });
  await api.drain();
  body = await commissions(leader.token);
  expect(body.availableFen).toBe(-369);
  await api.call('POST', '/jobs/payouts', { token: operator });
  expect(
    (await api.call('GET', '/payouts?status=proposed', { token: operator })).body.items.some(
      (p: { leaderId: string }) => p.leaderId === leader.leaderId,
    ),
  ).toBe(false);
  expect((await reconciliation(leader.leaderId)).discrepancies).toEqual([]);
});

test('a suspended leader’s payouts are held', async () => {
  const { leader } = await leaderWithPickups({ orders: 2, quantity: 3 });
  await api.call('POST', '/jobs/payouts', { token: operator });
  const proposed = (await api.call('GET', '/payouts?status=proposed', { token: operator })).body.items.find(
    (p: { leaderId: string }) => p.leaderId === leader.leaderId,
  );
  await api.call('POST', `/leaders/${leader.leaderId}/suspend`, { token: operator, body: { reason: '投诉' } });
  const held = await api.call('POST', `/payouts/${proposed.payoutId}/approve`, { token: operator });
  expect(held.status).toBe(409);
  expect((await commissions(leader.token)).paidFen).toBe(0);
});

test('two payout runs at once propose one payout per leader and claim each entry once', async () => {
  const { leader } = await leaderWithPickups({ orders: 3, quantity: 3 });
  const before = (await api.call('GET', '/payouts?status=proposed&limit=100', { token: operator })).body.items.length;
  const runs = await Promise.all([
    api.call('POST', '/jobs/payouts', { token: operator }),
    api.call('POST', '/jobs/payouts', { token: operator }),
  ]);
  // Each run either ran (200) or found the other one running (409); every payout is counted by exactly one.
  for (const run of runs) expect([200, 409]).toContain(run.status);
  expect(runs.some((r) => r.status === 200)).toBe(true);
  const after = (await api.call('GET', '/payouts?status=proposed&limit=100', { token: operator })).body.items.length;
  expect(runs.filter((r) => r.status === 200).reduce((n, r) => n + r.body.proposed, 0)).toBe(after - before);
  const mine = (await api.call('GET', '/payouts?status=proposed', { token: operator })).body.items.filter(
    (p: { leaderId: string }) => p.leaderId === leader.leaderId,
  );
  expect(mine).toHaveLength(1);
  expect(mine[0].amountFen).toBe(3 * 369);
  expect(new Set(mine[0].entryIds).size).toBe(3);
});

test('operators read the audit trail of any entity; others may not', async () => {
  const { leader } = await leaderWithPickups({ orders: 1 });
  const events = await api.call('GET', `/audit/events?entityId=${leader.leaderId}`, { token: operator });
  expect(events.status).toBe(200);
  expect(events.body.items.map((e: { action: string }) => e.action)).toEqual(
    expect.arrayContaining(['leader.applied', 'leader.approve', 'ledger.accrual']),
  );
  expect(events.body.items[0]).toMatchObject({
    at: expect.stringMatching(/\+08:00$/),
    actor: expect.any(String),
    entityId: leader.leaderId,
  });
  expect((await api.call('GET', `/audit/events?entityId=${leader.leaderId}`, { token: leader.token })).status).toBe(403);
  expect((await api.call('GET', `/audit/reconciliation?leaderId=${leader.leaderId}`, { token: leader.token })).status).toBe(403);
  expect((await api.call('GET', '/audit/reconciliation', { token: operator })).status).toBe(400);
  expect((await api.call('GET', `/leaders/${leader.leaderId}/commissions`, { token: await api.login(unique('nosy')) })).status).toBe(403);
  expect((await api.call('GET', `/leaders/${leader.leaderId}/commissions`, { token: operator })).status).toBe(200);
});
