// Scheduled hourly: orders nobody collected within PICKUP_WINDOW_DAYS of their pickup date are refunded in
// full; then the residents of those that will be refunded tomorrow are told, once.
import type { Context } from 'aws-lambda';
import { remindUncollectedDue } from '../../lib/notifications/reminders';
import { reminderDeps } from '../../lib/notifications/wiring';
import { refundUncollected } from '../../lib/orders/uncollected';
import { uncollectedDeps } from '../../lib/orders/wiring';
import { observed } from '../../lib/runtime/observability';

const deps = uncollectedDeps();
const reminders = { ...reminderDeps(), orders: deps.orders, pickupWindowDays: deps.pickupWindowDays };

export const main = (_event: unknown, context?: Context) =>
  observed(context, async () => {
    const hasTime = () => !context || context.getRemainingTimeInMillis() > 5_000;
    const { refunded } = await refundUncollected(deps, { hasTime });
    return { refunded, ...(hasTime() ? await remindUncollectedDue(reminders) : { reminded: 0 }) };
  });
