// What the API answers (API.md), as zod schemas: the web app's API client takes its response types from
// here (z.infer), the OpenAPI document its response bodies, and the server's views are typed by them, so a
// change to a response breaks the build of whoever depends on it. Optional fields are those API.md makes optional.
import * as z from 'zod';
import { SupplierMemberSchema } from './auth';
import { ProductSchema } from './catalogue';
import { LedgerEntrySchema, RiskFiguresSchema } from './commissions';
import { LeaderSchema, PickupPointSchema } from './leaders';
import { OrderLineFields, OrderSchema } from './orders';
import { PickupPointRefSchema, PurchaseOrderLineSchema, PurchaseOrderRevisionSchema, PurchaseOrderStatusSchema } from './purchase-orders';

export const ErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBodySchema>;

export const GroupBuyViewSchema = z.object({
  groupBuyId: z.string(),
  status: z.enum(['open', 'closed', 'failed', 'cancelled']),
  title: z.string(),
  cutoffAt: z.string(),
  pickupDate: z.string(),
  minTotalQuantity: z.number().int().optional(),
  leader: z.object({ leaderId: z.string(), pickupPoint: PickupPointSchema }),
  items: z.array(
    z.object({
      productId: z.string(),
      name: z.string(),
      unit: z.string(),
      groupPriceFen: z.number().int(),
      stockLimit: z.number().int().optional(),
      remaining: z.number().int().optional(),
      perResidentLimit: z.number().int().optional(),
      /** Added with the sold-counts work (API.md additions): real paid quantities only. */
      soldQuantity: z.number().int().optional(),
      /** Paid orders that include the item. */
      buyers: z.number().int().optional(),
      referencePriceFen: z.number().int().optional(),
    }),
  ),
});
export type GroupBuyView = z.infer<typeof GroupBuyViewSchema>;

export const OpenedGroupBuySchema = GroupBuyViewSchema.extend({ shareToken: z.string(), shareUrl: z.string() });
export type OpenedGroupBuy = z.infer<typeof OpenedGroupBuySchema>;

/** An order line as the order's readers see it. */
const OrderLineViewSchema = OrderLineFields.pick({
  productId: true,
  name: true,
  unit: true,
  quantity: true,
  unitPriceFen: true,
  amountFen: true,
  refundedFen: true,
}).extend({
  /** Units the supplier reported short (refunded). */
  shortQuantity: z.number().int().optional(),
});

/** An order as its resident, its leader and operators read it: the stored order less what only the server keeps. */
export const OrderViewSchema = OrderSchema.pick({
  orderId: true,
  status: true,
  groupBuyId: true,
  leaderId: true,
  totalFen: true,
  refundedFen: true,
  items: true,
  pickupCode: true,
  pickupDate: true,
  contactName: true,
  contactPhone: true,
  note: true,
  createdAt: true,
  expiresAt: true,
  paidAt: true,
  pickedUpAt: true,
  uncollectedAt: true,
}).extend({ items: z.array(OrderLineViewSchema) });
export type OrderView = z.infer<typeof OrderViewSchema>;

export const PlacedOrderSchema = OrderViewSchema.pick({ orderId: true, status: true, totalFen: true, expiresAt: true }).extend({
  items: z.array(OrderLineViewSchema.pick({ productId: true, quantity: true, unitPriceFen: true, amountFen: true })),
});
export type PlacedOrder = z.infer<typeof PlacedOrderSchema>;

/** The leader record as the API shows it; API.md makes the name and phone optional. */
export const LeaderViewSchema = LeaderSchema.pick({
  leaderId: true,
  status: true,
  name: true,
  phone: true,
  pickupPoint: true,
  referralCode: true,
  referredBy: true,
  statusReason: true,
}).partial({ name: true, phone: true });
export type LeaderView = z.infer<typeof LeaderViewSchema>;

/** A product as the catalogue lists it: supply prices are shown only to operators and its supplier. */
export const ProductViewSchema = z.object({
  ...ProductSchema.pick({ productId: true, supplierId: true, name: true, unit: true, groupPriceFen: true }).shape,
  supplyPriceFen: z.number().int().optional(),
  commissionRateBps: z.number().int().optional(),
  /** Units the supplier ships per case. */
  caseSize: z.number().int().optional(),
});
export type ProductView = z.infer<typeof ProductViewSchema>;

export const PickupSheetSchema = z.object({
  leaderId: z.string(),
  date: z.string(),
  totals: z.array(z.object({ productId: z.string(), name: z.string(), quantity: z.number().int() })),
  orders: z.array(
    z.object({
      orderId: z.string(),
      pickupCode: z.string(),
      contactName: z.string(),
      contactPhone: z.string(),
      status: z.string(),
      items: z.array(z.object({ productId: z.string(), name: z.string(), unit: z.string().optional(), quantity: z.number().int() })),
    }),
  ),
});
export type PickupSheet = z.infer<typeof PickupSheetSchema>;

export const PurchaseOrderViewSchema = z
  .object({
    purchaseOrderId: z.string(),
    supplierId: z.string(),
    deliveryDate: z.string(),
    part: z.number().int().optional(),
    supplementOf: z.string().optional(),
    status: PurchaseOrderStatusSchema,
    revision: z.number().int().optional(),
    totalFen: z.number().int(),
    lines: z.array(
      PurchaseOrderLineSchema.extend({
        unit: z.string().optional(),
        /** Whole cases (API.md "Supply, pickup and prices"): the quantity rounded up to the case size. */
        caseSize: z.number().int(),
        cases: z.number().int(),
        orderedQuantity: z.number().int(),
        surplusQuantity: z.number().int(),
      }),
    ),
    pickupPointCount: z
      .number()
      .int()
      .optional()
      .meta({ description: 'Pickup points in the whole breakdown (pickupPoints may hold only a page of them).' }),
    pickupPoints: z
      .array(
        PickupPointRefSchema.extend({
          lines: z.array(
            z.object({ productId: z.string(), name: z.string().optional(), unit: z.string().optional(), quantity: z.number().int() }),
          ),
        }),
      )
      .meta({
        description:
          'The breakdown per pickup point: all of it, or, when the response would pass 1 MB, a page of it (by name within the page), with breakdownCursor.',
      }),
    breakdownCursor: z.string().optional().meta({
      description:
        'Present when pickupPoints is not the rest of the breakdown: GET /purchase-orders/{purchaseOrderId}?cursor=<breakdownCursor> answers the same item with the next page. Pages of one reading are of one revision: after a revision the cursor is refused (409 CONFLICT) and the reading starts again.',
    }),
  })
  .meta({
    description:
      'A purchase order. With Accept: text/csv, GET /purchase-orders/{purchaseOrderId} answers the CSV instead, in parts of at most 4 MB: a part that is not the last carries Link: <…?cursor=…>; rel="next" (and X-Next-Cursor); the parts, concatenated in order, are the file, all of one revision.',
  });
export type PurchaseOrderView = z.infer<typeof PurchaseOrderViewSchema>;

/** `GET /purchase-orders/{id}/revisions`: what each revision changed, and why (the revision as read). */
export const PurchaseOrderRevisionViewSchema = PurchaseOrderRevisionSchema;

export const CommissionsViewSchema = z.object({
  leaderId: z.string(),
  pendingFen: z.number().int(),
  availableFen: z.number().int(),
  paidFen: z.number().int(),
  entries: z.array(LedgerEntrySchema.pick({ entryId: true, kind: true, amountFen: true, orderId: true, payoutId: true, createdAt: true })),
});
export type CommissionsView = z.infer<typeof CommissionsViewSchema>;

export const PayoutViewSchema = z.object({
  payoutId: z.string(),
  leaderId: z.string(),
  amountFen: z.number().int(),
  status: z.string(),
  entryIds: z.array(z.string()),
  createdAt: z.string().optional(),
  paidAt: z.string().optional(),
  reason: z.string().optional(),
  riskFlags: z.array(z.string()).optional(),
  riskFigures: RiskFiguresSchema.optional(),
  releaseReason: z.string().optional(),
});
export type PayoutView = z.infer<typeof PayoutViewSchema>;

export const ReconciliationSchema = z.object({
  leaderId: z.string(),
  expectedFen: z.number().int(),
  ledgerFen: z.number().int(),
  discrepancies: z.array(z.unknown()),
});
export type Reconciliation = z.infer<typeof ReconciliationSchema>;

export const AuditTrailSchema = z.object({
  items: z.array(
    z.object({ at: z.string(), actor: z.string(), action: z.string(), entityId: z.string(), before: z.unknown(), after: z.unknown() }),
  ),
});
export type AuditTrail = z.infer<typeof AuditTrailSchema>;

export const CutoffRunSchema = z.object({ closed: z.number().int(), failed: z.number().int(), ordersCancelled: z.number().int() });
export const PayoutRunSchema = z.object({ proposed: z.number().int(), held: z.number().int().optional() });

/** `/auth/*` (API.md additions, "Sign-in"). */
export const SessionSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number().int(),
  user: z.object({ userId: z.string(), roles: z.array(z.enum(['operator', 'supplier'])), supplierId: z.string().optional() }),
});
export type Session = z.infer<typeof SessionSchema>;

/** `GET /me`: the roles of the token, the masked phone, whether WeChat is linked, the leader record if any. */
export const MeViewSchema = z.object({
  userId: z.string(),
  roles: z.array(z.enum(['operator', 'supplier'])),
  supplierId: z.string().optional(),
  phone: z.string().optional(),
  wechatLinked: z.boolean(),
  leader: LeaderViewSchema.optional(),
});
export type MeView = z.infer<typeof MeViewSchema>;

export const SmsCodeSentSchema = z.object({ expiresInSeconds: z.number().int() });
export const SupplierMemberViewSchema = SupplierMemberSchema.pick({ supplierId: true, phone: true, addedAt: true });
export const SandboxSmsSchema = z.object({ phone: z.string(), code: z.string(), sentAt: z.string() });

export const ReviewsViewSchema = z.object({
  items: z.array(z.object({ rating: z.number().int(), text: z.string().optional(), contactName: z.string(), createdAt: z.string() })),
  count: z.number().int(),
  averageRatingX100: z.number().int(),
  nextCursor: z.string().optional(),
});
export type ReviewsView = z.infer<typeof ReviewsViewSchema>;

export const ListOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().optional() });

/** `GET /leaders/me/customers` (API.md "Customers and reviews"): contacts masked, newest first. */
export const CustomerViewSchema = z.object({
  customerId: z.string(),
  contactName: z.string(),
  contactPhone: z.string(),
  orders: z.number().int(),
  spentFen: z.number().int(),
  firstOrderAt: z.string(),
  lastOrderAt: z.string(),
});
export type CustomerView = z.infer<typeof CustomerViewSchema>;
export const CustomersViewSchema = ListOf(CustomerViewSchema);
export type CustomersView = z.infer<typeof CustomersViewSchema>;

/** `GET /leaders/me/stats?days=`: the window's figures, and (beyond API.md) the same sums week by week for the chart. */
export const StatsViewSchema = z.object({
  leaderId: z.string(),
  days: z.number().int(),
  from: z.string(),
  to: z.string(),
  customers: z.number().int(),
  newCustomers: z.number().int(),
  repeatCustomers: z.number().int(),
  repeatRateBps: z.number().int(),
  orders: z.number().int(),
  gmvFen: z.number().int(),
  averageOrderFen: z.number().int(),
  commissionFen: z.number().int(),
  /** Seven-day spans ending on `to`, oldest first (the first may be shorter). */
  weeks: z.array(
    z.object({ from: z.string(), to: z.string(), orders: z.number().int(), gmvFen: z.number().int(), commissionFen: z.number().int() }),
  ),
});
export type StatsView = z.infer<typeof StatsViewSchema>;

export const ReviewCreatedSchema = z.object({ reviewId: z.string() });

/** `POST /purchase-orders/{id}/shortfalls`: the refunds a shortfall decided (201; the same report again, 200). */
export const ShortfallViewSchema = z.object({
  shortfallId: z.string(),
  refunds: z.array(z.object({ orderId: z.string(), productId: z.string(), quantity: z.number().int(), amountFen: z.number().int() })),
});
export type ShortfallView = z.infer<typeof ShortfallViewSchema>;
