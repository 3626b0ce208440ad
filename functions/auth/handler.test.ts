// The auth function outside the local stage: it loads with the real providers chosen, without reading
// their settings until a code is texted or a WeChat code exchanged, and guards its routes as anywhere.
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

const event = (routeKey: string, rawPath: string, query?: Record<string, string>): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: new URLSearchParams(query).toString(),
    headers: {},
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: { requestId: 'r-1', http: { method: routeKey.split(' ')[0], path: rawPath, sourceIp: '203.0.113.10' } },
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

function loadIn(stage: string) {
  let mod: typeof import('./handler') | undefined;
  const settings = { STAGE: stage, AUTH_SECRET: 'prod-secret', PAYMENT_WEBHOOK_SECRET: 'prod-webhook-secret' };
  const saved = Object.fromEntries(Object.keys(settings).map((k) => [k, process.env[k]]));
  jest.isolateModules(() => {
    Object.assign(process.env, settings);
    mod = require('./handler') as typeof import('./handler');
  });
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return mod!;
}

test('a protected route of the auth function answers 401 without a token, in any stage', async () => {
  const { main } = loadIn('prod');
  for (const [key, path] of [
    ['GET /me', '/me'],
    ['POST /auth/logout', '/auth/logout'],
  ] as const) {
    const res = (await main(event(key, path), {} as Context)) as { statusCode: number };
    expect(res.statusCode).toBe(401);
  }
});
