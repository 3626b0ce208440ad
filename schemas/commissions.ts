// Leader commissions: the append-only ledger, payouts, and the audit views.
import * as z from 'zod';
import { CursorSchema, DateSchema, IdSchema, InstantSchema, LimitSchema, safeText, VersionSchema } from './common';

export const ENTRY_KINDS = ['accrual', 'reversal', 'referral', 'payout'] as const;
export const EntryKindSchema = z.enum(ENTRY_KINDS);
export type EntryKind = z.infer<typeof EntryKindSchema>;

/** Whose share an order-line entry belongs to: the leader's commission, or the recruiter's referral share. */
export const ShareSchema = z.enum(['commission', 'referral']);
export type Share = z.infer<typeof ShareSchema>;

export const LedgerEntrySchema = z.object({
  /** Derived from its cause (order line, share and the line's refunded amount; or the payout), never random. */
  entryId: z.string(),
  leaderId: z.string(),
  kind: EntryKindSchema,
  amountFen: z.number().int(),
  share: ShareSchema.optional(),
  orderId: z.string().optional(),
  productId: z.string().optional(),
  payoutId: z.string().optional(),
  createdAt: z.string(),
  /** When the entry stops being pending: the end of the order's after-sales window (or its creation, if later). */
  availableAt: z.string(),
});
export type LedgerEntry = z.infer<typeof LedgerEntrySchema>;

/**
 * `proposing` and `rejecting` are internal steps (claiming entries; giving them back). `held`: proposed, but
 * at risk (`riskFlags`): an operator releases it (→ proposed) or rejects it.
 */
export const PAYOUT_STATUSES = ['proposing', 'proposed', 'held', 'approved', 'paid', 'rejecting', 'rejected'] as const;

/** Why a payout is held (API.md, "Risk holds on payouts"). */
export const RISK_FLAGS = ['high_refund_rate', 'self_purchase'] as const;
export const RiskFlagSchema = z.enum(RISK_FLAGS);
export type RiskFlag = z.infer<typeof RiskFlagSchema>;

/** The figures behind the flags, as they were when the payout was held (every check, flagged or not). */
export const RiskFiguresSchema = z.object({
  /** The leader's orders paid in the last `days` days (by paid date): what they took, what has been refunded of it. */
  refundRate: z.object({
    days: z.number().int(),
    paidFen: z.number().int(),
    refundedFen: z.number().int(),
    rateBps: z.number().int(),
    thresholdBps: z.number().int(),
  }),
  /** Of the commission this payout pays, what comes from orders the leader placed themselves. */
  selfPurchase: z.object({
    commissionFen: z.number().int(),
    selfPurchaseFen: z.number().int(),
    shareBps: z.number().int(),
    thresholdBps: z.number().int(),
    orders: z.number().int(),
  }),
});
export type RiskFigures = z.infer<typeof RiskFiguresSchema>;
export const PayoutSchema = z.object({
  payoutId: z.string(),
  leaderId: z.string(),
  status: z.enum(PAYOUT_STATUSES),
  /** The sum of the entries it claimed (each a claim item of its own), and how many. */
  amountFen: z.number().int(),
  entryCount: z.number().int().default(0),
  version: VersionSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  reason: z.string().optional(),
  paidAt: z.string().optional(),
  /** Why it was held (kept after a release, as a record). */
  riskFlags: z.array(RiskFlagSchema).optional(),
  riskFigures: RiskFiguresSchema.optional(),
  /** The operator's reason for releasing a held payout. */
  releaseReason: z.string().optional(),
  /** An approved payout's transfer to the leader (WeChat Pay 商家转账), while it is under way. */
  transfer: z.lazy(() => PayoutTransferSchema).optional(),
});
export type Payout = z.infer<typeof PayoutSchema>;

/**
 * `waiting_for_payee`: the leader has never signed in with WeChat, so there is nowhere to send it;
 * `sending` → `submitted` (accepted; the leader confirms receipt in WeChat) → the payout is `paid`,
 * or `failed` (nothing moved: approving again sends a new attempt).
 */
export const TRANSFER_STATES = ['waiting_for_payee', 'sending', 'submitted', 'failed'] as const;
export const PayoutTransferSchema = z.object({
  state: z.enum(TRANSFER_STATES),
  /** Which try this is; the provider's bill number is derived from the payout and it. */
  attempt: z.number().int().min(1),
  billNo: z.string().optional(),
  /** What the leader's page passes to WeChat's requestMerchantTransfer to confirm receipt. */
  confirm: z.object({ mchId: z.string(), appId: z.string(), package: z.string() }).optional(),
  detail: z.string().optional(),
  updatedAt: z.string(),
});
export type PayoutTransfer = z.infer<typeof PayoutTransferSchema>;

export const LeaderCommissionsPathSchema = z.object({ leaderId: IdSchema });
export const PayoutIdPathSchema = z.object({ payoutId: IdSchema });
export const ListPayoutsQuerySchema = z.object({
  status: z.enum(['proposed', 'held', 'approved', 'paid', 'rejected']).default('proposed'),
  limit: LimitSchema,
  cursor: CursorSchema.optional(),
});
export const LeaderCommissionsQuerySchema = z.object({ limit: LimitSchema, cursor: CursorSchema.optional() });
export const RejectPayoutBodySchema = z.object({ reason: safeText(500) });
export const ReleasePayoutBodySchema = z.object({ reason: safeText(500) });

export const ReconciliationQuerySchema = z
  .object({
    leaderId: IdSchema,
    from: z.union([InstantSchema, DateSchema]).optional(),
    to: z.union([InstantSchema, DateSchema]).optional(),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ['to'], message: 'must not be before from' });
export const AuditEventsQuerySchema = z.object({ entityId: safeText(200) });
