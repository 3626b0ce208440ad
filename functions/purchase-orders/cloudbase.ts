// The purchase-orders function on Tencent CloudBase: the same route table as the AWS entry (handler.ts), reached
// through CloudBase's HTTP access path `/purchase-orders`, on the document-database adapters (DATA_STORE=cloudbase:
// lib/purchase-orders/wiring.ts). CloudBase routes by path prefix only, so `/purchase-orders` also brings the
// shortfalls function's `POST /purchase-orders/{purchaseOrderId}/shortfalls` here, served from its own table.
import { cloudbaseHttpFunction } from '../../lib/runtime/cloudbase-http';
import type { Routes } from '../../lib/runtime/http';
import { routes as shortfallRoutes } from '../shortfalls/handler';
import { routes as purchaseOrderRoutes } from './handler';

const SHORTFALLS = 'POST /purchase-orders/{purchaseOrderId}/shortfalls';

/** What this function serves on CloudBase (infra/cloudbaserc.test.ts checks HTTP access sends it exactly these). */
export const routes: Routes = { ...purchaseOrderRoutes, [SHORTFALLS]: shortfallRoutes[SHORTFALLS]! };

export const main = cloudbaseHttpFunction(routes);
