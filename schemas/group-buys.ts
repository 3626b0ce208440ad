// Group buys (团购): what a leader opens, with prices and commission rates snapshot from the catalogue.
import * as z from 'zod';
import { DateSchema, IdSchema, InstantSchema, noRepeats, safeText, VersionSchema } from './common';
import { ProductSchema } from './catalogue';
import { PickupPointSchema } from './leaders';

export const GROUP_BUY_STATUSES = ['open', 'closing', 'closed', 'failed', 'cancelled'] as const;
export const GroupBuyStatusSchema = z.enum(GROUP_BUY_STATUSES);
export type GroupBuyStatus = z.infer<typeof GroupBuyStatusSchema>;

export const MAX_GROUP_BUY_ITEMS = 50;

export const CreateGroupBuyBodySchema = z.object({
  title: safeText(100),
  cutoffAt: InstantSchema,
  pickupDate: DateSchema,
  minTotalQuantity: z.number().int().min(1).max(1_000_000).optional(),
  items: z
    .array(
      z.object({
        productId: IdSchema,
        stockLimit: z.number().int().min(1).max(1_000_000).optional(),
        perResidentLimit: z.number().int().min(1).max(10_000).optional(),
      }),
    )
    .min(1)
    .max(MAX_GROUP_BUY_ITEMS)
    .superRefine(noRepeats((item) => item.productId, ['productId'])),
});
export type CreateGroupBuyBody = z.infer<typeof CreateGroupBuyBodySchema>;

export const GroupBuyIdPathSchema = z.object({ groupBuyId: IdSchema });
// Any string of a sane length: a malformed token is INVALID_SHARE_LINK (from the verifier), not a validation error.
export const ShareTokenPathSchema = z.object({ shareToken: z.string().max(512) });

/** One product of a group buy, snapshot when the group buy opened. */
export const GroupBuyItemSchema = ProductSchema.pick({
  productId: true,
  supplierId: true,
  name: true,
  unit: true,
  supplyPriceFen: true,
  groupPriceFen: true,
  commissionRateBps: true,
}).extend({
  stockLimit: z.number().int().optional(),
  perResidentLimit: z.number().int().optional(),
  /**
   * 划线价, never typed by anyone: the lowest unit price the product was paid at in the 7 days before the
   * group buy opened, when that is above its group price (lib/group-buys/reference-price.ts).
   */
  referencePriceFen: z.number().int().optional(),
});
export type GroupBuyItem = z.infer<typeof GroupBuyItemSchema>;

/** The two phases of closing: unpaid orders are cancelled first, then paid ones are settled by the outcome. */
export const ClosePhaseSchema = z.enum(['cancel-unpaid', 'settle-paid']);
export type ClosePhase = z.infer<typeof ClosePhaseSchema>;
/** Where a closing's pass over its orders stands, in one phase (`after`: a page's cursor, opaque; none: the start). */
export const CloseCursorSchema = z.object({ phase: ClosePhaseSchema, after: z.string().optional() });
export type CloseCursor = z.infer<typeof CloseCursorSchema>;

export const GroupBuySchema = z.object({
  groupBuyId: z.string(),
  leaderId: z.string(),
  pickupPoint: PickupPointSchema,
  title: z.string(),
  /** UTC ISO instant. */
  cutoffAt: z.string(),
  pickupDate: z.string(),
  minTotalQuantity: z.number().int().optional(),
  status: GroupBuyStatusSchema,
  items: z.array(GroupBuyItemSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** While closing: first the unpaid orders are cancelled, then the paid ones settled. */
  closePhase: ClosePhaseSchema.optional(),
  /** Decided once every unpaid order is cancelled: below the minimum, the group fails. */
  outcome: z.enum(['closed', 'failed']).optional(),
  paidQuantity: z.number().int().optional(),
  closeStats: z
    .object({ ordersCancelled: z.number().int(), ordersReady: z.number().int(), ordersRefunded: z.number().int(), pages: z.number().int() })
    .optional(),
  closedAt: z.string().optional(),
  /** When the closing last recorded progress (a closing silent for long is nudged). */
  progressAt: z.string().optional(),
  /** Where the closing's pass over the orders stood at its last recorded progress (its phase's, opaque). */
  closeCursor: CloseCursorSchema.optional(),
  /** Its leader is suspended: it takes no orders and reads closed to residents (its pickups go on). */
  leaderSuspended: z.boolean().optional(),
  version: VersionSchema,
});
export type GroupBuy = z.infer<typeof GroupBuySchema>;

/** Live stock of one item with a stock limit. */
export const StockSchema = z.object({ productId: z.string(), stockLimit: z.number().int(), remaining: z.number().int() });
export type Stock = z.infer<typeof StockSchema>;
