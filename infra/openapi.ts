// The OpenAPI 3.1 document of every HTTP route, generated from what serves them: the routes of
// serverless.yml, and for each the `routes` table of its function with the zod schemas that validate
// the request (z.toJSONSchema). Response bodies come from schemas/views.ts. Written into web/dist at build
// time (`npm run build:web`) and served as a static file, with the /docs page of the web app reading it.
import './quiet-sdk';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as z from 'zod';
import * as views from '../schemas/views';
import type { Route } from '../lib/runtime/http';
import { loadManifest } from './manifest';

type Json = Record<string, unknown>;

const jsonSchema = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
  return rest;
};

/** What a successful call answers, by route: status and body (API.md). */
const RESPONSES: Record<string, [number, z.ZodType | string]> = {
  'GET /share/{shareToken}': [200, views.GroupBuyViewSchema],
  'GET /group-buys/{groupBuyId}': [200, views.GroupBuyViewSchema],
  'POST /group-buys': [201, views.OpenedGroupBuySchema],
  'POST /orders': [201, views.PlacedOrderSchema],
  'GET /orders/{orderId}': [200, views.OrderViewSchema],
  'GET /me/orders': [200, views.ListOf(views.OrderViewSchema)],
  'GET /leaders/me': [200, views.LeaderViewSchema],
  'GET /leaders': [200, views.ListOf(views.LeaderViewSchema)],
  'GET /products': [200, views.ListOf(views.ProductViewSchema)],
  'POST /products': [201, views.ProductViewSchema],
  'GET /pickup-points/{leaderId}/sheet': [200, views.PickupSheetSchema],
  'GET /purchase-orders': [200, views.ListOf(views.PurchaseOrderViewSchema)],
  'GET /purchase-orders/{purchaseOrderId}': [200, views.PurchaseOrderViewSchema],
  'GET /purchase-orders/{purchaseOrderId}/revisions': [200, views.ListOf(views.PurchaseOrderRevisionViewSchema)],
  'POST /purchase-orders/{purchaseOrderId}/acknowledge': [200, views.PurchaseOrderViewSchema],
  'POST /purchase-orders/{purchaseOrderId}/ship': [200, views.PurchaseOrderViewSchema],
  'POST /purchase-orders/{purchaseOrderId}/shortfalls': [201, views.ShortfallViewSchema],
  'GET /leaders/me/commissions': [200, views.CommissionsViewSchema],
  'GET /leaders/{leaderId}/commissions': [200, views.CommissionsViewSchema],
  'GET /payouts': [200, views.ListOf(views.PayoutViewSchema)],
  'POST /payouts/{payoutId}/approve': [200, views.PayoutViewSchema],
  'POST /payouts/{payoutId}/reject': [200, views.PayoutViewSchema],
  'GET /audit/reconciliation': [200, views.ReconciliationSchema],
  'GET /audit/events': [200, views.AuditTrailSchema],
  'POST /jobs/cutoff': [200, views.CutoffRunSchema],
  'POST /jobs/payouts': [200, views.PayoutRunSchema],
  'GET /share/{shareToken}/poster.png': [200, 'image/png'],
  'GET /group-buys/{groupBuyId}/share-text': [200, z.object({ text: z.string() })],
  'POST /auth/sms-codes': [202, views.SmsCodeSentSchema],
  'POST /auth/sessions': [200, views.SessionSchema],
  'POST /auth/wechat': [200, views.SessionSchema],
  'POST /auth/refresh': [200, views.SessionSchema],
  'POST /auth/logout': [204, 'none'],
  'GET /me': [200, views.MeViewSchema],
  'POST /suppliers/{supplierId}/members': [201, views.SupplierMemberViewSchema],
  'DELETE /suppliers/{supplierId}/members/{phone}': [204, 'none'],
  'GET /dev/sms': [200, views.SandboxSmsSchema],
  'GET /leaders/me/customers': [200, views.CustomersViewSchema],
  'GET /leaders/me/stats': [200, views.StatsViewSchema],
  'GET /leaders/{leaderId}/stats': [200, views.StatsViewSchema],
  'POST /orders/{orderId}/reviews': [201, views.ReviewCreatedSchema],
  'GET /group-buys/{groupBuyId}/reviews': [200, views.ReviewsViewSchema],
};

/** Routes that also answer another representation (by Accept), with the headers it carries. */
const ALTERNATES: Record<string, { content: Json; headers?: Json; description: string }> = {
  'GET /purchase-orders/{purchaseOrderId}': {
    description:
      'The purchase order, with its breakdown per pickup point paged when a response would pass 1 MB (breakdownCursor, then ?cursor=). With Accept: text/csv, the CSV (UTF-8 with BOM, CRLF) in parts of at most 4 MB: a part that is not the last names the next in Link (rel="next") and X-Next-Cursor; concatenated in order, the parts are the file, all of one revision.',
    content: { 'text/csv': { schema: { type: 'string' } } },
    headers: {
      Link: { description: 'text/csv only: `</purchase-orders/{id}?cursor=…>; rel="next"` while parts remain', schema: { type: 'string' } },
      'X-Next-Cursor': { description: 'text/csv only: the cursor of the next part, while parts remain', schema: { type: 'string' } },
    },
  },
};

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const js = jsonSchema(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (js.required ?? []).includes(name),
    schema: s,
  }));
}

export async function buildOpenApi(): Promise<Json> {
  const paths: Record<string, Record<string, Json>> = {};
  for (const fn of loadManifest()) {
    if (fn.http.length === 0) continue;
    const mod = (await import(resolve(__dirname, '..', fn.module))) as { routes?: Record<string, Route> };
    for (const { method, path } of fn.http) {
      if (path === '*') continue; // the catch-all 404
      const key = `${method} ${path}`;
      const spec = mod.routes?.[key];
      if (!spec) throw new Error(`${fn.name} serves ${key} in serverless.yml but its routes table has no such route`);
      const [status, response] = RESPONSES[key] ?? [200, undefined];
      const content =
        typeof response === 'string'
          ? { [response]: { schema: { type: 'string', contentMediaType: response } } }
          : { 'application/json': { schema: response ? jsonSchema(response, 'output') : {} } };
      const alternate = ALTERNATES[key];
      if (alternate) Object.assign(content, alternate.content);
      const operation: Json = {
        ...(alternate ? { description: alternate.description } : {}),
        operationId: `${fn.name}.${method.toLowerCase()}${path
          .replace(/[{}]/g, '')
          .replace(/\/(\w)/g, (_, c: string) => c.toUpperCase())
          .replace(/\W/g, '')}`,
        tags: [fn.name],
        // `optional`: anyone, or a bearer (POST /auth/wechat links WeChat to the caller).
        security: spec.auth === 'user' ? [{ bearer: [] }] : spec.auth === 'optional' ? [{}, { bearer: [] }] : [],
        parameters: [
          ...parameters(spec.path, 'path'),
          ...parameters(spec.query, 'query'),
          ...(key === 'POST /orders'
            ? [{ name: 'Idempotency-Key', in: 'header', required: true, schema: { type: 'string', minLength: 8, maxLength: 64 } }]
            : []),
        ],
        ...(spec.body
          ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(spec.body, 'input') } } } }
          : {}),
        responses: {
          // 204 (logout, removing a member) has no body.
          [String(status)]: {
            description: 'Success',
            ...(status === 204 ? {} : { content }),
            ...(alternate?.headers ? { headers: alternate.headers } : {}),
          },
          default: {
            description: 'An error (API.md: the status and error.code)',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        },
      };
      (paths[path] ??= {})[method.toLowerCase()] = operation;
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: '社区团购 API',
      version: '1',
      description: 'Generated from the zod schemas that validate each request (infra/openapi.ts).',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: jsonSchema(views.ErrorBodySchema, 'output') },
    },
  };
}

// `tsx infra/openapi.ts <file>`: writes the document (the web build does this).
if (require.main === module) {
  process.env.STAGE ||= 'local';
  const out = process.argv[2] ?? resolve(__dirname, '..', 'web', 'dist', 'openapi.json');
  buildOpenApi()
    .then((doc) => {
      writeFileSync(out, JSON.stringify(doc, null, 1));
      process.exit(0);
    })
    .catch((err: Error) => {
      console.error(err.stack);
      process.exit(1);
    });
}
