// Leaders (团长): API bodies and the stored record.
import * as z from 'zod';
import { CursorSchema, IdSchema, LimitSchema, NameSchema, PhoneSchema, safeText, VersionSchema } from './common';

export const LEADER_STATUSES = ['pending', 'active', 'rejected', 'suspended'] as const;
export const LeaderStatusSchema = z.enum(LEADER_STATUSES);
export type LeaderStatus = z.infer<typeof LeaderStatusSchema>;

export const PickupPointSchema = z.object({
  name: NameSchema,
  address: safeText(300),
  community: safeText(100),
  city: safeText(50),
});
export type PickupPoint = z.infer<typeof PickupPointSchema>;

/** The most orders a pickup point may take for one day (a supermarket's parcel room is far below it). */
export const MAX_DAILY_ORDER_CAPACITY = 100_000;
/** The stored pickup point: what the leader applied with, and the capacity they set since. */
export const LeaderPickupPointSchema = PickupPointSchema.extend({
  /** Orders the point can hold for one pickup date; absent: no limit. */
  dailyOrderCapacity: z.number().int().min(0).optional(),
});
export type LeaderPickupPoint = z.infer<typeof LeaderPickupPointSchema>;

/** `PATCH /leaders/me`: today only the daily capacity of the pickup point (`null` clears it). */
export const UpdateMyLeaderBodySchema = z.strictObject({
  pickupPoint: z.strictObject({
    dailyOrderCapacity: z.number().int().min(0).max(MAX_DAILY_ORDER_CAPACITY).nullable(),
  }),
});
export type UpdateMyLeaderBody = z.infer<typeof UpdateMyLeaderBodySchema>;

export const ReferralCodeSchema = z
  .string()
  .trim()
  .toUpperCase()
  .max(16, { message: 'must be a referral code', abort: true })
  .regex(/^[A-Z0-9]{4,16}$/, 'must be a referral code');

export const ApplyLeaderBodySchema = z.object({
  name: NameSchema,
  phone: PhoneSchema,
  pickupPoint: PickupPointSchema,
  referralCode: ReferralCodeSchema.optional(),
});
export type ApplyLeaderBody = z.infer<typeof ApplyLeaderBodySchema>;

export const ReasonBodySchema = z.object({ reason: safeText(500) });

export const ListLeadersQuerySchema = z.object({
  status: LeaderStatusSchema,
  limit: LimitSchema,
  cursor: CursorSchema.optional(),
});

export const LeaderIdPathSchema = z.object({ leaderId: IdSchema });

export const LeaderSchema = z.object({
  leaderId: z.string(),
  userId: z.string(),
  name: z.string(),
  phone: z.string(),
  pickupPoint: LeaderPickupPointSchema,
  status: LeaderStatusSchema,
  referralCode: z.string(),
  referredBy: z.string().optional(),
  statusReason: z.string().optional(),
  approvedAt: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: VersionSchema,
});
export type Leader = z.infer<typeof LeaderSchema>;
