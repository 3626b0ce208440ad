// Building blocks shared by every schema: money, phones, ids, times.
import { z } from 'zod';

/** Integer fen (分). */
export const FenSchema = z.number().int().min(0).max(10_000_000_000);
/** Integer basis points (1 % = 100). */
export const BpsSchema = z.number().int().min(0).max(10_000);
/** Mainland mobile: 11 digits starting with 1. */
export const PhoneSchema = z.string().regex(/^1\d{10}$/, 'must be an 11-digit mainland mobile number starting with 1');
export const IdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must be an id issued by this API');
export const NameSchema = z.string().trim().min(1).max(100);
/** ISO 8601 with an offset or Z. */
export const InstantSchema = z.iso.datetime({ offset: true });
/** YYYY-MM-DD (a calendar date in Asia/Shanghai). */
export const DateSchema = z.iso.date();
export const CursorSchema = z.string().min(1).max(2048);
export const LimitSchema = z.coerce.number().int().min(1).max(100).default(50);

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
