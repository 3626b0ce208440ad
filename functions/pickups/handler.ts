// Pickup points: the sorting sheet of a date, and the leader's confirmation of a pickup by code.
import { ConfirmPickupBodySchema, LeaderIdPathSchema, SheetQuerySchema } from '../../schemas/pickups';
import { confirmPickup, pickupSheet } from '../../lib/pickups/pickups';
import { pickupDeps } from '../../lib/pickups/wiring';
import type { Routes } from '../../lib/runtime/http';
import { httpFunction, route } from '../../lib/runtime/http';

const deps = pickupDeps();

export const routes: Routes = {
  'GET /pickup-points/{leaderId}/sheet': route({
    auth: 'user',
    path: LeaderIdPathSchema,
    query: SheetQuerySchema,
    answer: ({ principal, path, query }) => pickupSheet(deps, principal, path.leaderId, query.date),
  }),
  'POST /pickups': route({
    auth: 'user',
    body: ConfirmPickupBodySchema,
    async handle({ principal, body }) {
      const order = await confirmPickup(deps, principal, body.pickupCode, body.date);
      return { body: { orderId: order.orderId, status: order.status, pickupCode: order.pickupCode } };
    },
  }),
};

export const main = httpFunction(routes);
