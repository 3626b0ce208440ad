// The leader's private domain (API.md "Customers and reviews"): the customer book and its stats, kept from
// the order stream, and residents' reviews of a pickup point. Request bodies and the stored items.
import * as z from 'zod';
import { CursorSchema, IdSchema, LimitSchema, safeText } from './common';

// ---------------------------------------------------------------------------------------------------
// Requests

export const CustomersQuerySchema = z.object({ limit: LimitSchema, cursor: CursorSchema.optional() });

export const MAX_STATS_DAYS = 365;
export const StatsQuerySchema = z.object({ days: z.coerce.number().int().min(1).max(MAX_STATS_DAYS).default(30) });
export const StatsPathSchema = z.object({ leaderId: IdSchema });

export const MAX_REVIEW_TEXT = 500;
export const ReviewTextSchema = safeText(MAX_REVIEW_TEXT);

export const ReviewBodySchema = z.object({
  rating: z.number().int('must be a whole number of stars').min(1, 'must be 1 to 5').max(5, 'must be 1 to 5'),
  text: ReviewTextSchema.optional(),
});
export type ReviewBody = z.infer<typeof ReviewBodySchema>;

export const ReviewsQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: CursorSchema.optional() });

// ---------------------------------------------------------------------------------------------------
// Stored: the customer book

/** What one order adds to its customer's entry: written with the order's version, replaced by newer images only. */
export const CustomerOrderSchema = z.object({
  leaderId: z.string(),
  userId: z.string(),
  orderId: z.string(),
  groupBuyId: z.string(),
  /** When the order was placed (UTC ISO): the day it counts on. */
  placedAt: z.string(),
  /** Paid, not refunded in full, not cancelled: whether it counts at all. */
  counts: z.boolean(),
  /** What the resident paid less what was refunded (0 when it does not count). */
  netFen: z.number().int(),
  orderVersion: z.number().int(),
  /** Masked when written: the book keeps no contact a leader may not see. */
  contactName: z.string(),
  contactPhone: z.string(),
});
export type CustomerOrder = z.infer<typeof CustomerOrderSchema>;

/** One customer of one pickup point, summarised from their orders there. */
export const CustomerSummarySchema = z.object({
  leaderId: z.string(),
  userId: z.string(),
  /** Opaque and per pickup point: a leader learns nothing that links the customer elsewhere. */
  customerId: z.string(),
  orders: z.number().int(),
  spentFen: z.number().int(),
  groupBuys: z.number().int(),
  firstOrderAt: z.string().optional(),
  lastOrderAt: z.string().optional(),
  /**
   * The business date from which the customer has ordered in two or more group buys: the latest order
   * date of their second most recent group buy. A window starting on or before it sees them repeat.
   */
  repeatDate: z.string().optional(),
  /** The contact of the latest order, masked. */
  contactName: z.string().optional(),
  contactPhone: z.string().optional(),
  /** Moved on by every write: the changes of one customer are applied one after the other. */
  version: z.number().int().min(0),
});
export type CustomerSummary = z.infer<typeof CustomerSummarySchema>;

/** What a leader's business date holds: sums, and the customers whose first, last or repeat date it is. */
/** The figures a leader's day counts (each only ever ADDed to). */
export const STATS_DAY_FIGURES = ['orders', 'gmvFen', 'firstCustomers', 'lastCustomers', 'repeatCustomers', 'commissionFen'] as const;

export const StatsDaySchema = z.object({
  date: z.string(),
  orders: z.number().int().default(0),
  gmvFen: z.number().int().default(0),
  /** Customers whose first order was placed that day. */
  firstCustomers: z.number().int().default(0),
  /** Customers whose latest order was placed that day. */
  lastCustomers: z.number().int().default(0),
  /** Customers whose `repeatDate` is that day. */
  repeatCustomers: z.number().int().default(0),
  /** Ledger earnings (accruals, reversals, referral shares) booked that day. */
  commissionFen: z.number().int().default(0),
});
export type StatsDay = z.infer<typeof StatsDaySchema>;

// ---------------------------------------------------------------------------------------------------
// Stored: reviews

export const ReviewSchema = z.object({
  reviewId: z.string(),
  orderId: z.string(),
  leaderId: z.string(),
  groupBuyId: z.string(),
  userId: z.string(),
  rating: z.number().int().min(1).max(5),
  text: z.string().optional(),
  /** Masked when written, as it is shown to everyone. */
  contactName: z.string(),
  createdAt: z.string(),
});
export type Review = z.infer<typeof ReviewSchema>;
