// Payments: a resident starts paying an order; the provider's notification marks it paid (once); money that
// can't be applied to an order is recorded and refunded; refunds recorded as intents are sent through the
// payment port (by whatever transport runs `executeRefund`) and settled by the provider's verdict.
import type { Order, Refund } from '../../schemas/orders';
import { transitioned } from '../orders/changes';
import type { OrderStore, PaymentRecord } from '../orders/ports';
import type { Principal } from '../runtime/auth';
import type { Clock } from '../runtime/clock';
import { AppError, conflict, notFound } from '../runtime/errors';
import { logger } from '../runtime/observability';
import type { Checkout, Opened, PaymentProvider, PaymentReceived, RefundResult, WeChatIdentities } from './provider';

export interface PaymentDeps {
  orders: OrderStore;
  provider: PaymentProvider;
  identities: WeChatIdentities;
  clock: Clock;
}

const PAYMENTS_ACTOR = 'system:payments';

/** What the payer sees on WeChat Pay's sheet; derived from the order alone, so a repeated prepay is the same request. */
export function paymentDescription(order: Order): string {
  const first = order.items[0]?.name ?? '团购订单';
  const more = order.items.length > 1 ? ` 等${order.items.length}件` : '';
  return `${first.slice(0, 40)}${more}`;
}

/** `POST /orders/{orderId}/payment`: what the resident's page needs to pay, while the order awaits payment. */
export async function startPayment(deps: PaymentDeps, principal: Principal, orderId: string): Promise<Checkout> {
  const order = await deps.orders.get(orderId);
  if (!order || order.userId !== principal.userId) throw notFound('Order');
  if (order.status !== 'pending_payment') throw conflict(`The order is ${order.status}: there is nothing to pay`);
  if (Date.parse(order.expiresAt) <= deps.clock.now().getTime()) throw conflict('The payment deadline of this order has passed');
  let payerOpenId: string | undefined;
  if (deps.provider.needsOpenId) {
    payerOpenId = await deps.identities.openIdOf(principal.userId);
    if (!payerOpenId) throw conflict('Paying with WeChat Pay needs a WeChat sign-in: sign in with WeChat (POST /auth/wechat), then pay');
  }
  return deps.provider.checkout({
    orderId: order.orderId,
    amountFen: order.totalFen,
    description: paymentDescription(order),
    expiresAt: order.expiresAt,
    ...(payerOpenId ? { payerOpenId } : {}),
  });
}

export type PaymentOutcome =
  | { outcome: 'paid' | 'repeat'; order: Order }
  | { outcome: 'refunded'; orderId: string; order?: Order; reason: string }
  | { outcome: 'ignored'; why: string };

/** A notification its adapter refused: nothing changes. */
function refusal(opened: { status: 400 | 401; message: string }): AppError {
  return opened.status === 401 ? new AppError('UNAUTHENTICATED', opened.message) : new AppError('VALIDATION_FAILED', opened.message);
}

/** A payment notification (the sandbox's webhook or WeChat Pay's), opened by its provider's adapter, then applied. */
export async function receivePayment(
  deps: Pick<PaymentDeps, 'orders' | 'clock'>,
  opened: Opened<PaymentReceived>,
): Promise<PaymentOutcome> {
  if (opened.kind === 'refused') throw refusal(opened);
  if (opened.kind === 'ignored') return { outcome: 'ignored', why: opened.why };
  return applyPayment(deps, opened.event);
}

/** Why money can't be applied to this order, if it can't: no such order, not payable, a wrong amount, or too late. */
export function unapplicable(order: Order | undefined, payment: PaymentReceived): string | undefined {
  if (!order) return 'payment for an unknown order';
  if (order.status !== 'pending_payment') return `payment arrived for an order that is ${order.status}`;
  if (payment.amountFen !== order.totalFen) return `paid ${payment.amountFen} fen for an order of ${order.totalFen} fen`;
  // The deadline is the deadline: money confirmed after it is returned, even before the expiry job runs.
  if (Date.parse(payment.paidAt) > Date.parse(order.expiresAt))
    return `paid at ${payment.paidAt}, after the order's deadline ${order.expiresAt}`;
  return undefined;
}

/**
 * Applies a verified payment. The order becomes paid once; a repeat changes nothing; money that does not
 * fit (unknown order, an order no longer payable or past its deadline, a wrong amount, a second payment)
 * is recorded and refunded in full, never kept.
 */
export async function applyPayment(deps: Pick<PaymentDeps, 'orders' | 'clock'>, payment: PaymentReceived): Promise<PaymentOutcome> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const order = await deps.orders.get(payment.orderId);
    if (order?.paymentId === payment.paymentId) return { outcome: 'repeat', order };
    const at = deps.clock.now().toISOString();
    const record = { paymentId: payment.paymentId, orderId: payment.orderId, amountFen: payment.amountFen, paidAt: payment.paidAt };
    const reason = unapplicable(order, payment);
    if (order && !reason) {
      const after: Order = { ...transitioned(order, 'pay', at), paidAt: payment.paidAt, paymentId: payment.paymentId };
      const outcome = await deps.orders.change({
        before: order,
        after,
        // A suspended leader's group buys take no order and no payment: the money goes back.
        leaderNotSuspended: true,
        payment: { ...record, outcome: 'applied' },
        audit: { entityId: order.orderId, entityType: 'order', action: 'order.paid', actor: PAYMENTS_ACTOR, at, before: order, after },
      });
      if (outcome === 'changed') return { outcome: 'paid', order: after };
      if (outcome === 'payment_seen') return { outcome: 'repeat', order };
      if (outcome === 'leader_suspended') {
        const why = 'the group buy’s leader is suspended';
        await refundUnapplied(deps, { ...record, outcome: 'refunded' }, why, at);
        return { outcome: 'refunded', orderId: payment.orderId, order, reason: why };
      }
      continue; // the order changed meanwhile (expired, cancelled): decide again
    }
    await refundUnapplied(deps, { ...record, outcome: 'refunded' }, reason!, at);
    return { outcome: 'refunded', orderId: payment.orderId, ...(order ? { order } : {}), reason: reason! };
  }
  throw conflict('The order is changing; try again');
}

async function refundUnapplied(deps: Pick<PaymentDeps, 'orders'>, payment: PaymentRecord, reason: string, at: string): Promise<void> {
  const refund: Refund = {
    refundId: `unapplied-${payment.paymentId}`,
    orderId: payment.orderId,
    paymentId: payment.paymentId,
    amountFen: payment.amountFen,
    reason,
    status: 'requested',
    lines: [],
    requestedBy: PAYMENTS_ACTOR,
    createdAt: at,
  };
  // 'payment_seen': this payment was recorded (and its refund requested) by an earlier delivery.
  await deps.orders.recordUnappliedPayment(payment, refund, {
    entityId: payment.orderId,
    entityType: 'order',
    action: 'payment.refunded_unapplied',
    actor: PAYMENTS_ACTOR,
    at,
    after: { payment, refund },
  });
}

/**
 * Sends a requested refund through the provider. Safe to run twice (the provider knows the refundId).
 * The sandbox refunds at once; WeChat Pay accepts it (`submitted`) and confirms by notification.
 */
export async function executeRefund(
  deps: Pick<PaymentDeps, 'orders' | 'provider' | 'clock'>,
  refund: Refund,
): Promise<'succeeded' | 'submitted' | 'failed' | 'already'> {
  if (refund.status !== 'requested') return 'already';
  const paymentAmountFen = await paidBy(deps, refund);
  const outcome = await deps.provider.refund({
    refundId: refund.refundId,
    paymentId: refund.paymentId,
    orderId: refund.orderId,
    amountFen: refund.amountFen,
    paymentAmountFen,
    reason: refund.reason,
  });
  const at = deps.clock.now().toISOString();
  const audit = { entityId: refund.orderId, entityType: 'refund', actor: PAYMENTS_ACTOR, at };
  if (outcome.status === 'succeeded') {
    const done = await deps.orders.completeRefund(refund, at, { ...audit, action: 'refund.succeeded' });
    return done === 'completed' ? 'succeeded' : 'already';
  }
  const after: Refund =
    outcome.status === 'submitted'
      ? { ...refund, status: 'submitted', providerRefundId: outcome.providerRefundId, submittedAt: at }
      : { ...refund, status: 'failed', failedReason: outcome.reason, completedAt: at };
  const moved = await deps.orders.transitionRefund(refund, after, { ...audit, action: `refund.${after.status}`, before: refund, after });
  return moved === 'changed' ? outcome.status : 'already';
}

/** What the refunded payment took: its record, or (the payment applied to its order) the order's total. */
async function paidBy(deps: Pick<PaymentDeps, 'orders'>, refund: Refund): Promise<number> {
  const payment = await deps.orders.getPayment(refund.paymentId);
  if (payment) return payment.amountFen;
  const order = await deps.orders.get(refund.orderId);
  if (order?.paymentId === refund.paymentId) return order.totalFen;
  throw new Error(`Refund ${refund.refundId} names an unknown payment ${refund.paymentId}`);
}

/**
 * The provider's verdict on a refund we submitted (WeChat Pay's refund notification). A success settles it;
 * a refund that closed or went abnormal is marked failed for an operator (the money did not go back).
 * A repeat changes nothing.
 */
export async function receiveRefundResult(
  deps: Pick<PaymentDeps, 'orders' | 'clock'>,
  opened: Opened<RefundResult>,
): Promise<'settled' | 'repeat' | 'ignored'> {
  if (opened.kind === 'refused') throw refusal(opened);
  if (opened.kind === 'ignored') return 'ignored';
  const result = opened.event;
  for (let attempt = 0; attempt < 5; attempt++) {
    const refund = (await deps.orders.listRefunds(result.orderId)).find((r) => r.refundId === result.refundId);
    if (!refund) throw new AppError('VALIDATION_FAILED', `No refund ${result.refundId} of order ${result.orderId}`);
    if (refund.status === 'succeeded' || refund.status === 'failed') return 'repeat';
    if (result.amountFen !== refund.amountFen) {
      throw new AppError(
        'VALIDATION_FAILED',
        `Refund ${refund.refundId}: ${result.amountFen} fen confirmed, ${refund.amountFen} fen asked`,
      );
    }
    const at = deps.clock.now().toISOString();
    const after: Refund =
      result.status === 'succeeded'
        ? { ...refund, status: 'succeeded', completedAt: at }
        : { ...refund, status: 'failed', failedReason: result.detail ?? 'refused by the provider', completedAt: at };
    const moved = await deps.orders.transitionRefund(refund, after, {
      entityId: refund.orderId,
      entityType: 'refund',
      action: `refund.${after.status}`,
      actor: PAYMENTS_ACTOR,
      at,
      before: refund,
      after,
    });
    if (moved === 'changed') {
      if (after.status === 'failed') logger.error('A refund failed at the provider: return the money by hand', { refund: after });
      return 'settled';
    }
  }
  throw conflict('The refund is changing; try again');
}
