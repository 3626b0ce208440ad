// The health function on Tencent CloudBase: GET /health (its readiness reads CloudBase's database when
// DATA_STORE=cloudbase: lib/health/wiring.ts) through the HTTP access path `/health`, and, through `/`, every
// path that no longer access path claims: the API's own 404, as API Gateway's $default route gives on AWS.
import { cloudbaseHttpFunction } from '../../lib/runtime/cloudbase-http';
import type { Routes } from '../../lib/runtime/http';
import { httpFunction } from '../../lib/runtime/http';
import { routes as awsRoutes } from './handler';

const CATCH_ALL = 'ANY *';

/** What this function serves on CloudBase: the health check and the catch-all (serverless.yml's `'*'`). */
export const routes: Routes = { 'GET /health': awsRoutes['GET /health']!, [CATCH_ALL]: awsRoutes.$default! };

const stack = httpFunction(routes);

// A request no route of the table names (`GET /`, `POST /health`, `/nowhere`) is the catch-all's.
export const main = cloudbaseHttpFunction(routes, (event, context) =>
  stack(
    event.routeKey in routes ? event : { ...event, routeKey: CATCH_ALL, requestContext: { ...event.requestContext, routeKey: CATCH_ALL } },
    context,
  ),
);
