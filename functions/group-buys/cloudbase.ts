// The groupBuys function on Tencent CloudBase: the AWS entry's routes (opening a group buy, viewing it,
// directly or through a share link) on the CloudBase adapters (DATA_STORE=cloudbase), and sharing's two routes
// (the 接龙 text, the poster): CloudBase's HTTP access routes by path prefix only, so everything under
// /group-buys and /share comes here, and with it the reviews of a group buy's pickup point (the reviews function's
// GET /group-buys/{groupBuyId}/reviews). Sharing only reads group buys and leaders, on the same stores.
import { cloudbaseUserHttpFunction } from '../../lib/auth/cloudbase-stack';
import type { Routes } from '../../lib/runtime/http';
import { routes as reviewRoutes } from '../reviews/handler';
import { routes as sharingRoutes } from '../sharing/handler';
import { routes as groupBuyRoutes } from './handler';

/** What this function serves on CloudBase (infra/cloudbaserc.test.ts checks HTTP access sends it exactly these). */
export const routes: Routes = {
  ...groupBuyRoutes,
  ...sharingRoutes,
  'GET /group-buys/{groupBuyId}/reviews': reviewRoutes['GET /group-buys/{groupBuyId}/reviews']!,
};

export const main = cloudbaseUserHttpFunction(routes);
