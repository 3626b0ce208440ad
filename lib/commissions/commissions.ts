// Booking commissions from the order stream, and what a leader (or an operator) sees of the ledger.
import type { AuditEvent } from '../../schemas/common';
import type { LedgerEntry } from '../../schemas/commissions';
import type { Order } from '../../schemas/orders';
import type { Principal } from '../runtime/auth';
import { isOperator } from '../runtime/auth';
import type { Clock } from '../runtime/clock';
import { forbidden, notFound } from '../runtime/errors';
import { addHours, toBusinessIso } from '../runtime/time';
import type { LeaderReads, LedgerStore } from './ledger';
import type { CommissionRules, Referral } from './rules';
import { balances, plannedEntries } from './rules';

export interface CommissionDeps {
  ledger: LedgerStore;
  leaders: LeaderReads;
  clock: Clock;
  rules: CommissionRules;
}

/** The recruiter's referral window of an order's leader, if the leader was recruited. */
export async function referralOf(leaders: Pick<LeaderReads, 'get'>, leaderId: string): Promise<Referral | undefined> {
  const leader = await leaders.get(leaderId);
  if (!leader?.referredBy || !leader.approvedAt) return undefined;
  return { recruiterId: leader.referredBy, from: leader.approvedAt };
}

const MAX_BOOKING_ATTEMPTS = 8;

/** One audit record per leader a booking credits or debits, listing its entries. */
function bookingAudits(entries: LedgerEntry[]): AuditEvent[] {
  const byLeader = new Map<string, LedgerEntry[]>();
  for (const e of entries) byLeader.set(e.leaderId, [...(byLeader.get(e.leaderId) ?? []), e]);
  return [...byLeader].map(([leaderId, mine]) => {
    const kinds = new Set(mine.map((e) => e.kind));
    return {
      entityId: leaderId,
      entityType: 'ledger',
      action: kinds.size === 1 ? `ledger.${mine[0]!.kind}` : 'ledger.booked',
      actor: 'system:commissions',
      at: mine[0]!.createdAt,
      after: mine.length === 1 ? mine[0] : { entries: mine },
    };
  });
}

/**
 * Appends whatever brings the ledger of this order to the rules' target. Safe to run any number of times,
 * and at the same time with itself: a booking is committed only on the ledger it read (its head's version).
 */
export async function bookOrderCommissions(deps: CommissionDeps, order: Order): Promise<LedgerEntry[]> {
  if (!order.pickedUpAt) return [];
  const referral = await referralOf(deps.leaders, order.leaderId);
  for (let attempt = 1; attempt <= MAX_BOOKING_ATTEMPTS; attempt++) {
    const ledger = await deps.ledger.ledgerOfOrder(order.orderId);
    const planned = plannedEntries(order, referral, ledger.entries, deps.rules, deps.clock.now());
    if (planned.length === 0) return [];
    if ((await deps.ledger.book(order.orderId, ledger.version, planned, bookingAudits(planned))) === 'booked') return planned;
  }
  throw new Error(`The ledger of order ${order.orderId} keeps changing`);
}

export const entryView = (e: LedgerEntry) => ({
  entryId: e.entryId,
  kind: e.kind,
  amountFen: e.amountFen,
  ...(e.orderId ? { orderId: e.orderId } : {}),
  ...(e.productId ? { productId: e.productId } : {}),
  ...(e.share ? { share: e.share } : {}),
  ...(e.payoutId ? { payoutId: e.payoutId } : {}),
  createdAt: toBusinessIso(e.createdAt),
  availableAt: toBusinessIso(e.availableAt),
});

export async function commissionsOf(
  deps: Pick<CommissionDeps, 'ledger' | 'leaders' | 'clock' | 'rules'>,
  principal: Principal,
  leaderId: string, // or 'me'
  page: { limit: number; cursor?: string } = { limit: 50 },
) {
  let id = leaderId;
  if (leaderId === 'me') {
    const own = await deps.leaders.getByUser(principal.userId);
    if (!own) throw notFound('Leader record');
    id = own.leaderId;
  } else if (!isOperator(principal)) {
    const own = await deps.leaders.getByUser(principal.userId);
    if (own?.leaderId !== leaderId) throw forbidden('Operators only');
  }
  const now = deps.clock.now();
  // Only entries of the last after-sales window (and a day's margin) can still be pending.
  const since = addHours(now, -(deps.rules.afterSalesHours + 24));
  const [summary, recent, entries] = await Promise.all([
    deps.ledger.summaryOf(id),
    deps.ledger.entriesOfLeaderSince(id, since),
    deps.ledger.entriesOfLeader(id, page.limit, page.cursor),
  ]);
  return {
    leaderId: id,
    ...balances(summary, recent, now),
    entries: entries.items.map(entryView),
    ...(entries.nextCursor ? { nextCursor: entries.nextCursor } : {}),
  };
}
