// No request stops the local HTTP server: whatever arrives on the socket (a malformed request line, a
// broken percent escape, a strange host, method, header or body, a client that hangs up half way), it
// answers in API.md's error shape or closes that one connection, and keeps serving everyone else.
// Raw sockets, because fetch would refuse to send most of these.
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import * as z from 'zod';
import type { Routes } from '../lib/runtime/http';
import { httpFunction, route } from '../lib/runtime/http';
import { jwtIdentity } from '../lib/runtime/auth';
import { AppError } from '../lib/runtime/errors';
import { IdSchema } from '../schemas/common';
import type { HttpHandler, HttpRoute } from './http-server';
import { createHttpServer } from './http-server';
import { loadWebBehaviors } from './manifest';
import { staticSite } from './static-site';

// A route table shaped like the real one: path parameters, a body, auth, and API Gateway's $default.
const apiRoutes: Routes = {
  'GET /health': route({ auth: 'public', handle: async () => ({ body: { ok: true } }) }),
  'GET /group-buys/{groupBuyId}': route({
    auth: 'public',
    path: z.object({ groupBuyId: IdSchema }),
    handle: async ({ path }) => ({ body: { groupBuyId: path.groupBuyId } }),
  }),
  'GET /share/{shareToken}': route({
    auth: 'public',
    path: z.object({ shareToken: z.string().max(512) }),
    handle: async () => {
      throw new AppError('INVALID_SHARE_LINK', 'Not a share link');
    },
  }),
  'POST /orders': route({
    auth: 'user',
    body: z.object({ note: z.string().max(10) }),
    handle: async ({ body }) => ({ status: 201, body }),
  }),
  'GET /files/{proxy+}': route({ auth: 'public', handle: async ({ path }) => ({ body: { path } }) }),
  $default: route({
    auth: 'public',
    handle: async () => {
      throw new AppError('NOT_FOUND', 'No such route');
    },
  }),
};
const api = httpFunction(
  apiRoutes,
  jwtIdentity(() => 'fuzz-secret'),
) as unknown as HttpHandler;
const routes: HttpRoute[] = [
  ...Object.keys(apiRoutes)
    .filter((k) => k !== '$default')
    .map((k) => {
      const [method, path] = k.split(' ') as [string, string];
      return { method, path, functionName: 'api', handler: api };
    }),
  { method: 'ANY', path: '*', functionName: 'api', handler: api },
];

// The web app's files, as CloudFront serves them in front of the API; a sibling directory whose name
// starts like the web directory's must stay out of reach.
const root = mkdtempSync(join(tmpdir(), 'fuzz-web-'));
const web = join(root, 'dist');
mkdirSync(join(web, 'assets'), { recursive: true });
writeFileSync(join(web, 'index.html'), '<!doctype html><title>团购</title>');
writeFileSync(join(web, 'assets', 'app.js'), 'console.log(1)');
mkdirSync(join(root, 'dist-private'));
writeFileSync(join(root, 'dist-private', 'secret.txt'), 'secret');
afterAll(() => rmSync(root, { recursive: true, force: true }));

let server: Server;
let port: number;
beforeAll(async () => {
  server = createHttpServer(routes, {
    front: staticSite(web, loadWebBehaviors()),
    cors: {
      allowedOrigins: ['http://localhost:3000'],
      allowedHeaders: ['Content-Type', 'Authorization'],
      allowedMethods: ['GET', 'POST'],
      maxAge: 600,
    },
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

interface RawResponse {
  status?: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Writes bytes to a fresh connection, then half-closes it (`end`) or hangs up (`destroy`), and reads
 * one response if the server sends one.
 */
function raw(bytes: Buffer | string, then: 'end' | 'destroy' = 'end', waitMs = 2000): Promise<RawResponse> {
  // The answer to HEAD has the headers of a body but none of it.
  const head = Buffer.from(bytes).subarray(0, 5).toString() === 'HEAD ';
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(parse(data, head));
    };
    socket.on('connect', () => {
      socket.write(bytes, () => (then === 'end' ? socket.end() : socket.destroy()));
      if (then === 'destroy') setTimeout(finish, 20);
    });
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      if (complete(data, head)) finish();
    });
    socket.on('error', () => undefined);
    socket.on('close', finish);
    const timer = setTimeout(finish, waitMs);
  });
}

function split(data: Buffer) {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine, ...lines] = data.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { status: Number(statusLine!.split(' ')[1]), headers, body: data.subarray(end + 4) };
}

const chunked = (headers: Record<string, string>) => /chunked/i.test(headers['transfer-encoding'] ?? '');

const complete = (data: Buffer, head: boolean) => {
  const r = split(data);
  if (!r) return false;
  if (head || r.status === 204 || r.status === 304) return true;
  if (chunked(r.headers)) return r.body.includes('\r\n0\r\n\r\n') || r.body.subarray(0, 5).toString() === '0\r\n\r\n';
  return r.headers['content-length'] !== undefined && r.body.length >= Number(r.headers['content-length']);
};

function dechunk(body: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = body.indexOf('\r\n', at);
    const size = parseInt(body.subarray(at, eol).toString(), 16);
    if (eol < 0 || !(size > 0)) return Buffer.concat(parts);
    parts.push(body.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

function parse(data: Buffer, head: boolean): RawResponse {
  const r = split(data);
  if (!r) return { headers: {}, body: '' };
  if (head || r.status === 204 || r.status === 304) return { status: r.status, headers: r.headers, body: '' };
  // Only the first response: a pipelined rest of the request may have earned a second one.
  const length = r.headers['content-length'];
  const first = chunked(r.headers) ? dechunk(r.body) : length !== undefined ? r.body.subarray(0, Number(length)) : r.body;
  return { status: r.status, headers: r.headers, body: first.toString('utf8') };
}

const ErrorShape = z.object({ error: z.object({ code: z.string().min(1), message: z.string().min(1) }) });

/** A response the server wrote on its own or through a function: never a crash, errors in API.md's shape. */
function expectWellFormed(res: RawResponse, request: string) {
  if (res.status === undefined) return; // the connection was closed without an answer: allowed
  expect({ request, status: res.status }).toEqual({ request, status: expect.any(Number) });
  if (res.status >= 500) throw new Error(`${res.status} for ${JSON.stringify(request)}: ${res.body}`);
  // The web files' own "not found" (CloudFront's, locally) is plain text.
  const staticNotFound = res.status === 404 && /^text\/plain/.test(res.headers['content-type'] ?? '');
  if (res.status >= 400 && res.body !== '' && !staticNotFound) {
    expect({ request, type: res.headers['content-type'] }).toEqual({ request, type: expect.stringMatching(/^application\/json/) });
    const parsed = ErrorShape.safeParse(JSON.parse(res.body));
    if (!parsed.success) throw new Error(`not API.md's error shape for ${JSON.stringify(request)}: ${res.body}`);
  }
}

async function expectStillServing() {
  const res = await raw('GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
  expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: '{"ok":true}' });
}

const get = (target: string, headers = 'Host: localhost\r\n') => `GET ${target} HTTP/1.1\r\n${headers}Connection: close\r\n\r\n`;

describe('requests that once stopped the stack', () => {
  test('a malformed percent escape in a path parameter is 400 VALIDATION_FAILED naming it', async () => {
    for (const target of ['/group-buys/%E0%A4%A', '/group-buys/%', '/group-buys/%zz', '/share/%F0%9F%98', '/files/a/%E0%A4%A/b']) {
      const res = await raw(get(target));
      expect({ target, status: res.status }).toEqual({ target, status: 400 });
      expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    }
    const named = JSON.parse((await raw(get('/group-buys/%E0%A4%A'))).body);
    expect(named.error.details).toEqual([{ path: 'groupBuyId', message: expect.any(String) }]);
    await expectStillServing();
  });

  test('a request target that is no URL path is a 4xx in the error shape', async () => {
    for (const target of ['//[', 'http://[/', '*', 'health', '//[::1', '/a\\b', 'http://x:99999/health']) {
      const res = await raw(get(target));
      expectWellFormed(res, target);
      expect({ target, status: res.status }).toEqual({ target, status: expect.any(Number) });
      expect(res.status).toBeGreaterThanOrEqual(400);
    }
    await expectStillServing();
  });

  test('the web files: served, and a broken escape or a way out of their directory is a 4xx, never a file elsewhere', async () => {
    expect((await raw(get('/assets/app.js'))).body).toBe('console.log(1)');
    // An app page path is the app's page, whatever follows (CloudFront's rewrite), a broken escape included.
    for (const target of ['/leader/home', '/leader/%E0%A4%A']) expect((await raw(get(target))).body).toContain('团购');
    for (const target of ['/assets/%E0%A4%A', '/assets/%zz.js', '/assets/a%']) {
      const res = await raw(get(target));
      expect({ target, status: res.status }).toEqual({ target, status: 400 });
      expectWellFormed(res, target);
    }
    for (const target of [
      '/assets/..%2F..%2Fdist-private%2Fsecret.txt',
      '/assets/%2e%2e/%2e%2e/dist-private/secret.txt',
      '/assets/..%5C..%5Cdist-private%5Csecret.txt',
    ]) {
      const res = await raw(get(target));
      expect({ target, status: res.status, leaked: res.body.includes('secret') }).toEqual({
        target,
        status: expect.any(Number),
        leaked: false,
      });
      expectWellFormed(res, target);
    }
    await expectStillServing();
  });

  test('an absolute-form request target is served by its path', async () => {
    const res = await raw(get('http://localhost/health'));
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: '{"ok":true}' });
  });

  test('a request the HTTP parser refuses gets 400 in the error shape, headers too large get 431', async () => {
    for (const request of ['GARBAGE\r\n\r\n', 'GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 'GET /health HTTP/1.1\r\n\r\n']) {
      const res = await raw(request);
      expect({ request, status: res.status }).toEqual({ request, status: 400 });
      expectWellFormed(res, request);
    }
    const big = await raw(get('/health', `Host: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n`));
    expect(big.status).toBe(431);
    expect(JSON.parse(big.body)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    await expectStillServing();
  });

  test('a client that hangs up half way through its body, or before its headers end, harms nobody', async () => {
    await raw('POST /orders HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{"note":', 'destroy');
    await raw('POST /orders HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc', 'destroy');
    await raw('GET /health HTTP/1.1\r\nHost: loc', 'destroy');
    const halfClosed = await raw('POST /orders HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\n{"note":');
    expectWellFormed(halfClosed, 'half-closed body');
    await expectStillServing();
  });

  test('a body over the gateway limit is 413 PAYLOAD_TOO_LARGE', async () => {
    const size = 10 * 1024 * 1024 + 1;
    const res = await raw(
      Buffer.concat([Buffer.from(`POST /orders HTTP/1.1\r\nHost: localhost\r\nContent-Length: ${size}\r\n\r\n`), Buffer.alloc(size, 0x61)]),
    );
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    await expectStillServing();
  });
});

describe('a function that misbehaves', () => {
  let other: Server;
  let base: string;
  beforeAll(async () => {
    const misbehaving: HttpRoute[] = [
      {
        method: 'GET',
        path: '/throws',
        functionName: 'throws',
        handler: async () => {
          throw new Error('connect ECONNREFUSED 10.0.0.1 password=hunter2');
        },
      },
      { method: 'GET', path: '/hangs', functionName: 'hangs', timeout: 0.2, handler: () => new Promise(() => undefined) },
      {
        method: 'GET',
        path: '/bad-header',
        functionName: 'bad',
        handler: async () => ({ statusCode: 200, headers: { 'x-bad': 'a\r\nb' }, body: '' }),
      },
      { method: 'GET', path: '/bad-status', functionName: 'bad', handler: async () => ({ statusCode: 42, body: '' }) },
      { method: 'GET', path: '/ok', functionName: 'ok', handler: async () => ({ statusCode: 200, body: '{"ok":true}' }) },
    ];
    other = createHttpServer(misbehaving);
    await new Promise<void>((ok) => other.listen(0, '127.0.0.1', ok));
    base = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((ok) => other.close(() => ok())));

  test('a function that throws, answers what HTTP cannot carry, or never answers in time gets 500 INTERNAL without internals', async () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      for (const path of ['/throws', '/hangs', '/bad-header', '/bad-status']) {
        const started = Date.now();
        const res = await fetch(`${base}${path}`);
        const text = await res.text();
        expect({ path, status: res.status, body: JSON.parse(text) }).toEqual({
          path,
          status: 500,
          body: { error: { code: 'INTERNAL', message: expect.any(String) } },
        });
        expect(text).not.toMatch(/hunter2|ECONNREFUSED/);
        expect(Date.now() - started).toBeLessThan(5000);
      }
      expect((await fetch(`${base}/ok`)).status).toBe(200);
    } finally {
      spy.mockRestore();
    }
  });
});

// ---- Random requests ---------------------------------------------------------------------------------

const escape = fc.oneof(
  fc.constantFrom('%', '%E0%A4%A', '%zz', '%00', '%C0%AF', '%F0%9F%98', '%2F', '%25', '%FF', '%E2%80%AE', '%0D%0A', '%u202E'),
  fc.integer({ min: 0, max: 255 }).map((n) => `%${n.toString(16).padStart(2, '0')}`),
);
const segment = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'group-buys',
      'share',
      'orders',
      'health',
      'files',
      'leaders',
      'me',
      '..',
      '.',
      '',
      '[',
      ']',
      '@',
      ':',
      '{x}',
      '*',
      'é',
      '团购',
    ),
    weight: 4,
  },
  { arbitrary: fc.string({ maxLength: 12 }).map(encodeURIComponent), weight: 3 },
  { arbitrary: fc.array(escape, { minLength: 1, maxLength: 3 }).map((e) => e.join('')), weight: 3 },
  { arbitrary: fc.string({ maxLength: 12 }), weight: 1 },
);
const query = fc.array(fc.oneof(segment, escape, fc.constantFrom('a=1', 'a=%', '=', '&', 'limit=-1', 'cursor=%E0')), { maxLength: 4 });
const target = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      '/',
      '//[',
      '*',
      'http://[/',
      'http://localhost/health',
      'health',
      '/group-buys/%E0%A4%A',
      '//',
      '/?',
      '/#x',
      '',
    ),
    weight: 1,
  },
  // A real route with a fuzzed parameter.
  {
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          '/group-buys/',
          '/share/',
          '/files/',
          '/files/a/',
          '/orders',
          '/health',
          '/assets/',
          '/leader/',
          '/index.html',
          '/docs',
        ),
        segment,
        fc.option(query),
      )
      .map(([route, param, q]) => `${route}${route.endsWith('/') ? param : ''}${q ? `?${q.join('&')}` : ''}`),
    weight: 3,
  },
  {
    arbitrary: fc
      .tuple(fc.array(segment, { maxLength: 5 }), fc.option(query))
      .map(([segments, q]) => `/${segments.join('/')}${q ? `?${q.join('&')}` : ''}`),
    weight: 2,
  },
);

// Mostly well-formed HTTP, so that the fuzzed target, headers and body reach routing and the functions;
// now and then a broken method, version, header or framing for the parser to refuse.
const method = fc.oneof(
  { arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'), weight: 8 },
  { arbitrary: fc.constantFrom('PROPFIND', 'CONNECT', 'TRACE', 'get', 'G ET', '', 'GET\t'), weight: 1 },
  { arbitrary: fc.string({ minLength: 1, maxLength: 8 }), weight: 1 },
);
const version = fc.oneof(
  { arbitrary: fc.constant('HTTP/1.1'), weight: 8 },
  { arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', '', 'HTTP/9.9', 'http/1.1'), weight: 1 },
);
const token = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}$/);
const headerName = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      'Content-Type',
      'Authorization',
      'Origin',
      'Access-Control-Request-Method',
      'Cookie',
      'Accept',
      'X-Forwarded-For',
      'Idempotency-Key',
      'Expect',
      'Host',
    ),
    weight: 4,
  },
  { arbitrary: token, weight: 3 },
  { arbitrary: fc.string({ minLength: 1, maxLength: 10 }), weight: 1 },
);
const printableValue = fc.stringMatching(/^[\x20-\x7E]{0,40}$/).map((v) => v.trim());
const headerValue = fc.oneof(
  {
    arbitrary: fc.constantFrom('', '[', 'a b', ':::', 'localhost', '127.0.0.1:99999', '[::1]', 'x'.repeat(300), 'Bearer', 'Bearer a.b.c'),
    weight: 3,
  },
  {
    arbitrary: fc.constantFrom(
      'null',
      'text/csv',
      'application/json',
      'image/png',
      'http://evil.example',
      'http://localhost:3000',
      'POST',
      '100-continue',
    ),
    weight: 2,
  },
  { arbitrary: printableValue, weight: 4 },
  { arbitrary: fc.uint8Array({ maxLength: 20 }).map((b) => Buffer.from(b).toString('latin1')), weight: 1 },
);
const host = fc.oneof(
  { arbitrary: fc.constantFrom('localhost', '127.0.0.1:3000', 'api.example.com'), weight: 4 },
  { arbitrary: headerValue, weight: 2 },
  { arbitrary: fc.constant(undefined), weight: 1 },
);
const body = fc.oneof(
  fc.constant(''),
  fc.constantFrom('{', '{"note":"x"}', '{"note":"\u202e"}', 'null', '[]', '{"note":1e999}', '"', '\u0000'),
  fc.json({ maxDepth: 3 }),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('latin1')),
);
const framing = fc.constantFrom('length', 'length', 'length', 'length', 'length', 'length', 'none', 'chunked', 'short', 'long');
const ending = fc.constantFrom('end', 'end', 'end', 'end', 'destroy');

const request = fc
  .record({
    method,
    target,
    version,
    host,
    headers: fc.array(fc.tuple(headerName, headerValue), { maxLength: 4 }),
    body,
    framing,
    ending,
  })
  .map((r) => {
    const payload = Buffer.from(r.body, 'latin1');
    const lines = [`${r.method} ${r.target} ${r.version}`];
    if (r.host !== undefined) lines.push(`Host: ${r.host}`);
    for (const [name, value] of r.headers) lines.push(`${name}: ${value}`);
    let bodyBytes = payload;
    if (r.framing === 'length') lines.push(`Content-Length: ${payload.length}`);
    if (r.framing === 'short') lines.push(`Content-Length: ${Math.max(0, payload.length - 3)}`);
    if (r.framing === 'long') lines.push(`Content-Length: ${payload.length + 10}`);
    if (r.framing === 'chunked') {
      lines.push('Transfer-Encoding: chunked');
      bodyBytes = Buffer.concat([Buffer.from(`${payload.length.toString(16)}\r\n`), payload, Buffer.from('\r\n0\r\n\r\n')]);
    }
    const bytes = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), bodyBytes]);
    return { bytes, ending: r.ending, shown: bytes.toString('latin1').slice(0, 300) };
  });

test('random request lines, escapes, hosts, methods, headers and bodies never stop the server', async () => {
  await fc.assert(
    fc.asyncProperty(request, async ({ bytes, ending, shown }) => {
      expectWellFormed(await raw(bytes, ending), shown);
      await expectStillServing();
    }),
    { numRuns: 300 },
  );
});
