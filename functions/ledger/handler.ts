// A leader's commissions: pending, available and paid amounts and every ledger entry.
import { LeaderCommissionsPathSchema, LeaderCommissionsQuerySchema } from '../../schemas/commissions';
import { commissionsOf } from '../../lib/commissions/commissions';
import { commissionDeps } from '../../lib/commissions/wiring';
import { httpFunction, route, type Routes } from '../../lib/runtime/http';

const deps = commissionDeps();

export const routes: Routes = {
  'GET /leaders/me/commissions': route({
    auth: 'user',
    query: LeaderCommissionsQuerySchema,
    async handle({ principal, query }) {
      return { body: await commissionsOf(deps, principal, 'me', query) };
    },
  }),
  'GET /leaders/{leaderId}/commissions': route({
    auth: 'user',
    path: LeaderCommissionsPathSchema,
    query: LeaderCommissionsQuerySchema,
    async handle({ principal, path, query }) {
      return { body: await commissionsOf(deps, principal, path.leaderId, query) };
    },
  }),
};

export const main = httpFunction(routes);
