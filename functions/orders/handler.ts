// Orders: residents order through a share link, read and cancel their orders.
import { IdempotencyKeySchema, MyOrdersQuerySchema, OrderIdPathSchema, PlaceOrderBodySchema, RefundBodySchema } from '../../schemas/orders';
import { requestRefund } from '../../lib/orders/refunds';
import { config } from '../../lib/runtime/config';
import { cancelOrder, placeOrder } from '../../lib/orders/orders';
import { orderView, readOrder } from '../../lib/orders/view';
import { orderDeps } from '../../lib/orders/wiring';
import type { Routes } from '../../lib/runtime/http';
import { httpFunction, listOf, parseWith, route } from '../../lib/runtime/http';
import { toBusinessIso } from '../../lib/runtime/time';

const deps = orderDeps();

export const routes: Routes = {
  'POST /orders': route({
    auth: 'user',
    body: PlaceOrderBodySchema,
    async handle({ principal, body, headers }) {
      const key = parseWith(IdempotencyKeySchema, headers['idempotency-key'], 'Idempotency-Key');
      const { order, replayed } = await placeOrder(deps, principal, key, body);
      return {
        status: replayed ? 200 : 201,
        body: {
          orderId: order.orderId,
          status: order.status,
          totalFen: order.totalFen,
          items: order.items.map((l) => ({
            productId: l.productId,
            name: l.name,
            quantity: l.quantity,
            unitPriceFen: l.unitPriceFen,
            amountFen: l.amountFen,
          })),
          expiresAt: toBusinessIso(order.expiresAt),
        },
      };
    },
  }),
  'GET /orders/{orderId}': route({
    auth: 'user',
    path: OrderIdPathSchema,
    async handle({ principal, path }) {
      const { order, viewer } = await readOrder(deps, principal, path.orderId);
      return { body: orderView(order, viewer) };
    },
  }),
  'GET /me/orders': route({
    auth: 'user',
    query: MyOrdersQuerySchema,
    answer: async ({ principal, query }) => listOf(await deps.orders.listByUser(principal.userId, query.limit, query.cursor), orderView),
  }),
  'POST /orders/{orderId}/cancel': route({
    auth: 'user',
    path: OrderIdPathSchema,
    async handle({ principal, path }) {
      const order = await cancelOrder(deps, principal, path.orderId);
      return { body: { orderId: order.orderId, status: order.status, refundedFen: order.refundedFen } };
    },
  }),
  'POST /orders/{orderId}/refunds': route({
    auth: 'user',
    path: OrderIdPathSchema,
    body: RefundBodySchema,
    async handle({ principal, path, body, headers }) {
      const key =
        headers['idempotency-key'] === undefined
          ? undefined
          : parseWith(IdempotencyKeySchema, headers['idempotency-key'], 'Idempotency-Key');
      const { refund, replayed } = await requestRefund(
        { ...deps, afterSalesHours: config.afterSalesHours },
        principal,
        path.orderId,
        body,
        key,
      );
      return {
        status: replayed ? 200 : 201,
        body: { refundId: refund.refundId, amountFen: refund.amountFen, status: refund.status, lines: refund.lines },
      };
    },
  }),
};

export const main = httpFunction(routes);
