// The commission rules, pure. A picked-up order line earns its leader
//   floor(netLineAmountFen × commissionRateBps / 10000),   net = amount − refunded of the line,
// and, for REFERRAL_DAYS from the leader's approval, their recruiter (one level only)
//   floor(netLineAmountFen × REFERRAL_BPS / 10000).
// The ledger holds, per order line and share, entries whose sum is that target: each change of the
// order (pickup, each refund) appends the difference, with an id derived from the cause, so a record
// delivered twice appends nothing the second time and the ledger always equals a recomputation.
import type { LedgerEntry, Share } from '../../schemas/commissions';
import type { Order, OrderLine } from '../../schemas/orders';
import { addDays, addHours } from '../runtime/time';

export interface CommissionRules {
  referralBps: number;
  referralDays: number;
  afterSalesHours: number;
}

/** The recruiter of an order's leader, and from when to when their referral share runs. */
export interface Referral {
  recruiterId: string;
  /** The recruited leader's approval. */
  from: string;
}

export const netOf = (line: OrderLine) => line.amountFen - line.refundedFen;

export function commissionTarget(order: Order, line: OrderLine): number {
  if (!order.pickedUpAt) return 0;
  return Math.floor((netOf(line) * line.commissionRateBps) / 10_000);
}

export function referralApplies(order: Order, referral: Referral | undefined, rules: CommissionRules): referral is Referral {
  if (!order.pickedUpAt || !referral) return false;
  const picked = Date.parse(order.pickedUpAt);
  const from = Date.parse(referral.from);
  return picked >= from && picked < addDays(new Date(from), rules.referralDays).getTime();
}

export function referralTarget(order: Order, line: OrderLine, referral: Referral | undefined, rules: CommissionRules): number {
  // Commission-bearing sales only: a line that earns its leader nothing earns the recruiter nothing.
  if (!referralApplies(order, referral, rules) || line.commissionRateBps === 0) return 0;
  return Math.floor((netOf(line) * rules.referralBps) / 10_000);
}

export const entryIdFor = (orderId: string, productId: string, share: Share, refundedFen: number) =>
  `${orderId}:${productId}:${share}:${refundedFen}`;

/** The line's refunded amount when the entry was booked (the last part of its cause-derived id). */
export const refundedAtCause = (e: LedgerEntry) => Number(e.entryId.slice(e.entryId.lastIndexOf(':') + 1));

/** The entries to append so that, per line and share, the ledger sums to the target. */
export function plannedEntries(
  order: Order,
  referral: Referral | undefined,
  existing: LedgerEntry[],
  rules: CommissionRules,
  now: Date,
): LedgerEntry[] {
  if (!order.pickedUpAt) return [];
  const createdAt = now.toISOString();
  const windowEnd = addHours(new Date(order.pickedUpAt), rules.afterSalesHours);
  const availableAt = (windowEnd.getTime() > now.getTime() ? windowEnd : now).toISOString();
  const planned: LedgerEntry[] = [];
  for (const line of order.items) {
    const shares: [Share, string | undefined, number][] = [
      ['commission', order.leaderId, commissionTarget(order, line)],
      ['referral', referral?.recruiterId, referralTarget(order, line, referral, rules)],
    ];
    for (const [share, leaderId, target] of shares) {
      const mine = existing.filter((e) => e.productId === line.productId && e.share === share);
      // A line's refunded amount only grows: an image older than an entry already booked (a replayed
      // batch delivers old records after newer ones) must book nothing.
      if (mine.some((e) => refundedAtCause(e) > line.refundedFen)) continue;
      const current = mine.reduce((s, e) => s + e.amountFen, 0);
      const delta = target - current;
      if (delta === 0 || !leaderId) continue;
      const entryId = entryIdFor(order.orderId, line.productId, share, line.refundedFen);
      if (mine.some((e) => e.entryId === entryId)) continue; // this cause was booked already
      planned.push({
        entryId,
        leaderId: mine[0]?.leaderId ?? leaderId,
        kind: delta < 0 ? 'reversal' : share === 'referral' ? 'referral' : 'accrual',
        amountFen: delta,
        share,
        orderId: order.orderId,
        productId: line.productId,
        createdAt,
        availableAt,
      });
    }
  }
  return planned;
}

export interface Balances {
  pendingFen: number;
  availableFen: number;
  paidFen: number;
}

/** The running totals of a set of entries: what a leader's summary holds once they are all booked. */
export function summarize(entries: LedgerEntry[]): { earnedFen: number; paidFen: number } {
  let earnedFen = 0;
  let paidFen = 0;
  for (const e of entries) {
    if (e.kind === 'payout') paidFen -= e.amountFen;
    else earnedFen += e.amountFen;
  }
  return { earnedFen, paidFen };
}

/**
 * paid = the payouts paid; pending = earnings still in their after-sales window (found among the recent
 * entries: none older can be); available = the rest of what was earned, less what was paid.
 */
export function balances(summary: { earnedFen: number; paidFen: number }, recent: LedgerEntry[], now: Date): Balances {
  const pendingFen = recent
    .filter((e) => e.kind !== 'payout' && Date.parse(e.availableAt) > now.getTime())
    .reduce((s, e) => s + e.amountFen, 0);
  return { pendingFen, availableFen: summary.earnedFen - pendingFen - summary.paidFen, paidFen: summary.paidFen };
}
