// Pickup points: the sorting sheet a leader works from, and pickup confirmation.
import * as z from 'zod';
import { DateSchema, IdSchema } from './common';

export const SheetQuerySchema = z.object({ date: DateSchema });
export const LeaderIdPathSchema = z.object({ leaderId: IdSchema });
export const ConfirmPickupBodySchema = z.object({
  pickupCode: z
    .string()
    .max(6, { message: 'must be the 6-digit pickup code', abort: true })
    .regex(/^\d{6}$/, 'must be the 6-digit pickup code'),
  date: DateSchema.optional(),
});

/** One order on a pickup point's sheet, kept by the stream-triggered aggregation. */
export const SheetLineSchema = z.object({
  leaderId: z.string(),
  date: z.string(),
  orderId: z.string(),
  pickupCode: z.string(),
  contactName: z.string(),
  contactPhone: z.string(),
  status: z.string(),
  items: z.array(z.object({ productId: z.string(), name: z.string(), unit: z.string(), quantity: z.number().int() })),
  /** The order's version: an older image never overwrites a newer one. */
  orderVersion: z.number().int(),
});
export type SheetLine = z.infer<typeof SheetLineSchema>;
