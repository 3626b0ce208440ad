// Shortfalls: a supplier reports what of a purchase order will not arrive; the residents affected are
// refunded for exactly the missing units.
import { PurchaseOrderIdPathSchema } from '../../schemas/purchase-orders';
import { ReportShortfallBodySchema } from '../../schemas/shortfalls';
import { reportShortfall, shortfallView } from '../../lib/purchase-orders/shortfalls';
import { shortfallDeps } from '../../lib/purchase-orders/wiring';
import type { Routes } from '../../lib/runtime/http';
import { httpFunction, route } from '../../lib/runtime/http';

const deps = shortfallDeps();

export const routes: Routes = {
  'POST /purchase-orders/{purchaseOrderId}/shortfalls': route({
    auth: 'user',
    path: PurchaseOrderIdPathSchema,
    body: ReportShortfallBodySchema,
    async handle({ principal, path, body, headers }) {
      const { shortfall, replayed } = await reportShortfall(deps, principal, path.purchaseOrderId, body, headers['idempotency-key']);
      return { status: replayed ? 200 : 201, body: shortfallView(shortfall) };
    },
  }),
};

export const main = httpFunction(routes);
