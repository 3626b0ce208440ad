// Weekly payouts: one per leader whose available balance reaches MIN_PAYOUT_FEN, listing exactly the
// entries it pays. Operators approve (paid through the payout port; a `payout` entry is appended) or
// reject (the entries become payable again). A suspended leader's payouts are held.
//
// Every payout transition is conditional on the exact status it leaves and the version it was read at,
// so no path can move a payout back to an earlier state. One run at a time holds a lease; a run works
// leader by leader, page by page, and one leader whose payout fails does not stop the others.
import type { LedgerEntry, Payout, PayoutTransfer } from '../../schemas/commissions';
import type { Opened, WeChatIdentities } from '../payments/provider';
import type { Principal } from '../runtime/auth';
import { requireOperator } from '../runtime/auth';
import type { Clock, Ids } from '../runtime/clock';
import { AppError, conflict, notFound } from '../runtime/errors';
import { count, errorField, logger } from '../runtime/observability';
import type { Page } from '../runtime/page';
import { addMinutes } from '../runtime/time';
import type { LeaderReads, LedgerStore, PayableEntry, PayoutStore } from './ledger';
import type { PayoutProvider, PayoutRequest, TransferResult } from './payout-provider';
import type { RiskReader, RiskRules } from './risk';
import { assessRisk } from './risk';

export interface PayoutDeps {
  ledger: LedgerStore;
  payouts: PayoutStore;
  leaders: LeaderReads;
  provider: PayoutProvider;
  /** The WeChat OPENIDs of leaders who signed in with WeChat (where 商家转账 sends the money). */
  payees?: WeChatIdentities;
  clock: Clock;
  ids: Ids;
  minPayoutFen: number;
  /** Risk holds: without them (unit fakes), every payout is proposed. */
  risk?: { reader: RiskReader; rules: RiskRules };
}

/** Claims per transaction: each claim is a delete of its marker and a put of the claim (≤ 100 actions). */
const CLAIM_CHUNK = 40;
const ACTOR = 'system:payouts';
/** A run that dies leaves its lease; the next run may take over after this long. */
const RUN_LEASE_MINUTES = 15;
const LEADER_PAGE = 100;

const sum = (entries: PayableEntry[]) => entries.reduce((s, e) => s + e.amountFen, 0);

/** What proposing a leader's payout came to: proposed, held for an operator, or nothing to do. */
type Proposed = 'proposed' | 'held' | false;

/**
 * Claims every payable entry of the leader for a proposing payout, then proposes it. A claim that finds
 * an entry gone, or the payout changed, reads again; a payout that is no longer proposing is left alone.
 */
async function fillAndPropose(deps: PayoutDeps, payoutId: string): Promise<Proposed> {
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
    const risk = await riskOf(deps, payout);
    const to = risk?.flags.length ? 'held' : 'proposed';
    const at = deps.clock.now().toISOString();
    const outcome = await deps.payouts.transition(
      payout,
      'proposing',
      to,
      at,
      {
        entityId: payoutId,
        entityType: 'payout',
        action: `payout.${to}`,
        actor: ACTOR,
        at,
        before: { status: 'proposing' },
        after: {
          status: to,
          amountFen: payout.amountFen,
          entryCount: payout.entryCount,
          ...(risk ? { riskFlags: risk.flags, riskFigures: risk.figures } : {}),
        },
      },
      risk?.flags.length ? { fields: { riskFlags: risk.flags, riskFigures: risk.figures } } : {},
    );
    if (outcome === 'moved') return to;
  }
  throw new Error(`Could not settle payout ${payoutId}`);
}

/** The risk checks of a payout whose claims are complete (none without a risk reader). */
async function riskOf(deps: PayoutDeps, payout: Payout) {
  if (!deps.risk) return undefined;
  const leader = await deps.leaders.get(payout.leaderId);
  if (!leader) throw new Error(`Payout ${payout.payoutId} names a missing leader`);
  return assessRisk(deps.risk.reader, deps.risk.rules, leader, await deps.payouts.claimsOf(payout.payoutId), deps.clock.now());
}

/** An operator releases a held payout, having looked at its reasons: it becomes proposed (and approvable). */
export async function releasePayout(deps: PayoutDeps, principal: Principal, payoutId: string, reason: string): Promise<PayoutWithEntries> {
  requireOperator(principal);
  const payout = await mustGet(deps, payoutId);
  if (payout.status !== 'held') throw conflict(`The payout is ${payout.status}`);
  const at = deps.clock.now().toISOString();
  const moved = await deps.payouts.transition(
    payout,
    'held',
    'proposed',
    at,
    {
      entityId: payoutId,
      entityType: 'payout',
      action: 'payout.released',
      actor: principal.userId,
      at,
      before: { status: 'held', riskFlags: payout.riskFlags },
      after: { status: 'proposed', releaseReason: reason },
    },
    { fields: { releaseReason: reason } },
  );
  if (moved === 'stale') throw conflict('The payout was changed meanwhile');
  return withEntries(deps, await mustGet(deps, payoutId));
}

/** One leader's payout of the week, if their available balance reaches the minimum. */
async function proposeFor(deps: PayoutDeps, leaderId: string, now: Date): Promise<Proposed> {
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
  /** Payouts this run held for an operator (risk flags) instead of proposing them. */
  held: number;
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
  const report: PayoutRunReport = { proposed: 0, held: 0, failed: 0 };
  const guarded = async (what: string, work: () => Promise<Proposed | void>) => {
    try {
      const outcome = await work();
      if (outcome) report[outcome]++;
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
  count('PayoutsHeld', report.held);
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

  return withEntries(deps, await sendPayout(deps, payout, principal.userId));
}

/** The provider's bill number of a transfer attempt: letters and digits only (商家转账 `out_bill_no`), at most 32. */
export const transferBillNo = (payoutId: string, attempt: number) => `${payoutId.replace(/[^0-9A-Za-z]/g, '').slice(0, 28)}T${attempt}`;

/**
 * Pays an approved payout through the provider. The sandbox pays at once. WeChat Pay's 商家转账 needs the
 * leader's OPENID (a leader who never signed in with WeChat is told so, and the payout waits, approved),
 * then is accepted and waits for the leader to confirm receipt in WeChat; its notification settles it.
 * A transfer under way is never sent twice; one that failed is sent again as a new attempt.
 */
async function sendPayout(deps: PayoutDeps, payout: Payout, actor: string): Promise<Payout> {
  const transfer = payout.transfer;
  if (transfer?.state === 'submitted') return payout;
  const attempt = transfer?.state === 'failed' ? transfer.attempt + 1 : (transfer?.attempt ?? 1);
  const note = async (next: Omit<PayoutTransfer, 'updatedAt' | 'attempt'>, current: Payout): Promise<Payout> => {
    const at = deps.clock.now().toISOString();
    const after: PayoutTransfer = { ...next, attempt, updatedAt: at };
    const noted = await deps.payouts.noteTransfer(current, after, {
      entityId: payout.payoutId,
      entityType: 'payout',
      action: `payout.transfer_${after.state}`,
      actor,
      at,
      before: { status: 'approved', transfer: current.transfer },
      after: { status: 'approved', transfer: after },
    });
    if (noted === 'stale') throw conflict('The payout was changed meanwhile');
    return mustGet(deps, payout.payoutId);
  };

  let payee: PayoutRequest['payee'];
  if (deps.provider.needsOpenId) {
    const leader = await deps.leaders.get(payout.leaderId);
    const openId = leader && (await deps.payees?.openIdOf(leader.userId));
    if (!leader || !openId) {
      if (transfer?.state === 'waiting_for_payee') return payout;
      return note(
        { state: 'waiting_for_payee', detail: 'The leader has not signed in with WeChat: the transfer waits until they do' },
        payout,
      );
    }
    payee = { openId, name: leader.name };
  }
  const billNo = transferBillNo(payout.payoutId, attempt);
  // Noted before the provider hears of it, so that its notification always finds the payout.
  const sending = deps.provider.needsOpenId ? await note({ state: 'sending', billNo }, payout) : payout;
  const outcome = await deps.provider.pay({
    payoutId: payout.payoutId,
    leaderId: payout.leaderId,
    amountFen: payout.amountFen,
    billNo,
    ...(payee ? { payee } : {}),
  });
  if (outcome.status === 'submitted')
    return note({ state: 'submitted', billNo, ...(outcome.confirm ? { confirm: outcome.confirm } : {}) }, sending);
  if (outcome.status === 'failed') return note({ state: 'failed', billNo, detail: outcome.reason }, sending);
  return markPaid(deps, sending, actor);
}

/** approved → paid, appending the `payout` ledger entry. Safe to repeat. */
async function markPaid(deps: PayoutDeps, payout: Payout, actor: string): Promise<Payout> {
  const payoutId = payout.payoutId;
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
      actor,
      at,
      before: { status: 'approved' },
      after: { status: 'paid', entry: payoutEntry },
    },
    { payoutEntry },
  );
  if (paid === 'stale') {
    const now = await mustGet(deps, payoutId);
    if (now.status === 'paid') return now;
    throw conflict('The payout was changed meanwhile');
  }
  count('PayoutsPaid');
  return mustGet(deps, payoutId);
}

/** A leader's open payout (`GET /leaders/me/payout`): what it waits for, and how to confirm receipt in WeChat. */
export async function myOpenPayout(deps: PayoutDeps, principal: Principal): Promise<PayoutWithEntries | undefined> {
  const leader = await deps.leaders.getByUser(principal.userId);
  if (!leader) throw notFound('Leader');
  const payout = await deps.payouts.openPayoutOf(leader.leaderId);
  return payout && withEntries(deps, payout);
}

/**
 * The leader collects their approved payout (`POST /leaders/me/payout/collect`): the transfer is sent if it
 * waited for their WeChat sign-in or failed before, and the answer carries what WeChat needs to confirm it.
 */
export async function collectPayout(deps: PayoutDeps, principal: Principal): Promise<PayoutWithEntries> {
  const payout = await myOpenPayout(deps, principal);
  if (!payout || payout.status !== 'approved') throw conflict('No approved payout to collect');
  const after = await sendPayout(deps, payout, principal.userId);
  if (after.transfer?.state === 'waiting_for_payee')
    throw conflict('Sign in with WeChat (POST /auth/wechat) to receive payouts to your WeChat balance');
  return withEntries(deps, after);
}

/**
 * The provider's verdict on a transfer (WeChat Pay's MCHTRANSFER.BILL.FINISHED): success pays the payout
 * (once); a failed or cancelled bill is noted, and the payout stays approved for another attempt. A
 * verdict on an older attempt, or a repeat, changes nothing.
 */
export async function receiveTransferResult(
  deps: PayoutDeps,
  opened: Opened<TransferResult>,
): Promise<'paid' | 'failed' | 'repeat' | 'ignored'> {
  if (opened.kind === 'refused')
    throw opened.status === 401 ? new AppError('UNAUTHENTICATED', opened.message) : new AppError('VALIDATION_FAILED', opened.message);
  if (opened.kind === 'ignored') return 'ignored';
  const result = opened.event;
  const payoutId = await deps.payouts.payoutOfBill(result.billNo);
  const payout = payoutId && (await deps.payouts.get(payoutId));
  if (!payout) throw new AppError('VALIDATION_FAILED', `No payout sent as bill ${result.billNo}`);
  if (payout.status === 'paid' || payout.transfer?.billNo !== result.billNo || payout.transfer.state === 'failed') return 'repeat';
  if (result.amountFen !== payout.amountFen)
    throw new AppError('VALIDATION_FAILED', `Bill ${result.billNo}: ${result.amountFen} fen, payout of ${payout.amountFen} fen`);
  if (result.status === 'succeeded') {
    await markPaid(deps, payout, ACTOR);
    return 'paid';
  }
  const at = deps.clock.now().toISOString();
  const failed: PayoutTransfer = { ...payout.transfer, state: 'failed', detail: result.detail ?? 'failed at the provider', updatedAt: at };
  const noted = await deps.payouts.noteTransfer(payout, failed, {
    entityId: payout.payoutId,
    entityType: 'payout',
    action: 'payout.transfer_failed',
    actor: ACTOR,
    at,
    before: { status: 'approved', transfer: payout.transfer },
    after: { status: 'approved', transfer: failed },
  });
  if (noted === 'stale') throw conflict('The payout was changed meanwhile');
  return 'failed';
}

/**
 * Rejects a proposed payout: first proposed → rejecting (so a concurrent approve can no longer win),
 * then its entries become payable again, then rejected. A crash in between is finished by the next
 * reject, or by the payout job.
 */
export async function rejectPayout(deps: PayoutDeps, principal: Principal, payoutId: string, reason: string): Promise<PayoutWithEntries> {
  requireOperator(principal);
  let payout = await mustGet(deps, payoutId);
  if (payout.status === 'proposed' || payout.status === 'held') {
    const at = deps.clock.now().toISOString();
    const moved = await deps.payouts.transition(
      payout,
      payout.status,
      'rejecting',
      at,
      {
        entityId: payoutId,
        entityType: 'payout',
        action: 'payout.rejecting',
        actor: principal.userId,
        at,
        before: { status: payout.status },
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
