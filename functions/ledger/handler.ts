// A leader's commissions: pending, available and paid amounts and every ledger entry.
import { LeaderCommissionsPathSchema } from '../../schemas/commissions';
import { commissionsOf } from '../../lib/commissions/commissions';
import { commissionDeps } from '../../lib/commissions/wiring';
import { httpFunction, route, type Routes } from '../../lib/runtime/http';

const deps = commissionDeps();

export const routes: Routes = {
  'GET /leaders/me/commissions': route({
    auth: 'user',
    async handle({ principal }) {
      return { body: await commissionsOf(deps, principal, 'me') };
    },
  }),
  'GET /leaders/{leaderId}/commissions': route({
    auth: 'user',
    path: LeaderCommissionsPathSchema,
    async handle({ principal, path }) {
      return { body: await commissionsOf(deps, principal, path.leaderId) };
    },
  }),
};

export const main = httpFunction(routes);
