// Shortfalls (缺货): what a supplier reports will not arrive of a purchase order, and the refunds that
// settle it (API.md "Supply, pickup and prices").
import * as z from 'zod';
import { IdSchema } from './common';

/** At most this many units of one line in one report (far above any purchase order line). */
export const MAX_SHORT_QUANTITY = 1_000_000;

export const ReportShortfallBodySchema = z.object({
  lines: z
    .array(z.object({ productId: IdSchema, shortQuantity: z.number().int().min(1).max(MAX_SHORT_QUANTITY) }))
    .min(1)
    .max(100),
  reason: z.string().trim().min(1).max(200),
});
export type ReportShortfallBody = z.infer<typeof ReportShortfallBodySchema>;

export const ShortfallRefundSchema = z.object({
  orderId: z.string(),
  productId: z.string(),
  /** Units of the order line that will not arrive. */
  quantity: z.number().int().min(1),
  amountFen: z.number().int().min(0),
});
export type ShortfallRefund = z.infer<typeof ShortfallRefundSchema>;

/**
 * A shortfall as recorded, before any order is touched: the allocation is decided once, so a report
 * delivered twice, or one killed half way and sent again, settles exactly these refunds.
 */
export const ShortfallSchema = z.object({
  shortfallId: z.string(),
  purchaseOrderId: z.string(),
  supplierId: z.string(),
  deliveryDate: z.string(),
  lines: z.array(z.object({ productId: z.string(), shortQuantity: z.number().int() })),
  reason: z.string(),
  refunds: z.array(ShortfallRefundSchema),
  reportedBy: z.string(),
  createdAt: z.string(),
});
export type Shortfall = z.infer<typeof ShortfallSchema>;
