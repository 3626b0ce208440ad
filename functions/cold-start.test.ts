// Outside the local stage a function's secrets arrive from SSM with its first invocation (lib/runtime/secrets.ts),
// after its module has loaded: no function may read a secret while loading, or it would fail every cold start.
import { loadManifest } from '../infra/manifest';

const functions = loadManifest(undefined, { ...process.env, STAGE: 'prod' }, 'prod');

test.each(functions.map((f) => [f.name, f] as const))('%s loads in the prod stage before its secrets are there', (_name, fn) => {
  const saved = { ...process.env };
  try {
    process.env.STAGE = 'prod';
    process.env.SECRETS_PATH = '/tuangou/prod';
    process.env.PUBLIC_URL = 'https://tuan.example.com';
    for (const name of ['AUTH_SECRET', 'PAYMENT_WEBHOOK_SECRET', 'WECHAT_SECRET', 'WECHATPAY_APIV3_KEY', 'WECHATPAY_MERCHANT_PRIVATE_KEY'])
      delete process.env[name];
    let loaded: Record<string, unknown> | undefined;
    jest.isolateModules(() => {
      loaded = require(`../${fn.module}`) as Record<string, unknown>;
    });
    expect(typeof loaded?.[fn.exportName]).toBe('function');
  } finally {
    process.env = saved;
  }
});
