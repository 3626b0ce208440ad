// Operators review the proposed payouts: approve (paid through the payout port) or reject.
import { ListPayoutsQuerySchema, PayoutIdPathSchema, RejectPayoutBodySchema } from '../../schemas/commissions';
import { approvePayout, listPayouts, rejectPayout, type PayoutWithEntries } from '../../lib/commissions/payouts';
import { payoutDeps } from '../../lib/commissions/wiring';
import { httpFunction, route, type Routes } from '../../lib/runtime/http';
import { toBusinessIso } from '../../lib/runtime/time';

const deps = payoutDeps();

export const payoutView = (p: PayoutWithEntries) => ({
  payoutId: p.payoutId,
  leaderId: p.leaderId,
  amountFen: p.amountFen,
  status: p.status,
  entryIds: p.entryIds,
  createdAt: toBusinessIso(p.createdAt),
  ...(p.paidAt ? { paidAt: toBusinessIso(p.paidAt) } : {}),
  ...(p.reason ? { reason: p.reason } : {}),
});

export const routes: Routes = {
  'GET /payouts': route({
    auth: 'user',
    query: ListPayoutsQuerySchema,
    async handle({ principal, query }) {
      const page = await listPayouts(deps, principal, query.status, query.limit, query.cursor);
      return { body: { items: page.items.map(payoutView), ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) } };
    },
  }),
  'POST /payouts/{payoutId}/approve': route({
    auth: 'user',
    path: PayoutIdPathSchema,
    async handle({ principal, path }) {
      return { body: payoutView(await approvePayout(deps, principal, path.payoutId)) };
    },
  }),
  'POST /payouts/{payoutId}/reject': route({
    auth: 'user',
    path: PayoutIdPathSchema,
    body: RejectPayoutBodySchema,
    async handle({ principal, path, body }) {
      return { body: payoutView(await rejectPayout(deps, principal, path.payoutId, body.reason)) };
    },
  }),
};

export const main = httpFunction(routes);
