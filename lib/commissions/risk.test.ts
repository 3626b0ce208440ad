import type { RiskReader } from './risk';
import { assessRisk } from './risk';

const reader = (paidFen: number, refundedFen: number, placedBy: Record<string, string>): RiskReader => ({
  salesOf: async () => ({ paidFen, refundedFen }),
  placedBy: async (ids) => new Map(ids.filter((id) => placedBy[id]).map((id) => [id, placedBy[id]!])),
});
const claim = (orderId: string, amountFen: number) => ({ entryId: `${orderId}:e`, leaderId: 'L', orderId, amountFen, availableAt: '' });
const rules = { refundRateBps: 3000, selfPurchaseBps: 5000 };
const leader = { leaderId: 'L', userId: 'u-leader' };
const now = new Date('2026-11-30T00:00:00Z');
/** The leader's 30 days of sales, and commission from o1 (the leader's own order) and o2 (a resident's). */
const assess = (paidFen: number, refundedFen: number, fromOwn: number, fromResident: number) =>
  assessRisk(
    reader(paidFen, refundedFen, { o1: 'u-leader', o2: 'u-other' }),
    rules,
    leader,
    [claim('o1', fromOwn), claim('o2', fromResident)],
    now,
  );

test('a flag needs strictly more than its threshold; the figures are kept either way', async () => {
  const atThresholds = await assess(10_000, 3_000, 50, 50);
  expect(atThresholds.flags).toEqual([]);
  expect(atThresholds.figures).toEqual({
    refundRate: { days: 30, paidFen: 10_000, refundedFen: 3_000, rateBps: 3000, thresholdBps: 3000 },
    selfPurchase: { commissionFen: 100, selfPurchaseFen: 50, shareBps: 5000, thresholdBps: 5000, orders: 1 },
  });
  const over = await assess(10_000, 3_001, 51, 49);
  expect(over.flags).toEqual(['high_refund_rate', 'self_purchase']);
});

test('no sales and no commission flag nothing (no division by zero)', async () => {
  expect((await assessRisk(reader(0, 0, {}), rules, leader, [], now)).flags).toEqual([]);
});
