// Our WeChat Pay cryptography against an independent, widely used implementation of the same protocol
// (wechatpay-axios-plugin, a dev dependency only): what it signs we verify, what we sign it verifies.
import { generateKeyPairSync } from 'node:crypto';
import { authorization, checkWeChatPaySignature, decryptResource, encryptSensitive, jsapiParams, nonce } from './signing';
const { Aes, Formatter, Rsa } = require('wechatpay-axios-plugin') as {
  Aes: { AesGcm: { encrypt(plaintext: string, key: string, iv: string, aad: string): string } };
  Formatter: {
    request(method: string, uri: string, timestamp: string, nonce: string, body?: string): string;
    response(timestamp: string, nonce: string, body?: string): string;
    joinedByLineFeed(...pieces: string[]): string;
  };
  Rsa: {
    sign(message: string, privateKey: unknown): string;
    verify(message: string, signature: string, publicKey: unknown): boolean;
    decrypt(ciphertext: string, privateKey: unknown): string;
  };
};

const merchant = generateKeyPairSync('rsa', { modulusLength: 2048 });
const wechatPay = generateKeyPairSync('rsa', { modulusLength: 2048 });
const apiV3Key = '0123456789abcdef0123456789abcdef';
const creds = { mchid: '1900009191', serial: 'ABCDEF0123', privateKey: merchant.privateKey };

test('our Authorization header: the reference implementation verifies its signature over METHOD\\nURL\\ntimestamp\\nnonce\\nbody\\n', () => {
  const body = JSON.stringify({ out_trade_no: '01ABC', amount: { total: 1 } });
  const header = authorization(creds, { method: 'POST', pathAndQuery: '/v3/pay/transactions/jsapi', body }, 1_700_000_000, 'N0NCE');
  const fields = Object.fromEntries([...header.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  expect(header.startsWith('WECHATPAY2-SHA256-RSA2048 ')).toBe(true);
  expect(fields).toMatchObject({ mchid: '1900009191', nonce_str: 'N0NCE', timestamp: '1700000000', serial_no: 'ABCDEF0123' });
  const message = Formatter.request('POST', '/v3/pay/transactions/jsapi', '1700000000', 'N0NCE', body);
  expect(Rsa.verify(message, fields.signature, merchant.publicKey)).toBe(true);
  expect(Rsa.verify(message.replace('"total":1', '"total":2'), fields.signature, merchant.publicKey)).toBe(false);
});

test('a message the reference implementation signs as WeChat Pay passes our check; a stale, altered or foreign one does not', () => {
  const now = new Date(1_700_000_000_000);
  const body = '{"prepay_id":"wx1"}';
  const signed = (timestamp: string, key = wechatPay.privateKey) => ({
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': 'abc',
    'wechatpay-serial': 'PUB_KEY_ID_1',
    'wechatpay-signature': Rsa.sign(Formatter.response(timestamp, 'abc', body), key),
  });
  const key = { id: 'PUB_KEY_ID_1', key: wechatPay.publicKey };
  expect(checkWeChatPaySignature(signed('1700000000'), body, key, now)).toBe('ok');
  expect(checkWeChatPaySignature(signed('1700000300'), body, key, now)).toBe('ok');
  expect(checkWeChatPaySignature(signed('1700000301'), body, key, now)).toBe('stale');
  expect(checkWeChatPaySignature(signed('1699999699'), body, key, now)).toBe('stale');
  expect(checkWeChatPaySignature(signed('1700000000'), body.replace('1', '2'), key, now)).toBe('bad_signature');
  expect(checkWeChatPaySignature(signed('1700000000', merchant.privateKey), body, key, now)).toBe('bad_signature');
  expect(checkWeChatPaySignature({ ...signed('1700000000'), 'wechatpay-serial': 'PUB_KEY_ID_2' }, body, key, now)).toBe('unknown_serial');
  expect(checkWeChatPaySignature({ 'wechatpay-timestamp': '1700000000' }, body, key, now)).toBe('missing');
});

test('AEAD_AES_256_GCM: we decrypt what the reference encrypts, and refuse it altered or under another key', () => {
  const iv = nonce(12);
  const ciphertext = Aes.AesGcm.encrypt('{"trade_state":"SUCCESS","note":"团购"}', apiV3Key, iv, 'transaction');
  expect(decryptResource({ ciphertext, nonce: iv, associated_data: 'transaction' }, apiV3Key)).toBe(
    '{"trade_state":"SUCCESS","note":"团购"}',
  );
  expect(() => decryptResource({ ciphertext, nonce: iv, associated_data: 'refund' }, apiV3Key)).toThrow();
  expect(() => decryptResource({ ciphertext, nonce: iv, associated_data: 'transaction' }, 'f'.repeat(32))).toThrow();
  const flipped = Buffer.from(ciphertext, 'base64');
  flipped[0]! ^= 1;
  expect(() => decryptResource({ ciphertext: flipped.toString('base64'), nonce: iv, associated_data: 'transaction' }, apiV3Key)).toThrow();
});

test('JSAPI paySign equals the reference signature over appId\\ntimeStamp\\nnonceStr\\npackage\\n', () => {
  const params = jsapiParams(
    'wxd678efh567hg6787',
    'wx201410272009395522657a690389285100',
    merchant.privateKey,
    1_414_561_699,
    '5K8264ILTKCH16CQ2502SI8ZNMTM67VS',
  );
  expect(params).toMatchObject({ timeStamp: '1414561699', package: 'prepay_id=wx201410272009395522657a690389285100', signType: 'RSA' });
  const reference = Rsa.sign(
    Formatter.joinedByLineFeed(params.appId, params.timeStamp, params.nonceStr, params.package),
    merchant.privateKey,
  );
  expect(params.paySign).toBe(reference);
});

test('a payee name encrypted for WeChat Pay decrypts with its private key (RSA-OAEP)', () => {
  expect(Rsa.decrypt(encryptSensitive('李团长', wechatPay.publicKey), wechatPay.privateKey)).toBe('李团长');
});

test('nonces are 32 letters and digits, never the same twice', () => {
  const seen = new Set(Array.from({ length: 200 }, () => nonce()));
  expect(seen.size).toBe(200);
  for (const n of seen) expect(n).toMatch(/^[0-9A-Za-z]{32}$/);
});
