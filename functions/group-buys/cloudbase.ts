// The groupBuys function on Tencent CloudBase: the AWS entry's routes (opening a group buy, viewing it,
// directly or through a share link) on the CloudBase adapters (DATA_STORE=cloudbase), and sharing's two routes
// (the 接龙 text, the poster): CloudBase's HTTP access routes by path prefix only, so everything under
// /group-buys and /share comes here. Sharing only reads group buys and leaders, on the same stores.
import { cloudbaseHttpFunction } from '../../lib/runtime/cloudbase-http';
import type { Routes } from '../../lib/runtime/http';
import { routes as sharingRoutes } from '../sharing/handler';
import { routes as groupBuyRoutes } from './handler';

/** What this function serves on CloudBase (infra/cloudbaserc.test.ts checks HTTP access sends it exactly these). */
export const routes: Routes = { ...groupBuyRoutes, ...sharingRoutes };

export const main = cloudbaseHttpFunction(routes);
