// Leaders as one contract, run on both stores (DynamoDB Local; CloudBase through its real SDK against the
// stand-in): applying once per user with a unique referral code, the operators' review with optimistic versions
// and audit, the decisions the notify consumer is handed, and a suspension that stops the leader's open group
// buys taking orders at once, in the store itself.
import type { AuditEvent } from '../../schemas/common';
import type { ApplyLeaderBody, Leader } from '../../schemas/leaders';
import type { LeaderDeps } from '../../lib/leaders/leaders';
import { applyAsLeader, listLeaders, myLeaderRecord, reviewLeader, updateMyLeader } from '../../lib/leaders/leaders';
import { viewGroupBuy } from '../../lib/group-buys/group-buys';
import { shareLinkKey, signShareToken } from '../../lib/group-buys/share-link';
import { placeOrder } from '../../lib/orders/orders';
import type { Principal } from '../../lib/runtime/auth';
import { ulid } from '../../lib/runtime/clock';
import { APPLES, openGroupBuyRecord, pendingOrder } from '../support/seeds';
import type { CatalogueStores } from './catalogue-stores';
import { CATALOGUE_TARGETS, codeOf, placementDeps } from './catalogue-stores';

const START = new Date('2026-12-01T02:00:00.000Z');
const KEY = shareLinkKey('contract-suite-secret');
const operator: Principal = { userId: 'u-operator', roles: ['operator'] };
const user = (userId: string): Principal => ({ userId, roles: [] });

const application = (name: string, referralCode?: string): ApplyLeaderBody => ({
  name,
  phone: '13900001111',
  pickupPoint: { name: `${name}的店`, address: '1 号楼', community: '幸福', city: '杭州' },
  ...(referralCode ? { referralCode } : {}),
});

describe.each(CATALOGUE_TARGETS)('leaders on $name', (target) => {
  let stores: CatalogueStores & { stop(): Promise<void> };
  let now = START;
  let deps: LeaderDeps;

  beforeAll(async () => {
    stores = await target.start();
    deps = { leaders: stores.leaders, clock: { now: () => now }, ids: { next: () => ulid(now.getTime()) } };
  });
  afterAll(() => stores.stop());

  /** Applies as `userId` a minute after the last application, so that applications sort by their time. */
  async function apply(userId: string, referralCode?: string): Promise<Leader> {
    now = new Date(now.getTime() + 60_000);
    return applyAsLeader(deps, user(userId), application(`团长${userId}`, referralCode));
  }

  it('takes one application per user, even racing, and keeps referral codes unique', async () => {
    const first = await apply('u-apply');
    expect(first).toMatchObject({ status: 'pending', version: 1, referralCode: expect.stringMatching(/^[A-Z2-9]{8}$/) });
    expect(await stores.leaders.get(first.leaderId)).toEqual(first);
    expect(await myLeaderRecord(deps, user('u-apply'))).toEqual(first);
    await expect(codeOf(apply('u-apply'))).resolves.toBe('CONFLICT');

    // A double tap sends two applications at once: one leader record, the other told it exists.
    const outcomes = await Promise.all([1, 2, 3].map(() => codeOf(apply('u-double'))));
    expect(outcomes.sort()).toEqual(['CONFLICT', 'CONFLICT', 'ok']);

    // The store's own guards: another record for the same user, or one with a code already taken, is refused whole.
    const at = now.toISOString();
    const audit = (leaderId: string): AuditEvent => ({
      entityId: leaderId,
      entityType: 'leader',
      action: 'leader.applied',
      actor: 'x',
      at,
    });
    const sameUser: Leader = { ...first, leaderId: 'L-same-user', referralCode: 'ZZZZ2222' };
    await expect(stores.leaders.create(sameUser, audit(sameUser.leaderId))).resolves.toBe('user_has_leader');
    const sameCode: Leader = { ...first, leaderId: 'L-same-code', userId: 'u-other' };
    await expect(stores.leaders.create(sameCode, audit(sameCode.leaderId))).resolves.toBe('code_taken');
    for (const id of ['L-same-user', 'L-same-code']) {
      expect(await stores.leaders.get(id)).toBeUndefined();
      expect(await stores.auditTrail(id)).toEqual([]);
    }
    expect(await stores.leaders.findByReferralCode(first.referralCode)).toEqual(first);
    expect(await stores.leaders.getByUser('u-other')).toBeUndefined();
    expect((await stores.auditTrail(first.leaderId)).map((e) => e.action)).toEqual(['leader.applied']);
  });

  it('lets operators review applications oldest first, page by page, and decides each change on the version read', async () => {
    const [a, b, c] = [await apply('u-review-a'), await apply('u-review-b'), await apply('u-review-c')];
    const pending = async () => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await listLeaders(deps, operator, 'pending', 2, cursor);
        expect(page.items.length).toBeLessThanOrEqual(2);
        ids.push(...page.items.map((l) => l.leaderId));
        cursor = page.nextCursor;
      } while (cursor);
      return ids.filter((id) => [a, b, c].some((l) => l.leaderId === id));
    };
    expect(await pending()).toEqual([a.leaderId, b.leaderId, c.leaderId]);
    await expect(codeOf(listLeaders(deps, user('u-review-a'), 'pending', 10))).resolves.toBe('FORBIDDEN');

    now = new Date(now.getTime() + 60_000);
    const approved = await reviewLeader(deps, operator, a.leaderId, 'approve');
    expect(approved).toMatchObject({ status: 'active', approvedAt: now.toISOString() });
    expect(await stores.leaders.get(a.leaderId)).toMatchObject({ status: 'active', version: 2, approvedAt: now.toISOString() });
    await reviewLeader(deps, operator, b.leaderId, 'reject', '资料不全');
    expect(await stores.leaders.get(b.leaderId)).toMatchObject({ status: 'rejected', statusReason: '资料不全', version: 2 });
    await expect(codeOf(reviewLeader(deps, operator, b.leaderId, 'approve'))).resolves.toBe('CONFLICT');
    expect(await pending()).toEqual([c.leaderId]);
    expect((await listLeaders(deps, operator, 'active', 100)).items.map((l) => l.leaderId)).toContain(a.leaderId);

    // Two changes decided on the same version: the first wins, the second is stale and writes nothing.
    const before = (await stores.leaders.get(a.leaderId))!;
    const capacity = (n: number): Leader => ({ ...before, pickupPoint: { ...before.pickupPoint, dailyOrderCapacity: n } });
    const audit = {
      entityId: a.leaderId,
      entityType: 'leader',
      action: 'leader.pickup_capacity_set',
      actor: 'u-review-a',
      at: now.toISOString(),
    };
    expect(await stores.leaders.update(before, capacity(50), audit)).toBe('updated');
    expect(await stores.leaders.update(before, capacity(80), audit)).toBe('stale');
    expect(await stores.leaders.get(a.leaderId)).toMatchObject({ version: 3, pickupPoint: { dailyOrderCapacity: 50 } });
    // Through the use-case: the leader clears it again.
    const cleared = await updateMyLeader(deps, user('u-review-a'), { pickupPoint: { dailyOrderCapacity: null } });
    expect(cleared.pickupPoint).not.toHaveProperty('dailyOrderCapacity');
    expect((await stores.auditTrail(a.leaderId)).map((e) => e.action)).toEqual([
      'leader.applied',
      'leader.approve',
      'leader.pickup_capacity_set',
      'leader.pickup_capacity_set',
    ]);

    // A recruit applying with the active leader's code is theirs; an inactive leader's code is refused.
    const recruit = await apply('u-recruit', approved.referralCode);
    expect(recruit.referredBy).toBe(a.leaderId);
    expect((await stores.leaders.recruitsOf(a.leaderId)).map((l) => l.leaderId)).toEqual([recruit.leaderId]);
    await expect(codeOf(apply('u-recruit-2', c.referralCode))).resolves.toBe('VALIDATION_FAILED');
  });

  it('hands the notify consumer each approval and rejection once, and nothing else', async () => {
    const [a, b] = [await apply('u-notify-a'), await apply('u-notify-b')];
    await reviewLeader(deps, operator, a.leaderId, 'approve');
    await reviewLeader(deps, operator, b.leaderId, 'reject', '不在服务范围');
    // Changes that are no decision: a capacity set, a suspension.
    await updateMyLeader(deps, user('u-notify-a'), { pickupPoint: { dailyOrderCapacity: 30 } });
    await reviewLeader(deps, operator, a.leaderId, 'suspend', '投诉');
    const mine = (await stores.notifiedLeaders()).filter((d) => [a.leaderId, b.leaderId].includes(d.leaderId));
    expect(mine).toEqual([
      { leaderId: a.leaderId, status: 'active' },
      { leaderId: b.leaderId, status: 'rejected' },
    ]);
  });

  it('stops a suspended leader’s open group buy taking orders at once, in the store itself, and reinstating reopens it', async () => {
    const leader = await apply('u-suspend');
    await reviewLeader(deps, operator, leader.leaderId, 'approve');
    const groupBuy = openGroupBuyRecord(
      {
        groupBuyId: ulid(now.getTime()),
        leaderId: leader.leaderId,
        cutoffAt: new Date(now.getTime() + 24 * 3600_000).toISOString(),
        pickupDate: '2026-12-03',
        items: [{ ...APPLES, stockLimit: 10 }],
      },
      now.toISOString(),
    );
    const opened: AuditEvent = {
      entityId: groupBuy.groupBuyId,
      entityType: 'groupBuy',
      action: 'groupBuy.opened',
      actor: 'u',
      at: now.toISOString(),
    };
    expect(await stores.groupBuys.create(groupBuy, opened)).toBe('created');
    expect(await stores.leaders.openGroupBuysOf(leader.leaderId)).toEqual([groupBuy.groupBuyId]);

    const orderDeps = placementDeps(stores, { now: () => now }, { next: () => ulid(now.getTime()) }, KEY);
    const shareToken = signShareToken(KEY, {
      groupBuyId: groupBuy.groupBuyId,
      leaderId: leader.leaderId,
      expiresAt: new Date(now.getTime() + 3 * 86400_000),
    });
    const order = (userId: string) =>
      codeOf(
        placeOrder(orderDeps, user(userId), `key-${userId}`, {
          shareToken,
          items: [{ productId: 'apple', quantity: 1 }],
          contactName: '王芳',
          contactPhone: '13800138000',
        }),
      );
    await expect(order('u-before')).resolves.toBe('ok');

    await reviewLeader(deps, operator, leader.leaderId, 'suspend', '投诉');
    expect(await stores.leaders.get(leader.leaderId)).toMatchObject({ status: 'suspended', statusReason: '投诉' });
    expect(await viewGroupBuy({ groupBuys: stores.groupBuys }, groupBuy.groupBuyId)).toMatchObject({ status: 'closed' });
    await expect(order('u-during')).resolves.toBe('GROUP_BUY_CLOSED');
    // The store refuses it too, whatever a placement read before the suspension landed.
    const late = pendingOrder(groupBuy, [{ productId: 'apple', quantity: 1 }], {
      orderId: ulid(now.getTime()),
      userId: 'u-raced',
      at: now.toISOString(),
      expiresAt: new Date(now.getTime() + 15 * 60_000).toISOString(),
    });
    const placed = await stores.orders.place({
      order: late,
      reservations: [{ productId: 'apple', quantity: 1, stockLimited: true }],
      audit: { entityId: late.orderId, entityType: 'order', action: 'order.placed', actor: 'u-raced', at: now.toISOString() },
      now,
    });
    expect(placed).toEqual({ kind: 'group_closed' });
    // Nor can the suspended leader open another.
    const another = { ...groupBuy, groupBuyId: ulid(now.getTime()) };
    expect(await stores.groupBuys.create(another, { ...opened, entityId: another.groupBuyId })).toBe('leader_not_active');

    now = new Date(now.getTime() + 60_000);
    await reviewLeader(deps, operator, leader.leaderId, 'approve');
    expect(await viewGroupBuy({ groupBuys: stores.groupBuys }, groupBuy.groupBuyId)).toMatchObject({ status: 'open' });
    await expect(order('u-after')).resolves.toBe('ok');
    expect((await stores.groupBuys.getWithStock(groupBuy.groupBuyId))!.stock.get('apple')?.remaining).toBe(8);
    expect((await stores.auditTrail(leader.leaderId)).map((e) => e.action)).toEqual([
      'leader.applied',
      'leader.approve',
      'leader.suspend',
      'leader.approve',
    ]);
  });
});
