// The rules of signing in: rate-limit windows judged from stored sends, the address a limit counts,
// codes and their hashes, refresh tokens, and the roles a phone holds.
import {
  admit,
  deriveKey,
  grantFor,
  hashCode,
  hashRefreshToken,
  ipBucket,
  IP_LIMITS,
  newCode,
  newRefreshToken,
  PHONE_LIMITS,
  sameHash,
} from './rules';

const T0 = Date.parse('2026-12-01T02:00:00Z');
const s = (seconds: number) => T0 + seconds * 1000;

describe('admit: the phone limits (1 per 60 s, 5 per hour)', () => {
  test('a phone with no sends is admitted, and its log then holds that send', () => {
    expect(admit([], PHONE_LIMITS, s(0))).toEqual({ ok: true, sends: [s(0)], keepUntil: s(3600) });
  });

  test('a second code within 60 s is refused until the first is 60 s old; at 60 s it is admitted', () => {
    expect(admit([s(0)], PHONE_LIMITS, s(1))).toEqual({ ok: false, retryAfterSeconds: 59 });
    expect(admit([s(0)], PHONE_LIMITS, s(59.5))).toEqual({ ok: false, retryAfterSeconds: 1 });
    expect(admit([s(0)], PHONE_LIMITS, s(60))).toMatchObject({ ok: true, sends: [s(0), s(60)] });
  });

  test('the sixth code within an hour waits for the oldest of the five to turn an hour old (a sliding window)', () => {
    const five = [0, 100, 200, 300, 400].map(s);
    expect(admit(five, PHONE_LIMITS, s(500))).toEqual({ ok: false, retryAfterSeconds: 3100 });
    expect(admit(five, PHONE_LIMITS, s(3599))).toEqual({ ok: false, retryAfterSeconds: 1 });
    const next = admit(five, PHONE_LIMITS, s(3600));
    // The send at 0 has left the hour; the log keeps only the five that still count.
    expect(next).toEqual({ ok: true, sends: [100, 200, 300, 400, 3600].map(s), keepUntil: s(7200) });
    // No burst across a fixed-window boundary: at 3 650 the last hour still holds 5 sends.
    expect(admit([100, 200, 300, 400, 3600].map(s), PHONE_LIMITS, s(3650))).toEqual({ ok: false, retryAfterSeconds: 50 });
  });

  test('sends out of order (clocks of two hosts) and sends older than every window count right', () => {
    expect(admit([s(-7200), s(30), s(-4000)], PHONE_LIMITS, s(45))).toEqual({ ok: false, retryAfterSeconds: 45 });
    expect(admit([s(-7200), s(-4000)], PHONE_LIMITS, s(0))).toEqual({ ok: true, sends: [s(0)], keepUntil: s(3600) });
  });

  test('when two limits refuse, the answer waits for both', () => {
    const five = [0, 10, 20, 30, 3550].map(s);
    // The 60 s limit alone says 10 s; the hourly one says until 0 + 3600: the later wins.
    expect(admit(five, PHONE_LIMITS, s(3590))).toEqual({ ok: false, retryAfterSeconds: 20 });
  });
});

describe('admit: the address limit (20 per hour)', () => {
  test('20 codes an hour from one address, then a wait for the oldest', () => {
    let sends: number[] = [];
    for (let i = 0; i < 20; i++) {
      const result = admit(sends, IP_LIMITS, s(i));
      if (!result.ok) throw new Error(`refused at ${i}`);
      sends = result.sends;
    }
    expect(sends).toHaveLength(20);
    expect(admit(sends, IP_LIMITS, s(20))).toEqual({ ok: false, retryAfterSeconds: 3580 });
  });
});

describe('ipBucket', () => {
  test.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['0:0:0:0:0:ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:DB8:0:0:a::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['', 'unknown'],
  ])('%s counts as %s', (ip, bucket) => {
    expect(ipBucket(ip)).toBe(bucket);
  });
});

describe('codes and tokens', () => {
  const key = deriveKey('secret', 'sms-code');

  test('codes are 6 digits, leading zeros kept, and spread over the whole range', () => {
    const codes = Array.from({ length: 2000 }, newCode);
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    expect(new Set(codes.map((c) => c[0])).size).toBe(10);
    expect(new Set(codes).size).toBeGreaterThan(1990);
  });

  test('a code hash depends on the key, the phone and the code; compared in constant time', () => {
    const h = hashCode(key, '13800000001', '123456');
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(sameHash(h, hashCode(key, '13800000001', '123456'))).toBe(true);
    expect(sameHash(h, hashCode(key, '13800000002', '123456'))).toBe(false);
    expect(sameHash(h, hashCode(key, '13800000001', '123457'))).toBe(false);
    expect(sameHash(h, hashCode(deriveKey('other', 'sms-code'), '13800000001', '123456'))).toBe(false);
    expect(sameHash(h, '')).toBe(false);
    expect(sameHash('', '')).toBe(false);
  });

  test('the two derived keys differ, so a code hash never matches a token hash', () => {
    expect(deriveKey('secret', 'sms-code').equals(deriveKey('secret', 'refresh-token'))).toBe(false);
  });

  test('refresh tokens are 32 random bytes in canonical base64url, stored by a keyed hash', () => {
    const token = newRefreshToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url').toString('base64url')).toBe(token);
    expect(newRefreshToken()).not.toBe(token);
    const refreshKey = deriveKey('secret', 'refresh-token');
    expect(hashRefreshToken(refreshKey, token)).toBe(hashRefreshToken(refreshKey, token));
    expect(hashRefreshToken(refreshKey, token)).not.toContain(token);
  });
});

describe('grantFor: roles come from the platform, by phone', () => {
  const operators = new Set(['13800009999']);

  test('an operator phone is an operator; a member phone is that supplier; both can hold at once', () => {
    expect(grantFor('13800009999', operators, undefined)).toEqual({ roles: ['operator'] });
    expect(grantFor('13800000001', operators, 'S1')).toEqual({ roles: ['supplier'], supplierId: 'S1' });
    expect(grantFor('13800009999', operators, 'S1')).toEqual({ roles: ['operator', 'supplier'], supplierId: 'S1' });
  });

  test('any other phone, and a user without a phone (WeChat only), holds no role', () => {
    expect(grantFor('13800000001', operators, undefined)).toEqual({ roles: [] });
    expect(grantFor(undefined, operators, 'S1')).toEqual({ roles: [] });
  });
});
