// The client believes an answer only when WeChat Pay's signature over it verifies within 5 minutes;
// WeChat Pay's refusals become errors carrying its code. (A fetch stand-in: no network.)
import { createSign, generateKeyPairSync } from 'node:crypto';
import * as z from 'zod';
import { wechatPayClient, WeChatPayError } from './client';

const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const wechatPay = generateKeyPairSync('rsa', { modulusLength: 2048 });
const now = new Date('2026-11-30T12:00:00Z');
const nowSeconds = String(now.getTime() / 1000);

function answer(status: number, body: string, options: { timestamp?: string; key?: typeof wechatPay.privateKey; serial?: string } = {}) {
  const timestamp = options.timestamp ?? nowSeconds;
  const signature = createSign('RSA-SHA256')
    .update(`${timestamp}\nn0nce\n${body}\n`)
    .sign(options.key ?? wechatPay.privateKey, 'base64');
  return new Response(body, {
    status,
    headers: {
      'Wechatpay-Timestamp': timestamp,
      'Wechatpay-Nonce': 'n0nce',
      'Wechatpay-Serial': options.serial ?? 'PUB_KEY_ID_1',
      'Wechatpay-Signature': signature,
    },
  });
}

function clientAnswering(response: () => Response) {
  const sent: { url: string; init: RequestInit }[] = [];
  const client = wechatPayClient(
    () => ({
      merchant: { mchid: '1900009191', serial: 'SERIAL1', privateKey: merchant.privateKey },
      wechatPay: { id: 'PUB_KEY_ID_1', key: wechatPay.publicKey },
      baseUrl: 'https://api.example.test',
    }),
    {
      now: () => now,
      fetch: (async (url: string, init: RequestInit) => {
        sent.push({ url, init });
        return response();
      }) as unknown as typeof fetch,
    },
  );
  return { client, sent };
}

const Prepay = z.object({ prepay_id: z.string() });

test('a signed answer is parsed; the request carried our Authorization and JSON body', async () => {
  const { client, sent } = clientAnswering(() => answer(200, '{"prepay_id":"wx1"}'));
  await expect(client.request('POST', '/v3/pay/transactions/jsapi', { a: 1 }, Prepay)).resolves.toEqual({ prepay_id: 'wx1' });
  expect(sent[0]!.url).toBe('https://api.example.test/v3/pay/transactions/jsapi');
  expect(sent[0]!.init.body).toBe('{"a":1}');
  expect((sent[0]!.init.headers as Record<string, string>).authorization).toMatch(/^WECHATPAY2-SHA256-RSA2048 mchid="1900009191",/);
});

test.each([
  ['signed by another key', () => answer(200, '{"prepay_id":"wx1"}', { key: merchant.privateKey })],
  ['named by another key id', () => answer(200, '{"prepay_id":"wx1"}', { serial: 'PUB_KEY_ID_2' })],
  ['more than 5 minutes old', () => answer(200, '{"prepay_id":"wx1"}', { timestamp: String(now.getTime() / 1000 - 301) })],
  ['unsigned', () => new Response('{"prepay_id":"wx1"}', { status: 200 })],
])('an answer %s is not believed', async (_name, response) => {
  const { client } = clientAnswering(response);
  await expect(client.request('POST', '/v3/pay/transactions/jsapi', {}, Prepay)).rejects.toMatchObject({ code: 'RESPONSE_NOT_VERIFIED' });
});

test("WeChat Pay's refusal becomes an error with its code and status", async () => {
  const { client } = clientAnswering(() => answer(403, '{"code":"NOT_ENOUGH","message":"基本账户余额不足"}'));
  const error = await client.request('POST', '/v3/refund/domestic/refunds', {}, Prepay).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WeChatPayError);
  expect(error).toMatchObject({ status: 403, code: 'NOT_ENOUGH' });
});
