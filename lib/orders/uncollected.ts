// Uncollected orders (issue 12): an order still `ready_for_pickup` PICKUP_WINDOW_DAYS after its pickup date
// is refunded in full by a scheduled job (reason `uncollected`). It was never picked up, so it earns no
// commission (the commission rules pay picked-up lines only). Each refund is one conditional change of the
// order with a refund id derived from the order: a run repeated, overlapping or killed half way refunds once.
import type { Order } from '../../schemas/orders';
import { addDays, businessDate } from '../runtime/time';
import { fullRefund, transitioned, withFreshOrder } from './changes';
import type { OrderDeps } from './ports';

export const UNCOLLECTED_REASON = 'uncollected';
export const uncollectedRefundId = (orderId: string) => `${orderId}-uncollected`;

/** The last pickup date whose orders are past their window on `now`'s business date. */
export const lastDuePickupDate = (now: Date, windowDays: number) => businessDate(addDays(now, -windowDays));

export async function refundUncollected(
  deps: Pick<OrderDeps, 'orders' | 'clock'> & { pickupWindowDays: number },
  options: { limit?: number; hasTime?: () => boolean } = {},
): Promise<{ refunded: number }> {
  const now = deps.clock.now();
  const lastDue = lastDuePickupDate(now, deps.pickupWindowDays);
  let refunded = 0;
  for (;;) {
    const due = await deps.orders.readyUpTo(lastDue, options.limit ?? 100);
    let changed = 0;
    for (const candidate of due) {
      if (options.hasTime && !options.hasTime()) return { refunded };
      const done = await withFreshOrder(deps.orders, candidate.orderId, async (order: Order) => {
        if (order.status !== 'ready_for_pickup' || order.pickupDate > lastDue) return false;
        const at = deps.clock.now().toISOString();
        const full = fullRefund(order, uncollectedRefundId(order.orderId), UNCOLLECTED_REASON, 'system:uncollected', at);
        const after: Order = { ...transitioned(order, 'refundAll', at), ...(full?.after ?? {}), uncollectedAt: at };
        const outcome = await deps.orders.change({
          before: order,
          after,
          release: true,
          refunds: full ? [full.refund] : [],
          audit: {
            entityId: order.orderId,
            entityType: 'order',
            action: 'order.refunded_uncollected',
            actor: 'system:uncollected',
            at,
            before: order,
            after,
          },
        });
        return outcome === 'changed' ? true : 'stale';
      });
      if (done) {
        refunded++;
        changed++;
      }
    }
    // The index is eventually consistent: a page that changed nothing is the end of this run's work.
    if (changed === 0) return { refunded };
  }
}
