// What notifications need of the world, as narrow ports: the outbox of notices, what is known of a
// person (settings, WeChat OPENID), the two channels, and the local sandboxes' log.
import type { AuditEvent } from '../../schemas/common';
import type { Arrival, Channel, Notice, NotificationSettings, SentMessage, TemplateName } from '../../schemas/notifications';

export interface NoticeStore {
  /** Writes the notice unless one with its id exists (its cause was seen before): true when this call wrote it. */
  add(notice: Notice): Promise<boolean>;
  get(noticeId: string): Promise<Notice | undefined>;
  /**
   * Claims a pending notice until `until` (an ISO instant) for the holder of `token`, unless another
   * unexpired claim holds it: the notice as claimed, or undefined.
   */
  claim(noticeId: string, token: string, now: string, until: string): Promise<Notice | undefined>;
  /** Ends the claim with the notice's outcome (only while `token` holds it). */
  finish(noticeId: string, token: string, outcome: NoticeOutcome): Promise<void>;
  /** Gives the claim back after a failure, counting the attempt (only while `token` holds it). */
  release(noticeId: string, token: string, error: string): Promise<void>;
}

export type NoticeOutcome =
  { status: 'sent'; channel: Channel; sentAt: string; toldRevision?: number } | { status: 'skipped' | 'undeliverable'; outcome: string };

/** What a finished notice records of its outcome: a send, its channel, when, and the revision it told of. */
export function finishedFields(outcome: NoticeOutcome): Partial<Notice> {
  return outcome.status === 'sent'
    ? {
        status: 'sent',
        channel: outcome.channel,
        sentAt: outcome.sentAt,
        ...(outcome.toldRevision ? { toldRevision: outcome.toldRevision } : {}),
      }
    : { status: outcome.status, outcome: outcome.outcome };
}

export interface SettingsStore {
  /** The person's choice, or undefined when they never made one. */
  get(userId: string): Promise<NotificationSettings | undefined>;
  put(userId: string, settings: NotificationSettings, at: string, audit: AuditEvent): Promise<void>;
}

/** What the sender needs to know of a person. */
export interface People {
  /** The OPENID the user signed in with WeChat as (their profile's `wechatOpenId`). */
  openIdOf(userId: string): Promise<string | undefined>;
  /** The user who signs in with this phone, if any (a supplier member who signed in, say). */
  userIdByPhone(phone: string): Promise<string | undefined>;
}

/** One message on its way out. */
export interface OutgoingMessage {
  /** A phone (SMS) or an OPENID (WeChat). */
  to: string;
  template: TemplateName;
  /** The text as the person reads it (the sandboxes keep it). */
  text: string;
  /** The values of the SMS template, in its order (TemplateParamSet). */
  smsParams: string[];
  /** The keywords of the WeChat template: `{thing1: {value}}`, … */
  wechatData: Record<string, { value: string }>;
  /** A page of ours the WeChat message opens. */
  link?: string;
}

/**
 * A channel: `sent`, or `unavailable` (this channel cannot carry it to this person, now or later: no
 * template configured for it, the person did not accept the WeChat template, an invalid address). It
 * throws on anything that may pass (a network error, the provider's rate limit, a provider fault).
 */
export interface MessageChannel {
  send(message: OutgoingMessage): Promise<'sent' | { unavailable: string }>;
}

/** The local stage's sandboxes keep what they "sent", for `GET /dev/messages`. */
export interface SentMessageLog {
  record(to: string, message: SentMessage): Promise<void>;
  /** Newest first. */
  list(to: string, limit: number): Promise<SentMessage[]>;
}

export interface ArrivalStore {
  get(leaderId: string, date: string): Promise<Arrival | undefined>;
  /** Writes `after` if the record is still as read (`before`, or none), with its audit record. */
  save(before: Arrival | undefined, after: Arrival, audit: AuditEvent): Promise<'saved' | 'stale'>;
}

/** A purchase order as the message about it tells it: the current document. */
export interface PurchaseOrderFacts {
  current(
    supplierId: string,
    deliveryDate: string,
    part: number,
  ): Promise<{ revision: number; kinds: number; totalFen: number } | undefined>;
}

/** Who hears about a supplier's purchase orders: its members' phones (or, with none, its contact phone). */
export interface SupplierContacts {
  phonesOf(supplierId: string): Promise<string[]>;
}
