// Changing an order safely, shared by every domain that moves one (cutoff, payments, pickups): the next
// state for an event, the full refund it implies, and read-decide-write until the write finds it unchanged.
import type { Order, OrderLine, Refund } from '../../schemas/orders';
import { conflict, notFound } from '../runtime/errors';
import type { OrderEvent } from './status';
import { nextOrderStatus } from './status';
import type { OrderChange, OrderStore } from './ports';

/** The order after an event, with the line refunds it implies when it refunds everything. */
export function transitioned(order: Order, event: OrderEvent, at: string): Order {
  return { ...order, status: nextOrderStatus(order.status, event), updatedAt: at };
}

/** A refund of everything not yet refunded, allocated line by line. */
export function fullRefund(
  order: Order,
  refundId: string,
  reason: string,
  actor: string,
  at: string,
): { refund: Refund; after: Pick<Order, 'items' | 'refundedFen'> } | undefined {
  const amountFen = order.totalFen - order.refundedFen;
  if (amountFen <= 0 || !order.paymentId) return undefined;
  const lines = order.items.map((l) => ({ productId: l.productId, amountFen: l.amountFen - l.refundedFen })).filter((l) => l.amountFen > 0);
  return {
    refund: {
      refundId,
      orderId: order.orderId,
      paymentId: order.paymentId,
      amountFen,
      reason,
      status: 'requested',
      lines,
      requestedBy: actor,
      createdAt: at,
    },
    after: { items: order.items.map((l) => ({ ...l, refundedFen: l.amountFen })), refundedFen: order.totalFen },
  };
}

const MAX_STALE_RETRIES = 5;

/** Runs read-decide-write until the write finds the order as it was read. */
export async function withFreshOrder<T>(orders: OrderStore, orderId: string, attempt: (order: Order) => Promise<T | 'stale'>): Promise<T> {
  for (let i = 0; i < MAX_STALE_RETRIES; i++) {
    const order = await orders.get(orderId);
    if (!order) throw notFound('Order');
    const result = await attempt(order);
    if (result !== 'stale') return result;
  }
  throw conflict('The order is changing; try again');
}

/**
 * The order after a partial or full refund of `amountFen`, its lines as given: refunded in full it becomes
 * `refunded` and gives its stock and per-resident allowance back (`release`), as a cancel does.
 */
function afterRefund(order: Order, items: OrderLine[], amountFen: number, at: string): { after: Order; release: boolean } {
  const refundedFen = order.refundedFen + amountFen;
  const full = refundedFen === order.totalFen;
  const base: Order = full ? transitioned(order, 'refundAll', at) : { ...order, updatedAt: at };
  return { after: { ...base, items, refundedFen }, release: full };
}

/**
 * The change that records `refund` of an order whose lines become `items`: the order moved on (refunded, and
 * its holdings given back, when nothing is left), the refund written with it, audited as `action` by `actor`
 * (`note`: what else the audit record should name, such as the shortfall it settles).
 */
export function refundChange(
  order: Order,
  items: OrderLine[],
  refund: Refund,
  audit: { action: string; actor: string; note?: Record<string, unknown> },
): OrderChange {
  const { after, release } = afterRefund(order, items, refund.amountFen, refund.createdAt);
  return {
    before: order,
    after,
    release,
    refunds: [refund],
    audit: {
      entityId: order.orderId,
      entityType: 'order',
      action: audit.action,
      actor: audit.actor,
      at: refund.createdAt,
      before: order,
      after: { ...after, refund, ...audit.note },
    },
  };
}
