// Weekly payouts: one per leader whose available balance reaches MIN_PAYOUT_FEN, listing exactly the
// entries it pays. Operators approve (paid through the payout port; a `payout` entry is appended) or
// reject (the entries become payable again). A suspended leader's payouts are held.
//
// Every payout transition is conditional on the exact status it leaves and the version it was read at,
// so no path can move a payout back to an earlier state. One run at a time holds a lease; a run works
// leader by leader, page by page, and one leader whose payout fails does not stop the others.
import type { LedgerEntry, Payout } from '../../schemas/commissions';
import type { LeaderStore } from '../leaders/leaders';
import { requireOperator, type Principal } from '../runtime/auth';
import type { Clock, Ids } from '../runtime/clock';
import { conflict, notFound } from '../runtime/errors';
import { count, errorField, logger } from '../runtime/observability';
import type { Page } from '../runtime/page';
import { addMinutes } from '../runtime/time';
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

/** Claims per transaction: each claim is a delete of its marker and a put of the claim (≤ 100 actions). */
const CLAIM_CHUNK = 40;
const ACTOR = 'system:payouts';
/** A run that dies leaves its lease; the next run may take over after this long. */
const RUN_LEASE_MINUTES = 15;
const LEADER_PAGE = 100;

const sum = (entries: PayableEntry[]) => entries.reduce((s, e) => s + e.amountFen, 0);

/**
 * Claims every payable entry of the leader for a proposing payout, then proposes it. A claim that finds
 * an entry gone, or the payout changed, reads again; a payout that is no longer proposing is left alone.
 */
async function fillAndPropose(deps: PayoutDeps, payoutId: string): Promise<boolean> {
  for (let round = 0; round < 20; round++) {
    let payout = await deps.payouts.get(payoutId);
    if (!payout || payout.status !== 'proposing') return false;
    const candidates = await deps.ledger.payableOfLeader(payout.leaderId, deps.clock.now());
    let retry = false;
    for (let i = 0; i < candidates.length && !retry; i += CLAIM_CHUNK) {
      const chunk = candidates.slice(i, i + CLAIM_CHUNK);
      const outcome = await deps.payouts.claim(payout, chunk);
      if (outcome !== 'claimed') retry = true;
      else
        payout = {
          ...payout,
          amountFen: payout.amountFen + sum(chunk),
          entryCount: payout.entryCount + chunk.length,
          version: payout.version + 1,
        };
    }
    if (retry) continue;
    const at = deps.clock.now().toISOString();
    const outcome = await deps.payouts.transition(payout, 'proposing', 'proposed', at, {
      entityId: payoutId,
      entityType: 'payout',
      action: 'payout.proposed',
      actor: ACTOR,
      at,
      before: { status: 'proposing' },
      after: { status: 'proposed', amountFen: payout.amountFen, entryCount: payout.entryCount },
    });
    if (outcome === 'moved') return true;
  }
  throw new Error(`Could not settle payout ${payoutId}`);
}

/** One leader's payout of the week, if their available balance reaches the minimum. */
async function proposeFor(deps: PayoutDeps, leaderId: string, now: Date): Promise<boolean> {
  const open = await deps.payouts.openPayoutOf(leaderId);
  if (open) return open.status === 'proposing' ? fillAndPropose(deps, open.payoutId) : false; // one open payout per leader
  const available = sum(await deps.ledger.payableOfLeader(leaderId, now));
  if (available < deps.minPayoutFen) return false; // carried forward (it may be negative)
  const at = now.toISOString();
  const fresh: Payout = {
    payoutId: `po-${deps.ids.next()}`,
    leaderId,
    status: 'proposing',
    amountFen: 0,
    entryCount: 0,
    version: 1,
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
  return fillAndPropose(deps, payoutId);
}

async function eachPage<T>(read: (cursor?: string) => Promise<Page<T>>, work: (item: T) => Promise<void>): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    for (const item of page.items) await work(item);
    cursor = page.nextCursor;
  } while (cursor);
}

export interface PayoutRunReport {
  proposed: number;
  /** Leaders whose payout failed this time (logged; the next run tries again). */
  failed: number;
}

/** The weekly job: one run at a time (another one at once answers 409), safe to run again after a crash. */
export async function runPayouts(deps: PayoutDeps): Promise<PayoutRunReport> {
  const now = deps.clock.now();
  const runId = deps.ids.next();
  if (!(await deps.payouts.acquireRunLease(runId, now.toISOString(), addMinutes(now, RUN_LEASE_MINUTES).toISOString()))) {
    throw conflict('Another payout run is in progress');
  }
  const report: PayoutRunReport = { proposed: 0, failed: 0 };
  const guarded = async (what: string, work: () => Promise<boolean | void>) => {
    try {
      if ((await work()) === true) report.proposed++;
    } catch (err) {
      report.failed++;
      logger.error('A payout failed; the next run tries again', { what, error: errorField(err) });
    }
  };
  try {
    // What a crash left half done: rejections half given back (proposing ones are resumed per leader).
    await eachPage(
      (cursor) => deps.payouts.listByStatus('rejecting', LEADER_PAGE, cursor),
      (p) => guarded(p.payoutId, () => finishRejecting(deps, p, ACTOR).then(() => undefined)),
    );
    await eachPage(
      (cursor) => deps.leaders.listByStatus('active', LEADER_PAGE, cursor),
      (leader) => guarded(leader.leaderId, () => proposeFor(deps, leader.leaderId, now)),
    );
  } finally {
    await deps.payouts.releaseRunLease(runId);
  }
  count('PayoutsProposed', report.proposed);
  count('PayoutRunFailures', report.failed);
  return report;
}

export interface PayoutWithEntries extends Payout {
  entryIds: string[];
}

/** A payout with the ids of the entries it pays. */
export async function withEntries(deps: Pick<PayoutDeps, 'payouts'>, payout: Payout): Promise<PayoutWithEntries> {
  return { ...payout, entryIds: (await deps.payouts.claimsOf(payout.payoutId)).map((c) => c.entryId).sort() };
}

export async function listPayouts(
  deps: Pick<PayoutDeps, 'payouts'>,
  principal: Principal,
  status: Payout['status'],
  limit = 50,
  cursor?: string,
): Promise<Page<PayoutWithEntries>> {
  requireOperator(principal);
  const page = await deps.payouts.listByStatus(status, limit, cursor);
  return {
    items: await Promise.all(page.items.map((p) => withEntries(deps, p))),
    ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
  };
}

async function mustGet(deps: Pick<PayoutDeps, 'payouts'>, payoutId: string): Promise<Payout> {
  const payout = await deps.payouts.get(payoutId);
  if (!payout) throw notFound('Payout');
  return payout;
}

/** Approves and pays a proposed payout; approving one left `approved` by a crash finishes paying it. */
export async function approvePayout(deps: PayoutDeps, principal: Principal, payoutId: string): Promise<PayoutWithEntries> {
  requireOperator(principal);
  let payout = await mustGet(deps, payoutId);
  if (payout.status === 'proposed') {
    const leader = await deps.leaders.get(payout.leaderId);
    if (leader?.status !== 'active') throw conflict(`Payouts to a ${leader?.status ?? 'missing'} leader are held`);
    const at = deps.clock.now().toISOString();
    const moved = await deps.payouts.transition(payout, 'proposed', 'approved', at, {
      entityId: payoutId,
      entityType: 'payout',
      action: 'payout.approved',
      actor: principal.userId,
      at,
      before: { status: 'proposed' },
      after: { status: 'approved' },
    });
    if (moved === 'stale') throw conflict('The payout was changed meanwhile');
    payout = await mustGet(deps, payoutId);
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
    'approved',
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
  count('PayoutsPaid');
  return withEntries(deps, await mustGet(deps, payoutId));
}

/**
 * Rejects a proposed payout: first proposed → rejecting (so a concurrent approve can no longer win),
 * then its entries become payable again, then rejected. A crash in between is finished by the next
 * reject, or by the payout job.
 */
export async function rejectPayout(deps: PayoutDeps, principal: Principal, payoutId: string, reason: string): Promise<PayoutWithEntries> {
  requireOperator(principal);
  let payout = await mustGet(deps, payoutId);
  if (payout.status === 'proposed') {
    const at = deps.clock.now().toISOString();
    const moved = await deps.payouts.transition(
      payout,
      'proposed',
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
    payout = await mustGet(deps, payoutId);
  }
  if (payout.status !== 'rejecting') throw conflict(`The payout is ${payout.status}`);
  return withEntries(deps, await finishRejecting(deps, payout, principal.userId));
}

async function finishRejecting(deps: Pick<PayoutDeps, 'payouts' | 'clock'>, payout: Payout, actor: string): Promise<Payout> {
  await deps.payouts.release(payout);
  const at = deps.clock.now().toISOString();
  const moved = await deps.payouts.transition(payout, 'rejecting', 'rejected', at, {
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
