// Configuration: SPEC.md's defaults for the local stage, secrets required everywhere else, and bad
// numbers refused at load rather than misread.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS, loadConfig } from './config';

test("with an empty environment every setting has SPEC.md's default", () => {
  const config = loadConfig({});
  expect(config).toMatchObject({
    stage: 'local',
    isLocal: true,
    port: 3000,
    dynamodbPort: 8000,
    dynamodbEndpoint: 'http://127.0.0.1:8000',
    dataDir: '.data',
    publicUrl: 'http://localhost:3000',
    cutoffCron: 'cron(0 23 * * ? *)',
    payoutCron: 'cron(0 10 ? * MON *)',
    paymentTimeoutMinutes: 15,
    afterSalesHours: 48,
    minPayoutFen: 100,
    referralBps: 100,
    referralDays: 90,
  });
  expect(DEFAULTS).toMatchObject({
    PORT: 3000,
    DYNAMODB_PORT: 8000,
    DATA_DIR: '.data',
    PAYMENT_TIMEOUT_MINUTES: 15,
    AFTER_SALES_HOURS: 48,
    MIN_PAYOUT_FEN: 100,
    REFERRAL_BPS: 100,
    REFERRAL_DAYS: 90,
  });
});

test('the environment overrides each default', () => {
  const config = loadConfig({
    STAGE: 'local',
    PORT: '4000',
    DYNAMODB_PORT: '8100',
    DATA_DIR: '/tmp/tuangou',
    PUBLIC_URL: 'https://tuan.example.com/',
    CUTOFF_CRON: 'cron(0 22 * * ? *)',
    PAYOUT_CRON: 'cron(0 9 ? * FRI *)',
    PAYMENT_TIMEOUT_MINUTES: '30',
    AFTER_SALES_HOURS: '72',
    MIN_PAYOUT_FEN: '1000',
    REFERRAL_BPS: '50',
    REFERRAL_DAYS: '30',
  });
  expect(config).toMatchObject({
    port: 4000,
    dynamodbPort: 8100,
    dynamodbEndpoint: 'http://127.0.0.1:8100',
    dataDir: '/tmp/tuangou',
    publicUrl: 'https://tuan.example.com',
    cutoffCron: 'cron(0 22 * * ? *)',
    payoutCron: 'cron(0 9 ? * FRI *)',
    paymentTimeoutMinutes: 30,
    afterSalesHours: 72,
    minPayoutFen: 1000,
    referralBps: 50,
    referralDays: 30,
  });
});

test('the local stage has working development secrets', () => {
  const config = loadConfig({});
  expect(config.authSecret).toEqual(expect.any(String));
  expect(config.authSecret.length).toBeGreaterThan(0);
  expect(config.paymentWebhookSecret).toEqual(expect.any(String));
  expect(config.paymentWebhookSecret.length).toBeGreaterThan(0);
  expect(config.paymentWebhookSecret).not.toBe(config.authSecret);
});

test('another stage loads, but reading a missing secret throws', () => {
  const config = loadConfig({ STAGE: 'prod' });
  expect(config.isLocal).toBe(false);
  expect(config.dynamodbEndpoint).toBeUndefined();
  expect(() => config.authSecret).toThrow(/AUTH_SECRET/);
  expect(() => config.paymentWebhookSecret).toThrow(/PAYMENT_WEBHOOK_SECRET/);
});

test('another stage uses the secrets it is given, never the development ones', () => {
  const local = loadConfig({});
  const prod = loadConfig({ STAGE: 'prod', AUTH_SECRET: 'prod-auth', PAYMENT_WEBHOOK_SECRET: 'prod-webhook' });
  expect(prod.authSecret).toBe('prod-auth');
  expect(prod.paymentWebhookSecret).toBe('prod-webhook');
  expect(prod.authSecret).not.toBe(local.authSecret);
  // An empty value is as good as missing.
  expect(() => loadConfig({ STAGE: 'prod', AUTH_SECRET: '' }).authSecret).toThrow(/AUTH_SECRET/);
});

test.each([
  ['PAYMENT_TIMEOUT_MINUTES', '1.5'],
  ['PAYMENT_TIMEOUT_MINUTES', 'fifteen'],
  ['PAYMENT_TIMEOUT_MINUTES', '0'],
  ['PORT', '-1'],
  ['AFTER_SALES_HOURS', '48h'],
  ['MIN_PAYOUT_FEN', '2.5'],
  ['REFERRAL_BPS', '-5'],
])('%s=%s is refused at load, naming the variable', (name, value) => {
  expect(() => loadConfig({ [name]: value })).toThrow(name);
});

test.each(['AFTER_SALES_HOURS', 'REFERRAL_BPS', 'REFERRAL_DAYS'] as const)(
  'a blank %s is never read as 0: it is the default or refused',
  (name) => {
    // An empty value means the default; a value of spaces must not silently become a rule of 0.
    let value: number | 'refused';
    try {
      value = loadConfig({ [name]: '  ' })[
        ({ AFTER_SALES_HOURS: 'afterSalesHours', REFERRAL_BPS: 'referralBps', REFERRAL_DAYS: 'referralDays' } as const)[name]
      ];
    } catch {
      value = 'refused';
    }
    expect([DEFAULTS[name], 'refused']).toContain(value);
  },
);

describe('sign-in settings', () => {
  test('OPERATOR_PHONES is a comma-separated list of mainland mobiles; blanks are ignored, anything else refused', () => {
    expect(loadConfig({}).operatorPhones.size).toBe(0);
    expect([...loadConfig({ OPERATOR_PHONES: ' 13800000001, ,13900000002 ' }).operatorPhones]).toEqual(['13800000001', '13900000002']);
    expect(() => loadConfig({ OPERATOR_PHONES: '13800000001,+8613900000002' })).toThrow('OPERATOR_PHONES');
  });

  test('the local stage uses the SMS and WeChat sandboxes; every other stage the real providers', () => {
    expect(loadConfig({})).toMatchObject({ smsProvider: 'sandbox', wechatProvider: 'sandbox' });
    expect(loadConfig({ STAGE: 'prod' })).toMatchObject({ smsProvider: 'tencent', wechatProvider: 'wechat' });
    expect(loadConfig({ SMS_PROVIDER: 'tencent', WECHAT_PROVIDER: 'wechat' })).toMatchObject({
      smsProvider: 'tencent',
      wechatProvider: 'wechat',
    });
  });

  test('a sandbox outside the local stage, or an unknown provider, is refused when read', () => {
    expect(() => loadConfig({ STAGE: 'prod', SMS_PROVIDER: 'sandbox' }).smsProvider).toThrow('SMS_PROVIDER');
    expect(() => loadConfig({ STAGE: 'prod', WECHAT_PROVIDER: 'sandbox' }).wechatProvider).toThrow('WECHAT_PROVIDER');
    expect(() => loadConfig({ SMS_PROVIDER: 'aliyun' }).smsProvider).toThrow('SMS_PROVIDER');
  });

  test("a real provider's settings are required when it is used, with defaults for region and endpoints", () => {
    expect(() => loadConfig({ STAGE: 'prod' }).tencentSms).toThrow('TENCENT_SMS_SECRET_ID');
    expect(() => loadConfig({ STAGE: 'prod', WECHAT_APPID: 'wx1' }).wechat).toThrow('WECHAT_SECRET');
    const config = loadConfig({
      STAGE: 'prod',
      TENCENT_SMS_SECRET_ID: 'AKID1',
      TENCENT_SMS_SECRET_KEY: 'key',
      TENCENT_SMS_SDK_APP_ID: '1400000000',
      TENCENT_SMS_SIGN_NAME: '邻里团',
      TENCENT_SMS_TEMPLATE_ID: '123',
      WECHAT_APPID: 'wx1',
      WECHAT_SECRET: 'secret',
    });
    expect(config.tencentSms).toMatchObject({ region: 'ap-guangzhou', endpoint: 'https://sms.tencentcloudapi.com', signName: '邻里团' });
    expect(config.wechat).toEqual({ appId: 'wx1', secret: 'secret', baseUrl: 'https://api.weixin.qq.com' });
  });
});

test('PAYMENT_PROVIDER: the sandbox in the local stage, WeChat Pay elsewhere; anything else is refused', () => {
  expect(loadConfig({}).paymentProvider).toBe('sandbox');
  expect(loadConfig({ STAGE: 'prod', AUTH_SECRET: 'x', PAYMENT_WEBHOOK_SECRET: 'y' }).paymentProvider).toBe('wechatpay');
  expect(loadConfig({ PAYMENT_PROVIDER: 'wechatpay' }).paymentProvider).toBe('wechatpay');
  expect(() => loadConfig({ PAYMENT_PROVIDER: 'alipay' })).toThrow(/PAYMENT_PROVIDER/);
});

test('WeChat Pay settings are required when used, not before; keys are PEM text or .pem paths', () => {
  const { wechatPay } = loadConfig({ PAYMENT_PROVIDER: 'wechatpay', WECHATPAY_APIV3_KEY: 'too short' });
  expect(() => wechatPay.mchid).toThrow(/WECHATPAY_MCHID is required/);
  expect(() => wechatPay.apiV3Key).toThrow(/32 bytes/);
  expect(wechatPay.baseUrl).toBe('https://api.mch.weixin.qq.com');
  expect(wechatPay.transferSceneId).toBe('1005');

  const dir = mkdtempSync(join(tmpdir(), 'config-test-'));
  const pem = '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n';
  writeFileSync(join(dir, 'pub_key.pem'), pem);
  const keys = loadConfig({
    WECHATPAY_PUBLIC_KEY: join(dir, 'pub_key.pem'),
    WECHATPAY_MERCHANT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----',
    WECHATPAY_BASE_URL: 'http://127.0.0.1:9999/',
  }).wechatPay;
  expect(keys.publicKey).toBe(pem);
  expect(keys.merchantPrivateKey).toBe('-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----');
  expect(keys.baseUrl).toBe('http://127.0.0.1:9999');
  expect(() => loadConfig({ WECHATPAY_PUBLIC_KEY: 'not a key' }).wechatPay.publicKey).toThrow(/PEM text or the path/);
});

describe('who can reach the local stack', () => {
  test('the HTTP server listens on loopback unless HOST widens it on purpose', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    expect(loadConfig({ HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  test('/dev/* runs on loopback in the local stage; beyond it only when the operator says so; never outside the local stage', () => {
    for (const HOST of [undefined, '127.0.0.1', '127.0.0.2', '::1', 'localhost'])
      expect({ HOST, dev: loadConfig({ HOST }).devRoutes }).toEqual({ HOST, dev: true });
    for (const HOST of ['0.0.0.0', '::', '192.168.1.5', 'tuan.lan'])
      expect({ HOST, dev: loadConfig({ HOST }).devRoutes }).toEqual({ HOST, dev: false });
    expect(loadConfig({ HOST: '0.0.0.0', DEV_ROUTES_ON_NETWORK: '1' }).devRoutes).toBe(true);
    expect(loadConfig({ HOST: '0.0.0.0', DEV_ROUTES_ON_NETWORK: '0' }).devRoutes).toBe(false);
    expect(loadConfig({ STAGE: 'prod', DEV_ROUTES_ON_NETWORK: '1' }).devRoutes).toBe(false);
    expect(loadConfig({ STAGE: 'prod', HOST: '0.0.0.0', DEV_ROUTES_ON_NETWORK: '1' }).devRoutes).toBe(false);
    // Anything but an explicit 1 or 0 is a typo, refused at load.
    expect(() => loadConfig({ HOST: '0.0.0.0', DEV_ROUTES_ON_NETWORK: 'yes' })).toThrow(/DEV_ROUTES_ON_NETWORK/);
  });

  test('beyond loopback the development secrets are refused, unless the operator accepted the development routes there', () => {
    const exposed = loadConfig({ HOST: '0.0.0.0' });
    expect(() => exposed.authSecret).toThrow(/AUTH_SECRET.*HOST/);
    expect(() => exposed.paymentWebhookSecret).toThrow(/PAYMENT_WEBHOOK_SECRET/);
    expect(loadConfig({ HOST: '0.0.0.0', AUTH_SECRET: 'lan-secret' }).authSecret).toBe('lan-secret');
    expect(loadConfig({ HOST: '0.0.0.0', DEV_ROUTES_ON_NETWORK: '1' }).authSecret).toBe(loadConfig({}).authSecret);
  });

  test('the /dev/* guard answers 404 when the stack is exposed without the operator saying so', () => {
    const guard = (env: Record<string, string>) => {
      const saved = { ...process.env };
      Object.assign(process.env, env);
      try {
        let mod!: typeof import('./config');
        jest.isolateModules(() => {
          mod = require('./config') as typeof import('./config');
        });
        mod.requireLocalStage();
        return 'runs';
      } catch (err) {
        return (err as { code?: string }).code;
      } finally {
        process.env = saved;
      }
    };
    expect(guard({ STAGE: 'local', HOST: '127.0.0.1' })).toBe('runs');
    expect(guard({ STAGE: 'local', HOST: '0.0.0.0' })).toBe('NOT_FOUND');
    expect(guard({ STAGE: 'local', HOST: '0.0.0.0', DEV_ROUTES_ON_NETWORK: '1' })).toBe('runs');
  });
});
