// The auth function's CloudBase entry, called as CloudBase's HTTP access service calls it (the samples in
// events/cloudbase/), with DATA_STORE=cloudbase and the real SDK sending its database calls to the stand-in:
// a code texted to a phone, the sign-in it gives, GET /me, refresh and logout, all stored in CloudBase.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudBaseContext, CloudBaseHttpEvent } from '../../lib/runtime/cloudbase-http';
import { standInDb, useFunctionStandIn } from '../../test/cloudbase/function-env';
import { auditActions } from '../../test/contract/people';

const sample = (name: string) => JSON.parse(readFileSync(join(__dirname, '../../events/cloudbase', name), 'utf8')) as CloudBaseHttpEvent;
/** What SCF passes a function the mini-program called: its variables, WX_OPENID among them, as a JSON string. */
const miniProgramContext = JSON.parse(
  readFileSync(join(__dirname, '../../events/cloudbase/context-miniprogram.json'), 'utf8'),
) as CloudBaseContext;
const MINI_PROGRAM_OPENID = (JSON.parse(miniProgramContext.environment!) as { WX_OPENID: string }).WX_OPENID;

const PHONE = '13800138000';
const standIn = useFunctionStandIn();
let main: typeof import('./cloudbase').main;

beforeAll(async () => {
  ({ main } = await import('./cloudbase'));
});

const json = (r: { body?: string }) => JSON.parse(r.body!) as Record<string, unknown>;
const post = (name: string, body: unknown, headers: Record<string, string> = {}): CloudBaseHttpEvent => {
  const event = sample(name);
  return { ...event, body: JSON.stringify(body), headers: { ...event.headers, ...headers } };
};
const me = (token: string): CloudBaseHttpEvent => {
  const event = sample('me-get.json');
  return { ...event, headers: { ...event.headers, authorization: `Bearer ${token}` } };
};
/** POST /auth/refresh: a sign-in's request with the refresh token as its body. */
const refresh = (refreshToken: string): CloudBaseHttpEvent => ({ ...post('auth-sessions.json', { refreshToken }), path: '/auth/refresh' });
const textedCode = () => String(standIn.documents('sandboxSms').find((d) => d._id === PHONE)?.code);

test('a texted code signs a phone in; GET /me answers for it; refresh rotates; logout ends it: all in CloudBase', async () => {
  const asked = await main(sample('auth-sms-codes.json'), { request_id: 'r1', function_name: 'auth', time_limit_in_ms: 10_000 });
  expect([asked.statusCode, json(asked)]).toEqual([202, { expiresInSeconds: 300 }]);
  // Only a hash of the code is kept; the sandbox's texts hold what the phone received.
  const [stored] = standIn.documents('smsCodes');
  expect(stored).toMatchObject({ _id: PHONE, phone: PHONE, attempts: 0, codeHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
  expect(JSON.stringify(stored)).not.toContain(textedCode());

  // A second ask within the minute: 429 with Retry-After, judged from the send log in CloudBase.
  const again = await main(sample('auth-sms-codes.json'));
  expect([again.statusCode, again.headers?.['retry-after'], json(again)]).toEqual([
    429,
    expect.stringMatching(/^(59|60)$/),
    { error: expect.objectContaining({ code: 'RATE_LIMITED' }) },
  ]);

  const signedIn = await main(post('auth-sessions.json', { phone: PHONE, code: textedCode() }));
  expect(signedIn.statusCode).toBe(200);
  expect(signedIn.headers).toMatchObject({ 'cache-control': 'no-store' });
  const tokens = json(signedIn) as {
    accessToken: string;
    refreshToken: string;
    tokenType: string;
    user: { userId: string; roles: string[] };
  };
  expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: expect.any(Number), user: { roles: [] } });
  const { userId } = tokens.user;
  // The user, its phone guard, the sign-in and its refresh token (by hash), and the audit; the code is used up.
  expect(standIn.documents('phoneUsers')).toEqual([{ _id: PHONE, userId }]);
  expect(standIn.documents('users')).toEqual([expect.objectContaining({ _id: userId, userId, phone: PHONE })]);
  expect(standIn.documents('sessions')).toEqual([expect.objectContaining({ userId, method: 'sms', status: 'active' })]);
  expect(standIn.documents('refreshTokens')).toEqual([expect.objectContaining({ userId, status: 'current' })]);
  expect(JSON.stringify(standIn.documents('refreshTokens'))).not.toContain(tokens.refreshToken);
  expect(standIn.documents('smsCodes')).toEqual([]);
  const used = await main(post('auth-sessions.json', { phone: PHONE, code: textedCode() }));
  expect([used.statusCode, json(used)]).toEqual([401, { error: expect.objectContaining({ code: 'UNAUTHENTICATED' }) }]);

  const who = await main(me(tokens.accessToken));
  expect([who.statusCode, json(who)]).toEqual([200, { userId, roles: [], phone: '138****8000', wechatLinked: false }]);

  const refreshed = await main(refresh(tokens.refreshToken));
  expect(refreshed.statusCode).toBe(200);
  const next = json(refreshed) as { accessToken: string; refreshToken: string };
  expect(next.refreshToken).not.toBe(tokens.refreshToken);

  const logout = await main({ ...me(next.accessToken), path: '/auth/logout', httpMethod: 'POST' });
  expect(logout.statusCode).toBe(204);
  expect(standIn.documents('sessions')).toEqual([expect.objectContaining({ status: 'revoked', revokedReason: 'logout' })]);
  const afterLogout = await main(refresh(next.refreshToken));
  expect(afterLogout.statusCode).toBe(401);
  expect(auditActions(standIn, userId)).toEqual(['user.created', 'user.signed_in', 'user.signed_out']);
});

test('from the mini-program, GET /me is the user of the WX_OPENID CloudBase vouches for, with no token', async () => {
  // A resident who signed in with WeChat before, stored as sign-in stores them.
  const { cloudbaseUserStore } = await import('../../lib/adapters/cloudbase/users');
  const user = { userId: 'u-wx', wechatOpenId: MINI_PROGRAM_OPENID, createdAt: '2026-11-01T00:00:00.000Z' };
  const created = await cloudbaseUserStore(await standInDb(standIn)).create(user, {
    entityId: 'u-wx',
    entityType: 'user',
    action: 'user.created',
    actor: 'u-wx',
    at: user.createdAt,
  });
  expect(created).toBe('created');
  const { authorization: _none, ...headers } = sample('me-get.json').headers!;
  const who = await main({ ...sample('me-get.json'), headers }, miniProgramContext);
  expect([who.statusCode, json(who)]).toEqual([200, { userId: 'u-wx', roles: [], wechatLinked: true }]);
  // Through HTTP access (no WX_OPENID in the context), the same request has no caller.
  expect((await main({ ...sample('me-get.json'), headers })).statusCode).toBe(401);
});

test('the supplier-member routes are not served here: CloudBase sends /suppliers to the catalogue function', async () => {
  const add = await main({ ...me('any'), path: '/suppliers/S1/members', httpMethod: 'POST', body: JSON.stringify({ phone: PHONE }) });
  expect([add.statusCode, json(add)]).toEqual([404, { error: expect.objectContaining({ code: 'NOT_FOUND' }) }]);
});
