// The ledger function on Tencent CloudBase (HTTP access path `/leaders/me/commissions`): a leader's own
// commissions, from a browser with a token or from the mini-program as the user of their WX_OPENID. The
// operators' `GET /leaders/{leaderId}/commissions` shares the `/leaders` prefix, which CloudBase sends to the
// leaders function: that one serves it (its entry imports the route from ./handler.ts).
import { cloudbaseUserHttpFunction } from '../../lib/auth/cloudbase-stack';
import type { Routes } from '../../lib/runtime/http';
import { routes as all } from './handler';

/** What this function serves on CloudBase (infra/cloudbaserc.test.ts checks HTTP access sends it exactly these). */
export const routes: Routes = { 'GET /leaders/me/commissions': all['GET /leaders/me/commissions']! };

export const main = cloudbaseUserHttpFunction(routes);
