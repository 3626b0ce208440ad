// Supplier purchase orders: list by delivery date, read one (as JSON or as CSV), acknowledge, ship.
import { ListPurchaseOrdersQuerySchema, PurchaseOrderIdPathSchema } from '../../schemas/purchase-orders';
import { csvFileName, purchaseOrderCsv } from '../../lib/purchase-orders/csv';
import {
  actOnPurchaseOrder,
  listPurchaseOrders,
  purchaseOrderRevisions,
  purchaseOrderView,
  readPurchaseOrder,
  revisionView,
} from '../../lib/purchase-orders/purchase-orders';
import { purchaseOrderDeps } from '../../lib/purchase-orders/wiring';
import { httpFunction, route, type Reply, type Routes } from '../../lib/runtime/http';

const deps = purchaseOrderDeps();

/** `Accept: text/csv` (alone or among others) asks for the spreadsheet. */
const wantsCsv = (accept: string | undefined) => !!accept && /(^|,)\s*text\/csv\b/i.test(accept);

export const routes: Routes = {
  'GET /purchase-orders': route({
    auth: 'user',
    query: ListPurchaseOrdersQuerySchema,
    async handle({ principal, query }) {
      const page = await listPurchaseOrders(deps, principal, query);
      return { body: { items: page.items.map(purchaseOrderView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) } };
    },
  }),
  'GET /purchase-orders/{purchaseOrderId}': route({
    auth: 'user',
    path: PurchaseOrderIdPathSchema,
    async handle({ principal, path, headers }): Promise<Reply> {
      const po = await readPurchaseOrder(deps, principal, path.purchaseOrderId);
      if (wantsCsv(headers.accept)) {
        return {
          contentType: 'text/csv; charset=utf-8',
          body: purchaseOrderCsv(po),
          headers: { 'content-disposition': `attachment; filename="${csvFileName(po)}"`, vary: 'Accept' },
        };
      }
      return { body: purchaseOrderView(po), headers: { vary: 'Accept' } };
    },
  }),
  'GET /purchase-orders/{purchaseOrderId}/revisions': route({
    auth: 'user',
    path: PurchaseOrderIdPathSchema,
    async handle({ principal, path }) {
      return { body: { items: (await purchaseOrderRevisions(deps, principal, path.purchaseOrderId)).map(revisionView) } };
    },
  }),
  'POST /purchase-orders/{purchaseOrderId}/acknowledge': route({
    auth: 'user',
    path: PurchaseOrderIdPathSchema,
    async handle({ principal, path }) {
      return { body: purchaseOrderView(await actOnPurchaseOrder(deps, principal, path.purchaseOrderId, 'acknowledge')) };
    },
  }),
  'POST /purchase-orders/{purchaseOrderId}/ship': route({
    auth: 'user',
    path: PurchaseOrderIdPathSchema,
    async handle({ principal, path }) {
      return { body: purchaseOrderView(await actOnPurchaseOrder(deps, principal, path.purchaseOrderId, 'ship')) };
    },
  }),
};

export const main = httpFunction(routes);
