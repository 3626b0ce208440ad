// Reviews as one contract, run on both stores: a resident reviews an order they collected once (a second
// review, even at the same time, is refused), and the share page lists a pickup point's reviews newest first
// with their count and average. The orders and group buys are read from memory: the review store is the port.
import type { AuditEvent } from '../../schemas/common';
import type { GroupBuy } from '../../schemas/group-buys';
import type { Order } from '../../schemas/orders';
import type { ReviewDeps } from '../../lib/customers/reviews';
import { reviewOrder, reviewsOfGroupBuy } from '../../lib/customers/reviews';
import { cloudbaseAuditTrail } from '../../lib/adapters/cloudbase/audit';
import { cloudbaseReviewStore } from '../../lib/adapters/cloudbase/reviews';
import { AppError } from '../../lib/runtime/errors';
import type { Principal } from '../../lib/runtime/auth';
import { auditTrail } from '../../lib/store/audit';
import { dynamoReviewStore } from '../../lib/store/reviews';
import { paidOrder } from './people';
import { storeTargets } from './stores';

interface ReviewStores {
  reviews: ReviewDeps['reviews'];
  auditTrail(entityId: string): Promise<AuditEvent[]>;
}

const targets = storeTargets<ReviewStores>({
  dynamodb: (client) => ({ reviews: dynamoReviewStore(client), auditTrail: (id) => auditTrail(id, client) }),
  cloudbase: (db) => ({ reviews: cloudbaseReviewStore(db), auditTrail: (id) => cloudbaseAuditTrail(id, db) }),
});

describe.each(targets)('reviews on $name', (target) => {
  let stores: ReviewStores & { stop(): Promise<void> };
  let now = new Date('2026-12-01T04:00:00.000Z');
  let seq = 0;
  const orders = new Map<string, Order>();
  const groupBuys = new Map<string, GroupBuy>();
  let deps: ReviewDeps;

  beforeAll(async () => {
    stores = await target.start();
    deps = {
      reviews: stores.reviews,
      orders: { get: async (id) => orders.get(id) },
      groupBuys: { get: async (id) => groupBuys.get(id) },
      leaderIdOf: async () => undefined,
      clock: { now: () => now },
      ids: { next: () => `R${++seq}` },
    };
  });
  afterAll(() => stores.stop());

  /** An order `userId` collected yesterday at `leaderId`'s pickup point (group buy `GB-<leaderId>`). */
  function collected(orderId: string, userId: string, leaderId: string): Order {
    const { groupBuy, paid, next } = paidOrder({
      orderId,
      userId,
      leaderId,
      groupBuyId: `GB-${leaderId}`,
      placedAt: '2026-11-28T03:00:00.000Z',
    });
    groupBuys.set(groupBuy.groupBuyId, groupBuy);
    const order = next(paid, { status: 'picked_up', pickupCode: '123456', pickedUpAt: '2026-11-30T03:00:00.000Z' });
    orders.set(orderId, order);
    return order;
  }
  const resident = (userId: string): Principal => ({ userId, roles: [] });
  /** 'reviewed', or the API error code the use-case answered with. */
  const outcome = async (p: Promise<unknown>) => {
    try {
      await p;
      return 'reviewed';
    } catch (err) {
      if (err instanceof AppError) return err.code;
      throw err;
    }
  };

  it('takes one review per order, even when two are sent at once, and audits it', async () => {
    const order = collected('O-once', 'u-1', 'L-once');
    const twice = await Promise.all([
      outcome(reviewOrder(deps, resident('u-1'), order.orderId, { rating: 5, text: '很新鲜' })),
      outcome(reviewOrder(deps, resident('u-1'), order.orderId, { rating: 1 })),
    ]);
    expect(twice.sort()).toEqual(['CONFLICT', 'reviewed']);
    expect(await outcome(reviewOrder(deps, resident('u-1'), order.orderId, { rating: 3 }))).toBe('CONFLICT');

    const page = await reviewsOfGroupBuy(deps, order.groupBuyId, { limit: 10 });
    expect(page).toMatchObject({ count: 1, items: [{ contactName: '张*' }] });
    expect((await stores.auditTrail(order.orderId)).map((e) => e.action)).toEqual(['order.reviewed']);
  });

  it('lists a pickup point’s reviews newest first, page by page, with their count and average', async () => {
    for (const [i, rating] of [5, 4, 4].entries()) {
      now = new Date(Date.parse('2026-12-01T04:00:00.000Z') + i * 60_000);
      const order = collected(`O-list-${i}`, `u-list-${i}`, 'L-list');
      await reviewOrder(deps, resident(order.userId), order.orderId, { rating, text: `第${i + 1}条` });
    }
    // Another pickup point's review is not theirs.
    const other = collected('O-elsewhere', 'u-9', 'L-elsewhere');
    await reviewOrder(deps, resident('u-9'), other.orderId, { rating: 1 });

    const first = await reviewsOfGroupBuy(deps, 'GB-L-list', { limit: 2 });
    expect(first).toMatchObject({ count: 3, averageRatingX100: 433, items: [{ text: '第3条' }, { text: '第2条' }] });
    const second = await reviewsOfGroupBuy(deps, 'GB-L-list', { limit: 2, cursor: first.nextCursor! });
    expect([second.items.map((r) => r.text), second.nextCursor]).toEqual([['第1条'], undefined]);
  });

  it('refuses an order that is not the caller’s, or not collected yet', async () => {
    const order = collected('O-mine', 'u-owner', 'L-refuse');
    expect(await outcome(reviewOrder(deps, resident('u-other'), order.orderId, { rating: 5 }))).toBe('NOT_FOUND');
    orders.set('O-waiting', { ...order, orderId: 'O-waiting', status: 'paid', pickedUpAt: undefined });
    expect(await outcome(reviewOrder(deps, resident('u-owner'), 'O-waiting', { rating: 5 }))).toBe('CONFLICT');
    expect(await reviewsOfGroupBuy(deps, 'GB-L-refuse', { limit: 5 })).toEqual({ items: [], count: 0, averageRatingX100: 0 });
  });
});
