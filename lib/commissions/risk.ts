// Risk holds on payouts (API.md "Risk holds on payouts"): a payout is held for an operator, instead of
// proposed, when the leader's refunded share of the last 30 days' paid sales is too high, or when too much
// of the commission it pays comes from orders the leader placed themselves. The figures behind each check
// are kept on the payout, flagged or not, so the operator sees why.
import type { RiskFigures, RiskFlag } from '../../schemas/commissions';
import { addDays, businessDate } from '../runtime/time';
import type { PayableEntry } from './ledger';

export const RISK_DAYS = 30;

export interface RiskReader {
  /** The leader's paid sales (by paid date, `fromDate`..`toDate`) and what has been refunded of them since. */
  salesOf(leaderId: string, fromDate: string, toDate: string): Promise<{ paidFen: number; refundedFen: number }>;
  /** Who placed each order (orderId → userId). */
  placedBy(orderIds: string[]): Promise<Map<string, string>>;
}

export interface RiskRules {
  refundRateBps: number;
  selfPurchaseBps: number;
}

const bps = (part: number, whole: number) => (whole > 0 ? Math.floor((part * 10_000) / whole) : 0);

export async function assessRisk(
  reader: RiskReader,
  rules: RiskRules,
  leader: { leaderId: string; userId: string },
  claims: PayableEntry[],
  now: Date,
): Promise<{ flags: RiskFlag[]; figures: RiskFigures }> {
  const sales = await reader.salesOf(leader.leaderId, businessDate(addDays(now, -(RISK_DAYS - 1))), businessDate(now));
  const orderIds = [...new Set(claims.flatMap((c) => (c.orderId ? [c.orderId] : [])))];
  const placedBy = await reader.placedBy(orderIds);
  const own = new Set(orderIds.filter((id) => placedBy.get(id) === leader.userId));
  const commissionFen = claims.reduce((s, c) => s + c.amountFen, 0);
  const selfPurchaseFen = claims.reduce((s, c) => s + (c.orderId && own.has(c.orderId) ? c.amountFen : 0), 0);
  const figures: RiskFigures = {
    refundRate: {
      days: RISK_DAYS,
      paidFen: sales.paidFen,
      refundedFen: sales.refundedFen,
      rateBps: bps(sales.refundedFen, sales.paidFen),
      thresholdBps: rules.refundRateBps,
    },
    selfPurchase: {
      commissionFen,
      selfPurchaseFen,
      shareBps: bps(selfPurchaseFen, commissionFen),
      thresholdBps: rules.selfPurchaseBps,
      orders: own.size,
    },
  };
  const flags: RiskFlag[] = [];
  if (figures.refundRate.rateBps > rules.refundRateBps) flags.push('high_refund_rate');
  if (figures.selfPurchase.shareBps > rules.selfPurchaseBps) flags.push('self_purchase');
  return { flags, figures };
}
