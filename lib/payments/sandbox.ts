// The sandbox payment provider of the local stage. It behaves like a real one where it matters: it
// signs its notifications with the webhook secret, remembers the payments it took, and refunds them
// idempotently by refundId, refusing to refund more than was paid.
import { PaymentNotificationSchema } from '../../schemas/orders';
import type { Opened, PaymentProvider, PaymentReceived, RefundRequest } from './provider';
import { signPayload, verifySignature, SIGNATURE_HEADER } from './provider';
import type { PaymentDeps } from './payments';
import { receivePayment } from './payments';
import { notFound } from '../runtime/errors';

export interface SandboxLedger {
  recordPayment(payment: { paymentId: string; orderId: string; amountFen: number; paidAt: string }): Promise<void>;
  /** 'exceeds' when the refunds of the payment would pass what was paid. */
  recordRefund(refund: RefundRequest & { at: string }): Promise<'recorded' | 'repeat' | 'exceeds' | 'unknown_payment'>;
}

export class SandboxRefundRefused extends Error {
  override name = 'SandboxRefundRefused';
}

export interface SandboxProvider extends PaymentProvider {
  /** The HMAC-signed webhook (`POST /payments/notify`), opened: verified, then parsed. */
  openPayment(rawBody: string, headers: Record<string, string>): Opened<PaymentReceived>;
  /** The signed webhook the sandbox sends when a resident pays. */
  charge(orderId: string, amountFen: number, paymentId: string): Promise<{ rawBody: string; headers: Record<string, string> }>;
}

function parseJson(rawBody: string): unknown {
  try {
    return JSON.parse(rawBody);
  } catch {
    return undefined;
  }
}

export function sandboxPaymentProvider(secret: () => string, ledger: SandboxLedger, now: () => Date = () => new Date()): SandboxProvider {
  return {
    name: 'sandbox',
    needsOpenId: false,
    async checkout() {
      // The resident "pays" with `POST /dev/pay/{orderId}`, as the sandbox's own payment page would.
      return { provider: 'sandbox' };
    },
    openPayment(rawBody, headers) {
      if (!verifySignature(secret(), rawBody, headers[SIGNATURE_HEADER]))
        return { kind: 'refused', status: 401, message: 'Bad payment signature' };
      const parsed = PaymentNotificationSchema.safeParse(parseJson(rawBody));
      if (!parsed.success) {
        const paths = parsed.error.issues.map((i) => i.path.join('.') || 'body');
        return { kind: 'refused', status: 400, message: `Invalid ${[...new Set(paths)].join(', ')}` };
      }
      const n = parsed.data;
      return {
        kind: 'event',
        event: { orderId: n.orderId, paymentId: n.paymentId, amountFen: n.amountFen, paidAt: new Date(n.paidAt).toISOString() },
      };
    },
    async refund(request) {
      const outcome = await ledger.recordRefund({ ...request, at: now().toISOString() });
      if (outcome === 'exceeds' || outcome === 'unknown_payment') {
        throw new SandboxRefundRefused(`refund ${request.refundId} refused: ${outcome}`);
      }
      return { status: 'succeeded' };
    },
    async charge(orderId, amountFen, paymentId) {
      const paidAt = now().toISOString();
      await ledger.recordPayment({ paymentId, orderId, amountFen, paidAt });
      const rawBody = JSON.stringify({ orderId, paymentId, amountFen, paidAt });
      return { rawBody, headers: { [SIGNATURE_HEADER]: signPayload(secret(), rawBody) } };
    },
  };
}

/**
 * What happens when a resident pays in the sandbox (`POST /dev/pay/{orderId}`): the sandbox takes the money
 * and sends its signed notification, received exactly as a real one. Answers the order as it then is.
 */
export async function payInSandbox(deps: PaymentDeps, provider: SandboxProvider, orderId: string, paymentId: string) {
  const order = await deps.orders.get(orderId);
  if (!order) throw notFound('Order');
  const notify = await provider.charge(order.orderId, order.totalFen, paymentId);
  const result = await receivePayment(deps, provider.openPayment(notify.rawBody, notify.headers));
  const after = result.outcome === 'ignored' ? order : (result.order ?? order);
  return { orderId: after.orderId, status: after.status };
}
