// Access tokens: what verifies and what does not. Every refusal here is a token an attacker could craft
// or keep: no expiry, another issuer or audience, another algorithm, an old one, or a second spelling.
import type { JWTPayload } from 'jose';
import { SignJWT } from 'jose';
import { ACCESS_TOKEN_TTL_SECONDS, isCanonicalCompact, jwtIdentity, tokenAudience, tokenIssuer } from './auth';
import { AppError } from './errors';

const SECRET = 'unit-test-secret';
const key = new TextEncoder().encode(SECRET);
const NOW = 1_800_000_000;
const identity = jwtIdentity(() => SECRET, { issuer: 'tuangou/test', audience: 'tuangou/test/api', now: () => NOW });

/** Signs claims with our key, to show that a valid signature alone is not enough. */
async function craft(claims: JWTPayload, header: Record<string, unknown> = { alg: 'HS256', typ: 'JWT' }) {
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);
}

const base = { sub: 'u-1', roles: ['operator'], iss: 'tuangou/test', aud: 'tuangou/test/api', iat: NOW - 10, exp: NOW + 600 };

async function refusal(token: string): Promise<string> {
  try {
    await identity.verify(token);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('UNAUTHENTICATED');
    return (err as AppError).message;
  }
  throw new Error('the token verified');
}

test('an issued token verifies to its principal, session included, and lives two hours', async () => {
  const token = await identity.issue({ userId: 'u-1', roles: ['supplier'], supplierId: 's-1', sessionId: 'sess-1' });
  expect(await identity.verify(token)).toEqual({ userId: 'u-1', roles: ['supplier'], supplierId: 's-1', sessionId: 'sess-1' });
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as JWTPayload;
  expect(payload).toMatchObject({ iss: 'tuangou/test', aud: 'tuangou/test/api', iat: NOW, exp: NOW + ACCESS_TOKEN_TTL_SECONDS });
  expect(ACCESS_TOKEN_TTL_SECONDS).toBe(7200);
});

test('a crafted token with every required claim verifies (the baseline of the refusals below)', async () => {
  expect(await identity.verify(await craft(base))).toEqual({ userId: 'u-1', roles: ['operator'] });
});

test.each([
  ['no exp', { exp: undefined }],
  ['no iat', { iat: undefined }],
  ['no iss', { iss: undefined }],
  ['no aud', { aud: undefined }],
  ['no sub', { sub: undefined }],
  ['another issuer', { iss: 'tuangou/prod' }],
  ['another audience', { aud: 'someone-else' }],
  ['expired', { iat: NOW - 700, exp: NOW - 100 }],
  ['older than two hours, whatever its exp says', { iat: NOW - 7300, exp: NOW + 86_400 }],
  ['issued in the future', { iat: NOW + 600, exp: NOW + 1200 }],
  ['an unknown role', { roles: ['admin'] }],
])('a token with %s is refused', async (_name, change) => {
  const claims = { ...base, ...change } as Record<string, unknown>;
  for (const k of Object.keys(claims)) if (claims[k] === undefined) delete claims[k];
  await refusal(await craft(claims));
});

test('a token of another key, another algorithm, or no algorithm is refused', async () => {
  await refusal(
    await jwtIdentity(() => 'another-secret', { issuer: 'tuangou/test', audience: 'tuangou/test/api', now: () => NOW }).issue({
      userId: 'u-1',
      roles: [],
    }),
  );
  const hs512 = await new SignJWT(base).setProtectedHeader({ alg: 'HS512', typ: 'JWT' }).sign(new TextEncoder().encode(SECRET.repeat(4)));
  await refusal(hs512);
  const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(base)).toString('base64url')}.`;
  await refusal(none);
  await refusal(await craft(base, { alg: 'HS256', typ: 'at+jwt' }));
});

test('only the canonical spelling of a token verifies: no padding, no stray bits, no other alphabet', async () => {
  const token = await identity.issue({ userId: 'u-1', roles: [] });
  const [header, payload, signature] = token.split('.') as [string, string, string];
  // 32 bytes of HS256 signature are 43 characters; the last carries 2 unused bits.
  const last = signature.at(-1)!;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const sameBytes = alphabet[alphabet.indexOf(last) ^ 1]!;
  const variants = [
    `${token}=`,
    `${token}==`,
    `${header}=.${payload}.${signature}`,
    `${header}.${payload}=.${signature}`,
    `${header}.${payload}.${signature.slice(0, -1)}${sameBytes}`,
    `${header}.${payload}.${Buffer.from(signature, 'base64url').toString('base64')}`,
    ` ${token}`,
    `${token}.`,
  ];
  // The stray-bit variant decodes to the very same bytes: only the canonical check stops it.
  expect(Buffer.from(variants[4]!.split('.')[2]!, 'base64url').equals(Buffer.from(signature, 'base64url'))).toBe(true);
  for (const variant of variants) {
    expect(isCanonicalCompact(variant)).toBe(false);
    expect(await refusal(variant)).toBe('Invalid token');
  }
  expect(isCanonicalCompact(token)).toBe(true);
});

test('issuer and audience are fixed per stage, so a token of one stage is refused by another', async () => {
  expect(tokenIssuer('prod')).toBe('tuangou/prod');
  expect(tokenAudience('prod')).toBe('tuangou/prod/api');
  const staging = jwtIdentity(() => SECRET, { issuer: tokenIssuer('staging'), audience: tokenAudience('staging'), now: () => NOW });
  const prod = jwtIdentity(() => SECRET, { issuer: tokenIssuer('prod'), audience: tokenAudience('prod'), now: () => NOW });
  await expect(prod.verify(await staging.issue({ userId: 'u-1', roles: ['operator'] }))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
});

test('a new secret is used from its first read: tokens of the old one are refused, the new one signs and verifies', async () => {
  let secret = SECRET;
  const rotating = jwtIdentity(() => secret, { issuer: 'tuangou/test', audience: 'tuangou/test/api', now: () => NOW });
  const before = await rotating.issue({ userId: 'u-1', roles: [] });
  await expect(rotating.verify(before)).resolves.toMatchObject({ userId: 'u-1' });
  secret = 'the-rotated-secret';
  await expect(rotating.verify(before)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  const after = await rotating.issue({ userId: 'u-2', roles: [] });
  await expect(rotating.verify(after)).resolves.toMatchObject({ userId: 'u-2' });
  await refusal(after); // the identity of the first secret does not take it
});
