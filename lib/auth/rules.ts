// The rules of signing in, as pure functions: codes and their hashes, rate limits over stored send logs,
// refresh tokens, and the roles a user holds. No store, no clock of their own: callers pass `now`.
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Role } from '../runtime/auth';

export const CODE_TTL_SECONDS = 300;
export const MAX_CODE_ATTEMPTS = 5;
export const REFRESH_TOKEN_TTL_DAYS = 30;

export interface RateLimit {
  max: number;
  windowSeconds: number;
}

/** API.md: one code per phone every 60 s, 5 per phone per hour, 20 per client IP per hour. */
export const PHONE_LIMITS: readonly RateLimit[] = [
  { max: 1, windowSeconds: 60 },
  { max: 5, windowSeconds: 3600 },
];
export const IP_LIMITS: readonly RateLimit[] = [{ max: 20, windowSeconds: 3600 }];

export type Admission = { ok: true; sends: number[]; keepUntil: number } | { ok: false; retryAfterSeconds: number };

/**
 * Whether one more send fits every limit, judged from the stored sends (epoch ms) and `now` alone (never
 * from whether an expired item is still there). A sliding window: a limit of `max` per `window` refuses
 * while `max` sends lie within the last `window`, until the oldest of them leaves it. On admission, the
 * new log keeps only what some limit still needs.
 */
export function admit(sends: readonly number[], limits: readonly RateLimit[], now: number): Admission {
  const sorted = [...sends].sort((a, b) => a - b);
  let retryAfterMs = 0;
  for (const { max, windowSeconds } of limits) {
    const inWindow = sorted.filter((t) => t > now - windowSeconds * 1000);
    if (inWindow.length >= max) {
      const oldestThatMustLeave = inWindow[inWindow.length - max]!;
      retryAfterMs = Math.max(retryAfterMs, oldestThatMustLeave + windowSeconds * 1000 - now);
    }
  }
  if (retryAfterMs > 0) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)) };
  const longest = Math.max(...limits.map((l) => l.windowSeconds)) * 1000;
  const most = Math.max(...limits.map((l) => l.max));
  const kept = [...sorted.filter((t) => t > now - longest), now].slice(-most);
  return { ok: true, sends: kept, keepUntil: now + longest };
}

/**
 * The address a per-IP limit counts: IPv4 as is (also when written IPv4-mapped), IPv6 by its /64, which
 * one subscriber usually holds whole, so rotating addresses inside it buys nothing.
 */
export function ipBucket(ip: string): string {
  const address = ip.trim().toLowerCase().replace(/%.*$/, '');
  const v4 = address.replace(/^(::ffff:|(0{1,4}:){5}ffff:)/, '');
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v4)) return v4;
  if (!address.includes(':')) return address || 'unknown';
  const [head = '', tail = ''] = address.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = address.includes('::') ? Math.max(0, 8 - headGroups.length - tailGroups.length) : 0;
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+/, '') || '0')
    .join(':')}::/64`;
}

/** Separate keys for separate uses, each derived from AUTH_SECRET, so no hash can stand in for another. */
export function deriveKey(authSecret: string, purpose: 'sms-code' | 'refresh-token'): Buffer {
  return createHmac('sha256', authSecret).update(`auth/${purpose}/v1`).digest();
}

/** A uniformly random 6-digit code. */
export const newCode = (): string => String(randomInt(0, 1_000_000)).padStart(6, '0');

/** Codes are stored only as this hash; the phone is part of it, so one code's hash says nothing of another phone's. */
export const hashCode = (key: Buffer, phone: string, code: string): string =>
  createHmac('sha256', key).update(`${phone}:${code}`).digest('hex');

/** 32 random bytes, unpadded base64url (43 characters). */
export const newRefreshToken = (): string => randomBytes(32).toString('base64url');

export const hashRefreshToken = (key: Buffer, token: string): string => createHmac('sha256', key).update(token).digest('hex');

/** Compares two hex digests in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

export interface Grant {
  roles: Role[];
  supplierId?: string;
}

/**
 * The roles a user holds now, from what the platform keeps: operators by OPERATOR_PHONES, suppliers by
 * membership of their phone. A user without a phone (WeChat only) is a resident, and may be a leader
 * (looked up per request, never a role).
 */
export function grantFor(phone: string | undefined, operatorPhones: ReadonlySet<string>, supplierId: string | undefined): Grant {
  const roles: Role[] = [];
  if (phone && operatorPhones.has(phone)) roles.push('operator');
  if (phone && supplierId) roles.push('supplier');
  return { roles, ...(phone && supplierId ? { supplierId } : {}) };
}
