// Share tokens: a compact, URL-safe, signed claim of (group buy, leader, expiry). Anything altered,
// signed with another key, or past its expiry is INVALID_SHARE_LINK.
import { AppError } from '../runtime/errors';
import { ulid } from '../runtime/clock';
import type { ShareClaims } from './share-link';
import { shareLinkKey, signShareToken, verifyShareToken } from './share-link';

const key = shareLinkKey('unit-test-auth-secret');
const now = new Date('2026-11-23T10:00:00.000Z');
// Fixed ids, so every run signs (and alters) the same token.
const claims: ShareClaims = {
  groupBuyId: '01KAT5X8R0GB1QK7M3V9Z2D4HC',
  leaderId: '01KAT2P4M0LD8FW6N5T3Y7R2QE',
  expiresAt: new Date('2026-11-25T16:00:00.000Z'),
};

function refusal(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    return err as AppError;
  }
  throw new Error('expected the token to be refused');
}

const expectRefused = (token: string, at = now) => {
  const err = refusal(() => verifyShareToken(key, token, at));
  expect(err).toBeInstanceOf(AppError);
  expect(err.code).toBe('INVALID_SHARE_LINK');
  expect(err.status).toBe(400);
};

const withPart = (token: string, index: number, value: string) => {
  const parts = token.split('.');
  parts[index] = value;
  return parts.join('.');
};

/** Another character at position i (never the same one). */
const swapChar = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);

test('a signed token verifies back to the same claims', () => {
  const token = signShareToken(key, claims);
  expect(verifyShareToken(key, token, now)).toEqual(claims);
});

test('the key is derived from AUTH_SECRET, and the same secret gives the same key', () => {
  expect(shareLinkKey('unit-test-auth-secret').equals(key)).toBe(true);
  expect(shareLinkKey('another-secret').equals(key)).toBe(false);
});

test('a token signed with another key is refused', () => {
  expectRefused(signShareToken(shareLinkKey('another-secret'), claims));
});

test.each([
  ['groupBuyId', 0],
  ['leaderId', 1],
  ['expiry', 2],
  ['signature', 3],
] as const)('changing one character of the %s is refused', (_part, index) => {
  const token = signShareToken(key, claims);
  const part = token.split('.')[index]!;
  expectRefused(withPart(token, index, swapChar(part, 0)));
  expectRefused(withPart(token, index, swapChar(part, Math.floor(part.length / 2))));
});

test('another group buy id, another leader, or a later expiry under the original signature is refused', () => {
  const token = signShareToken(key, claims);
  const other = signShareToken(key, { ...claims, groupBuyId: ulid(), leaderId: ulid() });
  expectRefused(withPart(token, 0, other.split('.')[0]!));
  expectRefused(withPart(token, 1, other.split('.')[1]!));
  const later = Math.floor(claims.expiresAt.getTime() / 1000 + 30 * 86_400).toString(36);
  expectRefused(withPart(token, 2, later));
});

test('every single-character change anywhere in the token is refused', () => {
  // SPEC.md: an altered token is refused. The 16-byte signature is 22 base64url characters, whose last
  // one carries 4 unused bits: a verifier that only compares decoded bytes accepts 15 altered spellings.
  const token = signShareToken(key, claims);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const accepted: string[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '.') continue;
    for (const c of alphabet) {
      if (c === token[i]) continue;
      const altered = token.slice(0, i) + c + token.slice(i + 1);
      try {
        verifyShareToken(key, altered, now);
        accepted.push(altered);
      } catch {
        // refused, as it should be
      }
    }
  }
  expect(accepted).toEqual([]);
});

test('a signature with padding, junk, whitespace or the standard base64 alphabet is refused', () => {
  // The same bytes spelled differently are still an altered link: only the exact token signed is valid.
  const token = signShareToken(key, claims);
  const sig = token.split('.')[3]!;
  const variants = [`${token}=`, `${token}==`, `${token}!`, `${token} `, withPart(token, 3, `${sig.slice(0, 5)} ${sig.slice(5)}`)];
  if (/[-_]/.test(sig)) variants.push(withPart(token, 3, sig.replace(/-/g, '+').replace(/_/g, '/')));
  const accepted = variants.filter((v) => {
    try {
      verifyShareToken(key, v, now);
      return true;
    } catch {
      return false;
    }
  });
  expect(accepted).toEqual([]);
});

test('malformed tokens are refused, not thrown as anything else', () => {
  const token = signShareToken(key, claims);
  for (const bad of [
    '',
    'not-a-token',
    'a.b.c',
    `${token}.extra`,
    token.replace(/\.[^.]+\./, '..'),
    '....',
    token.split('.').slice(1).join('.'),
  ]) {
    expectRefused(bad);
  }
});

test('a token is valid until its expiry, and refused at and after it', () => {
  const token = signShareToken(key, claims);
  expect(verifyShareToken(key, token, new Date(claims.expiresAt.getTime() - 1000)).groupBuyId).toBe(claims.groupBuyId);
  expectRefused(token, claims.expiresAt);
  expectRefused(token, new Date(claims.expiresAt.getTime() + 1));
  expectRefused(signShareToken(key, { ...claims, expiresAt: new Date(now.getTime() - 60_000) }));
});

test('tokens are compact and URL-safe', () => {
  for (let i = 0; i < 20; i++) {
    const token = signShareToken(key, { groupBuyId: ulid(), leaderId: ulid(), expiresAt: new Date(Date.now() + i * 86_400_000) });
    expect(token.length).toBeLessThan(100);
    expect(token).toMatch(/^[A-Za-z0-9._-]+$/);
    expect(encodeURIComponent(token)).toBe(token);
  }
});
