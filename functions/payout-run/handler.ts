// Scheduled (PAYOUT_CRON, default Monday 10:00 Asia/Shanghai): proposes this week's payouts.
import type { Context } from 'aws-lambda';
import { runPayouts } from '../../lib/commissions/payouts';
import { payoutDeps } from '../../lib/commissions/wiring';
import { observed } from '../../lib/runtime/observability';

const deps = payoutDeps();

export const main = (_event?: unknown, context?: Context) => observed(context, () => runPayouts(deps));
