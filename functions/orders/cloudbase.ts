// The orders function on Tencent CloudBase: the same route table as the AWS entry (handler.ts), reached
// through CloudBase's HTTP access service; the CloudBase build sets DATA_STORE=cloudbase, so the use-cases
// run on the document-database adapters (lib/orders/wiring.ts). A resident calling from the mini-program
// needs no token: CloudBase vouches for their WX_OPENID, whose user places and reads their orders.
// CloudBase routes by path prefix only, so `/orders` also brings the payments function's
// `POST /orders/{orderId}/payment` and the reviews function's `POST /orders/{orderId}/reviews` here: each is
// served from that function's own route table.
import { cloudbaseUserHttpFunction } from '../../lib/auth/cloudbase-stack';
import type { Routes } from '../../lib/runtime/http';
import { routes as paymentRoutes } from '../payments/handler';
import { routes as reviewRoutes } from '../reviews/handler';
import { routes as orderRoutes } from './handler';

const routes: Routes = {
  ...orderRoutes,
  'POST /orders/{orderId}/payment': paymentRoutes['POST /orders/{orderId}/payment']!,
  'POST /orders/{orderId}/reviews': reviewRoutes['POST /orders/{orderId}/reviews']!,
};

export const main = cloudbaseUserHttpFunction(routes);

/** What this function serves on CloudBase (infra/cloudbaserc.test.ts checks HTTP access sends it exactly these). */
export { routes };
