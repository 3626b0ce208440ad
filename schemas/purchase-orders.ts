// Supplier purchase orders (采购单): one per supplier and delivery date, consolidated from the order
// stream; the running totals and per-order contributions behind them; their revision records. A purchase
// order is stored in parts no item limit stops: a header (product lines) and one item per pickup point.
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

/** `GET /purchase-orders/{id}?cursor=`: the next page of a breakdown too large for one response (JSON or CSV). */
export const ReadPurchaseOrderQuerySchema = z.object({ cursor: CursorSchema.optional() });
export type ReadPurchaseOrderQuery = z.infer<typeof ReadPurchaseOrderQuerySchema>;

/** `GET /purchase-orders/{id}/revisions?limit=&cursor=`: oldest first, paged. */
export const PurchaseOrderRevisionsQuerySchema = z.object({ limit: LimitSchema, cursor: CursorSchema.optional() });
export type PurchaseOrderRevisionsQuery = z.infer<typeof PurchaseOrderRevisionsQuerySchema>;

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

/**
 * A purchase-order line without its amount (picked, so that its fields keep the order stored items and responses
 * have): one product at one supply price, and how many, in one pickup point's breakdown, in what one order asks
 * the supplier to deliver, in a running total.
 */
export const PointLineSchema = PurchaseOrderLineSchema.pick({
  productId: true,
  name: true,
  unit: true,
  supplyPriceFen: true,
  quantity: true,
});
export type PointLine = z.infer<typeof PointLineSchema>;

/** A pickup point as a purchase order names it: by its leader, with the name and address the warehouse routes by. */
export const PickupPointRefSchema = z.object({
  leaderId: z.string(),
  pickupPointName: z.string(),
  address: z.string(),
});
export type PickupPointRef = z.infer<typeof PickupPointRefSchema>;

/** What one pickup point receives: the warehouse packs and routes by this. */
export const PickupPointBreakdownSchema = PickupPointRefSchema.extend({ lines: z.array(PointLineSchema) });
export type PickupPointBreakdown = z.infer<typeof PickupPointBreakdownSchema>;

/**
 * The purchase order document's header. Part 1 is the purchase order of the supplier and date; once a part
 * is shipped it never changes, and a later difference goes into a supplement (part 2, 3, …), whose
 * quantities are the difference from what the shipped parts covered (negative: a credit). The breakdown
 * per pickup point is not in the header: each pickup point's lines are items of their own, one version per
 * revision that changed them (`BreakdownVersionSchema`), so no item limit bounds the number of pickup points.
 * The header's `lines` (one per product and supply price) are bounded by the supplier's catalogue: at about
 * 170 bytes a line, 500 products keep it under 100 KB. A later issue adds per-line `cases`,
 * `orderedQuantity` and `surplusQuantity` here.
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
  totalFen: z.number().int(),
  /** Pickup points with at least one line in this part (at this revision). */
  pickupPointCount: z.number().int().min(0),
  issuedAt: z.string(),
  updatedAt: z.string(),
  acknowledgedAt: z.string().optional(),
  acknowledgedRevision: z.number().int().optional(),
  shippedAt: z.string().optional(),
});
export type PurchaseOrder = z.infer<typeof PurchaseOrderSchema>;

/** Which part of which supplier's purchase order for a date, at which revision (the header's keys). */
const PartRevisionSchema = PurchaseOrderSchema.pick({ supplierId: true, deliveryDate: true, part: true, revision: true });

/**
 * One pickup point's lines in one part, as of `revision` (the revision that last changed them): written
 * with that revision, in the same transaction as the header, and never changed after. The breakdown at
 * revision R is, per pickup point, its newest version at or below R; empty `lines` means the point left.
 */
export const BreakdownVersionSchema = PartRevisionSchema.extend(PickupPointBreakdownSchema.shape);
export type BreakdownVersion = z.infer<typeof BreakdownVersionSchema>;

/**
 * One order's countable lines for one supplier, as the consolidation recorded them until 2026-12-01 (one item
 * per order and supplier): read only, to be replaced by the order's OrderContribution when it next changes.
 */
export const ContributionSchema = z.object({
  supplierId: z.string(),
  deliveryDate: z.string(),
  orderId: z.string(),
  groupBuyId: z.string(),
  ...PickupPointRefSchema.shape,
  orderStatus: z.string(),
  /** The product lines of the order that the supplier must deliver. */
  lines: z.array(PointLineSchema),
  /** The order's version: an older image never replaces a newer one. */
  orderVersion: z.number().int(),
  /** Of the status and lines (what the totals hold of the order). */
  fingerprint: z.string(),
});
export type Contribution = z.infer<typeof ContributionSchema>;

/** One product at one supply price that an order counts, and how many (named when read from the order itself). */
export const CountedLineSchema = PointLineSchema.partial({ name: true, unit: true });
export type CountedLine = z.infer<typeof CountedLineSchema>;

/**
 * What one order last added to the running totals, all its suppliers at once (a supplier whose lines stopped
 * counting keeps an empty list), as of one version of the order: an older image never replaces a newer one.
 */
export const OrderContributionSchema = ContributionSchema.pick({
  orderId: true,
  deliveryDate: true,
  leaderId: true,
  orderVersion: true,
}).extend({
  /** Per supplier, its counted lines. */
  lines: z.record(z.string(), z.array(CountedLineSchema)),
  /**
   * The per-supplier records (ContributionSchema) this one was read from and replaces, each at the version
   * it was at: only a store that kept such records sets it.
   */
  legacy: z.array(ContributionSchema.pick({ supplierId: true, orderVersion: true })).optional(),
});
export type OrderContribution = z.infer<typeof OrderContributionSchema>;

/** The running total of one product at one supply price for one pickup point. */
export const PurchaseOrderTotalSchema = z.object({
  supplierId: z.string(),
  deliveryDate: z.string(),
  ...PickupPointRefSchema.shape,
  ...PointLineSchema.shape,
});
export type PurchaseOrderTotal = z.infer<typeof PurchaseOrderTotalSchema>;

const ChangeSchema = z.object({ before: z.number().int(), after: z.number().int(), delta: z.number().int() });

/** How the quantity of one product at one supply price changed. */
const LineChangeSchema = PointLineSchema.pick({ productId: true, name: true, supplyPriceFen: true }).extend(ChangeSchema.shape);

const RevisionCauseSchema = z.object({
  orders: z.array(z.object({ orderId: z.string(), groupBuyId: z.string(), status: z.string() })),
  more: z.number().int().optional(),
});

/**
 * Why and how a purchase order changed: never a silent edit. Stored with the product lines' difference
 * and the ids of the pickup points it changed (at most MAX_POINTS_PER_REVISION); what changed at each of
 * those points is the difference between its version at this revision and its previous one.
 */
export const PurchaseOrderRevisionRecordSchema = z.object({
  purchaseOrderId: z.string(),
  revision: z.number().int(),
  at: z.string(),
  statusBefore: PurchaseOrderStatusSchema.optional(),
  /** The order changes that led to it (those of the batch that applied them). */
  cause: RevisionCauseSchema,
  totalFen: ChangeSchema,
  lines: z.array(LineChangeSchema),
  pickupPointIds: z.array(z.string()),
});
export type PurchaseOrderRevisionRecord = z.infer<typeof PurchaseOrderRevisionRecordSchema>;

/** A revision as read: the record with the per-pickup-point differences worked out from the versions. */
export const PurchaseOrderRevisionSchema = PurchaseOrderRevisionRecordSchema.omit({ pickupPointIds: true }).extend({
  pickupPoints: z.array(PickupPointRefSchema.pick({ leaderId: true, pickupPointName: true }).extend(LineChangeSchema.shape)),
});
export type PurchaseOrderRevision = z.infer<typeof PurchaseOrderRevisionSchema>;
