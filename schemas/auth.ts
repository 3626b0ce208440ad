import * as z from 'zod';
import { ROLES } from '../lib/runtime/auth';
import { IdSchema, PhoneSchema } from './common';

export const DevLoginBodySchema = z
  .object({
    userId: IdSchema,
    roles: z.array(z.enum(ROLES)).max(2).default([]),
    supplierId: IdSchema.optional(),
  })
  .refine((b) => !b.supplierId || b.roles.includes('supplier'), { path: ['supplierId'], message: 'only with the supplier role' })
  .refine((b) => !b.roles.includes('supplier') || b.supplierId, { path: ['supplierId'], message: 'required with the supplier role' });

// Sign-in: request bodies.

/** The 6-digit code texted to a phone. */
export const SmsCodeSchema = z
  .string()
  .max(6)
  .regex(/^\d{6}$/, 'must be the 6-digit code that was texted');
/** A refresh token as issued: 32 random bytes, unpadded base64url. */
export const RefreshTokenSchema = z
  .string()
  .max(43)
  .regex(/^[A-Za-z0-9_-]{43}$/, 'must be a refresh token issued by this API');
/** WeChat's web-authorization `code` (or, locally, `sandbox:<openid>`). */
export const WeChatCodeSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_.:-]+$/, 'must be the code WeChat returned to the page');
/** WeChat OPENIDs: 28 characters today; kept loose within a safe alphabet. */
export const OpenIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be an OPENID');

export const RequestSmsCodeBodySchema = z.object({ phone: PhoneSchema });
export const SmsSignInBodySchema = z.object({ phone: PhoneSchema, code: SmsCodeSchema });
export const WeChatSignInBodySchema = z.object({ code: WeChatCodeSchema });
export const RefreshBodySchema = z.object({ refreshToken: RefreshTokenSchema });
export const DevSmsQuerySchema = z.object({ phone: PhoneSchema });
export const SupplierMemberBodySchema = z.object({ phone: PhoneSchema });
export const SupplierIdPathSchema = z.object({ supplierId: IdSchema });
export const SupplierMemberPathSchema = z.object({ supplierId: IdSchema, phone: PhoneSchema });

// Sign-in: stored entities.

/** A person. The same phone, and the same WeChat OPENID, always sign in as the same user. */
export const UserSchema = z.object({
  userId: z.string(),
  phone: z.string().optional(),
  /** Read by the WeChat Pay adapters to pay this user and to transfer their payouts. */
  wechatOpenId: z.string().optional(),
  createdAt: z.string(),
});
export type User = z.infer<typeof UserSchema>;

export const SIGN_IN_METHODS = ['sms', 'wechat'] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

/** One sign-in: the family of refresh tokens that rotate from it. Revoking it ends every one of them. */
export const SessionSchema = z.object({
  sessionId: z.string(),
  userId: z.string(),
  method: z.enum(SIGN_IN_METHODS),
  status: z.enum(['active', 'revoked']),
  createdAt: z.string(),
  refreshedAt: z.string().optional(),
  revokedAt: z.string().optional(),
  revokedReason: z.enum(['logout', 'reuse']).optional(),
});
export type Session = z.infer<typeof SessionSchema>;

/** A refresh token, known only by its hash. `rotated` ones are kept to recognise a replay. */
export const RefreshTokenRecordSchema = z.object({
  tokenHash: z.string(),
  sessionId: z.string(),
  userId: z.string(),
  status: z.enum(['current', 'rotated']),
  issuedAt: z.string(),
  expiresAt: z.string(),
});
export type RefreshTokenRecord = z.infer<typeof RefreshTokenRecordSchema>;

/** The code last texted to a phone, known only by its hash. */
export const SmsCodeRecordSchema = z.object({
  phone: z.string(),
  codeHash: z.string(),
  sentAt: z.string(),
  expiresAt: z.string(),
  attempts: z.number().int().min(0),
});
export type SmsCodeRecord = z.infer<typeof SmsCodeRecordSchema>;

/** A phone that signs in as a member of a supplier (one supplier per phone). */
export const SupplierMemberSchema = z.object({
  supplierId: z.string(),
  phone: z.string(),
  addedAt: z.string(),
  addedBy: z.string(),
});
export type SupplierMember = z.infer<typeof SupplierMemberSchema>;
