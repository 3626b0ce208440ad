// Scheduled (PAYOUT_CRON, default Monday 10:00 Asia/Shanghai): proposes this week's payouts.
import { runPayouts } from '../../lib/commissions/payouts';
import { payoutDeps } from '../../lib/commissions/wiring';

const deps = payoutDeps();

export const main = () => runPayouts(deps);
