// The pickups function on Tencent CloudBase: the same route table as the AWS entry, reached through the HTTP
// access paths `/pickup-points` and `/pickups` (`/pickup-points/me/arrivals`, longer, goes to notifications).
import { cloudbaseUserHttpFunction } from '../../lib/auth/cloudbase-stack';
import { routes } from './handler';

export const main = cloudbaseUserHttpFunction(routes);

/** What this function serves on CloudBase (infra/cloudbaserc.test.ts checks HTTP access sends it exactly these). */
export { routes };
