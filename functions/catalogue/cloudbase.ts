// The catalogue function on Tencent CloudBase: the AWS entry's routes (suppliers, products) on the CloudBase
// adapters (DATA_STORE=cloudbase), and auth's supplier-member routes: CloudBase's HTTP access routes by path
// prefix only, so everything under /suppliers comes here.
import { cloudbaseUserHttpFunction } from '../../lib/auth/cloudbase-stack';
import type { Routes } from '../../lib/runtime/http';
import { routes as authRoutes } from '../auth/handler';
import { routes as catalogueRoutes } from './handler';

/** What this function serves on CloudBase (infra/cloudbaserc.test.ts checks HTTP access sends it exactly these). */
export const routes: Routes = {
  ...catalogueRoutes,
  'POST /suppliers/{supplierId}/members': authRoutes['POST /suppliers/{supplierId}/members']!,
  'DELETE /suppliers/{supplierId}/members/{phone}': authRoutes['DELETE /suppliers/{supplierId}/members/{phone}']!,
};

export const main = cloudbaseUserHttpFunction(routes);
