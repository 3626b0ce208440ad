// Scheduled hourly: orders nobody collected within PICKUP_WINDOW_DAYS of their pickup date are refunded in
// full; then the residents of those that will be refunded tomorrow are told, once.
import type { Context } from 'aws-lambda';
import type { ReminderDeps } from '../../lib/notifications/reminders';
import { remindUncollectedDue } from '../../lib/notifications/reminders';
import { reminderDeps } from '../../lib/notifications/wiring';
import { refundUncollected } from '../../lib/orders/uncollected';
import { uncollectedDeps } from '../../lib/orders/wiring';
import { observed } from '../../lib/runtime/observability';

type UncollectedDeps = ReturnType<typeof uncollectedDeps>;

/** The job: refunds what is due, then (given where to write notices) reminds tomorrow's, while time is left. */
export const uncollectedJob = (deps: UncollectedDeps, reminders?: ReminderDeps) => (_event: unknown, context?: Context) =>
  observed(context, async () => {
    const hasTime = () => !context || context.getRemainingTimeInMillis() > 5_000;
    const { refunded } = await refundUncollected(deps, { hasTime });
    const remind = reminders && hasTime();
    return {
      refunded,
      ...(remind
        ? await remindUncollectedDue({ ...reminders, orders: deps.orders, pickupWindowDays: deps.pickupWindowDays })
        : { reminded: 0 }),
    };
  });

export const main = uncollectedJob(uncollectedDeps(), reminderDeps());
