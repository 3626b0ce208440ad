// What the API answers (API.md), as zod schemas: the web app's API client takes its response types from
// here (z.infer), the OpenAPI document its response bodies, and the server's views are typed by them, so a
// change to a response breaks the build of whoever depends on it. Optional fields are those API.md makes optional.
import * as z from 'zod';
import { RiskFiguresSchema } from './commissions';
import { LeaderPickupPointSchema, PickupPointSchema } from './leaders';
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

export const OrderViewSchema = z.object({
  orderId: z.string(),
  status: z.enum(['pending_payment', 'paid', 'expired', 'cancelled', 'ready_for_pickup', 'picked_up', 'refunded']),
  groupBuyId: z.string(),
  leaderId: z.string(),
  totalFen: z.number().int(),
  refundedFen: z.number().int(),
  items: z.array(
    z.object({
      productId: z.string(),
      name: z.string(),
      unit: z.string(),
      quantity: z.number().int(),
      unitPriceFen: z.number().int(),
      amountFen: z.number().int(),
      refundedFen: z.number().int(),
      /** Units the supplier reported short (refunded). */
      shortQuantity: z.number().int().optional(),
    }),
  ),
  pickupCode: z.string().optional(),
  pickupDate: z.string(),
  contactName: z.string(),
  contactPhone: z.string(),
  note: z.string().optional(),
  createdAt: z.string(),
  expiresAt: z.string(),
  paidAt: z.string().optional(),
  pickedUpAt: z.string().optional(),
  /** Refunded in full because nobody collected it within PICKUP_WINDOW_DAYS of its pickup date. */
  uncollectedAt: z.string().optional(),
});
export type OrderView = z.infer<typeof OrderViewSchema>;

export const PlacedOrderSchema = OrderViewSchema.pick({ orderId: true, status: true, totalFen: true, expiresAt: true }).extend({
  items: z.array(
    z.object({ productId: z.string(), quantity: z.number().int(), unitPriceFen: z.number().int(), amountFen: z.number().int() }),
  ),
});
export type PlacedOrder = z.infer<typeof PlacedOrderSchema>;

export const LeaderViewSchema = z.object({
  leaderId: z.string(),
  status: z.enum(['pending', 'active', 'rejected', 'suspended']),
  name: z.string().optional(),
  phone: z.string().optional(),
  pickupPoint: LeaderPickupPointSchema,
  referralCode: z.string(),
  referredBy: z.string().optional(),
  statusReason: z.string().optional(),
});
export type LeaderView = z.infer<typeof LeaderViewSchema>;

export const ProductViewSchema = z.object({
  productId: z.string(),
  supplierId: z.string(),
  name: z.string(),
  unit: z.string(),
  groupPriceFen: z.number().int(),
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
  entries: z.array(
    z.object({
      entryId: z.string(),
      kind: z.enum(['accrual', 'reversal', 'referral', 'payout']),
      amountFen: z.number().int(),
      orderId: z.string().optional(),
      payoutId: z.string().optional(),
      createdAt: z.string(),
    }),
  ),
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
export const SupplierMemberViewSchema = z.object({ supplierId: z.string(), phone: z.string(), addedAt: z.string() });
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
