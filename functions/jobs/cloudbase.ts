// The operators' jobs on Tencent CloudBase, through the HTTP access path `/jobs`. `POST /jobs/cutoff` advances
// the closings it waits for itself there (no stream brings their next pages at once: lib/cutoff/wiring.ts).
import { cloudbaseUserHttpFunction } from '../../lib/auth/cloudbase-stack';
import { routes } from './handler';

export const main = cloudbaseUserHttpFunction(routes);

/** What this function serves on CloudBase (infra/cloudbaserc.test.ts checks HTTP access sends it exactly these). */
export { routes };
