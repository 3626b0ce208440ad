// Configuration, read once at module load. Every setting has a working default for the local stage;
// secrets are required in every other stage (a throwing getter, so a misconfigured deploy fails loudly).
import { readFileSync } from 'node:fs';
import { AppError } from './errors';
import { secretReads } from './secrets';

/** Environment variable names: shared by serverless.yml, the local stack and the code. */
export const ENV = {
  STAGE: 'STAGE',
  HOST: 'HOST',
  DEV_ROUTES_ON_NETWORK: 'DEV_ROUTES_ON_NETWORK',
  PORT: 'PORT',
  DYNAMODB_PORT: 'DYNAMODB_PORT',
  DYNAMODB_ENDPOINT: 'DYNAMODB_ENDPOINT',
  SQS_PORT: 'SQS_PORT',
  SQS_ENDPOINT: 'SQS_ENDPOINT',
  DYNAMODB_LOCAL_KEY_ID: 'DYNAMODB_LOCAL_KEY_ID',
  DATA_DIR: 'DATA_DIR',
  TABLE_NAME: 'TABLE_NAME',
  PUBLIC_URL: 'PUBLIC_URL',
  AUTH_SECRET: 'AUTH_SECRET',
  PAYMENT_WEBHOOK_SECRET: 'PAYMENT_WEBHOOK_SECRET',
  CUTOFF_CRON: 'CUTOFF_CRON',
  PAYOUT_CRON: 'PAYOUT_CRON',
  PAYMENT_TIMEOUT_MINUTES: 'PAYMENT_TIMEOUT_MINUTES',
  AFTER_SALES_HOURS: 'AFTER_SALES_HOURS',
  MIN_PAYOUT_FEN: 'MIN_PAYOUT_FEN',
  REFERRAL_BPS: 'REFERRAL_BPS',
  REFERRAL_DAYS: 'REFERRAL_DAYS',
  // Supply, pickup and prices
  PICKUP_WINDOW_DAYS: 'PICKUP_WINDOW_DAYS',
  RISK_REFUND_RATE_BPS: 'RISK_REFUND_RATE_BPS',
  RISK_SELF_PURCHASE_BPS: 'RISK_SELF_PURCHASE_BPS',
  // Sign-in
  OPERATOR_PHONES: 'OPERATOR_PHONES',
  SMS_PROVIDER: 'SMS_PROVIDER',
  TENCENT_SMS_SECRET_ID: 'TENCENT_SMS_SECRET_ID',
  TENCENT_SMS_SECRET_KEY: 'TENCENT_SMS_SECRET_KEY',
  TENCENT_SMS_SDK_APP_ID: 'TENCENT_SMS_SDK_APP_ID',
  TENCENT_SMS_SIGN_NAME: 'TENCENT_SMS_SIGN_NAME',
  TENCENT_SMS_TEMPLATE_ID: 'TENCENT_SMS_TEMPLATE_ID',
  TENCENT_SMS_REGION: 'TENCENT_SMS_REGION',
  TENCENT_SMS_ENDPOINT: 'TENCENT_SMS_ENDPOINT',
  WECHAT_PROVIDER: 'WECHAT_PROVIDER',
  WECHAT_APPID: 'WECHAT_APPID',
  WECHAT_SECRET: 'WECHAT_SECRET',
  WECHAT_API_BASE_URL: 'WECHAT_API_BASE_URL',
  // Notifications (SMS_PROVIDER and WECHAT_PROVIDER choose their providers too)
  TENCENT_SMS_NOTICE_TEMPLATES: 'TENCENT_SMS_NOTICE_TEMPLATES',
  WECHAT_SUBSCRIBE_TEMPLATES: 'WECHAT_SUBSCRIBE_TEMPLATES',
  WECHAT_SUBSCRIBE_API: 'WECHAT_SUBSCRIBE_API',
  PAYMENT_PROVIDER: 'PAYMENT_PROVIDER',
  WECHATPAY_MCHID: 'WECHATPAY_MCHID',
  WECHATPAY_APPID: 'WECHATPAY_APPID',
  WECHATPAY_APIV3_KEY: 'WECHATPAY_APIV3_KEY',
  WECHATPAY_MERCHANT_SERIAL: 'WECHATPAY_MERCHANT_SERIAL',
  WECHATPAY_MERCHANT_PRIVATE_KEY: 'WECHATPAY_MERCHANT_PRIVATE_KEY',
  WECHATPAY_PUBLIC_KEY_ID: 'WECHATPAY_PUBLIC_KEY_ID',
  WECHATPAY_PUBLIC_KEY: 'WECHATPAY_PUBLIC_KEY',
  WECHATPAY_BASE_URL: 'WECHATPAY_BASE_URL',
  WECHATPAY_TRANSFER_SCENE_ID: 'WECHATPAY_TRANSFER_SCENE_ID',
  /** Read when packaging, by infra/cors.js: API Gateway answers CORS, not the functions. */
  CORS_ORIGINS: 'CORS_ORIGINS',
  // Tencent CloudBase (the second deployment target)
  DATA_STORE: 'DATA_STORE',
  CLOUDBASE_ENV: 'CLOUDBASE_ENV',
  CLOUDBASE_SERVICE_URL: 'CLOUDBASE_SERVICE_URL',
} as const;

export const DEFAULTS = {
  STAGE: 'local',
  HOST: '127.0.0.1',
  PORT: 3000,
  DYNAMODB_PORT: 8000,
  SQS_PORT: 9324,
  DATA_DIR: '.data',
  TABLE_NAME: 'tuangou-local',
  CUTOFF_CRON: 'cron(0 23 * * ? *)',
  PAYOUT_CRON: 'cron(0 10 ? * MON *)',
  PAYMENT_TIMEOUT_MINUTES: 15,
  AFTER_SALES_HOURS: 48,
  MIN_PAYOUT_FEN: 100,
  REFERRAL_BPS: 100,
  REFERRAL_DAYS: 90,
  PICKUP_WINDOW_DAYS: 3,
  RISK_REFUND_RATE_BPS: 3000,
  RISK_SELF_PURCHASE_BPS: 5000,
  TENCENT_SMS_REGION: 'ap-guangzhou',
  TENCENT_SMS_ENDPOINT: 'https://sms.tencentcloudapi.com',
  WECHAT_API_BASE_URL: 'https://api.weixin.qq.com',
  WECHATPAY_BASE_URL: 'https://api.mch.weixin.qq.com',
  /** 商家转账 scene 1005 (佣金报酬): commissions paid to the leaders who earned them. */
  WECHATPAY_TRANSFER_SCENE_ID: '1005',
} as const;

/** Providers by stage: the sandboxes are the local stage's, the real adapters everyone else's. */
export const SMS_PROVIDERS = ['sandbox', 'tencent'] as const;
export const WECHAT_PROVIDERS = ['sandbox', 'wechat'] as const;

/**
 * Secrets only a real provider reads (never in the local stage, where the sandboxes stand in): the IAM
 * check cannot see them used locally, so it takes their grants on trust.
 */
export const PROVIDER_SECRETS = [
  'TENCENT_SMS_SECRET_ID',
  'TENCENT_SMS_SECRET_KEY',
  'WECHAT_SECRET',
  'WECHATPAY_APIV3_KEY',
  'WECHATPAY_MERCHANT_PRIVATE_KEY',
] as const;

export const PAYMENT_PROVIDERS = ['sandbox', 'wechatpay'] as const;

/** Where the platform keeps its data: DynamoDB (AWS, and the local stack) or CloudBase's document database. */
export const DATA_STORES = ['dynamodb', 'cloudbase'] as const;
export type DataStoreName = (typeof DATA_STORES)[number];

function dataStoreSetting(env: Env): DataStoreName {
  const raw = env.DATA_STORE?.trim() || 'dynamodb';
  if (!(DATA_STORES as readonly string[]).includes(raw))
    throw new Error(`DATA_STORE must be one of ${DATA_STORES.join(', ')}, got "${raw}"`);
  return raw as DataStoreName;
}
export type PaymentProviderName = (typeof PAYMENT_PROVIDERS)[number];

/** Development-only secrets: accepted in the local stage, refused everywhere else. */
const DEV_SECRETS = {
  AUTH_SECRET: 'local-dev-auth-secret-do-not-use-in-production',
  PAYMENT_WEBHOOK_SECRET: 'local-dev-payment-webhook-secret',
} as const;

type Env = Record<string, string | undefined>;

function intSetting(env: Env, name: keyof typeof ENV, fallback: number, min = 0): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

/** Only this machine can connect: 127.0.0.0/8, ::1, localhost. */
export const isLoopback = (host: string) => /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host === '::1' || host === 'localhost';

function flag(env: Env, name: keyof typeof ENV): boolean {
  const raw = env[name]?.trim() ?? '';
  if (raw === '' || raw === '0') return false;
  if (raw === '1') return true;
  throw new Error(`${name} must be 1 or 0, got "${raw}"`);
}

/**
 * Who may use the development shortcuts (`/dev/*`, the fixed development secrets): the local stage on
 * loopback; beyond loopback only when the operator said so (DEV_ROUTES_ON_NETWORK=1), since anyone who
 * reaches them can mint an operator's token or mark an order paid.
 */
function devShortcuts(env: Env, stage: string, host: string): boolean {
  const onNetwork = flag(env, 'DEV_ROUTES_ON_NETWORK');
  return stage === 'local' && (isLoopback(host) || onNetwork);
}

function secret(env: Env, stage: string, host: string, name: keyof typeof DEV_SECRETS): string {
  for (const read of secretReads) read(name);
  const value = env[name];
  if (value) return value;
  if (devShortcuts(env, stage, host)) return DEV_SECRETS[name];
  if (stage === 'local')
    throw new Error(`${name} is required when HOST=${host} opens the local stack to the network (or set DEV_ROUTES_ON_NETWORK=1)`);
  throw new Error(`${name} is required in stage "${stage}"`);
}

/** A comma-separated list of mainland mobile numbers (blanks ignored); anything else is a misconfiguration. */
function phoneList(env: Env, name: keyof typeof ENV): ReadonlySet<string> {
  const phones = (env[name] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const bad = phones.find((p) => !/^1\d{10}$/.test(p));
  if (bad !== undefined) throw new Error(`${name} must list 11-digit mainland mobile numbers, got "${bad}"`);
  return new Set(phones);
}

/** A provider name; the sandbox is refused outside the local stage (it would let anyone in, or text nobody). */
function provider<P extends string>(env: Env, stage: string, name: keyof typeof ENV, allowed: readonly P[], production: P): P {
  const value = (env[name]?.trim() || (stage === 'local' ? 'sandbox' : production)) as P;
  if (!allowed.includes(value)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  if (value === 'sandbox' && stage !== 'local') throw new Error(`${name}=sandbox is for the local stage only, not "${stage}"`);
  return value;
}

/** A setting the chosen provider cannot work without (read when the provider is first used). */
function required(env: Env, name: keyof typeof ENV): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`${name} is required by the configured provider`);
  return value;
}

/** The Tencent Cloud SMS account that sign-in's codes and the notifications both text from (SMS_PROVIDER `tencent`). */
function tencentSmsAccount(env: Env) {
  return {
    secretId: required(env, 'TENCENT_SMS_SECRET_ID'),
    secretKey: required(env, 'TENCENT_SMS_SECRET_KEY'),
    sdkAppId: required(env, 'TENCENT_SMS_SDK_APP_ID'),
    signName: required(env, 'TENCENT_SMS_SIGN_NAME'),
    region: env.TENCENT_SMS_REGION?.trim() || DEFAULTS.TENCENT_SMS_REGION,
    endpoint: env.TENCENT_SMS_ENDPOINT?.trim() || DEFAULTS.TENCENT_SMS_ENDPOINT,
  };
}

/** The official account that web sign-in and the subscribe messages both use (WECHAT_PROVIDER `wechat`). */
function wechatAccount(env: Env) {
  return {
    appId: required(env, 'WECHAT_APPID'),
    secret: required(env, 'WECHAT_SECRET'),
    baseUrl: (env.WECHAT_API_BASE_URL?.trim() || DEFAULTS.WECHAT_API_BASE_URL).replace(/\/+$/, ''),
  };
}

/**
 * The template id of each message, as `name=id` pairs separated by commas
 * (`pickup_ready=1234567,refunded=1234568`). Which names exist is the notifications' business (their
 * wiring checks them); here only the shape.
 */
export function templateIds(env: Env, name: keyof typeof ENV): Record<string, string> {
  const pairs = (env[name] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const map: Record<string, string> = {};
  for (const pair of pairs) {
    const match = /^([a-z_]+)=([A-Za-z0-9_-]+)$/.exec(pair);
    if (!match) throw new Error(`${name} must be name=templateId pairs separated by commas, got "${pair}"`);
    map[match[1]!] = match[2]!;
  }
  return map;
}

export const WECHAT_SUBSCRIBE_APIS = ['bizsend', 'send'] as const;

/** A WeChat Pay setting: required once WeChat Pay is used (read on first use, so other stages still start). */
function wechatPaySetting(env: Env, name: keyof typeof ENV): string {
  const value = env[name]?.trim();
  if (value) return value;
  throw new Error(`${name} is required when ${ENV.PAYMENT_PROVIDER}=wechatpay`);
}

/** A key given as PEM text, or as the path of a `.pem` file holding it. */
export function pemSetting(env: Env, name: keyof typeof ENV): string {
  const value = wechatPaySetting(env, name);
  if (value.includes('-----BEGIN')) return value.replace(/\\n/g, '\n');
  if (value.endsWith('.pem')) return readFileSync(value, 'utf8');
  throw new Error(`${name} must be PEM text or the path of a .pem file`);
}

function paymentProviderSetting(env: Env, stage: string): PaymentProviderName {
  const raw = env.PAYMENT_PROVIDER?.trim() || (stage === 'local' ? 'sandbox' : 'wechatpay');
  if (!(PAYMENT_PROVIDERS as readonly string[]).includes(raw))
    throw new Error(`PAYMENT_PROVIDER must be one of ${PAYMENT_PROVIDERS.join(', ')}, got "${raw}"`);
  return raw as PaymentProviderName;
}

export function loadConfig(env: Env = process.env) {
  const stage = env.STAGE || DEFAULTS.STAGE;
  const host = env.HOST?.trim() || DEFAULTS.HOST;
  const devRoutes = devShortcuts(env, stage, host);
  const port = intSetting(env, 'PORT', DEFAULTS.PORT, 1);
  const dynamodbPort = intSetting(env, 'DYNAMODB_PORT', DEFAULTS.DYNAMODB_PORT, 1);
  const sqsPort = intSetting(env, 'SQS_PORT', DEFAULTS.SQS_PORT, 1);
  return {
    stage,
    isLocal: stage === 'local',
    /** The local HTTP server's address: loopback unless widened on purpose. */
    host,
    /** Whether `/dev/*` may run (see devShortcuts). */
    devRoutes,
    port,
    dynamodbPort,
    /** Only set for a local DynamoDB; in AWS the SDK finds the regional endpoint itself. */
    dynamodbEndpoint: env.DYNAMODB_ENDPOINT || (stage === 'local' ? `http://127.0.0.1:${dynamodbPort}` : undefined),
    sqsPort,
    /**
     * The local stack's SQS endpoint (the consumers' queues); in AWS the SDK finds the regional one. Read
     * when first used, not at load: the local stack picks its port when it starts.
     */
    get sqsEndpoint(): string | undefined {
      return env.SQS_ENDPOINT || (stage === 'local' ? `http://127.0.0.1:${sqsPort}` : undefined);
    },
    /**
     * The access key id of the local DynamoDB's database (it keeps one per key id). Read when the client
     * is built, not at load: the local stack settles it (DATA_DIR/dynamodb-access-key-id) after loading this.
     */
    get dynamodbLocalKeyId() {
      return env.DYNAMODB_LOCAL_KEY_ID || 'local';
    },
    dataDir: env.DATA_DIR || DEFAULTS.DATA_DIR,
    tableName: env.TABLE_NAME || DEFAULTS.TABLE_NAME,
    publicUrl: (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, ''),
    get authSecret() {
      return secret(env, stage, host, 'AUTH_SECRET');
    },
    get paymentWebhookSecret() {
      return secret(env, stage, host, 'PAYMENT_WEBHOOK_SECRET');
    },
    cutoffCron: env.CUTOFF_CRON || DEFAULTS.CUTOFF_CRON,
    payoutCron: env.PAYOUT_CRON || DEFAULTS.PAYOUT_CRON,
    paymentTimeoutMinutes: intSetting(env, 'PAYMENT_TIMEOUT_MINUTES', DEFAULTS.PAYMENT_TIMEOUT_MINUTES, 1),
    afterSalesHours: intSetting(env, 'AFTER_SALES_HOURS', DEFAULTS.AFTER_SALES_HOURS),
    minPayoutFen: intSetting(env, 'MIN_PAYOUT_FEN', DEFAULTS.MIN_PAYOUT_FEN, 1),
    referralBps: intSetting(env, 'REFERRAL_BPS', DEFAULTS.REFERRAL_BPS),
    referralDays: intSetting(env, 'REFERRAL_DAYS', DEFAULTS.REFERRAL_DAYS),
    /** Days after the pickup date an order may still be collected; then it is refunded as uncollected. */
    pickupWindowDays: intSetting(env, 'PICKUP_WINDOW_DAYS', DEFAULTS.PICKUP_WINDOW_DAYS),
    /** A payout is held when the leader's refunded share of the last 30 days' paid sales exceeds this. */
    riskRefundRateBps: intSetting(env, 'RISK_REFUND_RATE_BPS', DEFAULTS.RISK_REFUND_RATE_BPS),
    /** …or when more than this share of the commission it pays comes from the leader's own orders. */
    riskSelfPurchaseBps: intSetting(env, 'RISK_SELF_PURCHASE_BPS', DEFAULTS.RISK_SELF_PURCHASE_BPS),
    /** Phones that sign in as operators (evaluated at every sign-in and refresh). */
    operatorPhones: phoneList(env, 'OPERATOR_PHONES'),
    get smsProvider() {
      return provider(env, stage, 'SMS_PROVIDER', SMS_PROVIDERS, 'tencent');
    },
    /** Tencent Cloud SMS (API 3.0, `SendSms`); read only when SMS_PROVIDER is `tencent`. */
    get tencentSms() {
      return { ...tencentSmsAccount(env), templateId: required(env, 'TENCENT_SMS_TEMPLATE_ID') };
    },
    get wechatProvider() {
      return provider(env, stage, 'WECHAT_PROVIDER', WECHAT_PROVIDERS, 'wechat');
    },
    /** The official account of WeChat web authorization; read only when WECHAT_PROVIDER is `wechat`. */
    get wechat() {
      return wechatAccount(env);
    },
    /**
     * Tencent Cloud SMS for notifications: the account of sign-in's texts (not its code template) and the
     * approved template of each message; read only when SMS_PROVIDER is `tencent`.
     */
    get tencentSmsNotices() {
      return { ...tencentSmsAccount(env), templates: templateIds(env, 'TENCENT_SMS_NOTICE_TEMPLATES') };
    },
    /**
     * WeChat subscribe messages of the official account (`bizsend`, the default: our OPENIDs are its) or of
     * a mini-program (`send`); read only when WECHAT_PROVIDER is `wechat`.
     */
    get wechatSubscribe() {
      const api = env.WECHAT_SUBSCRIBE_API?.trim() || 'bizsend';
      if (!(WECHAT_SUBSCRIBE_APIS as readonly string[]).includes(api))
        throw new Error(`WECHAT_SUBSCRIBE_API must be one of ${WECHAT_SUBSCRIBE_APIS.join(', ')}, got "${api}"`);
      return {
        ...wechatAccount(env),
        api: api as (typeof WECHAT_SUBSCRIBE_APIS)[number],
        templates: templateIds(env, 'WECHAT_SUBSCRIBE_TEMPLATES'),
      };
    },
    /** `sandbox` (the local stage's default) or `wechatpay` (every other stage's). */
    paymentProvider: paymentProviderSetting(env, stage),
    /** `dynamodb` (AWS and the local stack) or `cloudbase` (the CloudBase build sets it). */
    dataStore: dataStoreSetting(env),
    /**
     * CloudBase's environment id (inside a cloud function: the function's own, found by the SDK) and, for
     * tests only, the URL of a stand-in of its database API. Read when the client is first built.
     */
    get cloudbase() {
      return { env: env.CLOUDBASE_ENV?.trim() || undefined, serviceUrl: env.CLOUDBASE_SERVICE_URL?.trim() || undefined };
    },
    wechatPay: {
      get mchid() {
        return wechatPaySetting(env, 'WECHATPAY_MCHID');
      },
      get appid() {
        return wechatPaySetting(env, 'WECHATPAY_APPID');
      },
      /** The 32-byte APIv3 key that decrypts notifications. */
      get apiV3Key() {
        const key = wechatPaySetting(env, 'WECHATPAY_APIV3_KEY');
        if (Buffer.byteLength(key, 'utf8') !== 32) throw new Error('WECHATPAY_APIV3_KEY must be 32 bytes');
        return key;
      },
      get merchantSerial() {
        return wechatPaySetting(env, 'WECHATPAY_MERCHANT_SERIAL');
      },
      get merchantPrivateKey() {
        return pemSetting(env, 'WECHATPAY_MERCHANT_PRIVATE_KEY');
      },
      get publicKeyId() {
        return wechatPaySetting(env, 'WECHATPAY_PUBLIC_KEY_ID');
      },
      get publicKey() {
        return pemSetting(env, 'WECHATPAY_PUBLIC_KEY');
      },
      get baseUrl() {
        return (env.WECHATPAY_BASE_URL?.trim() || DEFAULTS.WECHATPAY_BASE_URL).replace(/\/+$/, '');
      },
      get transferSceneId() {
        return env.WECHATPAY_TRANSFER_SCENE_ID?.trim() || DEFAULTS.WECHATPAY_TRANSFER_SCENE_ID;
      },
    },
  };
}

export type Config = ReturnType<typeof loadConfig>;

/** The process-wide configuration, read once. */
export const config: Config = loadConfig();

/** The wirings' one question of the data store: CloudBase's adapters, or DynamoDB's (read when a wiring runs). */
export const onCloudBase = (): boolean => config.dataStore === 'cloudbase';

/**
 * Local-only routes (`/dev/*`) answer 404 in every other stage, as if they did not exist; and in the
 * local stage too when it listens beyond loopback, unless the operator set DEV_ROUTES_ON_NETWORK=1.
 */
export function requireLocalStage(): void {
  if (!config.devRoutes) throw new AppError('NOT_FOUND', 'Not found');
}
