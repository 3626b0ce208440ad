// The auth function on Tencent CloudBase: sign-in, refresh, logout and GET /me, reached through CloudBase's HTTP
// access paths `/auth` and `/me`, on the document-database stores (DATA_STORE=cloudbase: lib/auth/wiring.ts).
// The supplier-member routes live under `/suppliers`, which CloudBase sends to the catalogue function: its
// entry serves them (imported from ./handler), so this one leaves them out. A resident calling from the
// mini-program is the user of the WX_OPENID CloudBase vouches for (GET /me needs no token there).
import { cloudbaseUserHttpFunction } from '../../lib/auth/cloudbase-stack';
import type { Routes } from '../../lib/runtime/http';
import { routes as awsRoutes } from './handler';

/** What this function serves on CloudBase (infra/cloudbaserc.test.ts checks HTTP access sends it exactly these). */
export const routes: Routes = Object.fromEntries(Object.entries(awsRoutes).filter(([key]) => !key.includes(' /suppliers/')));

export const main = cloudbaseUserHttpFunction(routes);
