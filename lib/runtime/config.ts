// Configuration, read once at module load. Every setting has a working default for the local stage;
// secrets are required in every other stage (a throwing getter, so a misconfigured deploy fails loudly).
import { AppError } from './errors';

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
  /** Read when packaging, by infra/cors.js: API Gateway answers CORS, not the functions. */
  CORS_ORIGINS: 'CORS_ORIGINS',
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
} as const;

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
  const value = env[name];
  if (value) return value;
  if (devShortcuts(env, stage, host)) return DEV_SECRETS[name];
  if (stage === 'local')
    throw new Error(`${name} is required when HOST=${host} opens the local stack to the network (or set DEV_ROUTES_ON_NETWORK=1)`);
  throw new Error(`${name} is required in stage "${stage}"`);
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
  };
}

export type Config = ReturnType<typeof loadConfig>;

/** The process-wide configuration, read once. */
export const config: Config = loadConfig();

/**
 * Local-only routes (`/dev/*`) answer 404 in every other stage, as if they did not exist; and in the
 * local stage too when it listens beyond loopback, unless the operator set DEV_ROUTES_ON_NETWORK=1.
 */
export function requireLocalStage(): void {
  if (!config.devRoutes) throw new AppError('NOT_FOUND', 'Not found');
}
