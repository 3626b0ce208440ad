// The payment ports: what the domain needs of a payment provider (the sandbox, WeChat Pay), and nothing more.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { JsapiParams } from '../../schemas/wechatpay';

export interface RefundRequest {
  /** Our id: the provider treats a repeat of the same refundId as the same refund. */
  refundId: string;
  paymentId: string;
  orderId: string;
  amountFen: number;
  /** What the payment being refunded took in all (WeChat Pay asks for it with every refund). */
  paymentAmountFen: number;
  reason: string;
}

/** `succeeded`: the money is back; `submitted`: accepted, its result comes by notification; `failed`: it will not happen. */
export type RefundOutcome =
  { status: 'succeeded' } | { status: 'submitted'; providerRefundId: string } | { status: 'failed'; reason: string };

export interface CheckoutRequest {
  orderId: string;
  amountFen: number;
  /** What the payer sees on the payment sheet. */
  description: string;
  /** The order's payment deadline: the provider refuses payment after it. */
  expiresAt: string;
  /** The payer's WeChat OPENID, when the provider needs one. */
  payerOpenId?: string;
}

export type { JsapiParams } from '../../schemas/wechatpay';

/** What the resident's page needs to take the money. */
export type Checkout = { provider: 'sandbox' } | { provider: 'wechatpay'; jsapi: JsapiParams };

export interface PaymentProvider {
  readonly name: 'sandbox' | 'wechatpay';
  /** True when paying needs the payer's WeChat OPENID (JSAPI payments). */
  readonly needsOpenId: boolean;
  checkout(request: CheckoutRequest): Promise<Checkout>;
  /** Refunds part or all of a payment; idempotent by refundId; throws when it should be tried again later. */
  refund(request: RefundRequest): Promise<RefundOutcome>;
}

/** Money the provider says it took for an order (verified, decrypted, normalised). */
export interface PaymentReceived {
  orderId: string;
  paymentId: string;
  amountFen: number;
  paidAt: string;
}

/** The provider's verdict on a refund we submitted. */
export interface RefundResult {
  orderId: string;
  refundId: string;
  status: 'succeeded' | 'failed';
  amountFen: number;
  detail?: string;
}

/** A notification opened by its provider's adapter: an event, something to acknowledge and ignore, or a refusal. */
export type Opened<T> =
  { kind: 'event'; event: T } | { kind: 'ignored'; why: string } | { kind: 'refused'; status: 400 | 401; message: string };

/** Verifies (signature, timestamp, our merchant) and decrypts a provider's notifications. */
export interface PaymentNotifications {
  openPayment(rawBody: string, headers: Record<string, string>): Opened<PaymentReceived>;
  openRefundResult(rawBody: string, headers: Record<string, string>): Opened<RefundResult>;
}

/** Who pays: the WeChat OPENID a user signed in with, if they ever did. */
export interface WeChatIdentities {
  openIdOf(userId: string): Promise<string | undefined>;
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
