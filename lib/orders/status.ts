// The order state machine: which event moves an order from which status to which.
import type { OrderStatus } from '../../schemas/orders';
import { conflict } from '../runtime/errors';

export type OrderEvent = 'pay' | 'expire' | 'cancel' | 'close' | 'fail' | 'pickup' | 'refundAll';

export const ORDER_TRANSITIONS: Record<OrderEvent, Partial<Record<OrderStatus, OrderStatus>>> = {
  pay: { pending_payment: 'paid' },
  expire: { pending_payment: 'expired' },
  cancel: { pending_payment: 'cancelled', paid: 'cancelled' },
  // The cutoff: paid orders of a closing group become ready for pickup; unpaid ones are cancelled.
  close: { paid: 'ready_for_pickup', pending_payment: 'cancelled' },
  // A group below its minimum: paid orders are refunded in full; unpaid ones are cancelled.
  fail: { paid: 'refunded', pending_payment: 'cancelled' },
  pickup: { ready_for_pickup: 'picked_up' },
  refundAll: { paid: 'refunded', ready_for_pickup: 'refunded', picked_up: 'refunded' },
};

export function canTransition(from: OrderStatus, event: OrderEvent): boolean {
  return ORDER_TRANSITIONS[event][from] !== undefined;
}

export function nextOrderStatus(from: OrderStatus, event: OrderEvent): OrderStatus {
  const to = ORDER_TRANSITIONS[event][from];
  if (!to) throw conflict(`An order that is ${from} cannot ${event === 'refundAll' ? 'be refunded' : event}`);
  return to;
}

/** Statuses in which the order holds stock and per-resident allowance. */
export const HOLDS_STOCK: readonly OrderStatus[] = ['pending_payment', 'paid', 'ready_for_pickup', 'picked_up'];
