// Supplier purchase orders (采购单): one per supplier and delivery date, consolidated from the order
// stream; the running totals and per-order contributions behind them; their revision records.
import * as z from 'zod';
import { CursorSchema, DateSchema, IdSchema, LimitSchema } from './common';

export const PURCHASE_ORDER_STATUSES = ['issued', 'acknowledged', 'shipped'] as const;
export const PurchaseOrderStatusSchema = z.enum(PURCHASE_ORDER_STATUSES);
export type PurchaseOrderStatus = z.infer<typeof PurchaseOrderStatusSchema>;

export const ListPurchaseOrdersQuerySchema = z.object({
  date: DateSchema,
  supplierId: IdSchema.optional(),
  limit: LimitSchema,
  cursor: CursorSchema.optional(),
});
export type ListPurchaseOrdersQuery = z.infer<typeof ListPurchaseOrdersQuerySchema>;

export const PurchaseOrderIdPathSchema = z.object({ purchaseOrderId: IdSchema });

/** One product at one supply price, summed over every pickup point. */
export const PurchaseOrderLineSchema = z.object({
  productId: z.string(),
  name: z.string(),
  unit: z.string(),
  quantity: z.number().int(),
  supplyPriceFen: z.number().int(),
  amountFen: z.number().int(),
});
export type PurchaseOrderLine = z.infer<typeof PurchaseOrderLineSchema>;

/** What one pickup point receives: the warehouse packs and routes by this. */
export const PickupPointBreakdownSchema = z.object({
  leaderId: z.string(),
  pickupPointName: z.string(),
  address: z.string(),
  lines: z.array(
    z.object({ productId: z.string(), name: z.string(), unit: z.string(), supplyPriceFen: z.number().int(), quantity: z.number().int() }),
  ),
});
export type PickupPointBreakdown = z.infer<typeof PickupPointBreakdownSchema>;

/**
 * The purchase order document. Part 1 is the purchase order of the supplier and date; once a part is
 * shipped it never changes, and a later difference goes into a supplement (part 2, 3, …), whose
 * quantities are the difference from what the shipped parts covered (negative: a credit).
 */
export const PurchaseOrderSchema = z.object({
  purchaseOrderId: z.string(),
  supplierId: z.string(),
  deliveryDate: z.string(),
  part: z.number().int().min(1),
  /** A supplement names the purchase order it supplements (part 1). */
  supplementOf: z.string().optional(),
  status: PurchaseOrderStatusSchema,
  revision: z.number().int().min(1),
  lines: z.array(PurchaseOrderLineSchema),
  pickupPoints: z.array(PickupPointBreakdownSchema),
  totalFen: z.number().int(),
  issuedAt: z.string(),
  updatedAt: z.string(),
  acknowledgedAt: z.string().optional(),
  acknowledgedRevision: z.number().int().optional(),
  shippedAt: z.string().optional(),
});
export type PurchaseOrder = z.infer<typeof PurchaseOrderSchema>;

/** A product line of one order that the supplier must deliver. */
export const ContributionLineSchema = z.object({
  productId: z.string(),
  name: z.string(),
  unit: z.string(),
  supplyPriceFen: z.number().int(),
  quantity: z.number().int(),
});
export type ContributionLine = z.infer<typeof ContributionLineSchema>;

/** One order's countable lines for one supplier, as last applied to the running totals. */
export const ContributionSchema = z.object({
  supplierId: z.string(),
  deliveryDate: z.string(),
  orderId: z.string(),
  groupBuyId: z.string(),
  leaderId: z.string(),
  pickupPointName: z.string(),
  address: z.string(),
  orderStatus: z.string(),
  lines: z.array(ContributionLineSchema),
  /** The order's version: an older image never replaces a newer one. */
  orderVersion: z.number().int(),
  /** Of the status and lines (what the totals hold of the order). */
  fingerprint: z.string(),
});
export type Contribution = z.infer<typeof ContributionSchema>;

/** The running total of one product at one supply price for one pickup point. */
export const PurchaseOrderTotalSchema = z.object({
  supplierId: z.string(),
  deliveryDate: z.string(),
  leaderId: z.string(),
  pickupPointName: z.string(),
  address: z.string(),
  productId: z.string(),
  name: z.string(),
  unit: z.string(),
  supplyPriceFen: z.number().int(),
  quantity: z.number().int(),
});
export type PurchaseOrderTotal = z.infer<typeof PurchaseOrderTotalSchema>;

const ChangeSchema = z.object({ before: z.number().int(), after: z.number().int(), delta: z.number().int() });

/** Why and how a purchase order changed: never a silent edit. */
export const PurchaseOrderRevisionSchema = z.object({
  purchaseOrderId: z.string(),
  revision: z.number().int(),
  at: z.string(),
  statusBefore: PurchaseOrderStatusSchema.optional(),
  /** The order changes that led to it (those of the batch that applied them). */
  cause: z.object({
    orders: z.array(z.object({ orderId: z.string(), groupBuyId: z.string(), status: z.string() })),
    more: z.number().int().optional(),
  }),
  totalFen: ChangeSchema,
  lines: z.array(z.object({ productId: z.string(), name: z.string(), supplyPriceFen: z.number().int() }).extend(ChangeSchema.shape)),
  pickupPoints: z.array(
    z
      .object({
        leaderId: z.string(),
        pickupPointName: z.string(),
        productId: z.string(),
        name: z.string(),
        supplyPriceFen: z.number().int(),
      })
      .extend(ChangeSchema.shape),
  ),
});
export type PurchaseOrderRevision = z.infer<typeof PurchaseOrderRevisionSchema>;
