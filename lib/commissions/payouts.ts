// Weekly payouts: one per leader whose available balance reaches MIN_PAYOUT_FEN, listing exactly the
// entries it pays. Operators approve (paid through the payout port; a `payout` entry is appended) or
// reject (the entries become payable again). A suspended leader's payouts are held.
import type { LedgerEntry, Payout } from '../../schemas/commissions';
import type { LeaderStore } from '../leaders/leaders';
import { requireOperator, type Principal } from '../runtime/auth';
import type { Clock, Ids } from '../runtime/clock';
import { conflict, notFound } from '../runtime/errors';
import type { LedgerStore, PayableEntry, PayoutStore } from './ledger';
import type { PayoutProvider } from './payout-provider';

export interface PayoutDeps {
  ledger: LedgerStore;
  payouts: PayoutStore;
  leaders: LeaderStore;
  provider: PayoutProvider;
  clock: Clock;
  ids: Ids;
  minPayoutFen: number;
}

const CLAIM_CHUNK = 40;
const ACTOR = 'system:payouts';

function byLeader(entries: PayableEntry[]): Map<string, PayableEntry[]> {
  const groups = new Map<string, PayableEntry[]>();
  for (const e of entries) groups.set(e.leaderId, [...(groups.get(e.leaderId) ?? []), e]);
  return groups;
}

/**
 * Claims every payable entry of the leader for a proposing payout, then proposes it. `known` are the
 * leader's entries the caller has just read: the first round claims them without reading again; only
 * a claim that finds an entry gone (another run took it) sends it back to the store for a fresh look.
 */
async function fillAndPropose(deps: PayoutDeps, payoutId: string, leaderId: string, known?: PayableEntry[]): Promise<boolean> {
  let candidates = known;
  for (let round = 0; round < 20; round++) {
    const payout = await deps.payouts.get(payoutId);
    if (!payout || payout.status !== 'proposing') return false;
    const seen = candidates ?? (await deps.ledger.payableOfLeader(leaderId, deps.clock.now()));
    candidates = undefined;
    const unclaimed = seen.filter((e) => !payout.entryIds.includes(e.entryId));
    let conflicted = false;
    for (let i = 0; i < unclaimed.length && !conflicted; i += CLAIM_CHUNK) {
      const outcome = await deps.payouts.claim(payoutId, unclaimed.slice(i, i + CLAIM_CHUNK));
      if (outcome === 'not_proposing') return false;
      conflicted = outcome === 'conflict'; // another run claimed some of these: look again
    }
    if (!conflicted) {
      const at = deps.clock.now().toISOString();
      const claimed = (await deps.payouts.get(payoutId))!;
      const outcome = await deps.payouts.propose(claimed, at, {
        entityId: payoutId,
        entityType: 'payout',
        action: 'payout.proposed',
        actor: ACTOR,
        at,
        before: { status: 'proposing' },
        after: { status: 'proposed', amountFen: claimed.amountFen, entryIds: claimed.entryIds },
      });
      return outcome === 'proposed';
    }
  }
  throw new Error(`Could not settle payout ${payoutId}`);
}

/** The weekly job: safe to run twice, or twice at once (one open payout per leader; each entry claimed once). */
export async function runPayouts(deps: PayoutDeps): Promise<{ proposed: number }> {
  const now = deps.clock.now();
  let proposed = 0;
  // Resume what a crash left half done: payouts half-filled, rejections half given back.
  for (const p of await deps.payouts.listByStatus('proposing')) if (await fillAndPropose(deps, p.payoutId, p.leaderId)) proposed++;
  for (const p of await deps.payouts.listByStatus('rejecting')) await finishRejecting(deps, p, ACTOR);

  for (const [leaderId, entries] of byLeader(await deps.ledger.payableUpTo(now))) {
    const available = entries.reduce((s, e) => s + e.amountFen, 0);
    if (available < deps.minPayoutFen) continue; // carried forward (it may be negative)
    const leader = await deps.leaders.get(leaderId);
    if (leader?.status !== 'active') continue; // held while the leader is not active
    const at = now.toISOString();
    const fresh: Payout = {
      payoutId: `po-${deps.ids.next()}`,
      leaderId,
      status: 'proposing',
      amountFen: 0,
      entryIds: [],
      createdAt: at,
      updatedAt: at,
    };
    const { payoutId } = await deps.payouts.open(fresh, {
      entityId: fresh.payoutId,
      entityType: 'payout',
      action: 'payout.opened',
      actor: ACTOR,
      at,
      after: { leaderId, status: 'proposing' },
    });
    if (await fillAndPropose(deps, payoutId, leaderId, entries)) proposed++;
  }
  return { proposed };
}

export async function listPayouts(deps: Pick<PayoutDeps, 'payouts'>, principal: Principal, status: Payout['status']) {
  requireOperator(principal);
  return deps.payouts.listByStatus(status);
}

/** Approves and pays a proposed payout; approving one left `approved` by a crash finishes paying it. */
export async function approvePayout(deps: PayoutDeps, principal: Principal, payoutId: string): Promise<Payout> {
  requireOperator(principal);
  let payout = await deps.payouts.get(payoutId);
  if (!payout) throw notFound('Payout');
  if (payout.status === 'proposed') {
    const leader = await deps.leaders.get(payout.leaderId);
    if (leader?.status !== 'active') throw conflict(`Payouts to a ${leader?.status ?? 'missing'} leader are held`);
    const at = deps.clock.now().toISOString();
    const moved = await deps.payouts.transition(payout, 'approved', at, {
      entityId: payoutId,
      entityType: 'payout',
      action: 'payout.approved',
      actor: principal.userId,
      at,
      before: { status: 'proposed' },
      after: { status: 'approved' },
    });
    if (moved === 'stale') throw conflict('The payout was changed meanwhile');
    payout = (await deps.payouts.get(payoutId))!;
  }
  if (payout.status !== 'approved') throw conflict(`The payout is ${payout.status}`);

  await deps.provider.pay({ payoutId, leaderId: payout.leaderId, amountFen: payout.amountFen });
  const at = deps.clock.now().toISOString();
  const payoutEntry: LedgerEntry = {
    entryId: `payout:${payoutId}`,
    leaderId: payout.leaderId,
    kind: 'payout',
    amountFen: -payout.amountFen,
    payoutId,
    createdAt: at,
    availableAt: at,
  };
  const paid = await deps.payouts.transition(
    payout,
    'paid',
    at,
    {
      entityId: payoutId,
      entityType: 'payout',
      action: 'payout.paid',
      actor: principal.userId,
      at,
      before: { status: 'approved' },
      after: { status: 'paid', entry: payoutEntry },
    },
    { payoutEntry },
  );
  if (paid === 'stale') throw conflict('The payout was changed meanwhile');
  return (await deps.payouts.get(payoutId))!;
}

/**
 * Rejects a proposed payout: first proposed → rejecting (so a concurrent approve can no longer win),
 * then its entries become payable again, then rejected. A crash in between is finished by the next
 * reject, or by the payout job.
 */
export async function rejectPayout(deps: PayoutDeps, principal: Principal, payoutId: string, reason: string): Promise<Payout> {
  requireOperator(principal);
  let payout = await deps.payouts.get(payoutId);
  if (!payout) throw notFound('Payout');
  if (payout.status === 'proposed') {
    const at = deps.clock.now().toISOString();
    const moved = await deps.payouts.transition(
      payout,
      'rejecting',
      at,
      {
        entityId: payoutId,
        entityType: 'payout',
        action: 'payout.rejecting',
        actor: principal.userId,
        at,
        before: { status: 'proposed' },
        after: { status: 'rejecting', reason },
      },
      { reason },
    );
    if (moved === 'stale') throw conflict('The payout was changed meanwhile');
    payout = (await deps.payouts.get(payoutId))!;
  }
  if (payout.status !== 'rejecting') throw conflict(`The payout is ${payout.status}`);
  return finishRejecting(deps, payout, principal.userId);
}

async function finishRejecting(deps: PayoutDeps, payout: Payout, actor: string): Promise<Payout> {
  await deps.payouts.release(payout);
  const at = deps.clock.now().toISOString();
  const moved = await deps.payouts.transition(payout, 'rejected', at, {
    entityId: payout.payoutId,
    entityType: 'payout',
    action: 'payout.rejected',
    actor,
    at,
    before: { status: 'rejecting' },
    after: { status: 'rejected', reason: payout.reason },
  });
  if (moved === 'stale') throw conflict('The payout was changed meanwhile');
  return (await deps.payouts.get(payout.payoutId))!;
}
