// The one HTTP middleware stack. A cloud function serves a few routes of one capability; each route
// declares its auth and its zod schemas, and the stack does the rest in a fixed order:
//   resolve route → body size (413) → JSON → authenticate (401) → validate (400) → handler → serialize
// with one error handler that shows only errors it meant to show and hides everything else behind 500,
// and the security headers on every answer, errors included.
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import * as z from 'zod';
import type { Identity, Principal } from './auth';
import { stageIdentity } from './auth';
import { config } from './config';
import type { ErrorDetail } from './errors';
import { AppError } from './errors';
import { errorField, logger, observed } from './observability';
import type { Page } from './page';

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export const MAX_BODY_BYTES = 64 * 1024;

/** The principal of a public route: nobody, with no roles. */
export const ANONYMOUS: Principal = Object.freeze({ userId: '', roles: [] });

export interface HttpRequest<B = unknown, Q = unknown, P = unknown> {
  body: B;
  query: Q;
  path: P;
  /** The caller; on public routes, `ANONYMOUS`. */
  principal: Principal;
  headers: Record<string, string>;
  /** The body exactly as received: signatures are computed over it. */
  rawBody: string;
  requestId: string;
  /** The client's address as API Gateway saw it (`requestContext.http.sourceIp`), for rate limits. */
  sourceIp: string;
}

export interface Reply {
  status?: number;
  body: unknown;
  /** Defaults to JSON; any other type sends `body` as a string (or, for a Buffer, as binary). */
  contentType?: string;
  headers?: Record<string, string>;
}

/** `optional`: public, but a bearer token that is sent must be valid (it then names the caller). */
type Auth = 'public' | 'user' | 'optional';

export interface Route<B = unknown, Q = unknown, P = unknown> {
  auth: Auth;
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  path?: z.ZodType<P>;
  // A method (not a function-typed property), so that a route of particular schemas is a Route of any:
  // the dispatcher hands each handler only what that route's own schemas parsed.
  handle(req: HttpRequest<B, Q, P>): Promise<Reply>;
}

/**
 * A route whose reply is only a JSON body, sent with `status` (200 unless given): `answer` gives the body (the
 * use-case's result, or a view of it). Anything more (headers, another content type, a status that depends on
 * the outcome) is a `handle`.
 */
export interface AnsweringRoute<B = unknown, Q = unknown, P = unknown> extends Omit<Route<B, Q, P>, 'handle'> {
  status?: number;
  answer: (req: HttpRequest<B, Q, P>) => Promise<unknown>;
}

/** Declares a route; the generics tie the handler's request type to the schemas. */
export function route<B = undefined, Q = undefined, P = undefined>(spec: Route<B, Q, P>): Route<B, Q, P>;
export function route<B = undefined, Q = undefined, P = undefined>(spec: AnsweringRoute<B, Q, P>): Route<B, Q, P>;
export function route(spec: Route | AnsweringRoute): Route {
  if (!('answer' in spec)) return spec;
  const { status, answer, ...rest } = spec;
  return {
    ...rest,
    async handle(req) {
      return { status: status ?? 200, body: await answer(req) };
    },
  };
}

/** A page as the API answers a list (schemas/views.ts `ListOf`): each item in its view, and `nextCursor` while more remain. */
export function listOf<T, V>(page: Page<T>, view: (item: T) => V): { items: V[]; nextCursor?: string } {
  return { items: page.items.map((item) => view(item)), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

/** Routes by API Gateway route key, e.g. `"POST /leaders/{leaderId}/approve"`. */
export type Routes = Record<string, Route>;

/** Turns zod issues into API.md's `details`, each naming the field. */
export function issuesToDetails(error: z.ZodError, prefix = ''): ErrorDetail[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter(Boolean).join('.');
    return { path: path || prefix || 'body', message: issue.message };
  });
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown, prefix = ''): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = issuesToDetails(result.error, prefix);
  throw new AppError('VALIDATION_FAILED', `Invalid ${details.map((d) => d.path).join(', ')}`, details);
}

function rawBodyOf(event: HttpEvent): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function lowerCaseHeaders(headers: HttpEvent['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

async function authenticate(identity: Identity, headers: Record<string, string>): Promise<Principal> {
  const header = headers.authorization;
  const match = header?.match(/^Bearer\s+(\S+)$/i);
  if (!match) throw new AppError('UNAUTHENTICATED', 'A bearer token is required');
  return identity.verify(match[1]!);
}

export function errorResult(error: unknown, requestId?: string): HttpResult {
  if (error instanceof AppError && error.status < 500) {
    const body = { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
    const result = json(error.status, body);
    return error.headers ? { ...result, headers: { ...result.headers, ...error.headers } } : result;
  }
  // Anything we did not mean to show: log it whole, answer without internals.
  logger.error('Unexpected error', { requestId, error: errorField(error) });
  return json(500, { error: { code: 'INTERNAL', message: 'Internal error' } });
}

function json(status: number, body: unknown): HttpResult {
  return { statusCode: status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) };
}

export function toResult(reply: Reply): HttpResult {
  const status = reply.status ?? 200;
  if (Buffer.isBuffer(reply.body)) {
    // Binary (a PNG, say): API Gateway decodes base64 bodies flagged so.
    const headers = { 'content-type': reply.contentType ?? 'application/octet-stream', ...reply.headers };
    return { statusCode: status, headers, body: reply.body.toString('base64'), isBase64Encoded: true };
  }
  if (reply.contentType && !reply.contentType.startsWith('application/json')) {
    return { statusCode: status, headers: { 'content-type': reply.contentType, ...reply.headers }, body: String(reply.body) };
  }
  const result = json(status, reply.body);
  return { ...result, headers: { ...result.headers, ...reply.headers } };
}

/**
 * The caller the platform in front of the function vouches for when no bearer token is sent (on CloudBase: the
 * mini-program user whose WX_OPENID the invocation's context carries, placed by the entry in the event's
 * `requestContext.authorizer`, which no client can write); undefined when it vouches for nobody.
 */
export type VouchedCaller = (event: HttpEvent) => Promise<Principal | undefined>;

async function principalOf(
  routeSpec: Route,
  event: HttpEvent,
  headers: Record<string, string>,
  identity: Identity,
  vouched?: VouchedCaller,
) {
  if (routeSpec.auth === 'public') return ANONYMOUS;
  // A bearer token, when sent, always decides (and must be valid), whatever else the platform says.
  if (headers.authorization) return authenticate(identity, headers);
  const caller = vouched ? await vouched(event) : undefined;
  if (caller) return caller;
  if (routeSpec.auth === 'optional') return ANONYMOUS;
  return authenticate(identity, headers);
}

/** Builds the parsed request for a route: the inner pipeline, testable without Lambda. */
export async function parseRequest(routeSpec: Route, event: HttpEvent, identity: Identity, vouched?: VouchedCaller): Promise<HttpRequest> {
  const rawBody = rawBodyOf(event);
  if (Buffer.byteLength(rawBody, 'utf8') > MAX_BODY_BYTES) {
    throw new AppError('PAYLOAD_TOO_LARGE', `Body over ${MAX_BODY_BYTES} bytes`);
  }
  const headers = lowerCaseHeaders(event.headers);
  const principal = await principalOf(routeSpec, event, headers, identity, vouched);
  let body: unknown = undefined;
  if (routeSpec.body) {
    let parsed: unknown;
    try {
      parsed = rawBody === '' ? undefined : JSON.parse(rawBody);
    } catch {
      throw new AppError('VALIDATION_FAILED', 'Body is not valid JSON', [{ path: 'body', message: 'not valid JSON' }]);
    }
    body = parseWith(routeSpec.body, parsed);
  }
  const query = routeSpec.query ? parseWith(routeSpec.query, event.queryStringParameters ?? {}) : undefined;
  const path = routeSpec.path ? parseWith(routeSpec.path, event.pathParameters ?? {}) : undefined;
  return {
    body,
    query,
    path,
    principal,
    headers,
    rawBody,
    requestId: event.requestContext?.requestId ?? '',
    sourceIp: event.requestContext?.http?.sourceIp ?? '',
  };
}

/** Two years, as browsers' preload lists ask; only sent once the API is served over HTTPS (outside the local stage). */
const HSTS = 'max-age=63072000; includeSubDomains';

/**
 * The headers every answer carries (API.md: nosniff; no copy of personal data in any cache; HTTPS only,
 * outside the local stage). A public route may choose its own cache policy; an authenticated one or an
 * error may not.
 */
export function withSecurityHeaders(result: HttpResult, mayCache: boolean): HttpResult {
  const headers: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k.toLowerCase()] = v;
  if (!mayCache || headers['cache-control'] === undefined) headers['cache-control'] = 'no-store';
  headers['x-content-type-options'] = 'nosniff';
  if (!config.isLocal) headers['strict-transport-security'] = HSTS;
  return { ...result, headers };
}

/**
 * The exported Lambda entry of an HTTP function: the middy stack around a route table.
 * `routeKey` is API Gateway's (`"GET /orders/{orderId}"`); the local stack sends the same.
 */
export function httpFunction(routes: Routes, identity: Identity = stageIdentity, vouched?: VouchedCaller) {
  const dispatch = async (event: HttpEvent): Promise<HttpResult> => {
    const spec = routes[event.routeKey];
    if (!spec) throw new AppError('NOT_FOUND', `No route ${event.routeKey}`);
    const request = await parseRequest(spec, event, identity, vouched);
    return withSecurityHeaders(toResult(await spec.handle(request)), spec.auth === 'public');
  };
  return middy<HttpEvent, HttpResult, Error, Context>()
    .use({
      onError: async (request: middy.Request<HttpEvent, HttpResult, Error, Context>) => {
        request.response = withSecurityHeaders(errorResult(request.error, request.event?.requestContext?.requestId), false);
      },
    })
    .handler((event: HttpEvent, context: Context) => observed(context, () => dispatch(event)));
}
