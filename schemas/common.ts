// Building blocks shared by every schema: money, text, phones, ids, times.
import * as z from 'zod';

/** The most units of one product in one order line, and the most lines in one order. */
export const MAX_LINE_QUANTITY = 999;
export const MAX_ORDER_LINES = 20;
export const MAX_BPS = 10_000;

/**
 * Integer fen (分): a price, or any single amount typed in. Bounded so that the largest product the code
 * forms stays an exact integer: price × quantity × lines × rate =
 * 10 000 000 × 999 × 20 × 10 000 = 1 998 000 000 000 000 ≈ 2.0e15 < 2^53 ≈ 9.007e15
 * (the bound could go up to 45 081 077 fen; ¥100 000 a unit is far beyond anything sold here).
 */
export const MAX_PRICE_FEN = 10_000_000;
export const FenSchema = z.number().int().min(0).max(MAX_PRICE_FEN);
/** Integer fen up to an order's largest possible total (a refund, a payment): times a rate, still below 2^53. */
export const OrderFenSchema = z
  .number()
  .int()
  .min(0)
  .max(MAX_PRICE_FEN * MAX_LINE_QUANTITY * MAX_ORDER_LINES);
/** Integer basis points (1 % = 100). */
export const BpsSchema = z.number().int().min(0).max(MAX_BPS);

/**
 * C0 controls (tab and line breaks included), DEL and C1 controls, and the bidirectional embeddings,
 * overrides (U+202A–U+202E) and isolates (U+2066–U+2069): invisible, they reorder or hide what a leader,
 * a supplier or an operator reads on a sheet, a CSV or a message.
 */
const FORBIDDEN_IN_TEXT = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

/**
 * Free text from a client (names, titles, addresses, notes, reasons, units): trimmed, NFC-normalised,
 * free of control characters and bidirectional overrides, then `min` to `max` characters. The one helper
 * every text field of every request schema uses.
 */
export const safeText = (max: number, min = 1) =>
  z
    .string()
    .trim()
    .normalize('NFC')
    .refine((s) => !FORBIDDEN_IN_TEXT.test(s), {
      message: 'must not contain control characters or bidirectional overrides',
      abort: true,
    })
    .min(min)
    .max(max);

const PHONE_MESSAGE = 'must be an 11-digit mainland mobile number starting with 1';
/** Mainland mobile: 11 digits starting with 1. */
export const PhoneSchema = z
  .string()
  .max(11, { message: PHONE_MESSAGE, abort: true })
  .regex(/^1\d{10}$/, PHONE_MESSAGE);
export const IdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must be an id issued by this API');
export const NameSchema = safeText(100);
/** ISO 8601 with an offset or Z. */
export const InstantSchema = z.iso.datetime({ offset: true, abort: true }).max(40);
/** YYYY-MM-DD (a calendar date in Asia/Shanghai). */
export const DateSchema = z.iso.date({ abort: true }).max(10);
/** An opaque page cursor: base64url, as `encodeCursor` writes it. */
export const CursorSchema = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a cursor returned by this API');
export const LimitSchema = z.coerce.number().int().min(1).max(100).default(50);

/**
 * An item's version, moved on by every conditional write of it, so that a change decided on an older read fails
 * (and a consumer tells a newer image from an older one). Items written before versions existed read as 0.
 */
export const VersionSchema = z.number().int().min(0).default(0);

/** An audit record: who changed what, when, and the state before and after. */
export const AuditEventSchema = z.object({
  entityId: z.string(),
  entityType: z.string(),
  action: z.string(),
  actor: z.string(),
  at: z.string(),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;

/**
 * A list refinement: the second and later appearances of the same key are each an issue 'appears twice',
 * at `[index, ...field]` (or `[index]`), so that a client sees which entry to remove.
 */
export const noRepeats =
  <T>(key: (item: T) => string, field: (string | number)[] = []) =>
  (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      if (seen.has(key(item))) ctx.addIssue({ code: 'custom', path: [i, ...field], message: 'appears twice' });
      seen.add(key(item));
    });
  };
