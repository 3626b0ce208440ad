// `/dev/*` exists only in the local stage: every other stage answers 404, as if there were no such route.
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

const event = (routeKey: string, rawPath: string, body?: unknown): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: { requestId: 'r-1', http: { method: 'POST', path: rawPath } },
    ...(body ? { body: JSON.stringify(body) } : {}),
    ...(rawPath.startsWith('/dev/pay/') ? { pathParameters: { orderId: rawPath.split('/').pop() } } : {}),
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

const loadIn = (stage: string) => {
  let mod: typeof import('./handler') | undefined;
  jest.isolateModules(() => {
    process.env.STAGE = stage;
    process.env.AUTH_SECRET = 'prod-secret';
    process.env.PAYMENT_WEBHOOK_SECRET = 'prod-webhook-secret';
    mod = require('./handler') as typeof import('./handler');
  });
  process.env.STAGE = 'local';
  delete process.env.AUTH_SECRET;
  delete process.env.PAYMENT_WEBHOOK_SECRET;
  return mod!;
};

test('in a non-local stage /dev/login and /dev/pay answer 404', async () => {
  const { main } = loadIn('prod');
  const login = await main(event('POST /dev/login', '/dev/login', { userId: 'u-1', roles: ['operator'] }), {} as Context);
  expect(login).toMatchObject({ statusCode: 404 });
  expect(JSON.parse((login as { body: string }).body).error.code).toBe('NOT_FOUND');
  const pay = await main(event('POST /dev/pay/{orderId}', '/dev/pay/O1'), {} as Context);
  expect(pay).toMatchObject({ statusCode: 404 });
  const sms = await main({ ...event('GET /dev/sms', '/dev/sms'), queryStringParameters: { phone: '13800000001' } }, {} as Context);
  expect(sms).toMatchObject({ statusCode: 404 });
});

test('outside the local stage no /dev/* route is even deployed (the sandbox SMS outbox included)', async () => {
  const { loadManifest } = await import('../../infra/manifest');
  const routes = (stage: string) => loadManifest(undefined, process.env, stage).flatMap((f) => f.http.map((h) => `${h.method} ${h.path}`));
  expect(routes('local')).toEqual(expect.arrayContaining(['POST /dev/login', 'POST /dev/pay/{orderId}', 'GET /dev/sms']));
  expect(routes('prod').filter((r) => r.includes('/dev/'))).toEqual([]);
});

test('in the local stage /dev/login issues a token', async () => {
  const { main } = loadIn('local');
  const login = await main(event('POST /dev/login', '/dev/login', { userId: 'u-1', roles: ['operator'] }), {} as Context);
  expect(login).toMatchObject({ statusCode: 200 });
  expect(JSON.parse((login as { body: string }).body).token).toMatch(/^ey/);
});
