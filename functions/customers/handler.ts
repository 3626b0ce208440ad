// The leader's private domain, read side: the customer book and the stats (an operator reads any leader's stats).
import { CustomersQuerySchema, StatsPathSchema, StatsQuerySchema } from '../../schemas/customers';
import { leaderStats, myCustomers } from '../../lib/customers/customers';
import { customerBookDeps } from '../../lib/customers/wiring';
import type { Routes } from '../../lib/runtime/http';
import { httpFunction, route } from '../../lib/runtime/http';

const deps = customerBookDeps();

export const routes: Routes = {
  'GET /leaders/me/customers': route({
    auth: 'user',
    query: CustomersQuerySchema,
    answer: ({ principal, query }) => myCustomers(deps, principal, query),
  }),
  'GET /leaders/me/stats': route({
    auth: 'user',
    query: StatsQuerySchema,
    answer: ({ principal, query }) => leaderStats(deps, principal, 'me', query.days),
  }),
  'GET /leaders/{leaderId}/stats': route({
    auth: 'user',
    path: StatsPathSchema,
    query: StatsQuerySchema,
    answer: ({ principal, path, query }) => leaderStats(deps, principal, path.leaderId, query.days),
  }),
};

export const main = httpFunction(routes);
