// Reviews of a pickup point: a resident reviews an order they collected; the share page lists them (public).
import { ReviewBodySchema, ReviewsQuerySchema } from '../../schemas/customers';
import { GroupBuyIdPathSchema } from '../../schemas/group-buys';
import { OrderIdPathSchema } from '../../schemas/orders';
import { reviewOrder, reviewsOfGroupBuy } from '../../lib/customers/reviews';
import { reviewDeps } from '../../lib/customers/wiring';
import type { Routes } from '../../lib/runtime/http';
import { httpFunction, route } from '../../lib/runtime/http';

const deps = reviewDeps();

export const routes: Routes = {
  'POST /orders/{orderId}/reviews': route({
    auth: 'user',
    path: OrderIdPathSchema,
    body: ReviewBodySchema,
    async handle({ principal, path, body }) {
      const review = await reviewOrder(deps, principal, path.orderId, body);
      return { status: 201, body: { reviewId: review.reviewId } };
    },
  }),
  'GET /group-buys/{groupBuyId}/reviews': route({
    auth: 'public',
    path: GroupBuyIdPathSchema,
    query: ReviewsQuerySchema,
    answer: ({ path, query }) => reviewsOfGroupBuy(deps, path.groupBuyId, query),
  }),
};

export const main = httpFunction(routes);
