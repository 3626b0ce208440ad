// The payment port: what the domain needs of a payment provider (WeChat Pay, say), and nothing more.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface RefundRequest {
  /** Our id: the provider treats a repeat of the same refundId as the same refund. */
  refundId: string;
  paymentId: string;
  orderId: string;
  amountFen: number;
}

export interface PaymentProvider {
  /** True when the notification's signature over the raw body is the provider's. */
  verifyNotification(rawBody: string, headers: Record<string, string>): boolean;
  /** Refunds part or all of a payment; idempotent by refundId; throws when the provider refuses. */
  refund(request: RefundRequest): Promise<void>;
}

export const SIGNATURE_HEADER = 'x-payment-signature';

/** hex(HMAC-SHA256(secret, rawBody)), as API.md specifies for `POST /payments/notify`. */
export function signPayload(secret: string, rawBody: string): string {
  return createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex');
}

export function verifySignature(secret: string, rawBody: string, signature: string | undefined): boolean {
  if (!signature || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = Buffer.from(signPayload(secret, rawBody), 'hex');
  return timingSafeEqual(expected, Buffer.from(signature, 'hex'));
}
