// The leaders function on Tencent CloudBase: the AWS entry's routes (applying, the leader's own record, the
// operators' review) on the CloudBase adapters (DATA_STORE=cloudbase), and two routes of other functions under
// `/leaders/{leaderId}/…`: ledger's commissions and customers' stats of a named leader. CloudBase's HTTP access
// routes by path prefix only, so they come here (the literal /leaders/me/commissions, /leaders/me/payout,
// /leaders/me/customers and /leaders/me/stats have access paths of their own).
import { cloudbaseUserHttpFunction } from '../../lib/auth/cloudbase-stack';
import type { Routes } from '../../lib/runtime/http';
import { routes as customersRoutes } from '../customers/handler';
import { routes as ledgerRoutes } from '../ledger/handler';
import { routes as leaderRoutes } from './handler';

/** What this function serves on CloudBase (infra/cloudbaserc.test.ts checks HTTP access sends it exactly these). */
export const routes: Routes = {
  ...leaderRoutes,
  'GET /leaders/{leaderId}/commissions': ledgerRoutes['GET /leaders/{leaderId}/commissions']!,
  'GET /leaders/{leaderId}/stats': customersRoutes['GET /leaders/{leaderId}/stats']!,
};

export const main = cloudbaseUserHttpFunction(routes);
