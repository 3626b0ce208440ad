// The notifications function on Tencent CloudBase: a leader's arrival confirmation (HTTP access path
// `/pickup-points/me/arrivals`) and everyone's notification settings (`/me/notification-settings`), the same
// route table as the AWS entry, on the document-database adapters (DATA_STORE=cloudbase). The notices an
// arrival writes go out through the outbox, swept by the notify function.
import { cloudbaseUserHttpFunction } from '../../lib/auth/cloudbase-stack';
import { routes } from './handler';

export const main = cloudbaseUserHttpFunction(routes);

/** What this function serves on CloudBase (infra/cloudbaserc.test.ts checks HTTP access sends it exactly these). */
export { routes };
