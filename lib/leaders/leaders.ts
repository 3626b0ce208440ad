// Leaders (团长): application, review and suspension. Status changes go through one transition table;
// every change is audited with who, when, before and after.
import type { AuditEvent } from '../../schemas/common';
import type { ApplyLeaderBody, Leader, LeaderStatus, UpdateMyLeaderBody } from '../../schemas/leaders';
import { orderablePickupDates } from '../group-buys/calendar';
import type { Principal } from '../runtime/auth';
import { isOperator, requireOperator } from '../runtime/auth';
import type { Clock, Ids } from '../runtime/clock';
import { randomCode } from '../runtime/clock';
import { AppError, conflict, notFound, validationError } from '../runtime/errors';

import type { Page } from '../runtime/page';

export interface LeaderStore {
  get(leaderId: string): Promise<Leader | undefined>;
  getByUser(userId: string): Promise<Leader | undefined>;
  findByReferralCode(code: string): Promise<Leader | undefined>;
  /** Creates the leader, its per-user guard and its referral code, with the audit record, atomically. */
  create(leader: Leader, audit: AuditEvent): Promise<'created' | 'user_has_leader' | 'code_taken'>;
  /**
   * Replaces `before` with `after` only if nobody changed it meanwhile. `groupBuys`: the leader's open
   * group buys, marked as suspended (or no longer) in the same transaction. `capacityDates`: the pickup
   * dates whose places take `after`'s daily capacity in the same transaction (a store that keeps places).
   */
  update(
    before: Leader,
    after: Leader,
    audit: AuditEvent,
    groupBuys?: { ids: string[]; suspended: boolean },
    capacityDates?: string[],
  ): Promise<'updated' | 'stale'>;
  /** The ids of the leader's group buys that are still open. */
  openGroupBuysOf(leaderId: string): Promise<string[]>;
  listByStatus(status: LeaderStatus, limit: number, cursor?: string): Promise<Page<Leader>>;
  /** The leaders who named this one as their recruiter. */
  recruitsOf(recruiterId: string): Promise<Leader[]>;
}

export interface LeaderDeps {
  leaders: LeaderStore;
  clock: Clock;
  ids: Ids;
}

export type LeaderAction = 'approve' | 'reject' | 'suspend';

/**
 * Which action moves a leader from which status to which. `approve` also reinstates a suspended
 * leader; a rejected application is final (the user may not apply again: one application per user).
 */
export const LEADER_TRANSITIONS: Record<LeaderAction, { from: readonly LeaderStatus[]; to: LeaderStatus }> = {
  approve: { from: ['pending', 'suspended'], to: 'active' },
  reject: { from: ['pending'], to: 'rejected' },
  suspend: { from: ['active'], to: 'suspended' },
};

export function nextStatus(current: LeaderStatus, action: LeaderAction): LeaderStatus {
  const rule = LEADER_TRANSITIONS[action];
  if (!rule.from.includes(current)) throw conflict(`Cannot ${action} a leader who is ${current}`);
  return rule.to;
}

const REFERRAL_CODE_LENGTH = 8;

export async function applyAsLeader(deps: LeaderDeps, principal: Principal, body: ApplyLeaderBody): Promise<Leader> {
  if (await deps.leaders.getByUser(principal.userId)) throw conflict('You have already applied to be a leader');

  let referredBy: string | undefined;
  if (body.referralCode) {
    const recruiter = await deps.leaders.findByReferralCode(body.referralCode);
    // One level only: the recruiter earns from this leader's sales, never from their recruits' recruits.
    if (!recruiter || recruiter.status !== 'active') {
      throw validationError('referralCode', 'unknown, or its leader is not active');
    }
    referredBy = recruiter.leaderId;
  }

  const now = deps.clock.now().toISOString();
  for (let attempt = 0; attempt < 5; attempt++) {
    const leader: Leader = {
      leaderId: deps.ids.next(),
      userId: principal.userId,
      name: body.name,
      phone: body.phone,
      pickupPoint: body.pickupPoint,
      status: 'pending',
      referralCode: randomCode(REFERRAL_CODE_LENGTH),
      ...(referredBy ? { referredBy } : {}),
      createdAt: now,
      updatedAt: now,
      version: 1,
    };
    const outcome = await deps.leaders.create(leader, {
      entityId: leader.leaderId,
      entityType: 'leader',
      action: 'leader.applied',
      actor: principal.userId,
      at: now,
      after: leader,
    });
    if (outcome === 'created') return leader;
    if (outcome === 'user_has_leader') throw conflict('You have already applied to be a leader');
    // A referral code collision (one in ~10^11): draw another.
  }
  throw new Error('Could not allocate a unique referral code');
}

export async function myLeaderRecord(deps: LeaderDeps, principal: Principal): Promise<Leader> {
  const leader = await deps.leaders.getByUser(principal.userId);
  if (!leader) throw notFound('Leader record');
  return leader;
}

export async function listLeaders(deps: LeaderDeps, principal: Principal, status: LeaderStatus, limit: number, cursor?: string) {
  requireOperator(principal);
  return deps.leaders.listByStatus(status, limit, cursor);
}

export async function reviewLeader(
  deps: LeaderDeps,
  principal: Principal,
  leaderId: string,
  action: LeaderAction,
  reason?: string,
): Promise<Leader> {
  requireOperator(principal);
  const before = await deps.leaders.get(leaderId);
  if (!before) throw notFound('Leader');
  const status = nextStatus(before.status, action);
  const now = deps.clock.now().toISOString();
  const after: Leader = {
    ...before,
    status,
    updatedAt: now,
    ...(action === 'approve' && !before.approvedAt ? { approvedAt: now } : {}),
  };
  if (reason) after.statusReason = reason;
  else delete after.statusReason;
  // Suspension stops the leader's open group buys taking orders at once (they read closed to residents);
  // reinstating them reopens those still before their cutoff. Pickups of paid orders go on either way.
  const suspendedChanges = (before.status === 'suspended') !== (status === 'suspended');
  const groupBuys = suspendedChanges ? { ids: await deps.leaders.openGroupBuysOf(leaderId), suspended: status === 'suspended' } : undefined;
  const outcome = await deps.leaders.update(
    before,
    after,
    { entityId: leaderId, entityType: 'leader', action: `leader.${action}`, actor: principal.userId, at: now, before, after },
    groupBuys,
  );
  if (outcome === 'stale') throw conflict('The leader was changed meanwhile; reload and try again');
  return after;
}

/**
 * `PATCH /leaders/me`: the leader sets (or, with `null`, clears) how many orders their pickup point can hold
 * for one pickup date. Orders already placed keep their places: a capacity below them only stops new ones.
 */
export async function updateMyLeader(deps: LeaderDeps, principal: Principal, body: UpdateMyLeaderBody): Promise<Leader> {
  const before = await requireActiveLeader(deps.leaders, principal);
  const { dailyOrderCapacity: _old, ...point } = before.pickupPoint;
  const capacity = body.pickupPoint.dailyOrderCapacity;
  const at = deps.clock.now();
  const now = at.toISOString();
  const after: Leader = { ...before, pickupPoint: capacity === null ? point : { ...point, dailyOrderCapacity: capacity }, updatedAt: now };
  // Every pickup date an order can still be placed for takes the new capacity, with the leader's change.
  const outcome = await deps.leaders.update(
    before,
    after,
    {
      entityId: before.leaderId,
      entityType: 'leader',
      action: 'leader.pickup_capacity_set',
      actor: principal.userId,
      at: now,
      before,
      after,
    },
    undefined,
    orderablePickupDates(at),
  );
  if (outcome === 'stale') throw conflict('The leader was changed meanwhile; reload and try again');
  return after;
}

/** An active leader record of the caller, or 403: group buys and pickups need one. */
export async function requireActiveLeader(leaders: LeaderStore, principal: Principal): Promise<Leader> {
  const leader = await leaders.getByUser(principal.userId);
  if (!leader || leader.status !== 'active') throw new AppError('FORBIDDEN', 'An active leader record is required');
  return leader;
}

/** The caller may see this leader's data: the leader themself or an operator. */
export function canSeeLeader(principal: Principal, leader: Pick<Leader, 'userId'>): boolean {
  return isOperator(principal) || principal.userId === leader.userId;
}
