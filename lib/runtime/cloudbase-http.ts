// The entry of an HTTP function on Tencent CloudBase: its HTTP access service (云接入) calls a cloud function
// with an "integration request" ({path, httpMethod, headers, queryStringParameters, body, isBase64Encoded,
// requestContext}) and turns the returned {statusCode, headers, body, isBase64Encoded} into the answer.
// This finds the route of the function's table that the method and path name, and runs the very stack the
// AWS entry runs (`httpFunction`): same parsing, auth, errors and headers, whichever cloud calls.
import type * as TcbSdk from '@cloudbase/node-sdk';
import type { Context } from 'aws-lambda';
import type { Principal } from './auth';
import { validationError } from './errors';
import { lambdaShapedContext } from './lambda-context';
import type { HttpEvent, HttpResult, Routes, VouchedCaller } from './http';
import { errorResult, httpFunction } from './http';

/** What CloudBase's HTTP access service passes a cloud function (docs: "Access cloud functions via HTTP"). */
export interface CloudBaseHttpEvent {
  path: string;
  httpMethod: string;
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: { requestId?: string; envId?: string; appId?: number | string; uin?: number | string };
}

/** The context CloudBase (SCF underneath) passes a Node.js cloud function: the fields read here. */
export interface CloudBaseContext {
  request_id?: string;
  function_name?: string;
  function_version?: string;
  memory_limit_in_mb?: number;
  time_limit_in_ms?: number;
  namespace?: string;
  /**
   * The invocation's variables as a JSON object (SCF's current runtime) or as `K=V;K=V` (the older one): among
   * them, for a call from the mini-program (`wx.cloud.callFunction`), WX_OPENID, WX_APPID, WX_UNIONID, set by
   * the platform. The event is the client's own `data`, so identity is read from here, never from the event.
   */
  environment?: string;
  environ?: string;
}

/**
 * The WX_OPENID CloudBase vouches for in this invocation, read as the SDK reads it (`getCloudbaseContext`: the
 * context's variables, then those of the process that WX_CONTEXT_KEYS names); undefined for a call with none
 * (the HTTP access service from a browser, a timer).
 */
export function wxOpenIdOf(context: CloudBaseContext | undefined): string | undefined {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tcb = require('@cloudbase/node-sdk') as typeof TcbSdk;
  // The SDK refuses a context with neither variable field (as the tests' contexts are): read the process's alone then.
  const carries = context?.environment !== undefined || context?.environ !== undefined;
  // The SDK types every field as present; it reads only the variables (the other fields it copies as given).
  const openId: unknown = tcb.getCloudbaseContext(
    carries ? (context as Parameters<typeof tcb.getCloudbaseContext>[0]) : undefined,
  ).WX_OPENID;
  return typeof openId === 'string' && openId !== '' ? openId : undefined;
}

/** Where the entry puts the OPENID the platform vouched for: the authorizer context, as a gateway's authorizer would. */
interface VouchedContext {
  authorizer?: { lambda?: { wxOpenId?: string } };
}

/** The OPENID the CloudBase entry found in the invocation's context (see `cloudbaseHttpFunction`). */
export const vouchedOpenId = (event: HttpEvent): string | undefined =>
  (event.requestContext as VouchedContext | undefined)?.authorizer?.lambda?.wxOpenId;

/** A `VouchedCaller` for the stack: the principal of the vouched OPENID, when there is one. */
export const miniProgramCaller =
  (principalOf: (openId: string) => Promise<Principal>): VouchedCaller =>
  async (event) => {
    const openId = vouchedOpenId(event);
    return openId ? principalOf(openId) : undefined;
  };

/** The route of a table that `METHOD /path` names, and the path parameters its `{name}` segments take. */
export function matchRoute(
  routes: Routes,
  method: string,
  path: string,
): { routeKey: string; pathParameters: Record<string, string> } | undefined {
  const segments = path.split('/').filter(Boolean);
  for (const routeKey of Object.keys(routes)) {
    const [routeMethod, template = ''] = routeKey.split(' ');
    if (routeMethod !== method.toUpperCase()) continue;
    const parts = template.split('/').filter(Boolean);
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = parts.every((part, i) => {
      const m = part.match(/^\{(\w+)\}$/);
      if (!m) return part === segments[i];
      try {
        params[m[1]!] = decodeURIComponent(segments[i]!);
        return true;
      } catch {
        return false;
      }
    });
    if (fits) return { routeKey, pathParameters: params };
  }
  return undefined;
}

/**
 * The API Gateway (payload 2.0) event the shared stack reads, made of CloudBase's integration request (sent by
 * the HTTP access service, or by the mini-program as `callFunction` data). `wxOpenId` is the platform's, from
 * the context; whatever the event says of a requestContext or an authorizer is never copied.
 */
export function toHttpEvent(routes: Routes, event: CloudBaseHttpEvent, wxOpenId?: string): HttpEvent {
  const method = event.httpMethod.toUpperCase();
  const path = event.path || '/';
  const match = matchRoute(routes, method, path);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) query[k] = v;
  const requestId = event.requestContext?.requestId ?? '';
  // An unknown route keeps a route key no table has: the stack answers it 404, as API Gateway would.
  const routeKey = match?.routeKey ?? `${method} ${path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: new URLSearchParams(query).toString(),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(match && Object.keys(match.pathParameters).length ? { pathParameters: match.pathParameters } : {}),
    requestContext: {
      accountId: String(event.requestContext?.uin ?? ''),
      apiId: 'cloudbase-http-access',
      domainName: headers.host ?? '',
      domainPrefix: event.requestContext?.envId ?? '',
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        // CloudBase's gateway passes the client's address in x-forwarded-for (first entry).
        sourceIp: headers['x-forwarded-for']?.split(',')[0]?.trim() ?? headers['x-real-ip'] ?? '',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey,
      stage: '$default',
      time: '',
      timeEpoch: Date.now(),
      ...(wxOpenId ? { authorizer: { lambda: { wxOpenId } } } : {}),
    },
    ...(event.body !== undefined && event.body !== null && event.body !== '' ? { body: event.body } : {}),
    isBase64Encoded: event.isBase64Encoded === true,
  };
}

/** The Lambda-shaped context the shared entries read (logs, remaining time), made of CloudBase's. */
export function lambdaContextOf(context: CloudBaseContext | undefined, requestId: string): Context {
  return lambdaShapedContext(
    {
      functionName: context?.function_name ?? 'cloudbase-function',
      functionVersion: context?.function_version ?? '$LATEST',
      invokedFunctionArn: `qcs::scf:${context?.namespace ?? 'default'}:function/${context?.function_name ?? ''}`,
      memoryLimitInMB: String(context?.memory_limit_in_mb ?? 256),
      awsRequestId: context?.request_id ?? requestId,
      logGroupName: '',
      logStreamName: '',
    },
    context?.time_limit_in_ms ?? 60_000,
  );
}

/**
 * `exports.main` of a CloudBase cloud function serving a table of routes through its HTTP access, or called by
 * the mini-program with the same request shape as `callFunction` data (then the context carries WX_OPENID).
 */
export function cloudbaseHttpFunction(
  routes: Routes,
  stack: (event: HttpEvent, context: Context) => Promise<HttpResult> = httpFunction(routes),
) {
  return async (event: CloudBaseHttpEvent, context?: CloudBaseContext): Promise<HttpResult> => {
    // A mini-program's callFunction data is whatever the client sent: without a method and a path it names no
    // request at all, and is answered as bad input, not as the function's failure.
    for (const field of ['httpMethod', 'path'] as const) {
      const value: unknown = (event as Partial<CloudBaseHttpEvent> | null | undefined)?.[field];
      if (typeof value !== 'string' || value === '')
        return errorResult(validationError(field, 'required: the request names its method and path'));
    }
    const httpEvent = toHttpEvent(routes, event, wxOpenIdOf(context));
    return stack(httpEvent, lambdaContextOf(context, httpEvent.requestContext.requestId));
  };
}

/** What a CloudBase timer trigger passes (SCF's timer event). */
export interface CloudBaseTimerEvent {
  Type: 'Timer';
  TriggerName: string;
  Time: string;
  Message?: string;
}

/**
 * `exports.main` of a CloudBase cloud function run by a timer trigger: the job the AWS schedule runs, with
 * CloudBase's context made Lambda-shaped (so a job stops before its time limit as it does on AWS).
 */
export const timerFunction =
  <E, R>(job: (event: E, context: Context) => Promise<R>) =>
  (event: E & CloudBaseTimerEvent, context?: CloudBaseContext): Promise<R> =>
    job(event, lambdaContextOf(context, context?.request_id ?? ''));
