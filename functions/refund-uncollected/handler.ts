// Scheduled hourly: orders nobody collected within PICKUP_WINDOW_DAYS of their pickup date are refunded in full.
import type { Context } from 'aws-lambda';
import { refundUncollected } from '../../lib/orders/uncollected';
import { uncollectedDeps } from '../../lib/orders/wiring';
import { observed } from '../../lib/runtime/observability';

const deps = uncollectedDeps();

export const main = (_event: unknown, context?: Context) =>
  observed(context, () => refundUncollected(deps, { hasTime: () => !context || context.getRemainingTimeInMillis() > 5_000 }));
