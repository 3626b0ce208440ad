// Residents review the pickup point of an order they collected: once per order, within 15 days after the
// pickup. The share page shows a pickup point's reviews, newest first, with their count and average.
import type { AuditEvent } from '../../schemas/common';
import type { ReviewBody, Review } from '../../schemas/customers';
import type { GroupBuy } from '../../schemas/group-buys';
import type { Order } from '../../schemas/orders';
import { maskName } from '../orders/privacy';
import type { Principal } from '../runtime/auth';
import { isOperator } from '../runtime/auth';
import type { Clock, Ids } from '../runtime/clock';
import { conflict, forbidden, notFound } from '../runtime/errors';
import type { Page } from '../runtime/page';
import { addDays, toBusinessIso } from '../runtime/time';

/** API.md: a review is written within 15 days after the pickup. */
export const REVIEW_WINDOW_DAYS = 15;

export interface ReviewSummary {
  count: number;
  ratingSum: number;
}

export interface ReviewStore {
  /** Records the order's review (and adds it to the pickup point's count and sum), unless the order has one: 'exists'. */
  add(review: Review, audit: AuditEvent): Promise<'added' | 'exists'>;
  /** A pickup point's reviews, newest first. */
  listOf(leaderId: string, limit: number, cursor?: string): Promise<Page<Review>>;
  summaryOf(leaderId: string): Promise<ReviewSummary>;
}

export interface ReviewDeps {
  reviews: ReviewStore;
  orders: { get(orderId: string): Promise<Order | undefined> };
  groupBuys: { get(groupBuyId: string): Promise<GroupBuy | undefined> };
  /** The caller's leader id, if they hold a leader record. */
  leaderIdOf(userId: string): Promise<string | undefined>;
  clock: Clock;
  ids: Ids;
}

/** The average in hundredths of a star, rounded half up, in integers (0 with no review). */
export function averageRatingX100({ count, ratingSum }: ReviewSummary): number {
  return count === 0 ? 0 : Math.floor((ratingSum * 200 + count) / (2 * count));
}

/** `POST /orders/{orderId}/reviews`. */
export async function reviewOrder(deps: ReviewDeps, principal: Principal, orderId: string, body: ReviewBody): Promise<Review> {
  const order = await deps.orders.get(orderId);
  if (!order || order.userId !== principal.userId) {
    // Those who may read the order (its leader, operators) learn that it is not theirs to review; others
    // learn nothing about it.
    if (order && (isOperator(principal) || (await deps.leaderIdOf(principal.userId)) === order.leaderId))
      throw forbidden('Only the resident who placed the order reviews it');
    throw notFound('Order');
  }
  const now = deps.clock.now();
  if (!order.pickedUpAt) throw conflict('The order has not been picked up yet: a review comes after the pickup');
  if (now > addDays(new Date(order.pickedUpAt), REVIEW_WINDOW_DAYS))
    throw conflict(`Reviews are written within ${REVIEW_WINDOW_DAYS} days after the pickup`);
  const review: Review = {
    reviewId: deps.ids.next(),
    orderId: order.orderId,
    leaderId: order.leaderId,
    groupBuyId: order.groupBuyId,
    userId: order.userId,
    rating: body.rating,
    ...(body.text ? { text: body.text } : {}),
    contactName: maskName(order.contactName),
    createdAt: now.toISOString(),
  };
  const audit: AuditEvent = {
    entityId: order.orderId,
    entityType: 'order',
    action: 'order.reviewed',
    actor: principal.userId,
    at: review.createdAt,
    after: { reviewId: review.reviewId, leaderId: review.leaderId, rating: review.rating, ...(review.text ? { text: review.text } : {}) },
  };
  if ((await deps.reviews.add(review, audit)) === 'exists') throw conflict('This order has been reviewed already');
  return review;
}

export const reviewView = (r: Review) => ({
  rating: r.rating,
  ...(r.text ? { text: r.text } : {}),
  contactName: r.contactName,
  createdAt: toBusinessIso(r.createdAt),
});

/** `GET /group-buys/{groupBuyId}/reviews`: the reviews of that group buy's pickup point. */
export async function reviewsOfGroupBuy(
  deps: Pick<ReviewDeps, 'reviews' | 'groupBuys'>,
  groupBuyId: string,
  page: { limit: number; cursor?: string },
) {
  const groupBuy = await deps.groupBuys.get(groupBuyId);
  if (!groupBuy) throw notFound('Group buy');
  const [found, summary] = await Promise.all([
    deps.reviews.listOf(groupBuy.leaderId, page.limit, page.cursor),
    deps.reviews.summaryOf(groupBuy.leaderId),
  ]);
  return {
    items: found.items.map(reviewView),
    count: summary.count,
    averageRatingX100: averageRatingX100(summary),
    ...(found.nextCursor ? { nextCursor: found.nextCursor } : {}),
  };
}
