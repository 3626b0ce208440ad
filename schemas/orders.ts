// Orders, payments and refunds.
import * as z from 'zod';
import {
  CursorSchema,
  IdSchema,
  InstantSchema,
  LimitSchema,
  MAX_LINE_QUANTITY,
  MAX_ORDER_LINES,
  noRepeats,
  OrderFenSchema,
  PhoneSchema,
  safeText,
  VersionSchema,
} from './common';

export const ORDER_STATUSES = ['pending_payment', 'paid', 'expired', 'cancelled', 'ready_for_pickup', 'picked_up', 'refunded'] as const;
export const OrderStatusSchema = z.enum(ORDER_STATUSES);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

export { MAX_ORDER_LINES };

export const IdempotencyKeySchema = safeText(64, 8);

export const PlaceOrderBodySchema = z.object({
  shareToken: z.string().min(1).max(512),
  items: z
    .array(z.object({ productId: IdSchema, quantity: z.number().int().min(1).max(MAX_LINE_QUANTITY) }))
    .min(1)
    .max(MAX_ORDER_LINES)
    .superRefine(noRepeats((item) => item.productId, ['productId'])),
  contactName: safeText(50),
  contactPhone: PhoneSchema,
  note: safeText(200, 0).optional(),
});
export type PlaceOrderBody = z.infer<typeof PlaceOrderBodySchema>;

export const OrderIdPathSchema = z.object({ orderId: IdSchema });
export const MyOrdersQuerySchema = z.object({ limit: LimitSchema, cursor: CursorSchema.optional() });

/** One line of an order: prices snapshot from the group buy when the order was placed (the object behind OrderLineSchema). */
export const OrderLineFields = z.object({
  productId: z.string(),
  supplierId: z.string(),
  name: z.string(),
  unit: z.string(),
  quantity: z.number().int(),
  unitPriceFen: z.number().int(),
  amountFen: z.number().int(),
  supplyPriceFen: z.number().int(),
  commissionRateBps: z.number().int(),
  /** What has been refunded of this line (refunds are allocated to lines in their order). */
  refundedFen: z.number().int(),
  /** Units the supplier reported will not arrive (a shortfall, refunded): not delivered, not handed out. */
  shortQuantity: z.number().int().min(0).optional(),
  /** Which limits this line reserved against, so that releasing gives back exactly that. */
  stockLimited: z.boolean(),
  residentLimited: z.boolean(),
});

/**
 * The stored name of each line field (docs/data-model.md, "Order lines as stored"). An order item is written
 * with each index write beside it, three of them, and every KB of it is paid for four times: the lines, the
 * part that grows with the order, are stored under short names, without zero refunds or false flags.
 */
const STORED_LINE = {
  productId: 'p',
  supplierId: 's',
  name: 'n',
  unit: 'u',
  quantity: 'q',
  unitPriceFen: 'pf',
  amountFen: 'a',
  supplyPriceFen: 'sf',
  commissionRateBps: 'c',
  refundedFen: 'r',
  shortQuantity: 'sq',
  stockLimited: 'sl',
  residentLimited: 'rl',
} as const satisfies Record<keyof z.infer<typeof OrderLineFields>, string>;

/** A line as the order item stores it (what `storedLine` writes, what OrderLineSchema reads back). */
export function storedLine(line: OrderLine): Record<string, unknown> {
  const stored: Record<string, unknown> = {};
  for (const [field, short] of Object.entries(STORED_LINE)) {
    const value = line[field as keyof OrderLine];
    if (value === undefined || value === false || (field === 'refundedFen' && value === 0)) continue;
    stored[short] = value;
  }
  return stored;
}

const isStoredLine = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && 'p' in v && !('productId' in v);

/** A line in either form: as the order item stores it, or whole (audit images, CloudBase, older items). */
export const OrderLineSchema = z.preprocess((v) => {
  if (!isStoredLine(v)) return v;
  const line: Record<string, unknown> = { refundedFen: 0, stockLimited: false, residentLimited: false };
  for (const [field, short] of Object.entries(STORED_LINE)) if (v[short] !== undefined) line[field] = v[short];
  return line;
}, OrderLineFields);
export type OrderLine = z.infer<typeof OrderLineSchema>;

export const OrderSchema = z.object({
  orderId: z.string(),
  userId: z.string(),
  groupBuyId: z.string(),
  leaderId: z.string(),
  pickupDate: z.string(),
  cutoffAt: z.string(),
  status: OrderStatusSchema,
  items: z.array(OrderLineSchema),
  totalFen: z.number().int(),
  refundedFen: z.number().int(),
  contactName: z.string(),
  contactPhone: z.string(),
  note: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  expiresAt: z.string(),
  paidAt: z.string().optional(),
  paymentId: z.string().optional(),
  pickupCode: z.string().optional(),
  pickedUpAt: z.string().optional(),
  /** It holds one place of its pickup point's daily capacity (counted on that point and date), until it leaves the statuses that hold stock. */
  holdsPlace: z.boolean().optional(),
  /** Refunded in full because nobody collected it within PICKUP_WINDOW_DAYS of its pickup date. */
  uncollectedAt: z.string().optional(),
  /** Moved on by every write of the order (conditional on the one read): what consumers compare. */
  version: VersionSchema,
  /**
   * The fingerprint of the request that placed it (its id is derived from the resident and the Idempotency-Key):
   * the same key again with this body is a replay, with another body a conflict. Absent on orders placed before.
   */
  requestHash: z.string().optional(),
});
export type Order = z.infer<typeof OrderSchema>;

/** The payment provider's notification (webhook body). */
export const PaymentNotificationSchema = z.object({
  orderId: IdSchema,
  paymentId: safeText(128),
  amountFen: OrderFenSchema,
  paidAt: InstantSchema,
});
export type PaymentNotification = z.infer<typeof PaymentNotificationSchema>;

/** One provider payment, recorded once: applied to its order, or refunded because it could not be. */
export const PaymentRecordSchema = z.object({
  paymentId: z.string(),
  orderId: z.string(),
  amountFen: z.number().int(),
  paidAt: z.string(),
  outcome: z.enum(['applied', 'refunded']),
});

/** `requested` (the intent) → `succeeded`, or → `submitted` (the provider accepted it; its notification
 *  settles it) → `succeeded` | `failed` (the provider closed it: the money did not go back). */
export const REFUND_STATUSES = ['requested', 'submitted', 'succeeded', 'failed'] as const;
/** A refund: recorded as an intent in the same transaction as the order change, then executed
 *  through the payment port by the stream-triggered `refunds` function (idempotent by refundId). */
export const RefundSchema = z.object({
  refundId: z.string(),
  orderId: z.string(),
  paymentId: z.string(),
  amountFen: z.number().int().min(1),
  reason: z.string(),
  status: z.enum(REFUND_STATUSES),
  /** How the amount is allocated to the order's lines (empty for a refund of an unapplied payment). */
  lines: z.array(z.object({ productId: z.string(), amountFen: z.number().int() })),
  requestedBy: z.string(),
  createdAt: z.string(),
  completedAt: z.string().optional(),
  /** The provider's id of the refund, once submitted. */
  providerRefundId: z.string().optional(),
  submittedAt: z.string().optional(),
  failedReason: z.string().optional(),
});
export type Refund = z.infer<typeof RefundSchema>;

export const RefundBodySchema = z.object({ amountFen: OrderFenSchema.min(1), reason: safeText(200) });
