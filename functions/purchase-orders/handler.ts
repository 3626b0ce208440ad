// Supplier purchase orders: list by delivery date, read one (as JSON or as CSV, page by page when it is
// big), its revisions, acknowledge, ship.
import {
  ListPurchaseOrdersQuerySchema,
  PurchaseOrderIdPathSchema,
  PurchaseOrderRevisionsQuerySchema,
  ReadPurchaseOrderQuerySchema,
} from '../../schemas/purchase-orders';
import { csvFileName } from '../../lib/purchase-orders/csv';
import {
  actOnPurchaseOrder,
  listPurchaseOrders,
  purchaseOrderCsvPart,
  purchaseOrderRevisions,
  purchaseOrderView,
  readPurchaseOrderPage,
  revisionView,
} from '../../lib/purchase-orders/purchase-orders';
import { purchaseOrderDeps } from '../../lib/purchase-orders/wiring';
import type { Reply, Routes } from '../../lib/runtime/http';
import { httpFunction, listOf, route } from '../../lib/runtime/http';

const deps = purchaseOrderDeps();

/** `Accept: text/csv` (alone or among others) asks for the spreadsheet. */
const wantsCsv = (accept: string | undefined) => !!accept && /(^|,)\s*text\/csv\b/i.test(accept);

export const routes: Routes = {
  'GET /purchase-orders': route({
    auth: 'user',
    query: ListPurchaseOrdersQuerySchema,
    answer: async ({ principal, query }) => listOf(await listPurchaseOrders(deps, principal, query), purchaseOrderView),
  }),
  'GET /purchase-orders/{purchaseOrderId}': route({
    auth: 'user',
    path: PurchaseOrderIdPathSchema,
    query: ReadPurchaseOrderQuerySchema,
    async handle({ principal, path, query, headers }): Promise<Reply> {
      if (wantsCsv(headers.accept)) {
        const part = await purchaseOrderCsvPart(deps, principal, path.purchaseOrderId, query.cursor);
        // The rest of a big file: `Link: <…?cursor=…>; rel="next"` (the parts, concatenated, are the file).
        const next: Record<string, string> = part.nextCursor
          ? {
              link: `</purchase-orders/${encodeURIComponent(path.purchaseOrderId)}?cursor=${part.nextCursor}>; rel="next"`,
              'x-next-cursor': part.nextCursor,
            }
          : {};
        return {
          contentType: 'text/csv; charset=utf-8',
          body: part.text,
          headers: { 'content-disposition': `attachment; filename="${csvFileName(part.po, part.revision)}"`, vary: 'Accept', ...next },
        };
      }
      return {
        body: purchaseOrderView(await readPurchaseOrderPage(deps, principal, path.purchaseOrderId, query.cursor)),
        headers: { vary: 'Accept' },
      };
    },
  }),
  'GET /purchase-orders/{purchaseOrderId}/revisions': route({
    auth: 'user',
    path: PurchaseOrderIdPathSchema,
    query: PurchaseOrderRevisionsQuerySchema,
    answer: async ({ principal, path, query }) =>
      listOf(await purchaseOrderRevisions(deps, principal, path.purchaseOrderId, query), revisionView),
  }),
  'POST /purchase-orders/{purchaseOrderId}/acknowledge': route({
    auth: 'user',
    path: PurchaseOrderIdPathSchema,
    answer: async ({ principal, path }) =>
      purchaseOrderView(await actOnPurchaseOrder(deps, principal, path.purchaseOrderId, 'acknowledge')),
  }),
  'POST /purchase-orders/{purchaseOrderId}/ship': route({
    auth: 'user',
    path: PurchaseOrderIdPathSchema,
    answer: async ({ principal, path }) => purchaseOrderView(await actOnPurchaseOrder(deps, principal, path.purchaseOrderId, 'ship')),
  }),
};

export const main = httpFunction(routes);
