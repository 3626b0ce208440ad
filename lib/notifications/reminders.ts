// The hook of the uncollected-refund job (PICKUP_WINDOW_DAYS after the pickup date an order nobody
// collected is refunded): a day before, the job calls `remindUncollected` with the orders it will refund
// the next day. Safe to call any number of times, from any run: each order's reminder is one notice,
// its id derived from the order, so a resident hears it once. It only writes notices: it cannot fail an
// order or hold the job back, except by throwing when the table cannot be written at all.
import type { Order } from '../../schemas/orders';
import type { OrderStore } from '../orders/ports';
import { lastDuePickupDate } from '../orders/uncollected';
import { addDays, businessDate } from '../runtime/time';
import type { Clock } from '../runtime/clock';
import type { NoticeStore } from './ports';
import { uncollectedSoonNotice } from './planning';

export interface ReminderDeps {
  notices: Pick<NoticeStore, 'add'>;
  clock: Clock;
  site: string;
}

/**
 * Tells each resident whose order is still `ready_for_pickup` that it will be refunded on `refundOn`
 * (YYYY-MM-DD, Asia/Shanghai) unless they collect it. Returns how many were told now (not before).
 */
export async function remindUncollected(deps: ReminderDeps, orders: Order[], refundOn: string): Promise<number> {
  const at = deps.clock.now().toISOString();
  let told = 0;
  for (const order of orders) {
    if (order.status !== 'ready_for_pickup' || !order.pickupCode) continue;
    if (await deps.notices.add(uncollectedSoonNotice(order, refundOn, deps.site, at))) told++;
  }
  return told;
}

/** Orders read per reminder run: a pickup point's day is far fewer; past it, the next hourly run goes on. */
const REMINDER_PAGE = 1000;

/**
 * The uncollected-refund job's second step, after it refunded what is due: every order that the job will
 * refund tomorrow (its pickup date is the one due a day from now) is told so today, once.
 */
export async function remindUncollectedDue(
  deps: ReminderDeps & { orders: Pick<OrderStore, 'readyUpTo'>; pickupWindowDays: number },
): Promise<{ reminded: number }> {
  const now = deps.clock.now();
  const tomorrow = addDays(now, 1);
  const dueTomorrow = lastDuePickupDate(tomorrow, deps.pickupWindowDays);
  const refundOn = businessDate(tomorrow);
  // What is due today was refunded by the step before; what the index still lists up to tomorrow's date is
  // tomorrow's (the status check in remindUncollected skips any the index has not caught up with).
  const orders = await deps.orders.readyUpTo(dueTomorrow, REMINDER_PAGE);
  return { reminded: await remindUncollected(deps, orders, refundOn) };
}
