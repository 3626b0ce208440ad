// Serves the HTTP functions locally with the event API Gateway's HTTP API (payload 2.0) would send,
// matching routes as it does (`{param}` segments, `{proxy+}` greedy), so a handler cannot tell the difference.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { CorsPolicy } from './manifest';
import { lambdaShapedContext } from '../lib/runtime/lambda-context';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

export interface HttpRoute {
  method: string;
  path: string;
  functionName: string;
  handler: HttpHandler;
  /** Seconds, as configured in serverless.yml. */
  timeout?: number;
}

interface CompiledRoute extends HttpRoute {
  pattern: RegExp;
  names: string[];
  specificity: number;
}

/** API Gateway's route key: `$default` for the catch-all route. */
export const routeKeyOf = (route: { method: string; path: string }) => (route.path === '*' ? '$default' : `${route.method} ${route.path}`);

function compile(route: HttpRoute): CompiledRoute {
  if (route.path === '*') return { ...route, pattern: /^/, names: [], specificity: -1 };
  const names: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      const greedy = segment.match(/^\{(\w+)\+\}$/);
      if (greedy) return (names.push(greedy[1]!), '(.+)');
      const param = segment.match(/^\{(\w+)\}$/);
      if (param) return (names.push(param[1]!), '([^/]+)');
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  // Literal segments win over parameters, as in API Gateway.
  const specificity = route.path.split('/').filter((s) => !s.startsWith('{')).length;
  return { ...route, pattern: new RegExp(`^${source}$`), names, specificity };
}

export function lambdaContext(functionName: string, timeoutMs = 10_000): Context {
  return lambdaShapedContext(
    {
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
      memoryLimitInMB: '512',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: 'local',
    },
    timeoutMs,
  );
}

/** API Gateway's HTTP API event (payload format 2.0) for a request. */
export function toHttpApiEvent(
  route: { method: string; path: string },
  params: Record<string, string>,
  req: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: Buffer; sourceIp?: string },
): APIGatewayProxyEventV2 {
  const url = requestUrl(req.url) ?? new URL('http://localhost/');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const cookies = headers.cookie?.split(/;\s*/);
  const isText = /json|text|xml|urlencoded/.test(headers['content-type'] ?? 'application/json');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: routeKeyOf(route),
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(params).length ? { pathParameters: params } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: req.method,
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: routeKeyOf(route),
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(req.body.length ? { body: isText ? req.body.toString('utf8') : req.body.toString('base64') } : {}),
    isBase64Encoded: req.body.length > 0 && !isText,
  };
}

/**
 * The request target as a URL: origin-form (`/path?query`) or absolute-form (`http://host/path`), else
 * undefined. Origin-form is appended to a base rather than resolved against it, so `//[` is a path, not
 * a host.
 */
export function requestUrl(target: string): URL | undefined {
  try {
    if (target.startsWith('/')) return new URL(`http://localhost${target}`);
    if (/^https?:\/\//i.test(target)) return new URL(target);
  } catch {
    // not a URL at all
  }
  return undefined;
}

/** Headers on every answer, whoever writes it: a browser must never guess a type, nor keep a copy. */
const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' } as const;

/** The server's own answers (the part API Gateway plays), in API.md's error shape. */
function sendError(res: ServerResponse, status: number, code: string, message: string, details?: { path: string; message: string }[]) {
  if (res.headersSent) return void res.destroy();
  const body = JSON.stringify({ error: { code, message, ...(details ? { details } : {}) } });
  res
    .writeHead(status, {
      ...SECURITY_HEADERS,
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    })
    .end(body);
}

/** The same answer written straight to a socket, when the HTTP parser refused the request. */
function rawError(status: number, reason: string, code: string, message: string): string {
  const body = JSON.stringify({ error: { code, message } });
  return (
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\n` +
    `x-content-type-options: nosniff\r\ncache-control: no-store\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/**
 * Writes a handler's result as API Gateway would (a bare object is JSON with status 200). With CORS
 * configured, the function's own CORS headers are dropped: API Gateway's are the only ones.
 */
function writeResult(res: ServerResponse, result: APIGatewayProxyResultV2, cors: CorsPolicy | undefined): void {
  if (typeof result === 'string' || !result || typeof result !== 'object' || !('statusCode' in result)) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
    return;
  }
  const structured: APIGatewayProxyStructuredResultV2 = result;
  const headers = Object.entries((structured.headers ?? {}) as Record<string, string>)
    .filter(([name]) => !(cors && /^access-control-/i.test(name)))
    // A function's Vary (Accept, say) joins the gateway's (Origin) rather than replacing it.
    .map(([name, value]): [string, string] =>
      /^vary$/i.test(name) && res.hasHeader('vary') ? [name, `${String(res.getHeader('vary'))}, ${value}`] : [name, value],
    );
  const body = structured.body ? (structured.isBase64Encoded ? Buffer.from(structured.body, 'base64') : structured.body) : '';
  res
    .writeHead(structured.statusCode ?? 200, {
      ...Object.fromEntries(headers),
      ...(structured.cookies ? { 'set-cookie': structured.cookies } : {}),
    })
    .end(body);
}

const allows = (cors: CorsPolicy, origin: string) => cors.allowedOrigins.includes('*') || cors.allowedOrigins.includes(origin);

/**
 * CORS as API Gateway answers it: a preflight (OPTIONS with Origin and Access-Control-Request-Method)
 * never reaches a function and is 204, with permissions only for a configured origin; any other answer
 * to a configured origin says that origin may read it. Returns true when the request was a preflight.
 */
function applyCors(cors: CorsPolicy | undefined, req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (!cors || origin === undefined) return false;
  const allowed = allows(cors, origin);
  if (allowed) {
    res.setHeader('access-control-allow-origin', cors.allowedOrigins.includes('*') && !cors.allowCredentials ? '*' : origin);
    res.setHeader('vary', 'origin');
    if (cors.allowCredentials) res.setHeader('access-control-allow-credentials', 'true');
  }
  if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) {
    if (allowed && cors.exposedResponseHeaders?.length)
      res.setHeader('access-control-expose-headers', cors.exposedResponseHeaders.join(','));
    return false;
  }
  if (allowed) {
    res.setHeader('access-control-allow-methods', cors.allowedMethods.join(','));
    res.setHeader('access-control-allow-headers', cors.allowedHeaders.join(',').toLowerCase());
    if (cors.maxAge !== undefined) res.setHeader('access-control-max-age', String(cors.maxAge));
  }
  res.writeHead(204, SECURITY_HEADERS).end();
  return true;
}

/** API Gateway refuses payloads over 10 MB before any function runs; the functions enforce 64 KiB. */
const GATEWAY_MAX_BYTES = 10 * 1024 * 1024;

/** A request line or URL as it may be logged: no control characters reach the terminal. */
const printable = (s: string) => s.replace(/\p{Cc}/gu, '?').slice(0, 500);

type Outcome = { result: APIGatewayProxyResultV2 } | { error: unknown } | { timedOut: true };

/**
 * DynamoDB Local on a shared machine is several times slower than the service: a function gets this many
 * times its timeout here before it counts as not answering (its context still reports the real timeout).
 */
const LOCAL_TIMEOUT_GRACE = 3;

/** Runs a function as Lambda would: an error or a result, or nothing within its timeout. */
async function invoke(route: CompiledRoute, event: APIGatewayProxyEventV2): Promise<Outcome> {
  const timeoutMs = (route.timeout ?? 10) * 1000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Outcome>(
    (resolve) => (timer = setTimeout(() => resolve({ timedOut: true }), timeoutMs * LOCAL_TIMEOUT_GRACE)),
  );
  const ran = Promise.resolve()
    .then(() => route.handler(event, lambdaContext(route.functionName, timeoutMs)))
    .then(
      (result): Outcome => ({ result }),
      (error: unknown): Outcome => ({ error }),
    );
  try {
    return await Promise.race([ran, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

function match(compiled: CompiledRoute[], method: string, path: string) {
  for (const route of compiled) {
    if (route.method !== method && route.method !== 'ANY') continue;
    const m = path.match(route.pattern);
    if (m) return { route, values: route.names.map((n, i) => [n, m[i + 1]!] as const) };
  }
  return undefined;
}

export interface HttpServerOptions {
  /** What sits in front of the API (CloudFront's static behaviours): true when it answered the request. */
  front?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** API Gateway's CORS configuration (serverless.yml's `provider.httpApi.cors`); none: no CORS handling. */
  cors?: CorsPolicy;
}

export function createHttpServer(routes: HttpRoute[], options: HttpServerOptions = {}): Server {
  const compiled = routes.map(compile).sort((a, b) => b.specificity - a.specificity);

  async function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<string | undefined> {
    const method = req.method ?? 'GET';
    const url = requestUrl(req.url ?? '');
    if (!url) return void sendError(res, 400, 'VALIDATION_FAILED', 'The request target is not a URL path');
    if (req.headers.host === undefined && req.httpVersionMinor >= 1)
      return void sendError(res, 400, 'VALIDATION_FAILED', 'A Host header is required');
    const found = match(compiled, method, url.pathname);
    if (!found) {
      // API Gateway's own answer for a route that does not exist.
      return void res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'application/json' }).end('{"message":"Not Found"}');
    }
    const params: Record<string, string> = {};
    for (const [name, value] of found.values) {
      try {
        params[name] = decodeURIComponent(value);
      } catch {
        sendError(res, 400, 'VALIDATION_FAILED', `Invalid ${name}`, [{ path: name, message: 'malformed percent-encoding' }]);
        return found.route.functionName;
      }
    }
    const event = toHttpApiEvent(found.route, params, {
      method,
      url: url.pathname + url.search,
      headers: req.headers,
      body,
      sourceIp: req.socket.remoteAddress,
    });
    const outcome = await invoke(found.route, event);
    if ('result' in outcome) {
      try {
        writeResult(res, outcome.result, options.cors);
      } catch (err) {
        // A status or header that HTTP cannot carry: Lambda's answer would be malformed, API Gateway's a 500.
        console.error(`[http] ${found.route.functionName} answered what HTTP cannot carry:`, err);
        sendError(res, 500, 'INTERNAL', 'Internal error');
      }
    } else if ('error' in outcome) {
      console.error(`[http] ${found.route.functionName} crashed:`, outcome.error);
      sendError(res, 500, 'INTERNAL', 'Internal error');
    } else {
      console.error(
        `[http] ${found.route.functionName} did not answer within ${LOCAL_TIMEOUT_GRACE} × its ${found.route.timeout ?? 10} s timeout`,
      );
      sendError(res, 500, 'INTERNAL', 'Internal error');
    }
    return found.route.functionName;
  }

  const server = createServer({ requireHostHeader: false }, (req, res) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    let size = 0;
    // A client that hangs up half way: nothing to answer, nobody else affected.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= GATEWAY_MAX_BYTES) chunks.push(c);
    });
    req.on('end', () => {
      const done = (functionName?: string) => {
        if (process.env.LOG_REQUESTS !== '0')
          console.log(
            `[http] ${printable(req.method ?? '')} ${printable(req.url ?? '')} → ${res.statusCode} (${Date.now() - started} ms${functionName ? `, ${functionName}` : ''})`,
          );
      };
      const serve = async () => {
        if (size > GATEWAY_MAX_BYTES) return void sendError(res, 413, 'PAYLOAD_TOO_LARGE', 'Request Entity Too Large');
        if (options.front?.(req, res)) return undefined;
        if (applyCors(options.cors, req, res)) return undefined;
        return handle(req, res, Buffer.concat(chunks));
      };
      serve().then(done, (err: unknown) => {
        // A fault of this server itself: that one request fails, the process goes on.
        console.error('[http] request failed:', err);
        sendError(res, 500, 'INTERNAL', 'Internal error');
        done();
      });
    });
  });
  // An `Expect` other than 100-continue: Node would answer 417 on its own, outside the error shape.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    req.on('error', () => undefined);
    sendError(res, 417, 'VALIDATION_FAILED', 'Only Expect: 100-continue is supported');
  });
  // Requests the HTTP parser refuses (bad request line, header or framing; headers over 16 KiB) never
  // reach the handler above: answer them in the same shape, then close that connection.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    const responding = (socket as Duplex & { _httpMessage?: ServerResponse })._httpMessage?.headersSent;
    if (err.code === 'ECONNRESET' || !socket.writable || responding) return void socket.destroy();
    const answer =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? rawError(431, 'Request Header Fields Too Large', 'PAYLOAD_TOO_LARGE', 'Request headers over 16 KiB')
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? rawError(408, 'Request Timeout', 'VALIDATION_FAILED', 'The request did not arrive in time')
          : rawError(400, 'Bad Request', 'VALIDATION_FAILED', 'Malformed HTTP request');
    socket.end(answer);
  });
  return server;
}
