// A consumer of table changes: a group buy in status `closing` advances its closing by a few pages (a few
// seconds of work), recording progress, which is the change that brings the next call.
import type { Context, SQSEvent } from 'aws-lambda';
import { advanceClosing } from '../../lib/cutoff/cutoff';
import { cutoffDeps } from '../../lib/cutoff/wiring';
import { count } from '../../lib/runtime/observability';
import { queueFunction } from '../../lib/runtime/stream';

const deps = cutoffDeps();
/** Work per invocation: well inside the function's timeout, so no call runs long. */
const WORK_BUDGET_MS = 5_000;

const budget = (context?: Context) => {
  const started = Date.now();
  return () => Date.now() - started < WORK_BUDGET_MS && (!context || context.getRemainingTimeInMillis() > 5_000);
};

/** One invocation: each group buy of the batch advanced once (a batch may carry several of its changes), in one time budget. */
export const main = (event: SQSEvent, context?: Context) => {
  const hasTime = budget(context);
  const advanced = new Set<string>();
  return queueFunction(async (change) => {
    const image = change.newImage;
    if (image?.type !== 'GROUP_BUY' || image.status !== 'closing' || typeof image.groupBuyId !== 'string') return;
    if (advanced.has(image.groupBuyId)) return;
    advanced.add(image.groupBuyId);
    const result = await advanceClosing(deps, image.groupBuyId, { maxPages: 5, hasTime });
    if (result.finished) count(result.outcome === 'failed' ? 'GroupBuysFailed' : 'GroupBuysClosed');
  })(event, context);
};
