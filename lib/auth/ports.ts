// What sign-in needs of the world, as narrow ports: the stores of users, codes, sessions and supplier
// members, and the providers that text a code or vouch for a WeChat user.
import type { AuditEvent } from '../../schemas/common';
import type { RefreshTokenRecord, Session, SmsCodeRecord, SupplierMember, User } from '../../schemas/auth';

export interface UserStore {
  get(userId: string): Promise<User | undefined>;
  findByPhone(phone: string): Promise<User | undefined>;
  findByOpenId(openId: string): Promise<User | undefined>;
  /** Creates the user with its phone or OPENID guard; `taken` when another user got that phone or OPENID first. */
  create(user: User, audit: AuditEvent): Promise<'created' | 'taken'>;
  /**
   * Attaches an OPENID to an existing user (creating the profile of a user who has none, as `/dev/login`
   * users). `openid_taken`: another user has it; `user_has_other`: this user has another one.
   */
  bindOpenId(userId: string, openId: string, audit: AuditEvent): Promise<'bound' | 'openid_taken' | 'user_has_other'>;
}

/** The recent sends counted by one rate limit (epoch ms, oldest first) and the version they were read at. */
export interface SendLog {
  sends: number[];
  /** 0 when no log exists yet. */
  version: number;
}

/**
 * The send logs of `keys`, each as both stores keep it (`sends` as ISO times, `version`) and `read` finds it:
 * nothing stored is an empty log at version 0.
 */
export async function sendLogsOf(keys: readonly string[], read: (key: string) => Promise<Record<string, unknown> | undefined>) {
  const logs = new Map<string, SendLog>();
  await Promise.all(
    keys.map(async (key) => {
      const stored = await read(key);
      const sends = Array.isArray(stored?.sends)
        ? (stored.sends as unknown[]).map((s) => Date.parse(String(s))).filter(Number.isFinite)
        : [];
      logs.set(key, { sends, version: typeof stored?.version === 'number' ? stored.version : 0 });
    }),
  );
  return logs;
}

export interface SendLogWrite {
  key: string;
  before: SendLog;
  after: number[];
  /** When the log no longer matters to any limit (the item's TTL). */
  keepUntil: number;
}

export interface CodeStore {
  /** The send logs of the given rate-limit keys (a missing log is empty, version 0). */
  sendLogs(keys: string[]): Promise<Map<string, SendLog>>;
  /**
   * Stores the phone's new code (replacing any earlier one) and the updated send logs, atomically and only
   * if no log changed since it was read; `raced` otherwise.
   */
  saveCode(code: SmsCodeRecord, logs: SendLogWrite[]): Promise<'saved' | 'raced'>;
  /**
   * Counts one try at the phone's code and returns the code after counting, or undefined when there is
   * no code, it has expired at `now`, or its tries are used up. Counting before comparing keeps the
   * tries per code at `maxAttempts` however many requests race.
   */
  countAttempt(phone: string, now: string, maxAttempts: number): Promise<SmsCodeRecord | undefined>;
  /** Deletes the code if it is still the one with this hash: true for exactly one caller. */
  useCode(phone: string, codeHash: string): Promise<boolean>;
}

export interface SessionStore {
  /** A new sign-in with its first refresh token (and the audit record of the sign-in). */
  start(session: Session, token: RefreshTokenRecord, audit: AuditEvent): Promise<void>;
  get(sessionId: string): Promise<Session | undefined>;
  getToken(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** Marks `current` rotated and stores `next`, only if `current` is still current and the session active. */
  rotate(current: RefreshTokenRecord, next: RefreshTokenRecord, at: string): Promise<'rotated' | 'stale'>;
  /** Ends the sign-in (idempotent: an already revoked session stays as it was). */
  revoke(sessionId: string, reason: 'logout' | 'reuse', at: string, audit: AuditEvent): Promise<void>;
}

export interface MemberStore {
  /** The supplier this phone signs in for, if any. */
  supplierOf(phone: string): Promise<string | undefined>;
  add(member: SupplierMember, audit: AuditEvent): Promise<'added' | 'taken'>;
  remove(member: SupplierMember, audit: AuditEvent): Promise<void>;
  get(phone: string): Promise<SupplierMember | undefined>;
}

/** Texts a sign-in code; throws when the provider refuses. */
export interface SmsSender {
  sendCode(phone: string, code: string, validMinutes: number): Promise<void>;
}

/** The sandbox SMS provider's outbox (local stage): the last code "sent" to each phone. */
export interface SentSmsLog {
  record(phone: string, code: string, sentAt: string): Promise<void>;
  last(phone: string): Promise<{ phone: string; code: string; sentAt: string } | undefined>;
}

/** WeChat web authorization (snsapi_base): a code from the redirect, exchanged for the user's OPENID. */
export interface WeChatAuth {
  /** `invalid`: WeChat refused the code (unknown, used, expired) or gave no real user; throws on any other failure. */
  openIdFor(code: string): Promise<{ openId: string } | { invalid: string }>;
}
