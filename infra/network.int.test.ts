// The local stack opened to the network on purpose (HOST=0.0.0.0): it answers there, but the development
// shortcuts stay shut (/dev/* is 404) because the operator did not also set DEV_ROUTES_ON_NETWORK=1.
import { networkInterfaces } from 'node:os';
import type { TestStack } from '../test/support/stack';
import { startTestStack } from '../test/support/stack';

const saved = { ...process.env };
let api: TestStack;
beforeAll(async () => {
  // Read by the configuration when the stack first loads it, in this file's own module registry.
  Object.assign(process.env, { HOST: '0.0.0.0', AUTH_SECRET: 'lan-auth-secret', PAYMENT_WEBHOOK_SECRET: 'lan-webhook-secret' });
  delete process.env.DEV_ROUTES_ON_NETWORK;
  api = await startTestStack();
});
afterAll(async () => {
  await api?.stop();
  process.env = saved;
});

const networkAddress = () =>
  Object.values(networkInterfaces())
    .flat()
    .find((a) => a && !a.internal && a.family === 'IPv4')?.address;

test('HOST=0.0.0.0 serves the API on the network, and /dev/* answers 404 there as if it did not exist', async () => {
  expect(api.stack.host).toBe('0.0.0.0');
  const address = networkAddress();
  const base = address ? `http://${address}:${api.stack.port}` : api.stack.url;
  expect((await fetch(`${base}/health`)).status).toBe(200);

  for (const [method, path, body] of [
    ['POST', '/dev/login', { userId: 'intruder', roles: ['operator'] }],
    ['POST', '/dev/pay/o-1', undefined],
  ] as const) {
    for (const url of [`${base}${path}`, `${api.stack.url}${path}`]) {
      const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) });
      expect({ url, status: res.status, body: await res.json() }).toEqual({
        url,
        status: 404,
        body: { error: { code: 'NOT_FOUND', message: expect.any(String) } },
      });
    }
  }
});
