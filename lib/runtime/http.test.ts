// The one HTTP stack, driven with API Gateway v2 events as Lambda would send them: routing, body
// limits, JSON, authentication, validation and the error shape, with a tiny route table of its own.
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { jwtIdentity } from './auth';
import { AppError, rateLimited } from './errors';
import type { Routes } from './http';
import { httpFunction, listOf, MAX_BODY_BYTES, route } from './http';

const identity = jwtIdentity(() => 'secret');
const template = JSON.parse(readFileSync(join(__dirname, '../../events/http/health.json'), 'utf8')) as APIGatewayProxyEventV2;

const OrderBodySchema = z.object({ items: z.array(z.object({ productId: z.string().min(1), quantity: z.number().int().min(1) })).min(1) });
const SECRET_MESSAGE = 'connect ECONNREFUSED 10.0.3.7:5432 password=hunter2';

const routes: Routes = {
  'GET /ping': route({ auth: 'public', handle: async ({ principal }) => ({ body: { pong: true, userId: principal.userId } }) }),
  'POST /orders': route({
    auth: 'user',
    body: OrderBodySchema,
    handle: async ({ body, principal }) => ({
      status: 201,
      body: { count: body.items.length, userId: principal.userId, roles: principal.roles },
    }),
  }),
  'GET /things/{thingId}': route({
    auth: 'user',
    path: z.object({ thingId: z.string().regex(/^[A-Z0-9]+$/) }),
    query: z.object({ limit: z.coerce.number().int().min(1).max(100).default(10) }),
    handle: async ({ path, query }) => ({ body: { ...path, ...query } }),
  }),
  'GET /boom': route({
    auth: 'public',
    handle: async () => {
      throw new Error(SECRET_MESSAGE);
    },
  }),
  'GET /csv': route({
    auth: 'user',
    handle: async () => ({ body: 'a,b\r\n', contentType: 'text/csv; charset=utf-8', headers: { 'Cache-Control': 'public, max-age=600' } }),
  }),
  'GET /cacheable': route({
    auth: 'public',
    handle: async () => ({ body: { ok: true }, headers: { 'cache-control': 'public, max-age=60' } }),
  }),
  'GET /conflict': route({
    auth: 'public',
    handle: async () => {
      throw new AppError('CONFLICT', 'Already done');
    },
  }),
};
const main = httpFunction(routes, identity);

interface EventSpec {
  body?: string;
  token?: string;
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  isBase64Encoded?: boolean;
}

/** A real-shaped HTTP API v2 event for a route key (from events/http/health.json). */
function event(routeKey: string, spec: EventSpec = {}): APIGatewayProxyEventV2 {
  const [method, path] = routeKey.split(' ') as [string, string];
  const headers: APIGatewayProxyEventV2['headers'] = { ...template.headers, ...spec.headers };
  if (spec.body !== undefined) {
    headers['content-type'] = 'application/json';
    headers['content-length'] = String(Buffer.byteLength(spec.body));
  }
  if (spec.token) headers.authorization = `Bearer ${spec.token}`;
  return {
    ...template,
    routeKey,
    rawPath: path,
    headers,
    requestContext: { ...template.requestContext, routeKey, http: { ...template.requestContext.http, method, path } },
    ...(spec.body !== undefined ? { body: spec.body } : {}),
    ...(spec.pathParameters ? { pathParameters: spec.pathParameters } : {}),
    ...(spec.queryStringParameters ? { queryStringParameters: spec.queryStringParameters } : {}),
    isBase64Encoded: spec.isBase64Encoded ?? false,
  };
}

async function invoke(e: APIGatewayProxyEventV2) {
  const result = await main(e, {} as Context);
  return { status: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(String(result.body)) };
}

const token = () => identity.issue({ userId: 'u-1', roles: [] });

test('a public route answers without a token, as ANONYMOUS', async () => {
  const res = await invoke(event('GET /ping'));
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body).toEqual({ pong: true, userId: '' });
});

test('a user route with a valid token reaches its handler with the principal and the parsed body', async () => {
  const res = await invoke(
    event('POST /orders', { token: await token(), body: JSON.stringify({ items: [{ productId: 'p-1', quantity: 2 }] }) }),
  );
  expect(res.status).toBe(201);
  expect(res.body).toEqual({ count: 1, userId: 'u-1', roles: [] });
});

test('a base64-encoded body is decoded before parsing', async () => {
  const body = Buffer.from(JSON.stringify({ items: [{ productId: '苹果', quantity: 1 }] })).toString('base64');
  const res = await invoke(event('POST /orders', { token: await token(), body, isBase64Encoded: true }));
  expect(res.status).toBe(201);
});

test('a user route without a token, with a bad token, or with a token of another key is 401 UNAUTHENTICATED', async () => {
  const body = JSON.stringify({ items: [{ productId: 'p-1', quantity: 1 }] });
  const foreign = await jwtIdentity(() => 'another-secret').issue({ userId: 'u-1', roles: ['operator'] });
  for (const e of [
    event('POST /orders', { body }),
    event('POST /orders', { body, token: 'not.a.jwt' }),
    event('POST /orders', { body, token: foreign }),
    event('POST /orders', { body, headers: { authorization: 'Basic dTpw' } }),
  ]) {
    const res = await invoke(e);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
  }
});

test('an unknown route is 404 NOT_FOUND in the error shape', async () => {
  const res = await invoke(event('DELETE /nowhere'));
  expect(res.status).toBe(404);
  expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
});

test('a body over 64 KiB is 413 PAYLOAD_TOO_LARGE; exactly 64 KiB is not', async () => {
  const padded = (bytes: number) => {
    const base = JSON.stringify({ items: [{ productId: 'p', quantity: 1 }], pad: '' });
    return base.replace('"pad":""', `"pad":"${'x'.repeat(bytes - base.length)}"`);
  };
  expect(Buffer.byteLength(padded(MAX_BODY_BYTES))).toBe(64 * 1024);
  const big = await invoke(event('POST /orders', { token: await token(), body: padded(MAX_BODY_BYTES + 1) }));
  expect(big.status).toBe(413);
  expect(big.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  expect((await invoke(event('POST /orders', { token: await token(), body: padded(MAX_BODY_BYTES) }))).status).toBe(201);
  // Counted in bytes, not characters: 22,000 three-byte characters are over the limit.
  const wide = await invoke(
    event('POST /orders', {
      token: await token(),
      body: JSON.stringify({ items: [{ productId: 'p', quantity: 1 }], pad: '团'.repeat(22_000) }),
    }),
  );
  expect(wide.status).toBe(413);
});

test('malformed JSON is 400 VALIDATION_FAILED naming the body', async () => {
  const res = await invoke(event('POST /orders', { token: await token(), body: '{"items": [' }));
  expect(res.status).toBe(400);
  expect(res.body).toEqual({
    error: { code: 'VALIDATION_FAILED', message: expect.any(String), details: [{ path: 'body', message: expect.any(String) }] },
  });
});

test('a missing body is 400 naming the body', async () => {
  const res = await invoke(event('POST /orders', { token: await token() }));
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_FAILED');
  expect(res.body.error.details[0].path).toBe('body');
});

test('a schema failure is 400 with details naming each nested path', async () => {
  const body = JSON.stringify({
    items: [
      { productId: 'p-1', quantity: 1 },
      { productId: '', quantity: 1.5 },
    ],
  });
  const res = await invoke(event('POST /orders', { token: await token(), body }));
  expect(res.status).toBe(400);
  expect(res.body.error.code).toBe('VALIDATION_FAILED');
  const paths = res.body.error.details.map((d: { path: string }) => d.path);
  expect(paths).toEqual(expect.arrayContaining(['items.1.productId', 'items.1.quantity']));
  expect(res.body.error.message).toContain('items.1.quantity');
});

test('bad path and query values are 400 naming the parameter; good ones are parsed', async () => {
  const t = await token();
  const badPath = await invoke(event('GET /things/{thingId}', { token: t, pathParameters: { thingId: 'lower' } }));
  expect(badPath.status).toBe(400);
  expect(badPath.body.error.details[0].path).toBe('thingId');
  const badQuery = await invoke(
    event('GET /things/{thingId}', { token: t, pathParameters: { thingId: 'T1' }, queryStringParameters: { limit: '500' } }),
  );
  expect(badQuery.status).toBe(400);
  expect(badQuery.body.error.details[0].path).toBe('limit');
  const ok = await invoke(
    event('GET /things/{thingId}', { token: t, pathParameters: { thingId: 'T1' }, queryStringParameters: { limit: '5' } }),
  );
  expect(ok).toMatchObject({ status: 200, body: { thingId: 'T1', limit: 5 } });
});

test('an error the route meant to show keeps its code and status', async () => {
  const res = await invoke(event('GET /conflict'));
  expect(res.status).toBe(409);
  expect(res.body).toEqual({ error: { code: 'CONFLICT', message: 'Already done' } });
});

test('an unexpected error is 500 INTERNAL and reveals nothing of it', async () => {
  const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const res = await invoke(event('GET /boom'));
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL', message: expect.any(String) } });
    const text = JSON.stringify(res.body);
    for (const secret of ['ECONNREFUSED', 'hunter2', '10.0.3.7', 'at ']) expect(text).not.toContain(secret);
    // The whole error goes to the log instead.
    expect(logged).toHaveBeenCalledWith(expect.stringContaining('ECONNREFUSED'));
  } finally {
    logged.mockRestore();
  }
});

describe('added for sign-in', () => {
  const signInRoutes: Routes = {
    'GET /limited': route({
      auth: 'public',
      handle: async () => {
        throw rateLimited(42.2);
      },
    }),
    'GET /whoever': route({
      auth: 'optional',
      handle: async ({ principal, sourceIp }) => ({ body: { userId: principal.userId, sourceIp } }),
    }),
  };
  const signInMain = httpFunction(signInRoutes, identity);
  const call = async (e: APIGatewayProxyEventV2) => {
    const result = await signInMain(e, {} as Context);
    return { status: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(String(result.body)) };
  };

  test('a 429 carries its Retry-After header, rounded up to whole seconds', async () => {
    const res = await call(event('GET /limited'));
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('43');
    expect(res.body).toEqual({ error: { code: 'RATE_LIMITED', message: expect.any(String) } });
  });

  test("an optional-auth route runs for anyone, names a caller whose token is valid, and refuses a bad token; it sees the client's address", async () => {
    const anonymous = await call(event('GET /whoever'));
    expect(anonymous.body).toEqual({ userId: '', sourceIp: template.requestContext.http.sourceIp });
    expect((await call(event('GET /whoever', { token: await token() }))).body.userId).toBe('u-1');
    expect((await call(event('GET /whoever', { token: 'not.a.jwt' }))).status).toBe(401);
  });
});

describe('security headers', () => {
  const header = (headers: Record<string, unknown>, name: string) =>
    Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1] as string | undefined;
  const everyKind = async () => {
    const t = await token();
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      return {
        publicOk: await invoke(event('GET /ping')),
        userOk: await invoke(event('POST /orders', { token: t, body: JSON.stringify({ items: [{ productId: 'p', quantity: 1 }] }) })),
        csv: await main(event('GET /csv', { token: t }), {} as Context).then((r) => ({
          status: r.statusCode,
          headers: r.headers ?? {},
        })),
        invalid: await invoke(event('POST /orders', { token: t, body: '{' })),
        unauthenticated: await invoke(event('POST /orders', { body: '{}' })),
        notFound: await invoke(event('DELETE /nowhere')),
        tooLarge: await invoke(event('POST /orders', { token: t, body: 'x'.repeat(MAX_BODY_BYTES + 1) })),
        crashed: await invoke(event('GET /boom')),
      };
    } finally {
      logged.mockRestore();
    }
  };

  test('every answer carries X-Content-Type-Options: nosniff, errors and CSV included', async () => {
    for (const [kind, res] of Object.entries(await everyKind()))
      expect({ kind, nosniff: header(res.headers, 'x-content-type-options') }).toEqual({ kind, nosniff: 'nosniff' });
  });

  test('every authenticated answer and every error is Cache-Control: no-store, whatever the route asked', async () => {
    const all = await everyKind();
    for (const kind of ['userOk', 'csv', 'invalid', 'unauthenticated', 'notFound', 'tooLarge', 'crashed'] as const)
      expect({ kind, cache: header(all[kind].headers, 'cache-control') }).toEqual({ kind, cache: 'no-store' });
    expect(Object.keys(all.csv.headers).filter((k) => k.toLowerCase() === 'cache-control')).toHaveLength(1);
  });

  test('a public answer is no-store unless its route chose a cache policy', async () => {
    expect(header((await invoke(event('GET /ping'))).headers, 'cache-control')).toBe('no-store');
    expect(header((await invoke(event('GET /cacheable'))).headers, 'cache-control')).toBe('public, max-age=60');
  });

  test('Strict-Transport-Security outside the local stage only', async () => {
    expect(header((await invoke(event('GET /ping'))).headers, 'strict-transport-security')).toBeUndefined();
    const saved = { ...process.env };
    process.env.STAGE = 'prod';
    process.env.AUTH_SECRET = 'prod-secret';
    try {
      let prod!: typeof import('./http');
      jest.isolateModules(() => {
        prod = require('./http') as typeof import('./http');
      });
      const fn = prod.httpFunction({ 'GET /ping': prod.route({ auth: 'public', handle: async () => ({ body: { ok: true } }) }) }, identity);
      for (const e of [event('GET /ping'), event('DELETE /nowhere')]) {
        const res = await fn(e, {} as Context);
        expect(header(res.headers ?? {}, 'strict-transport-security')).toMatch(/^max-age=\d{8,}; includeSubDomains$/);
        expect(header(res.headers ?? {}, 'x-content-type-options')).toBe('nosniff');
      }
    } finally {
      process.env = saved;
    }
  });
});

describe('answering routes', () => {
  const answering = httpFunction(
    {
      'GET /things': route({
        auth: 'public',
        query: z.object({ after: z.string().optional() }),
        answer: async ({ query }) =>
          listOf({ items: [1, 2], ...(query.after ? {} : { nextCursor: 'c2' }) }, (n) => ({ thingId: `T${n}`, at: query.after })),
      }),
      'POST /things': route({
        auth: 'user',
        body: OrderBodySchema,
        status: 201,
        answer: async ({ body, principal }) => ({ count: body.items.length, userId: principal.userId }),
      }),
    },
    identity,
  );
  const call = async (e: APIGatewayProxyEventV2) => {
    const result = await answering(e, {} as Context);
    return { status: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(String(result.body)) };
  };

  test('answer is sent as the JSON body with 200, or with the status the route declares', async () => {
    const listed = await call(event('GET /things'));
    expect([listed.status, listed.headers['content-type'], listed.body]).toEqual([
      200,
      'application/json; charset=utf-8',
      { items: [{ thingId: 'T1' }, { thingId: 'T2' }], nextCursor: 'c2' },
    ]);
    const body = JSON.stringify({ items: [{ productId: 'p-1', quantity: 2 }] });
    expect(await call(event('POST /things', { token: await token(), body }))).toMatchObject({
      status: 201,
      body: { count: 1, userId: 'u-1' },
    });
  });

  test('its auth and schemas hold as for any route', async () => {
    const body = JSON.stringify({ items: [{ productId: 'p-1', quantity: 2 }] });
    expect((await call(event('POST /things', { body }))).status).toBe(401);
    const invalid = await call(event('POST /things', { token: await token(), body: '{"items": []}' }));
    expect([invalid.status, invalid.body.error.code, invalid.body.error.details[0].path]).toEqual([400, 'VALIDATION_FAILED', 'items']);
  });

  test('listOf names the next page only while there is one', async () => {
    const last = await call(event('GET /things', { queryStringParameters: { after: 'c2' } }));
    expect(last.body).toEqual({
      items: [
        { thingId: 'T1', at: 'c2' },
        { thingId: 'T2', at: 'c2' },
      ],
    });
  });
});
