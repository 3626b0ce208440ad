// Signing in through HTTP against the real local stack, as a person would: a code texted to a phone (read
// from the sandbox's outbox, GET /dev/sms), WeChat's sandbox, refresh with reuse detection, logout, the
// rate limits, operators by OPERATOR_PHONES and supplier members. The only thing done beside HTTP is
// moving time by data: a phone's send log is aged instead of waiting a minute (test/support/time-travel.ts
// does the same for cutoffs).
import { useStack } from '../../test/support/stack';

const OPERATOR_PHONE = '13800009999';
// Read by the auth function when it loads, when the stack starts (useStack's beforeAll).
process.env.OPERATOR_PHONES = ` 13800009998 , ${OPERATOR_PHONE}`;

const api = useStack();
/** Codes this file had texted: every one came from this machine's one address, which may send 20 an hour. */
let codesSent = 0;

afterAll(async () => {
  delete process.env.OPERATOR_PHONES;
});

async function requestCode(phone: string): Promise<string> {
  const res = await api.call('POST', '/auth/sms-codes', { body: { phone } });
  expect({ status: res.status, body: res.body }).toEqual({ status: 202, body: { expiresInSeconds: 300 } });
  codesSent++;
  const sms = await api.call('GET', `/dev/sms?phone=${phone}`);
  expect(sms.status).toBe(200);
  expect(sms.body).toEqual({ phone, code: expect.stringMatching(/^\d{6}$/), sentAt: expect.any(String) });
  return sms.body.code as string;
}

async function signIn(phone: string) {
  const code = await requestCode(phone);
  const res = await api.call('POST', '/auth/sessions', { body: { phone, code } });
  expect(res.status).toBe(200);
  return res.body as {
    accessToken: string;
    refreshToken: string;
    expiresIn: number;
    user: { userId: string; roles: string[]; supplierId?: string };
  };
}

const refresh = (refreshToken: string) => api.call('POST', '/auth/refresh', { body: { refreshToken } });
const me = (token: string) => api.call('GET', '/me', { token });
const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

/** Moves a phone's recorded code sends `seconds` into the past, as if that much time had gone by. */
async function ageSendLog(phone: string, seconds: number) {
  const { GetCommand, PutCommand } = await import('@aws-sdk/lib-dynamodb');
  const { db, tableName } = await import('../../lib/store/dynamo');
  const { keys } = await import('../../lib/store/keys');
  const key = keys.smsSendLog(`phone:${phone}`);
  const { Item } = await db().send(new GetCommand({ TableName: tableName(), Key: key }));
  const sends = (Item!.sends as string[]).map((s) => new Date(Date.parse(s) - seconds * 1000).toISOString());
  await db().send(new PutCommand({ TableName: tableName(), Item: { ...Item, sends, version: Number(Item!.version) + 1 } }));
}

test('a texted code signs a phone in; the code works once; the same phone is always the same user', async () => {
  const phone = '13800000001';
  const code = await requestCode(phone);
  const first = await api.call('POST', '/auth/sessions', { body: { phone, code } });
  expect(first.status).toBe(200);
  expect(first.headers.get('cache-control')).toBe('no-store');
  expect(first.body).toEqual({
    accessToken: expect.stringMatching(/^ey/),
    refreshToken: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    expiresIn: 7200,
    tokenType: 'Bearer',
    user: { userId: expect.any(String), roles: [] },
  });
  const { userId } = first.body.user;

  const whoami = await me(first.body.accessToken);
  expect(whoami.status).toBe(200);
  expect(whoami.body).toEqual({ userId, roles: [], phone: '138****0001', wechatLinked: false });
  expect((await api.call('GET', '/leaders?status=pending', { token: first.body.accessToken })).status).toBe(403);

  const again = await api.call('POST', '/auth/sessions', { body: { phone, code } });
  expect(again.status).toBe(401);
  expect(again.body.error.code).toBe('UNAUTHENTICATED');

  // One code per phone per minute.
  const tooSoon = await api.call('POST', '/auth/sms-codes', { body: { phone } });
  expect(tooSoon.status).toBe(429);
  expect(tooSoon.body.error.code).toBe('RATE_LIMITED');
  expect(Number(tooSoon.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  expect(Number(tooSoon.headers.get('retry-after'))).toBeLessThanOrEqual(60);

  await ageSendLog(phone, 61);
  const second = await signIn(phone);
  expect(second.user.userId).toBe(userId);
  expect(second.refreshToken).not.toBe(first.body.refreshToken);
});

test('refresh rotates the pair; a refresh token presented twice revokes every token of its sign-in', async () => {
  const session = await signIn('13800000002');
  const rotated = await refresh(session.refreshToken);
  expect(rotated.status).toBe(200);
  expect(rotated.body.user).toEqual(session.user);
  expect(rotated.body.refreshToken).not.toBe(session.refreshToken);
  expect((await me(rotated.body.accessToken)).status).toBe(200);

  const replay = await refresh(session.refreshToken);
  expect(replay.status).toBe(401);
  expect(replay.body.error.code).toBe('UNAUTHENTICATED');
  // The newest token of that sign-in is gone too: whoever held either copy is out.
  expect((await refresh(rotated.body.refreshToken)).status).toBe(401);

  const operator = await api.login('op-auth', ['operator']);
  const trail = await api.call('GET', `/audit/events?entityId=${session.user.userId}`, { token: operator });
  expect(trail.body.items.map((e: { action: string }) => e.action)).toEqual(
    expect.arrayContaining(['user.created', 'user.signed_in', 'user.sign_in_revoked']),
  );
});

test('logout ends the sign-in: its refresh token stops working', async () => {
  const session = await signIn('13800000003');
  expect((await api.call('POST', '/auth/logout')).status).toBe(401);
  const out = await api.call('POST', '/auth/logout', { token: session.accessToken });
  expect(out.status).toBe(204);
  expect(out.text).toBe('');
  expect((await refresh(session.refreshToken)).status).toBe(401);
  // Again is harmless.
  expect((await api.call('POST', '/auth/logout', { token: session.accessToken })).status).toBe(204);
});

test('five wrong codes void the code: the right one then fails too', async () => {
  const phone = '13800000004';
  const code = await requestCode(phone);
  for (let i = 0; i < 5; i++) {
    const res = await api.call('POST', '/auth/sessions', { body: { phone, code: wrongCode(code) } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  }
  const right = await api.call('POST', '/auth/sessions', { body: { phone, code } });
  expect(right.status).toBe(401);
});

test('a malformed phone, code or token is a 400 naming the field, and changes nothing', async () => {
  const phone = '13800000005';
  for (const body of [{ phone: '1380000' }, { phone: '23800000005' }, {}]) {
    const res = await api.call('POST', '/auth/sms-codes', { body });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'phone' }] });
  }
  const code = await requestCode(phone);
  // Six malformed codes: none counts as a try (five wrong tries would void the code).
  for (const bad of ['12345', '1234567', 'abcdef', '', 123456, null]) {
    const res = await api.call('POST', '/auth/sessions', { body: { phone, code: bad } });
    expect(res.status).toBe(400);
    expect(res.body.error.details[0].path).toBe('code');
  }
  const badToken = await refresh('not-a-token');
  expect(badToken.status).toBe(400);
  expect(badToken.body.error.details[0].path).toBe('refreshToken');
  expect((await api.call('GET', '/dev/sms?phone=12')).body.error.details[0].path).toBe('phone');
  expect((await api.call('GET', '/dev/sms?phone=13800000555')).status).toBe(404);

  expect((await api.call('POST', '/auth/sessions', { body: { phone, code } })).status).toBe(200);
});

test('five codes per phone per hour, then 429 with Retry-After until the oldest is an hour old', async () => {
  const phone = '13800000006';
  const started = Date.now();
  for (let i = 0; i < 5; i++) {
    await requestCode(phone);
    await ageSendLog(phone, 61);
  }
  const sixth = await api.call('POST', '/auth/sms-codes', { body: { phone } });
  expect(sixth.status).toBe(429);
  const retryAfter = Number(sixth.headers.get('retry-after'));
  // The first of the five was sent 5 × 61 s "ago", plus the real time this test took.
  const elapsed = Math.ceil((Date.now() - started) / 1000);
  expect(retryAfter).toBeGreaterThanOrEqual(3600 - 5 * 61 - elapsed);
  expect(retryAfter).toBeLessThanOrEqual(3600 - 5 * 61 + 1);
});

test('the phones of OPERATOR_PHONES sign in as operators, at sign-in and at refresh', async () => {
  const operator = await signIn(OPERATOR_PHONE);
  expect(operator.user.roles).toEqual(['operator']);
  expect((await api.call('GET', '/leaders?status=pending', { token: operator.accessToken })).status).toBe(200);
  const refreshed = await refresh(operator.refreshToken);
  expect(refreshed.body.user.roles).toEqual(['operator']);
  expect((await me(refreshed.body.accessToken)).body.roles).toEqual(['operator']);
});

test('a supplier member signs in as that supplier; removing them takes effect at their next refresh', async () => {
  const operator = await api.login('op-members', ['operator']);
  const supplier = await api.call('POST', '/suppliers', { token: operator, body: { name: '崇明蔬菜合作社', contactPhone: '13700001234' } });
  const other = await api.call('POST', '/suppliers', { token: operator, body: { name: '南汇水蜜桃', contactPhone: '13700001235' } });
  const supplierId = supplier.body.supplierId as string;
  const phone = '13800000007';

  const resident = await api.login('u-not-operator');
  expect((await api.call('POST', `/suppliers/${supplierId}/members`, { token: resident, body: { phone } })).status).toBe(403);
  const bad = await api.call('POST', `/suppliers/${supplierId}/members`, { token: operator, body: { phone: '138' } });
  expect(bad.status).toBe(400);
  expect(bad.body.error.details[0].path).toBe('phone');
  expect((await api.call('POST', '/suppliers/NOPE/members', { token: operator, body: { phone } })).status).toBe(404);

  const added = await api.call('POST', `/suppliers/${supplierId}/members`, { token: operator, body: { phone } });
  expect(added.status).toBe(201);
  expect(added.body).toMatchObject({ supplierId, phone });
  expect((await api.call('POST', `/suppliers/${supplierId}/members`, { token: operator, body: { phone } })).status).toBe(201);
  const elsewhere = await api.call('POST', `/suppliers/${other.body.supplierId}/members`, { token: operator, body: { phone } });
  expect(elsewhere.status).toBe(409);

  const member = await signIn(phone);
  expect(member.user).toEqual({ userId: expect.any(String), roles: ['supplier'], supplierId });
  const product = { supplierId, name: '青菜', unit: '斤', supplyPriceFen: 300, groupPriceFen: 450 };
  expect((await api.call('POST', '/products', { token: member.accessToken, body: product })).status).toBe(201);

  const removed = await api.call('DELETE', `/suppliers/${supplierId}/members/${phone}`, { token: operator });
  expect(removed.status).toBe(204);
  expect((await api.call('DELETE', `/suppliers/${supplierId}/members/${phone}`, { token: operator })).status).toBe(404);
  const after = await refresh(member.refreshToken);
  expect(after.status).toBe(200);
  expect(after.body.user).toEqual({ userId: member.user.userId, roles: [] });
  expect((await api.call('POST', '/products', { token: after.body.accessToken, body: product })).status).toBe(403);
});

test("WeChat's sandbox signs in by OPENID; a signed-in user links their WeChat account", async () => {
  const first = await api.call('POST', '/auth/wechat', { body: { code: 'sandbox:oResident000000000000000001' } });
  expect(first.status).toBe(200);
  expect(first.body.user).toEqual({ userId: expect.any(String), roles: [] });
  const second = await api.call('POST', '/auth/wechat', { body: { code: 'sandbox:oResident000000000000000001' } });
  expect(second.body.user.userId).toBe(first.body.user.userId);
  expect((await me(second.body.accessToken)).body).toEqual({ userId: first.body.user.userId, roles: [], wechatLinked: true });

  expect((await api.call('POST', '/auth/wechat', { body: { code: 'not-a-sandbox-code' } })).status).toBe(401);
  const malformed = await api.call('POST', '/auth/wechat', { body: { code: 'a b' } });
  expect(malformed.status).toBe(400);
  expect(malformed.body.error.details[0].path).toBe('code');

  // A leader who signed up by phone links WeChat, so that payouts can reach their WeChat balance.
  const leader = await signIn('13800000008');
  const linked = await api.call('POST', '/auth/wechat', {
    token: leader.accessToken,
    body: { code: 'sandbox:oLeader0000000000000000001' },
  });
  expect(linked.status).toBe(200);
  expect(linked.body.user.userId).toBe(leader.user.userId);
  expect((await me(linked.body.accessToken)).body).toMatchObject({ phone: '138****0008', wechatLinked: true });
  const byWeChat = await api.call('POST', '/auth/wechat', { body: { code: 'sandbox:oLeader0000000000000000001' } });
  expect(byWeChat.body.user.userId).toBe(leader.user.userId);
  // The item the WeChat Pay adapters read (agreed: USER#<userId> / PROFILE, attribute wechatOpenId).
  const { GetCommand } = await import('@aws-sdk/lib-dynamodb');
  const { db, tableName } = await import('../../lib/store/dynamo');
  const { Item } = await db().send(new GetCommand({ TableName: tableName(), Key: { pk: `USER#${leader.user.userId}`, sk: 'PROFILE' } }));
  expect(Item).toMatchObject({ wechatOpenId: 'oLeader0000000000000000001', phone: '13800000008' });

  // An OPENID belongs to one user; a user has one OPENID.
  const taken = await api.call('POST', '/auth/wechat', {
    token: leader.accessToken,
    body: { code: 'sandbox:oResident000000000000000001' },
  });
  expect(taken.status).toBe(409);
});

test('access tokens need exp, iss and aud, and only their canonical spelling verifies', async () => {
  const { accessToken } = await signIn('13800000009');
  expect((await me(accessToken)).status).toBe(200);
  for (const altered of [`${accessToken}=`, `${accessToken}==`, accessToken.replace(/\./g, '=.')]) {
    const res = await me(altered);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('UNAUTHENTICATED');
  }
  const { SignJWT } = await import('jose');
  const { config } = await import('../../lib/runtime/config');
  const key = new TextEncoder().encode(config.authSecret);
  const noExp = await new SignJWT({ roles: ['operator'] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject('u-forever')
    .setIssuedAt()
    .setIssuer(`tuangou/${config.stage}`)
    .setAudience(`tuangou/${config.stage}/api`)
    .sign(key);
  expect((await me(noExp)).status).toBe(401);
});

test('racing requests: one code for five simultaneous asks; one refresh of a token presented twice at once', async () => {
  const phone = '13800000010';
  const asks = await Promise.all(Array.from({ length: 5 }, () => api.call('POST', '/auth/sms-codes', { body: { phone } })));
  expect(asks.map((r) => r.status).sort()).toEqual([202, 429, 429, 429, 429]);
  codesSent++;

  const { code } = (await api.call('GET', `/dev/sms?phone=${phone}`)).body;
  const signIns = await Promise.all([1, 2, 3].map(() => api.call('POST', '/auth/sessions', { body: { phone, code } })));
  expect(signIns.map((r) => r.status).sort()).toEqual([200, 401, 401]);

  const { refreshToken } = signIns.find((r) => r.status === 200)!.body;
  const refreshes = await Promise.all([refresh(refreshToken), refresh(refreshToken)]);
  expect(refreshes.filter((r) => r.status === 200).length).toBeLessThanOrEqual(1);
  // Whichever won, the token was presented twice: the sign-in is over for both holders.
  for (const r of refreshes.filter((r) => r.status === 200)) expect((await refresh(r.body.refreshToken)).status).toBe(401);
});

test('20 codes per client address per hour, whatever the phones', async () => {
  let phone = 13800000100;
  while (codesSent < 20) await requestCode(String(phone++));
  const refused = await api.call('POST', '/auth/sms-codes', { body: { phone: String(phone++) } });
  expect(refused.status).toBe(429);
  expect(refused.body.error.code).toBe('RATE_LIMITED');
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(3000);
  // Nothing was texted to the refused phone.
  expect((await api.call('GET', `/dev/sms?phone=${phone - 1}`)).status).toBe(404);
});
