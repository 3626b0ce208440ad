// WeChat subscribe messages against a local stand-in of api.weixin.qq.com that checks what we send as
// WeChat would: the stable access token asked for with the app's credentials, then
// `POST /cgi-bin/message/subscribe/bizsend?access_token=…` with touser, template_id, page and data; and
// that answers in WeChat's shapes (`{errcode, errmsg}`).
import type { OutgoingMessage } from '../../notifications/ports';
import { serveStandIn } from '../../../test/support/provider-standin';
import type { WeChatSubscribeSettings } from './subscribe';
import { wechatSubscribeChannel, WeChatSubscribeError } from './subscribe';

interface Received {
  path: string;
  body: Record<string, unknown>;
}

/** The stand-in: tokens `token-1`, `token-2`, …; `sendAnswers` are the errcodes of successive sends (0 once exhausted). */
async function startStandIn(sendAnswers: number[] = []) {
  const received: Received[] = [];
  let tokens = 0;
  let valid = '';
  const { url: baseUrl, close } = await serveStandIn((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const url = new URL(req.url ?? '/', 'http://standin');
      received.push({ path: req.url ?? '', body });
      const reply = (answer: Record<string, unknown>) =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      if (req.method === 'POST' && url.pathname === '/cgi-bin/stable_token') {
        if (body.grant_type !== 'client_credential' || body.appid !== 'wxstandin' || body.secret !== 'app-secret')
          return reply({ errcode: 40013, errmsg: 'invalid appid' });
        valid = `token-${++tokens}`;
        return reply({ access_token: valid, expires_in: 7200 });
      }
      if (req.method === 'POST' && url.pathname === '/cgi-bin/message/subscribe/bizsend') {
        if (url.searchParams.get('access_token') !== valid) return reply({ errcode: 40001, errmsg: 'invalid credential' });
        if (typeof body.touser !== 'string' || typeof body.template_id !== 'string' || typeof body.data !== 'object')
          return reply({ errcode: 47003, errmsg: 'argument invalid' });
        return reply({ errcode: sendAnswers.shift() ?? 0, errmsg: 'ok' });
      }
      reply({ errcode: 404, errmsg: 'no such api' });
    });
  });
  return { baseUrl, received, expireToken: () => void (valid = 'expired'), close };
}

const settings = (baseUrl: string): WeChatSubscribeSettings => ({
  appId: 'wxstandin',
  secret: 'app-secret',
  baseUrl,
  api: 'bizsend',
  templates: { pickup_ready: 'tmpl-pickup' },
});

const message: OutgoingMessage = {
  to: 'oAbCdEfGhIjKlMnOpQrStUvWxYz0',
  template: 'pickup_ready',
  text: '您在芳芳小卖部的团购商品已到货，取货码482913，请凭码到自提点领取。',
  smsParams: ['芳芳小卖部', '482913'],
  wechatData: { thing1: { value: '芳芳小卖部' }, character_string2: { value: '482913' } },
  link: 'https://tuan.example.cn/resident/orders/o1',
};

test('a message is sent with the stable token, to the OPENID, with its template, page and data; the token is reused', async () => {
  const standIn = await startStandIn();
  try {
    const channel = wechatSubscribeChannel(() => settings(standIn.baseUrl));
    await expect(channel.send(message)).resolves.toBe('sent');
    await expect(channel.send(message)).resolves.toBe('sent');
    expect(standIn.received.map((r) => r.path)).toEqual([
      '/cgi-bin/stable_token',
      '/cgi-bin/message/subscribe/bizsend?access_token=token-1',
      '/cgi-bin/message/subscribe/bizsend?access_token=token-1',
    ]);
    expect(standIn.received[1]!.body).toEqual({
      touser: 'oAbCdEfGhIjKlMnOpQrStUvWxYz0',
      template_id: 'tmpl-pickup',
      page: 'https://tuan.example.cn/resident/orders/o1',
      data: { thing1: { value: '芳芳小卖部' }, character_string2: { value: '482913' } },
    });
  } finally {
    await standIn.close();
  }
});

test('an expired token is fetched again once; a person who did not subscribe is unavailable; a fault throws', async () => {
  const standIn = await startStandIn([43101, 45009]);
  try {
    const channel = wechatSubscribeChannel(() => settings(standIn.baseUrl));
    // 43101: the user refused (or used up) the subscription: SMS may carry it, retrying will not.
    await expect(channel.send(message)).resolves.toEqual({ unavailable: 'subscribe/bizsend: errcode 43101' });
    // 45009: the daily quota: thrown, so the queue tries again later.
    await expect(channel.send(message)).rejects.toThrow(WeChatSubscribeError);
    standIn.expireToken();
    await expect(channel.send(message)).resolves.toBe('sent');
    expect(standIn.received.filter((r) => r.path === '/cgi-bin/stable_token')).toHaveLength(2);
    // No template for a message: nothing is asked of WeChat.
    const before = standIn.received.length;
    await expect(channel.send({ ...message, template: 'refunded' })).resolves.toEqual({
      unavailable: 'no WeChat template configured for refunded',
    });
    expect(standIn.received).toHaveLength(before);
  } finally {
    await standIn.close();
  }
});
