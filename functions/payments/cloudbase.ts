// The payments function on Tencent CloudBase: the providers' notifications (`/payments/…`, the HTTP access path
// `/payments`), run by the same routes as the AWS entry (handler.ts) on the CloudBase adapters (DATA_STORE=
// cloudbase, lib/payments/wiring.ts). Its `POST /orders/{orderId}/payment` is served by the orders function
// there, which owns the `/orders` prefix (functions/orders/cloudbase.ts).
import { cloudbaseHttpFunction } from '../../lib/runtime/cloudbase-http';
import type { Routes } from '../../lib/runtime/http';
import { routes as allRoutes } from './handler';

const routes: Routes = Object.fromEntries(Object.entries(allRoutes).filter(([key]) => key.split(' ')[1]!.startsWith('/payments/')));

export const main = cloudbaseHttpFunction(routes);

/** What this function serves on CloudBase (infra/cloudbaserc.test.ts checks HTTP access sends it exactly these). */
export { routes };
