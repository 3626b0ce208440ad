// Booking commissions from the order stream, and what a leader (or an operator) sees of the ledger.
import type { LedgerEntry } from '../../schemas/commissions';
import type { Order } from '../../schemas/orders';
import type { LeaderStore } from '../leaders/leaders';
import { isOperator, type Principal } from '../runtime/auth';
import type { Clock } from '../runtime/clock';
import { forbidden, notFound } from '../runtime/errors';
import { toBusinessIso } from '../runtime/time';
import type { LedgerStore } from './ledger';
import { balances, plannedEntries, type CommissionRules, type Referral } from './rules';

export interface CommissionDeps {
  ledger: LedgerStore;
  leaders: LeaderStore;
  clock: Clock;
  rules: CommissionRules;
}

/** The recruiter's referral window of an order's leader, if the leader was recruited. */
export async function referralOf(leaders: LeaderStore, leaderId: string): Promise<Referral | undefined> {
  const leader = await leaders.get(leaderId);
  if (!leader?.referredBy || !leader.approvedAt) return undefined;
  return { recruiterId: leader.referredBy, from: leader.approvedAt };
}

/** Appends whatever brings the ledger of this order to the rules' target. Safe to run any number of times. */
export async function bookOrderCommissions(deps: CommissionDeps, order: Order): Promise<LedgerEntry[]> {
  if (!order.pickedUpAt) return [];
  const referral = await referralOf(deps.leaders, order.leaderId);
  const existing = await deps.ledger.entriesForOrder(order.orderId);
  const planned = plannedEntries(order, referral, existing, deps.rules, deps.clock.now());
  const appended: LedgerEntry[] = [];
  for (const entry of planned) {
    const outcome = await deps.ledger.append(entry, {
      entityId: entry.leaderId,
      entityType: 'ledger',
      action: `ledger.${entry.kind}`,
      actor: 'system:commissions',
      at: entry.createdAt,
      after: entry,
    });
    if (outcome === 'appended') appended.push(entry);
  }
  return appended;
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
  deps: Pick<CommissionDeps, 'ledger' | 'leaders' | 'clock'>,
  principal: Principal,
  leaderId: string | 'me',
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
  const entries = (await deps.ledger.entriesOfLeader(id)).sort(
    (a, b) => b.createdAt.localeCompare(a.createdAt) || b.entryId.localeCompare(a.entryId),
  );
  return { leaderId: id, ...balances(entries, deps.clock.now()), entries: entries.map(entryView) };
}
