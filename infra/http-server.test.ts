// The local HTTP API hands functions the very event API Gateway's HTTP API (payload 2.0) would, and
// routes requests as it does. The server tests listen on 127.0.0.1, port 0.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { HttpHandler, HttpRoute } from './http-server';
import { createHttpServer, toHttpApiEvent } from './http-server';

describe('toHttpApiEvent', () => {
  const body = Buffer.from(JSON.stringify({ name: '王芳' }));
  const event = toHttpApiEvent(
    { method: 'POST', path: '/leaders/{leaderId}/approve' },
    { leaderId: 'L-1' },
    {
      method: 'POST',
      url: '/leaders/L-1/approve?dryRun=1&tag=a&tag=b',
      headers: {
        'Content-Type': 'application/json',
        Authorization: 'Bearer t0k3n',
        'X-Forwarded-For': ['1.1.1.1', '2.2.2.2'],
        Host: 'api.local',
        Cookie: 'a=1; b=2',
      },
      body,
      sourceIp: '10.0.0.7',
    },
  );

  test('has the payload 2.0 envelope', () => {
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'POST /leaders/{leaderId}/approve',
      rawPath: '/leaders/L-1/approve',
      rawQueryString: 'dryRun=1&tag=a&tag=b',
      isBase64Encoded: false,
      body: '{"name":"王芳"}',
      cookies: ['a=1', 'b=2'],
    });
  });

  test('lower-cases header names and joins repeated headers with commas', () => {
    expect(event.headers).toMatchObject({
      'content-type': 'application/json',
      authorization: 'Bearer t0k3n',
      'x-forwarded-for': '1.1.1.1,2.2.2.2',
      host: 'api.local',
    });
    expect(Object.keys(event.headers).every((k) => k === k.toLowerCase())).toBe(true);
  });

  test('query string and path parameters, repeated query keys joined with commas', () => {
    expect(event.queryStringParameters).toEqual({ dryRun: '1', tag: 'a,b' });
    expect(event.pathParameters).toEqual({ leaderId: 'L-1' });
  });

  test('requestContext names the method, path, route, stage and caller', () => {
    expect(event.requestContext).toMatchObject({
      http: { method: 'POST', path: '/leaders/L-1/approve', protocol: 'HTTP/1.1', sourceIp: '10.0.0.7' },
      routeKey: 'POST /leaders/{leaderId}/approve',
      stage: '$default',
      domainName: 'api.local',
      requestId: expect.any(String),
      timeEpoch: expect.any(Number),
    });
  });

  test('a request without body, query or parameters carries none of them', () => {
    const get = toHttpApiEvent(
      { method: 'GET', path: '/health' },
      {},
      { method: 'GET', url: '/health', headers: {}, body: Buffer.alloc(0) },
    );
    expect(get).toMatchObject({ version: '2.0', routeKey: 'GET /health', rawPath: '/health', rawQueryString: '', isBase64Encoded: false });
    expect(get.body).toBeUndefined();
    expect(get.queryStringParameters).toBeUndefined();
    expect(get.pathParameters).toBeUndefined();
  });

  test('a binary body arrives base64-encoded', () => {
    const bytes = Buffer.from([0, 1, 2, 255]);
    const upload = toHttpApiEvent(
      { method: 'POST', path: '/upload' },
      {},
      { method: 'POST', url: '/upload', headers: { 'content-type': 'image/png' }, body: bytes },
    );
    expect(upload.isBase64Encoded).toBe(true);
    expect(Buffer.from(upload.body!, 'base64')).toEqual(bytes);
  });
});

describe('createHttpServer', () => {
  const seen: APIGatewayProxyEventV2[] = [];
  const echo =
    (name: string): HttpHandler =>
    async (event) => {
      seen.push(event);
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ handledBy: name, params: event.pathParameters ?? {} }),
      };
    };
  const routes: HttpRoute[] = [
    { method: 'GET', path: '/leaders/{leaderId}', functionName: 'leaderById', handler: echo('leaderById') },
    { method: 'GET', path: '/leaders/me', functionName: 'me', handler: echo('me') },
    { method: 'POST', path: '/leaders/{leaderId}/approve', functionName: 'approve', handler: echo('approve') },
    { method: 'GET', path: '/files/{proxy+}', functionName: 'files', handler: echo('files') },
    { method: 'GET', path: '/bare', functionName: 'bare', handler: async () => ({ ok: true, items: [1, 2] }) as never },
    {
      method: 'POST',
      path: '/created',
      functionName: 'created',
      handler: async () => ({ statusCode: 201, headers: { 'content-type': 'application/json', 'x-request': 'yes' }, body: '{"id":"c-1"}' }),
    },
  ];
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createHttpServer(routes);
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  test('a {param} route receives the segment as a path parameter', async () => {
    const res = await fetch(`${base}/leaders/L-42`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ handledBy: 'leaderById', params: { leaderId: 'L-42' } });
  });

  test('a literal segment wins over a parameter, whatever the declaration order', async () => {
    const res = await fetch(`${base}/leaders/me`);
    expect(await res.json()).toEqual({ handledBy: 'me', params: {} });
  });

  test('a parameter matches one segment only; {proxy+} matches the rest of the path', async () => {
    const approve = await fetch(`${base}/leaders/L-7/approve`, { method: 'POST' });
    expect(await approve.json()).toEqual({ handledBy: 'approve', params: { leaderId: 'L-7' } });
    const file = await fetch(`${base}/files/a/b/c.csv`);
    expect(await file.json()).toEqual({ handledBy: 'files', params: { proxy: 'a/b/c.csv' } });
  });

  test('percent-encoded path parameters arrive decoded', async () => {
    const res = await fetch(`${base}/leaders/${encodeURIComponent('王 芳')}`);
    expect(await res.json()).toEqual({ handledBy: 'leaderById', params: { leaderId: '王 芳' } });
  });

  test('the handler gets the HTTP API event of the request', async () => {
    seen.length = 0;
    await fetch(`${base}/leaders/L-9/approve?x=1`, {
      method: 'POST',
      headers: { Authorization: 'Bearer abc', 'content-type': 'application/json' },
      body: '{"reason":"ok"}',
    });
    expect(seen[0]).toMatchObject({
      version: '2.0',
      routeKey: 'POST /leaders/{leaderId}/approve',
      rawPath: '/leaders/L-9/approve',
      rawQueryString: 'x=1',
      headers: { authorization: 'Bearer abc' },
      body: '{"reason":"ok"}',
      requestContext: { http: { method: 'POST' } },
    });
  });

  test('an unknown path, or a known path with another method, is 404 Not Found', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['DELETE', '/leaders/L-1'],
      ['GET', '/leaders/L-1/approve'],
      ['GET', '/leaders'],
    ] as const) {
      const res = await fetch(`${base}${path}`, { method });
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
      expect(await res.json()).toEqual({ message: 'Not Found' });
    }
  });

  test('a bare object result is sent as 200 JSON', async () => {
    const res = await fetch(`${base}/bare`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ ok: true, items: [1, 2] });
  });

  test('a structured result keeps its status, headers and body', async () => {
    const res = await fetch(`${base}/created`, { method: 'POST' });
    expect(res.status).toBe(201);
    expect(res.headers.get('x-request')).toBe('yes');
    expect(await res.json()).toEqual({ id: 'c-1' });
  });
});

describe('CORS, as API Gateway answers it for the configured origins', () => {
  const cors = {
    allowedOrigins: ['https://shop.example'],
    allowedHeaders: ['Content-Type', 'Authorization', 'Idempotency-Key'],
    allowedMethods: ['GET', 'POST', 'OPTIONS'],
    maxAge: 600,
  };
  const routes: HttpRoute[] = [
    {
      method: 'GET',
      path: '/things',
      functionName: 'things',
      // A function's own CORS headers are ignored once CORS is configured, as API Gateway does.
      handler: async () => ({ statusCode: 200, headers: { 'access-control-allow-origin': '*', vary: 'Accept' }, body: '{"ok":true}' }),
    },
  ];
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createHttpServer(routes, { cors });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  const preflight = (origin: string) =>
    fetch(`${base}/things`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
    });

  test('a preflight from a configured origin is answered with what it may send, without any function', async () => {
    const res = await preflight('https://shop.example');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(res.headers.get('access-control-allow-methods')?.split(/,\s*/)).toEqual(expect.arrayContaining(['GET', 'POST']));
    expect(res.headers.get('access-control-allow-headers')?.toLowerCase().split(/,\s*/)).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'idempotency-key']),
    );
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  test('a preflight from any other origin gets no permission', async () => {
    for (const origin of ['https://evil.example', 'https://shop.example.evil.example', 'http://shop.example', 'null']) {
      const res = await preflight(origin);
      expect({ origin, status: res.status, allow: res.headers.get('access-control-allow-origin') }).toEqual({
        origin,
        status: 204,
        allow: null,
      });
    }
  });

  test('a request from a configured origin may be read by it; from another origin, or a function saying *, not', async () => {
    const mine = await fetch(`${base}/things`, { headers: { origin: 'https://shop.example' } });
    expect(mine.status).toBe(200);
    expect(mine.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(mine.headers.get('vary')?.toLowerCase().split(/,\s*/)).toEqual(expect.arrayContaining(['origin', 'accept']));
    const theirs = await fetch(`${base}/things`, { headers: { origin: 'https://evil.example' } });
    expect(theirs.status).toBe(200);
    expect(theirs.headers.get('access-control-allow-origin')).toBeNull();
    const none = await fetch(`${base}/things`);
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });
});
