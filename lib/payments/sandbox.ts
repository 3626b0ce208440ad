// The sandbox payment provider of the local stage. It behaves like a real one where it matters: it
// signs its notifications with the webhook secret, remembers the payments it took, and refunds them
// idempotently by refundId, refusing to refund more than was paid.
import type { PaymentProvider, RefundRequest } from './provider';
import { signPayload, verifySignature, SIGNATURE_HEADER } from './provider';

export interface SandboxLedger {
  recordPayment(payment: { paymentId: string; orderId: string; amountFen: number; paidAt: string }): Promise<void>;
  /** 'exceeds' when the refunds of the payment would pass what was paid. */
  recordRefund(refund: RefundRequest & { at: string }): Promise<'recorded' | 'repeat' | 'exceeds' | 'unknown_payment'>;
}

export class SandboxRefundRefused extends Error {
  override name = 'SandboxRefundRefused';
}

export function sandboxPaymentProvider(secret: () => string, ledger: SandboxLedger, now: () => Date = () => new Date()) {
  const provider: PaymentProvider & {
    /** The signed webhook the sandbox sends when a resident pays. */
    charge(orderId: string, amountFen: number, paymentId: string): Promise<{ rawBody: string; headers: Record<string, string> }>;
  } = {
    verifyNotification(rawBody, headers) {
      return verifySignature(secret(), rawBody, headers[SIGNATURE_HEADER]);
    },
    async refund(request) {
      const outcome = await ledger.recordRefund({ ...request, at: now().toISOString() });
      if (outcome === 'exceeds' || outcome === 'unknown_payment') {
        throw new SandboxRefundRefused(`refund ${request.refundId} refused: ${outcome}`);
      }
    },
    async charge(orderId, amountFen, paymentId) {
      const paidAt = now().toISOString();
      await ledger.recordPayment({ paymentId, orderId, amountFen, paidAt });
      const rawBody = JSON.stringify({ orderId, paymentId, amountFen, paidAt });
      return { rawBody, headers: { [SIGNATURE_HEADER]: signPayload(secret(), rawBody) } };
    },
  };
  return provider;
}
