// Serves the HTTP functions locally with the event API Gateway's HTTP API (payload 2.0) would send,
// matching routes as it does (`{param}` segments, `{proxy+}` greedy), so a handler cannot tell the difference.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';

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
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** API Gateway's HTTP API event (payload format 2.0) for a request. */
export function toHttpApiEvent(
  route: { method: string; path: string },
  params: Record<string, string>,
  req: { method: string; url: string; headers: Record<string, string | string[] | undefined>; body: Buffer; sourceIp?: string },
): APIGatewayProxyEventV2 {
  const url = new URL(req.url, 'http://localhost');
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

/** Writes a handler's result as API Gateway would (a bare object is JSON with status 200). */
function writeResult(res: ServerResponse, result: APIGatewayProxyResultV2): void {
  if (typeof result === 'string' || !result || typeof result !== 'object' || !('statusCode' in result)) {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
    return;
  }
  const body = result.body ? (result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body) : '';
  res
    .writeHead(result.statusCode ?? 200, {
      ...(result.headers as Record<string, string>),
      ...(result.cookies ? { 'set-cookie': result.cookies } : {}),
    })
    .end(body);
}

/** API Gateway refuses payloads over 10 MB before any function runs; the functions enforce 64 KiB. */
const GATEWAY_MAX_BYTES = 10 * 1024 * 1024;

export interface HttpServerOptions {
  before?: (req: IncomingMessage) => boolean;
  /** What sits in front of the API (CloudFront's static behaviours): true when it answered the request. */
  front?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export function createHttpServer(routes: HttpRoute[], options: HttpServerOptions = {}): Server {
  const compiled = routes.map(compile).sort((a, b) => b.specificity - a.specificity);
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= GATEWAY_MAX_BYTES) chunks.push(c);
    });
    req.on('end', async () => {
      const started = Date.now();
      if (size > GATEWAY_MAX_BYTES)
        return void res.writeHead(413, { 'content-type': 'application/json' }).end('{"message":"Request Entity Too Large"}');
      if (options.before && !options.before(req)) return;
      if (options.front?.(req, res)) {
        if (process.env.LOG_REQUESTS !== '0') console.log(`[web] ${req.method} ${req.url} → ${res.statusCode}`);
        return;
      }
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      const method = req.method ?? 'GET';
      let match: { route: CompiledRoute; params: Record<string, string> } | undefined;
      for (const route of compiled) {
        if (route.method !== method && route.method !== 'ANY') continue;
        const m = path.match(route.pattern);
        if (m) {
          match = { route, params: Object.fromEntries(route.names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])) };
          break;
        }
      }
      if (!match) {
        // API Gateway's own answer for a route that does not exist.
        return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
      }
      const event = toHttpApiEvent(match.route, match.params, {
        method,
        url: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks),
        sourceIp: req.socket.remoteAddress,
      });
      try {
        const result = await match.route.handler(event, lambdaContext(match.route.functionName, (match.route.timeout ?? 10) * 1000));
        writeResult(res, result);
      } catch (err) {
        console.error(`[http] ${match.route.functionName} crashed:`, err);
        res.writeHead(502, { 'content-type': 'application/json' }).end('{"message":"Internal Server Error"}');
      }
      if (process.env.LOG_REQUESTS !== '0')
        console.log(`[http] ${method} ${req.url} → ${res.statusCode} (${Date.now() - started} ms, ${match.route.functionName})`);
    });
  });
}
