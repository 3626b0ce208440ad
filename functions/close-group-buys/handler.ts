// Stream-triggered by a group buy in status `closing`: advances its closing by a few pages (a few
// seconds of work), recording progress, which is the stream record that brings the next call.
import type { Context, DynamoDBStreamEvent } from 'aws-lambda';
import { advanceClosing } from '../../lib/cutoff/cutoff';
import { cutoffDeps } from '../../lib/cutoff/wiring';
import { streamFunction } from '../../lib/runtime/stream';

const deps = cutoffDeps();
/** Work per invocation: well inside the function's timeout, so no call runs long. */
const WORK_BUDGET_MS = 5_000;

export const main = (event: DynamoDBStreamEvent, context?: Context) => {
  const started = Date.now();
  const hasTime = () => Date.now() - started < WORK_BUDGET_MS && (!context || context.getRemainingTimeInMillis() > 5_000);
  return streamFunction(async (change) => {
    const image = change.newImage;
    if (image?.type !== 'GROUP_BUY' || image.status !== 'closing' || typeof image.groupBuyId !== 'string') return;
    await advanceClosing(deps, image.groupBuyId, { maxPages: 5, hasTime });
  })(event);
};
