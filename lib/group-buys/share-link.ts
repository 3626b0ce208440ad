// Share links: a compact, URL-safe token naming the group buy and the leader to credit, signed with
// HMAC-SHA256 (truncated to 128 bits) and valid until the end of the pickup date (Asia/Shanghai).
//   <groupBuyId>.<leaderId>.<expiry, base-36 epoch seconds>.<signature, base64url>
import { createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../runtime/errors';

export interface ShareClaims {
  groupBuyId: string;
  leaderId: string;
  expiresAt: Date;
}

/** Share links are signed with a key of their own, derived from AUTH_SECRET. */
export function shareLinkKey(authSecret: string): Buffer {
  return createHmac('sha256', authSecret).update('share-link/v1').digest();
}

/** The key, derived when first needed: in AWS the secret arrives with the function's first invocation. */
export function lazyShareLinkKey(authSecret: () => string): () => Buffer {
  let key: Buffer | undefined;
  return () => (key ??= shareLinkKey(authSecret()));
}

const signature = (key: Buffer, payload: string) => createHmac('sha256', key).update(payload).digest().subarray(0, 16);

export function signShareToken(key: Buffer, claims: ShareClaims): string {
  const payload = `${claims.groupBuyId}.${claims.leaderId}.${Math.floor(claims.expiresAt.getTime() / 1000).toString(36)}`;
  return `${payload}.${signature(key, payload).toString('base64url')}`;
}

export const invalidShareLink = (why: string) => new AppError('INVALID_SHARE_LINK', `Invalid share link: ${why}`);

/** The claims of a genuine, unexpired token; INVALID_SHARE_LINK otherwise. */
export function verifyShareToken(key: Buffer, token: string, now: Date): ShareClaims {
  const parts = token.split('.');
  if (parts.length !== 4 || parts.some((p) => p === '')) throw invalidShareLink('malformed');
  const [groupBuyId, leaderId, exp, sig] = parts as [string, string, string, string];
  // Compare the signature as text: base64url decoding is lenient (padding, unused bits of the last
  // character), and a genuine link must have exactly one spelling.
  const expected = Buffer.from(signature(key, `${groupBuyId}.${leaderId}.${exp}`).toString('base64url'));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalidShareLink('bad signature');
  const expiresAt = new Date(parseInt(exp, 36) * 1000);
  if (!(expiresAt.getTime() > now.getTime())) throw invalidShareLink('expired');
  return { groupBuyId, leaderId, expiresAt };
}
