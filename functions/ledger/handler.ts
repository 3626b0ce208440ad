// A leader's commissions: pending, available and paid amounts and every ledger entry.
import { LeaderCommissionsPathSchema, LeaderCommissionsQuerySchema } from '../../schemas/commissions';
import { commissionsOf } from '../../lib/commissions/commissions';
import { commissionDeps } from '../../lib/commissions/wiring';
import type { Routes } from '../../lib/runtime/http';
import { httpFunction, route } from '../../lib/runtime/http';

const deps = commissionDeps();

export const routes: Routes = {
  'GET /leaders/me/commissions': route({
    auth: 'user',
    query: LeaderCommissionsQuerySchema,
    answer: ({ principal, query }) => commissionsOf(deps, principal, 'me', query),
  }),
  'GET /leaders/{leaderId}/commissions': route({
    auth: 'user',
    path: LeaderCommissionsPathSchema,
    query: LeaderCommissionsQuerySchema,
    answer: ({ principal, path, query }) => commissionsOf(deps, principal, path.leaderId, query),
  }),
};

export const main = httpFunction(routes);
