// The audit function on Tencent CloudBase (HTTP access path `/audit`): the same routes as the AWS entry, for
// operators (bearer tokens), on the CloudBase ledger, orders and audit trail.
import { cloudbaseUserHttpFunction } from '../../lib/auth/cloudbase-stack';
import { routes } from './handler';

export const main = cloudbaseUserHttpFunction(routes);

/** What this function serves on CloudBase (infra/cloudbaserc.test.ts checks HTTP access sends it exactly these). */
export { routes };
