// Orders: a resident orders through a leader's share link; stock and per-resident limits are
// reserved atomically with the order; unpaid orders expire; a resident cancels before the cutoff.
import type { GroupBuy } from '../../schemas/group-buys';
import type { Order, PlaceOrderBody, Refund } from '../../schemas/orders';
import { invalidShareLink, verifyShareToken } from '../group-buys/share-link';
import type { Principal } from '../runtime/auth';
import { AppError, conflict, notFound } from '../runtime/errors';
import { count } from '../runtime/observability';
import { addMinutes } from '../runtime/time';
import type { OrderDeps } from './ports';
import { requestHash, newOrder, outOfStock, orderIdFor, placementRecord } from './pricing';
import { transitioned, fullRefund, withFreshOrder } from './changes';

const groupClosed = () => new AppError('GROUP_BUY_CLOSED', 'This group buy no longer takes orders');
const pickupFull = (date: string) =>
  new AppError('PICKUP_POINT_FULL', `This pickup point takes no more orders for ${date}: its daily capacity is reached`);
/** The group buy takes orders at `now` (as the write will check again). */
const takesOrders = (gb: GroupBuy, now: Date) => gb.status === 'open' && !gb.leaderSuspended && Date.parse(gb.cutoffAt) > now.getTime();
/**
 * A write refused because the group buy the order was priced from changed (its version) is tried again, on a
 * fresh read, until this many attempts.
 */
const ATTEMPTS = 3;

export interface PlacedOrder {
  order: Order;
  /** True when this request repeated an earlier one (same Idempotency-Key and body). */
  replayed: boolean;
}

export async function placeOrder(
  deps: OrderDeps,
  principal: Principal,
  idempotencyKey: string,
  body: PlaceOrderBody,
): Promise<PlacedOrder> {
  const now = deps.clock.now();
  const claims = verifyShareToken(deps.shareKey(), body.shareToken, now);
  const hash = requestHash(body);
  // The same key always names the same order: a retry finds it, it never makes a second one.
  const orderId = orderIdFor(principal.userId, idempotencyKey);

  const replay = async (): Promise<PlacedOrder | undefined> => {
    const earlier = await deps.orders.get(orderId);
    if (!earlier) return undefined;
    if (earlier.userId !== principal.userId || earlier.requestHash !== hash)
      throw conflict('This Idempotency-Key was used with a different request');
    return { order: earlier, replayed: true };
  };

  // From the warm instance's cache when a write proved them (snapshots.ts); the write checks them again.
  const { cache } = deps;
  let groupBuy = cache?.groupBuys.get(claims.groupBuyId) ?? (await deps.groupBuys.get(claims.groupBuyId));
  if (!groupBuy || groupBuy.leaderId !== claims.leaderId) throw invalidShareLink('unknown group buy');

  for (let attempt = 1; ; attempt++) {
    if (!takesOrders(groupBuy, now)) {
      // A retry of an order placed before the cutoff still gets its order back.
      const earlier = await replay();
      if (earlier) return earlier;
      throw groupClosed();
    }

    const at = now.toISOString();
    const priced = newOrder(groupBuy, body, {
      orderId,
      userId: principal.userId,
      // The leader the link names is the one credited, whoever forwarded it.
      leaderId: claims.leaderId,
      at,
      expiresAt: addMinutes(now, deps.paymentTimeoutMinutes).toISOString(),
    });
    const { reservations } = priced;
    const order: Order = { ...priced.order, holdsPlace: true, requestHash: hash };
    const outcome = await deps.orders.place({
      order,
      reservations,
      audit: placementRecord(order),
      now,
      groupBuyVersion: groupBuy.version,
      place: { leaderId: groupBuy.leaderId },
    });

    if (outcome.kind === 'placed') {
      // The write proved it: the group buy open at this version.
      cache?.groupBuys.set(groupBuy.groupBuyId, groupBuy);
      count('OrdersPlaced');
      return { order, replayed: false };
    }
    // Anything else forgets it: the next order reads it afresh.
    cache?.groupBuys.delete(groupBuy.groupBuyId);

    switch (outcome.kind) {
      case 'duplicate_key': {
        const earlier = await replay();
        if (earlier) return earlier;
        throw new Error('Order vanished between write and read');
      }
      case 'group_closed': {
        // Closed, or (no writer does it today) changed while open: priced again from a fresh read in that case.
        const fresh = await deps.groupBuys.get(groupBuy.groupBuyId);
        if (attempt < ATTEMPTS && fresh && fresh.version !== groupBuy.version && takesOrders(fresh, now)) {
          groupBuy = fresh;
          continue;
        }
        throw groupClosed();
      }
      case 'pickup_full':
        throw pickupFull(groupBuy.pickupDate);
      case 'out_of_stock':
      case 'over_limit': {
        const why = outcome.kind === 'out_of_stock' ? 'not enough stock left' : 'over your limit for this item';
        throw outOfStock(
          outcome.productIds.map((productId) => ({
            path: `items.${body.items.findIndex((i) => i.productId === productId)}.quantity`,
            message: `${productId}: ${why}`,
          })),
        );
      }
    }
  }
}

/** A resident cancels before the cutoff: stock is released and a paid order is refunded in full. */
export async function cancelOrder(deps: Pick<OrderDeps, 'orders' | 'clock'>, principal: Principal, orderId: string): Promise<Order> {
  return withFreshOrder(deps.orders, orderId, async (order) => {
    if (order.userId !== principal.userId) throw notFound('Order');
    const now = deps.clock.now();
    if (Date.parse(order.cutoffAt) <= now.getTime()) throw conflict('The cutoff has passed: the order can no longer be cancelled');
    const at = now.toISOString();
    let after = transitioned(order, 'cancel', at);
    const refunds: Refund[] = [];
    if (order.status === 'paid') {
      const full = fullRefund(order, `${order.orderId}-cancel`, 'cancelled by resident', principal.userId, at);
      if (full) {
        refunds.push(full.refund);
        after = { ...after, ...full.after };
      }
    }
    const outcome = await deps.orders.change({
      before: order,
      after,
      release: true,
      groupOpenAt: now,
      refunds,
      audit: { entityId: order.orderId, entityType: 'order', action: 'order.cancelled', actor: principal.userId, at, before: order, after },
    });
    if (outcome === 'group_closed') throw conflict('The group buy has closed: the order can no longer be cancelled');
    return outcome === 'changed' ? after : 'stale';
  });
}

/** Expires unpaid orders past their payment deadline and gives their stock back. Safe to run twice. */
export async function expireDueOrders(
  deps: Pick<OrderDeps, 'orders' | 'clock'>,
  options: { limit?: number; hasTime?: () => boolean } = {},
): Promise<{ expired: number }> {
  const now = deps.clock.now();
  const due = await deps.orders.dueForExpiry(now, options.limit ?? 200);
  let expired = 0;
  for (const candidate of due) {
    if (options.hasTime && !options.hasTime()) break;
    const done = await withFreshOrder(deps.orders, candidate.orderId, async (order) => {
      if (order.status !== 'pending_payment' || Date.parse(order.expiresAt) > now.getTime()) return false;
      const at = deps.clock.now().toISOString();
      const after = transitioned(order, 'expire', at);
      const outcome = await deps.orders.change({
        before: order,
        after,
        release: true,
        audit: { entityId: order.orderId, entityType: 'order', action: 'order.expired', actor: 'system:expiry', at, before: order, after },
      });
      return outcome === 'changed' ? true : 'stale';
    });
    if (done) expired++;
  }
  return { expired };
}
