// The payouts function on Tencent CloudBase (HTTP access paths `/payouts` and `/leaders/me/payout`): the
// operators' review (list, approve, release, reject), WeChat Pay's transfer notifications, and a leader's own
// open payout, from a browser with a token or from the mini-program as the user of their WX_OPENID.
import { cloudbaseUserHttpFunction } from '../../lib/auth/cloudbase-stack';
import { routes } from './handler';

export const main = cloudbaseUserHttpFunction(routes);

/** What this function serves on CloudBase (infra/cloudbaserc.test.ts checks HTTP access sends it exactly these). */
export { routes };
