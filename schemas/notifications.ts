// Notifications: a person's channel settings, the leader's arrival confirmation (到货), the outbox of
// messages (one notice per message, its id derived from its cause), and what the local sandboxes "sent".
import * as z from 'zod';
import { OpenIdSchema } from './auth';
import { DateSchema, IdSchema, noRepeats, PhoneSchema, VersionSchema } from './common';

export const CHANNELS = ['sms', 'wechat'] as const;
export const ChannelSchema = z.enum(CHANNELS);
export type Channel = z.infer<typeof ChannelSchema>;

/** What a person chose (API.md): both on until they say otherwise. */
export const NotificationSettingsBodySchema = z.object({ sms: z.boolean(), wechat: z.boolean() }).strict();
export type NotificationSettings = z.infer<typeof NotificationSettingsBodySchema>;
export const DEFAULT_SETTINGS: NotificationSettings = Object.freeze({ sms: true, wechat: true });

export const MAX_ARRIVAL_PRODUCTS = 50;

/** `POST /pickup-points/me/arrivals`: all the goods of the date, or the products named. */
export const ArrivalBodySchema = z.object({
  date: DateSchema,
  productIds: z
    .array(IdSchema)
    .min(1)
    .max(MAX_ARRIVAL_PRODUCTS)
    .superRefine(noRepeats((id) => id))
    .optional(),
});
export type ArrivalBody = z.infer<typeof ArrivalBodySchema>;

/** `GET /dev/messages?to=`: a phone, or a WeChat OPENID. */
export const DevMessagesQuerySchema = z.object({ to: z.union([PhoneSchema, OpenIdSchema]) });

/** Every message the platform sends (lib/notifications/templates.ts has their texts). */
export const TEMPLATES = [
  'pickup_ready',
  'refunded',
  'uncollected_soon',
  'po_issued',
  'po_revised',
  'po_supplement',
  'leader_approved',
  'leader_rejected',
  'payout_paid',
  'payout_held',
] as const;
export const TemplateNameSchema = z.enum(TEMPLATES);
export type TemplateName = z.infer<typeof TemplateNameSchema>;

/**
 * `pending` → `sent` (by one channel), or `skipped` (nobody to tell: the person turned it off, or a later
 * revision of a purchase order made it moot), or `undeliverable` (no channel could take it: no template
 * configured, no address). A notice that keeps failing stays `pending` with its attempts and last error,
 * and its queue message waits in the dead-letter queue for `npm run redrive`.
 */
export const NOTICE_STATUSES = ['pending', 'sent', 'skipped', 'undeliverable'] as const;

/** One message to one person: the outbox item, written once (conditionally) by the change that causes it. */
export const NoticeSchema = z.object({
  /** Derived from the cause (`pickup-ready:<orderId>`, `refund:<orderId>:<refundId>`, …): a repeat writes nothing. */
  noticeId: z.string(),
  template: TemplateNameSchema,
  /** The template's values (strings, already formatted); purchase-order notices are completed when sent. */
  params: z.record(z.string(), z.string()).default({}),
  /** Where to text (an order's contact phone, a leader's phone, a supplier member's phone). */
  phone: z.string().optional(),
  /** The user whose settings apply and whose OPENID gets WeChat messages. */
  userId: z.string().optional(),
  /** Where a WeChat message leads (a page of ours). */
  link: z.string().optional(),
  status: z.enum(NOTICE_STATUSES),
  createdAt: z.string(),
  attempts: z.number().int().min(0).default(0),
  lastError: z.string().optional(),
  channel: ChannelSchema.optional(),
  sentAt: z.string().optional(),
  /** Why it was skipped or could not be delivered. */
  outcome: z.string().optional(),
  /** The revision of the purchase order a purchase-order notice told (it tells the latest when it is sent). */
  toldRevision: z.number().int().optional(),
  /** A claim while one invocation sends it: until then nobody else may (duplicate deliveries). */
  leaseUntil: z.string().optional(),
  leaseToken: z.string().optional(),
});
export type Notice = z.infer<typeof NoticeSchema>;

/** What a local sandbox "sent" (`GET /dev/messages`). */
export const SentMessageSchema = z.object({
  channel: ChannelSchema,
  template: TemplateNameSchema,
  text: z.string(),
  sentAt: z.string(),
});
export type SentMessage = z.infer<typeof SentMessageSchema>;

/** What a leader has confirmed as arrived at their pickup point for a date. */
export const ArrivalSchema = z.object({
  leaderId: z.string(),
  date: z.string(),
  /** Everything arrived (a confirmation without `productIds`). */
  all: z.boolean(),
  productIds: z.array(z.string()),
  confirmations: z.number().int().min(1),
  updatedAt: z.string(),
  version: VersionSchema,
});
export type Arrival = z.infer<typeof ArrivalSchema>;
