// The leader flow through HTTP against the real local stack: apply, review, referral, and every error
// API.md lists for these routes.
import { useStack } from '../../test/support/stack';

const pickupPoint = { name: '芳芳小卖部', address: '幸福路 1 号', community: '幸福小区', city: '上海' };
const application = (extra: Record<string, unknown> = {}) => ({ name: '王芳', phone: '13800001234', pickupPoint, ...extra });

const api = useStack();
let operator: string;

beforeAll(async () => {
  operator = await api.login('op-1', ['operator']);
});

async function applyAs(userId: string, extra: Record<string, unknown> = {}) {
  const token = await api.login(userId);
  const res = await api.call('POST', '/leaders', { token, body: application(extra) });
  return { token, res };
}

test('a user applies with a pickup point and sees a pending record with a referral code', async () => {
  const { token, res } = await applyAs('u-apply');
  expect(res.status).toBe(201);
  expect(res.body).toEqual({ leaderId: expect.any(String), status: 'pending', referralCode: expect.stringMatching(/^[A-Z0-9]{8}$/) });

  const me = await api.call('GET', '/leaders/me', { token });
  expect(me.status).toBe(200);
  expect(me.body).toMatchObject({
    leaderId: res.body.leaderId,
    status: 'pending',
    pickupPoint,
    referralCode: res.body.referralCode,
    referredBy: null,
  });
});

test('a second application by the same user is 409 CONFLICT', async () => {
  const { token } = await applyAs('u-twice');
  const again = await api.call('POST', '/leaders', { token, body: application() });
  expect(again.status).toBe(409);
  expect(again.body.error.code).toBe('CONFLICT');
});

test('two simultaneous applications by one user make exactly one leader', async () => {
  const token = await api.login('u-race');
  const results = await Promise.all([1, 2, 3].map(() => api.call('POST', '/leaders', { token, body: application() })));
  expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
});

test('operators list pending applications, approve, suspend and reinstate; each step audited', async () => {
  const { token, res } = await applyAs('u-review');
  const leaderId = res.body.leaderId;

  const pending = await api.call('GET', '/leaders?status=pending&limit=100', { token: operator });
  expect(pending.status).toBe(200);
  expect(pending.body.items.map((l: { leaderId: string }) => l.leaderId)).toContain(leaderId);

  expect((await api.call('POST', `/leaders/${leaderId}/approve`, { token: operator })).body).toEqual({ leaderId, status: 'active' });
  const active = await api.call('GET', '/leaders?status=active', { token: operator });
  expect(active.body.items.map((l: { leaderId: string }) => l.leaderId)).toContain(leaderId);

  const suspended = await api.call('POST', `/leaders/${leaderId}/suspend`, { token: operator, body: { reason: '多次投诉' } });
  expect(suspended.body).toEqual({ leaderId, status: 'suspended' });
  expect((await api.call('GET', '/leaders/me', { token })).body.status).toBe('suspended');

  const reinstated = await api.call('POST', `/leaders/${leaderId}/approve`, { token: operator });
  expect(reinstated.body.status).toBe('active');

  const { auditTrail } = await import('../../lib/store/audit');
  const trail = await auditTrail(leaderId);
  expect(trail.map((e) => e.action)).toEqual(['leader.applied', 'leader.approve', 'leader.suspend', 'leader.approve']);
  expect(trail[2]).toMatchObject({ actor: 'op-1', before: { status: 'active' }, after: { status: 'suspended', statusReason: '多次投诉' } });
});

test('an action the current status does not allow is 409 and changes nothing', async () => {
  const { token, res } = await applyAs('u-reject');
  const leaderId = res.body.leaderId;
  expect((await api.call('POST', `/leaders/${leaderId}/reject`, { token: operator, body: { reason: '资料不全' } })).body.status).toBe(
    'rejected',
  );

  for (const [action, body] of [
    ['approve', undefined],
    ['suspend', { reason: 'x' }],
    ['reject', { reason: 'x' }],
  ] as const) {
    const res2 = await api.call('POST', `/leaders/${leaderId}/${action}`, { token: operator, body });
    expect(res2.status).toBe(409);
    expect(res2.body.error.code).toBe('CONFLICT');
  }
  expect((await api.call('GET', '/leaders/me', { token })).body.status).toBe('rejected');
});

test('a referral code of an active leader is recorded; unknown or inactive codes are 400 naming the field', async () => {
  const recruiter = await applyAs('u-recruiter');
  const code = recruiter.res.body.referralCode;

  const whilePending = await applyAs('u-recruit-early', { referralCode: code });
  expect(whilePending.res.status).toBe(400);
  expect(whilePending.res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'referralCode' }] });

  await api.call('POST', `/leaders/${recruiter.res.body.leaderId}/approve`, { token: operator });
  const recruit = await applyAs('u-recruit', { referralCode: code.toLowerCase() });
  expect(recruit.res.status).toBe(201);
  const me = await api.call('GET', '/leaders/me', { token: recruit.token });
  expect(me.body.referredBy).toBe(recruiter.res.body.leaderId);

  const unknown = await applyAs('u-recruit-unknown', { referralCode: 'ZZZZ9999' });
  expect(unknown.res.status).toBe(400);
  expect(unknown.res.body.error.details[0].path).toBe('referralCode');
});

test.each([
  ['phone not 11 digits', 'phone', { phone: '1380000123' }],
  ['phone not starting with 1', 'phone', { phone: '23800001234' }],
  ['missing pickup point address', 'pickupPoint.address', { pickupPoint: { ...pickupPoint, address: undefined } }],
  ['empty name', 'name', { name: '' }],
] as const)('bad input (%s) is 400 VALIDATION_FAILED naming %s, and creates nothing', async (_case, path, extra) => {
  const token = await api.login(`u-bad-${path}-${Math.random()}`);
  const res = await api.call('POST', '/leaders', { token, body: application(extra) });
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_FAILED');
  expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
  expect((await api.call('GET', '/leaders/me', { token })).status).toBe(404);
});

test('malformed JSON is 400 and a body over 64 KiB is 413', async () => {
  const token = await api.login('u-malformed');
  const bad = await api.call('POST', '/leaders', { token, rawBody: '{"name":' });
  expect(bad.status).toBe(400);
  expect(bad.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'body' }] });
  const big = await api.call('POST', '/leaders', { token, body: application({ name: 'x'.repeat(70_000) }) });
  expect(big.status).toBe(413);
  expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
});

test('no token, a forged token and an expired token are 401; a non-operator is 403 on operator routes', async () => {
  expect((await api.call('GET', '/leaders/me')).status).toBe(401);
  const forged = (await api.login('u-x')).slice(0, -3) + 'AAA';
  const res = await api.call('GET', '/leaders/me', { token: forged });
  expect(res.status).toBe(401);
  expect(res.body.error.code).toBe('UNAUTHENTICATED');

  const { SignJWT } = await import('jose');
  const { config } = await import('../../lib/runtime/config');
  const expired = await new SignJWT({ roles: ['operator'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('op-1')
    .setIssuedAt(1_700_000_000)
    .setExpirationTime(1_700_000_600)
    .sign(new TextEncoder().encode(config.authSecret));
  expect((await api.call('GET', '/leaders?status=pending', { token: expired })).status).toBe(401);

  const resident = await api.login('u-resident');
  const list = await api.call('GET', '/leaders?status=pending', { token: resident });
  expect(list.status).toBe(403);
  expect(list.body.error.code).toBe('FORBIDDEN');
  expect((await api.call('POST', '/leaders/ANY/approve', { token: resident })).status).toBe(403);
});

test('unknown leader is 404; a bad status filter or cursor is 400', async () => {
  expect((await api.call('POST', '/leaders/NOPE/approve', { token: operator })).status).toBe(404);
  const badStatus = await api.call('GET', '/leaders?status=sleeping', { token: operator });
  expect(badStatus.status).toBe(400);
  expect(badStatus.body.error.details[0].path).toBe('status');
  const badCursor = await api.call('GET', '/leaders?status=pending&cursor=bm9wZQ', { token: operator });
  expect(badCursor.status).toBe(400);
  expect(badCursor.body.error.details[0].path).toBe('cursor');
});

test('the pending list pages with nextCursor and every application appears once', async () => {
  for (let i = 0; i < 5; i++) await applyAs(`u-page-${i}`);
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const res = await api.call('GET', `/leaders?status=pending&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: operator });
    expect(res.status).toBe(200);
    seen.push(...res.body.items.map((l: { leaderId: string }) => l.leaderId));
    cursor = res.body.nextCursor;
  } while (cursor);
  expect(new Set(seen).size).toBe(seen.length);
  expect(seen.length).toBeGreaterThanOrEqual(5);
});

test('an unknown route is 404 NOT_FOUND in the API’s error shape', async () => {
  for (const [method, path] of [
    ['GET', '/no-such-thing'],
    ['DELETE', '/leaders'],
    ['GET', '/leaders/x/y/z'],
  ] as const) {
    const res = await api.call(method, path, { token: operator });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  }
});
