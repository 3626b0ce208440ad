// Refunds of part or all of an order: by its resident within the after-sales window after pickup, or by
// an operator at any time. The amount is allocated to the order's lines in their order, each up to
// what remains of it; the refund is recorded as an intent with the order change (one transaction) and
// sent through the payment port by the stream-triggered refunds function.
import { createHash } from 'node:crypto';
import type { OrderLine, Refund } from '../../schemas/orders';
import type { Principal } from '../runtime/auth';
import { isOperator } from '../runtime/auth';
import type { Clock, Ids } from '../runtime/clock';
import { conflict, notFound } from '../runtime/errors';
import { addHours } from '../runtime/time';
import { refundChange, withFreshOrder } from './changes';
import type { OrderStore } from './ports';

export interface RefundDeps {
  orders: OrderStore;
  clock: Clock;
  ids: Ids;
  afterSalesHours: number;
}

/** Splits an amount over the lines in their order, each up to what remains refundable of it. */
export function allocateRefund(lines: OrderLine[], amountFen: number): { productId: string; amountFen: number }[] {
  let left = amountFen;
  const allocation: { productId: string; amountFen: number }[] = [];
  for (const line of lines) {
    if (left === 0) break;
    const take = Math.min(left, line.amountFen - line.refundedFen);
    if (take > 0) {
      allocation.push({ productId: line.productId, amountFen: take });
      left -= take;
    }
  }
  if (left > 0) throw conflict('More than remains refundable');
  return allocation;
}

/** Statuses in which money was received and not all of it returned. */
const REFUNDABLE = new Set(['paid', 'ready_for_pickup', 'picked_up']);

export function refundIdFor(orderId: string, idempotencyKey: string | undefined, ids: Ids): string {
  if (!idempotencyKey) return `r-${ids.next()}`;
  return `r-${createHash('sha256').update(`${orderId}\n${idempotencyKey}`).digest('base64url').slice(0, 22)}`;
}

export async function requestRefund(
  deps: RefundDeps,
  principal: Principal,
  orderId: string,
  body: { amountFen: number; reason: string },
  idempotencyKey?: string,
): Promise<{ refund: Refund; replayed: boolean }> {
  const refundId = refundIdFor(orderId, idempotencyKey, deps.ids);
  return withFreshOrder(deps.orders, orderId, async (order) => {
    const operator = isOperator(principal);
    if (!operator && order.userId !== principal.userId) throw notFound('Order');

    // A retry with the same Idempotency-Key returns the refund it made.
    if (idempotencyKey) {
      const earlier = (await deps.orders.listRefunds(orderId)).find((r) => r.refundId === refundId);
      if (earlier) {
        if (earlier.amountFen !== body.amountFen) throw conflict('This Idempotency-Key was used for another refund');
        return { refund: earlier, replayed: true };
      }
    }
    const now = deps.clock.now();
    if (!operator) {
      if (order.status !== 'picked_up' || !order.pickedUpAt) throw conflict('A resident asks for a refund after picking the goods up');
      if (now.getTime() > addHours(new Date(order.pickedUpAt), deps.afterSalesHours).getTime()) {
        throw conflict(`The after-sales window of ${deps.afterSalesHours} hours has passed`);
      }
    }
    if (!REFUNDABLE.has(order.status) || !order.paymentId) throw conflict(`An order that is ${order.status} cannot be refunded`);
    const remaining = order.totalFen - order.refundedFen;
    if (body.amountFen > remaining) throw conflict(`Only ${remaining} fen remain refundable`);

    const at = now.toISOString();
    const lines = allocateRefund(order.items, body.amountFen);
    const refund: Refund = {
      refundId,
      orderId,
      paymentId: order.paymentId,
      amountFen: body.amountFen,
      reason: body.reason,
      status: 'requested',
      lines,
      requestedBy: principal.userId,
      createdAt: at,
    };
    const items = order.items.map((l) => ({
      ...l,
      refundedFen: l.refundedFen + (lines.find((a) => a.productId === l.productId)?.amountFen ?? 0),
    }));
    const outcome = await deps.orders.change(
      refundChange(order, items, refund, { action: 'order.refund_requested', actor: principal.userId }),
    );
    return outcome === 'changed' ? { refund, replayed: false } : 'stale';
  });
}
