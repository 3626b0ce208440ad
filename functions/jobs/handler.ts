// Operators run the scheduled jobs on demand; they do exactly what the schedule does.
import { runPayouts } from '../../lib/commissions/payouts';
import { payoutDeps } from '../../lib/commissions/wiring';
import { runCutoffAndReport } from '../../lib/cutoff/report';
import { cutoffDeps } from '../../lib/cutoff/wiring';
import { requireOperator } from '../../lib/runtime/auth';
import type { Routes } from '../../lib/runtime/http';
import { httpFunction, route } from '../../lib/runtime/http';

const cutoff = cutoffDeps();
const payouts = payoutDeps();
/** API Gateway gives an HTTP call 30 s: report what finished within 20. */
const REPORT_WAIT_MS = 20_000;

export const routes: Routes = {
  'POST /jobs/cutoff': route({
    auth: 'user',
    async handle({ principal }) {
      requireOperator(principal);
      return { body: await runCutoffAndReport(cutoff, { waitMs: REPORT_WAIT_MS }) };
    },
  }),
  'POST /jobs/payouts': route({
    auth: 'user',
    async handle({ principal }) {
      requireOperator(principal);
      return { body: await runPayouts(payouts) };
    },
  }),
};

export const main = httpFunction(routes);
