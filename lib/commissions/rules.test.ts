// The commission rules, pure: the formula, referral windows, stale images, balances.
import type { LedgerEntry } from '../../schemas/commissions';
import type { Order, OrderLine } from '../../schemas/orders';
import type { CommissionRules } from './rules';
import { balances, summarize, plannedEntries } from './rules';

const rules: CommissionRules = { referralBps: 100, referralDays: 90, afterSalesHours: 48 };
const now = new Date('2026-11-25T12:00:00Z');

const line = (refundedFen = 0): OrderLine => ({
  productId: 'P1',
  supplierId: 'S',
  name: '鸡蛋',
  unit: '盒',
  quantity: 3,
  unitPriceFen: 999,
  amountFen: 2997,
  supplyPriceFen: 500,
  commissionRateBps: 1234,
  refundedFen,
  stockLimited: false,
  residentLimited: false,
});
const order = (refundedFen = 0, pickedUpAt: string | null = '2026-11-24T10:00:00Z'): Order => ({
  orderId: 'O1',
  userId: 'U',
  groupBuyId: 'G',
  leaderId: 'L',
  pickupDate: '2026-11-24',
  cutoffAt: '2026-11-23T15:00:00Z',
  status: 'picked_up',
  items: [line(refundedFen)],
  totalFen: 2997,
  refundedFen,
  contactName: 'x',
  contactPhone: '13800000000',
  createdAt: '2026-11-23T10:00:00Z',
  updatedAt: '2026-11-24T10:00:00Z',
  expiresAt: '2026-11-23T10:15:00Z',
  ...(pickedUpAt ? { pickedUpAt } : {}),
  version: 3,
});
const referral = { recruiterId: 'R', from: '2026-10-01T00:00:00Z' };

/** Books plans into a ledger as the store would (ids unique). */
function book(ledger: LedgerEntry[], o: Order) {
  for (const e of plannedEntries(o, referral, ledger, rules, now)) if (!ledger.some((x) => x.entryId === e.entryId)) ledger.push(e);
  return ledger;
}
const sum = (ledger: LedgerEntry[], share: string) => ledger.filter((e) => e.share === share).reduce((s, e) => s + e.amountFen, 0);

test('a picked-up line earns floor(net × rate / 10000), and the recruiter floor(net × REFERRAL_BPS / 10000)', () => {
  const ledger = book([], order());
  expect(sum(ledger, 'commission')).toBe(369); // floor(2997 × 1234 / 10000) = floor(369.8298)
  expect(sum(ledger, 'referral')).toBe(29); // floor(29.97)
  expect(ledger.map((e) => e.kind).sort()).toEqual(['accrual', 'referral']);
});

test('nothing is earned before pickup', () => {
  expect(plannedEntries(order(0, null), referral, [], rules, now)).toEqual([]);
});

test('each refund brings the line back to the formula; replaying older images books nothing more', () => {
  const ledger = book([], order(0));
  book(ledger, order(1)); // floor(2996 × 0.1234) = 369: no change
  book(ledger, order(2997)); // fully refunded
  expect(sum(ledger, 'commission')).toBe(0);
  expect(sum(ledger, 'referral')).toBe(0);
  const before = ledger.length;
  // A replayed batch: the older images again, after the newest.
  book(ledger, order(1));
  book(ledger, order(0));
  expect(ledger).toHaveLength(before);
  expect(sum(ledger, 'commission')).toBe(0);
});

test('the referral share runs REFERRAL_DAYS from the recruit’s approval', () => {
  const late = order(0, '2027-01-05T00:00:00Z'); // 96 days after 2026-10-01
  expect(plannedEntries(late, referral, [], rules, now).map((e) => e.share)).toEqual(['commission']);
});

test('balances: pending inside the after-sales window, available after it, paid = payouts; available may go negative', () => {
  const e = (kind: LedgerEntry['kind'], amountFen: number, availableAt: string): LedgerEntry => ({
    entryId: `${kind}${amountFen}${availableAt}`,
    leaderId: 'L',
    kind,
    amountFen,
    createdAt: availableAt,
    availableAt,
  });
  const entries = [
    e('accrual', 500, '2026-11-20T00:00:00Z'),
    e('accrual', 300, '2026-11-26T00:00:00Z'),
    e('payout', -500, '2026-11-21T00:00:00Z'),
    e('reversal', -200, '2026-11-22T00:00:00Z'),
  ];
  // The store keeps the running totals (summarize) and hands over the recent entries, where pending ones are.
  expect(balances(summarize(entries), entries, now)).toEqual({
    pendingFen: 300,
    availableFen: -200,
    paidFen: 500,
  });
});
