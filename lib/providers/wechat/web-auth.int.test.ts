// The WeChat web-authorization adapter against a local stand-in of api.weixin.qq.com that checks what we
// send (`GET /sns/oauth2/access_token` with our appid, secret, the code and grant_type) and answers as
// WeChat does: the OPENID once per code, errcodes for bad or used codes, snapshot-mode visitors.
import { serveStandIn } from '../../../test/support/provider-standin';
import { wechatWebAuth, WeChatAuthError } from './web-auth';

const APPID = 'wx520c15f417810387';
const SECRET = 'standin-app-secret-0000000000000';

async function startStandIn() {
  const codes = new Map([
    ['061abcDEF0ll3BXX1jXD0w3l6Xa42Xxx', 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o'],
    ['snapshot-code', 'oSnapshotVirtual000000000000'],
  ]);
  const used = new Set<string>();
  const requests: URL[] = [];
  const { url: baseUrl, close } = await serveStandIn((req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin');
    requests.push(url);
    const reply = (body: Record<string, unknown>) => res.writeHead(200, { 'content-type': 'text/plain' }).end(JSON.stringify(body));
    const q = url.searchParams;
    if (req.method !== 'GET' || url.pathname !== '/sns/oauth2/access_token') return void res.writeHead(404).end();
    if (q.get('appid') !== APPID) return reply({ errcode: 40013, errmsg: 'invalid appid' });
    if (q.get('secret') !== SECRET) return reply({ errcode: 40125, errmsg: 'invalid appsecret' });
    if (q.get('grant_type') !== 'authorization_code') return reply({ errcode: 40002, errmsg: 'invalid grant_type' });
    const code = q.get('code') ?? '';
    if (!code) return reply({ errcode: 41008, errmsg: 'missing code' });
    const openid = codes.get(code);
    if (!openid) return reply({ errcode: 40029, errmsg: 'invalid code' });
    if (used.has(code)) return reply({ errcode: 40163, errmsg: 'code been used' });
    used.add(code);
    reply({
      access_token: 'ACCESS_TOKEN',
      expires_in: 7200,
      refresh_token: 'REFRESH_TOKEN',
      openid,
      scope: 'snsapi_base',
      ...(code === 'snapshot-code' ? { is_snapshotuser: 1 } : {}),
    });
  });
  return { baseUrl, requests, close };
}

let standIn: Awaited<ReturnType<typeof startStandIn>>;
beforeEach(async () => {
  standIn = await startStandIn();
});
afterEach(() => standIn.close());

const auth = (secret = SECRET) => wechatWebAuth(() => ({ appId: APPID, secret, baseUrl: standIn.baseUrl }));

test('a code is exchanged once for its OPENID, with exactly the parameters WeChat documents', async () => {
  expect(await auth().openIdFor('061abcDEF0ll3BXX1jXD0w3l6Xa42Xxx')).toEqual({ openId: 'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o' });
  const sent = standIn.requests[0]!;
  expect(sent.pathname).toBe('/sns/oauth2/access_token');
  expect(Object.fromEntries(sent.searchParams)).toEqual({
    appid: APPID,
    secret: SECRET,
    code: '061abcDEF0ll3BXX1jXD0w3l6Xa42Xxx',
    grant_type: 'authorization_code',
  });
  // WeChat's codes are single use: the second exchange is refused, as a bad code.
  expect(await auth().openIdFor('061abcDEF0ll3BXX1jXD0w3l6Xa42Xxx')).toEqual({ invalid: expect.stringContaining('40163') });
});

test("an unknown code and a snapshot-mode visitor are refused as the user's problem (a 401 upstream)", async () => {
  expect(await auth().openIdFor('nonsense')).toEqual({ invalid: expect.stringContaining('40029') });
  expect(await auth().openIdFor('snapshot-code')).toEqual({ invalid: expect.stringContaining('snapshot') });
});

test('a wrong app secret is our misconfiguration: an error that never shows the secret', async () => {
  const err = (await auth('wrong-secret-value')
    .openIdFor('061abcDEF0ll3BXX1jXD0w3l6Xa42Xxx')
    .catch((e: unknown) => e)) as Error;
  expect(err).toBeInstanceOf(WeChatAuthError);
  expect(err.message).toContain('40125');
  expect(err.message).not.toContain('wrong-secret-value');
});
