// How far ahead group buys reach: the rules on a group buy's cutoff and pickup date, and what follows from
// them for the pickup dates an order can still be placed for.
import { addDays, businessDate } from '../runtime/time';

export const MAX_CUTOFF_DAYS = 7;
/** How long after the cutoff's date the pickup may be (our rule: a week, so share links stay short-lived). */
export const MAX_PICKUP_DAYS_AFTER_CUTOFF = 7;

/**
 * Every pickup date an order may be placed for from `now` on, in order: today's (Asia/Shanghai) and each one
 * a group buy open now, or opened now, may pick (its cutoff within MAX_CUTOFF_DAYS, its pickup within
 * MAX_PICKUP_DAYS_AFTER_CUTOFF of that).
 */
export function orderablePickupDates(now: Date): string[] {
  return Array.from({ length: MAX_CUTOFF_DAYS + MAX_PICKUP_DAYS_AFTER_CUTOFF + 1 }, (_, i) => businessDate(addDays(now, i)));
}
