// The customers function on Tencent CloudBase: the leader's own customer book and stats, reached through the
// HTTP access paths `/leaders/me/customers` and `/leaders/me/stats` (cloudbaserc.json), on the document-database
// adapters (DATA_STORE=cloudbase, lib/customers/wiring.ts). `GET /leaders/{leaderId}/stats` shares the prefix
// `/leaders/{…}` with the leaders function, which owns it on CloudBase and serves that route from handler.ts.
import { cloudbaseUserHttpFunction } from '../../lib/auth/cloudbase-stack';
import { routes as all } from './handler';

const SERVED = ['GET /leaders/me/customers', 'GET /leaders/me/stats'] as const;

/** What this function serves on CloudBase (infra/cloudbaserc.test.ts checks HTTP access sends it exactly these). */
export const routes = Object.fromEntries(SERVED.map((key) => [key, all[key]!]));

export const main = cloudbaseUserHttpFunction(routes);
