// Payments: the provider's notification marks an order paid (once); refunds recorded as intents are
// executed through the payment port by the stream-triggered `refunds` function.
import { PaymentNotificationSchema, type Order, type Refund } from '../../schemas/orders';
import { withFreshOrder, transitioned, type OrderStore } from '../orders/orders';
import type { Clock } from '../runtime/clock';
import { AppError, conflict } from '../runtime/errors';
import { parseWith } from '../runtime/http';
import type { PaymentProvider } from './provider';

export interface PaymentDeps {
  orders: OrderStore;
  provider: PaymentProvider;
  clock: Clock;
}

const PAYMENTS_ACTOR = 'system:payments';

function parseNotification(rawBody: string) {
  let json: unknown;
  try {
    json = JSON.parse(rawBody);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'Body is not valid JSON', [{ path: 'body', message: 'not valid JSON' }]);
  }
  return parseWith(PaymentNotificationSchema, json);
}

/**
 * The provider's webhook. A bad signature is 401; an amount other than the order's is 409 and leaves the
 * order unpaid; a repeat changes nothing. Money that arrives for an order that can no longer be paid
 * (expired, cancelled, or already paid through another payment) is recorded and refunded, never kept.
 */
export async function handlePaymentNotification(deps: PaymentDeps, rawBody: string, headers: Record<string, string>): Promise<Order> {
  if (!deps.provider.verifyNotification(rawBody, headers)) throw new AppError('UNAUTHENTICATED', 'Bad payment signature');
  const n = parseNotification(rawBody);
  return withFreshOrder(deps.orders, n.orderId, async (order) => {
    if (order.paymentId === n.paymentId) return order; // a repeat
    if (n.amountFen !== order.totalFen) throw conflict(`Paid ${n.amountFen} fen for an order of ${order.totalFen} fen`);
    const at = deps.clock.now().toISOString();
    const payment = { paymentId: n.paymentId, orderId: order.orderId, amountFen: n.amountFen, paidAt: new Date(n.paidAt).toISOString() };
    if (order.status === 'pending_payment') {
      const after: Order = { ...transitioned(order, 'pay', at), paidAt: payment.paidAt, paymentId: n.paymentId };
      const outcome = await deps.orders.change({
        before: order,
        after,
        payment: { ...payment, outcome: 'applied' },
        audit: { entityId: order.orderId, entityType: 'order', action: 'order.paid', actor: PAYMENTS_ACTOR, at, before: order, after },
      });
      if (outcome === 'stale') return 'stale';
      return outcome === 'changed' ? after : order;
    }
    const refund: Refund = {
      refundId: `unapplied-${n.paymentId}`,
      orderId: order.orderId,
      paymentId: n.paymentId,
      amountFen: n.amountFen,
      reason: `payment arrived for an order that is ${order.status}`,
      status: 'requested',
      lines: [],
      requestedBy: PAYMENTS_ACTOR,
      createdAt: at,
    };
    await deps.orders.recordUnappliedPayment({ ...payment, outcome: 'refunded' }, refund, {
      entityId: order.orderId,
      entityType: 'order',
      action: 'payment.refunded_unapplied',
      actor: PAYMENTS_ACTOR,
      at,
      after: refund,
    });
    return order;
  });
}

/** Executes a requested refund through the provider, then marks it done. Safe to run twice. */
export async function executeRefund(deps: PaymentDeps, refund: Refund): Promise<'completed' | 'already'> {
  if (refund.status !== 'requested') return 'already';
  await deps.provider.refund({
    refundId: refund.refundId,
    paymentId: refund.paymentId,
    orderId: refund.orderId,
    amountFen: refund.amountFen,
  });
  const at = deps.clock.now().toISOString();
  return deps.orders.completeRefund(refund, at, {
    entityId: refund.orderId,
    entityType: 'refund',
    action: 'refund.succeeded',
    actor: PAYMENTS_ACTOR,
    at,
  });
}
