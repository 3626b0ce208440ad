// Scheduled every minute (and, as the nightly net, at CUTOFF_CRON): begins closing every open group buy
// whose cutoff has passed, resumes any closing that stalled, then waits for the cutoffs of the coming
// minute and begins each as it passes, so a group buy closes at its own cutoff. The closing itself runs
// in `closeGroupBuys`.
import type { Context } from 'aws-lambda';
import { runCutoff } from '../../lib/cutoff/cutoff';
import { cutoffDeps } from '../../lib/cutoff/wiring';
import { observed } from '../../lib/runtime/observability';

const deps = cutoffDeps();
/** The schedule's period: look that far ahead (a little more, so consecutive runs overlap). */
const LOOK_AHEAD_MS = 65_000;
/** Kept free at the end of an invocation. */
const RESERVE_MS = 10_000;

export const main = (_event?: unknown, context?: Context) => observed(context, () => run(context));

async function run(context?: Context) {
  const remaining = () => (context ? context.getRemainingTimeInMillis() : Number.POSITIVE_INFINITY);
  // Called without an invocation's context (a test, a script), it does not wait for cutoffs to come.
  const lookAheadMs = context ? Math.max(0, Math.min(LOOK_AHEAD_MS, remaining() - 2 * RESERVE_MS)) : 0;
  const { begun } = await runCutoff(deps, { lookAheadMs, hasTime: () => remaining() > RESERVE_MS });
  return { begun: begun.length };
}
