// What a change of an order does to the figures kept beside it, computed from the order before and after:
// a group buy's real sales per item (paid orders only: what residents are shown as sold), and a leader's paid
// sales and refunds per paid date (what the payouts' refund-rate check reads). The store writes these deltas
// in the order's own conditional transaction, so a change counts exactly once, whoever repeats it.
import type { Order } from '../../schemas/orders';
import { businessDate } from '../runtime/time';

/** Orders whose money the platform holds for goods: what counts as sold (never an unpaid or refunded one). */
const SOLD_STATUSES: ReadonlySet<string> = new Set(['paid', 'ready_for_pickup', 'picked_up']);

export interface SoldDelta {
  productId: string;
  /** Units sold (more, or fewer). */
  quantity: number;
  /** Paid orders that include the item (each one buyer, as a 接龙 list counts them). */
  orders: number;
}

/** Units sold per product by this order as it stands: a line refunded in full sold nothing. */
function soldLines(order: Order): Map<string, number> {
  const sold = new Map<string, number>();
  if (!SOLD_STATUSES.has(order.status)) return sold;
  for (const line of order.items) if (line.refundedFen < line.amountFen) sold.set(line.productId, line.quantity);
  return sold;
}

/** How the group buy's sold counts move when `before` becomes `after`. */
export function soldDeltas(before: Order, after: Order): SoldDelta[] {
  const was = soldLines(before);
  const now = soldLines(after);
  const deltas: SoldDelta[] = [];
  for (const productId of new Set([...was.keys(), ...now.keys()])) {
    const quantity = (now.get(productId) ?? 0) - (was.get(productId) ?? 0);
    const orders = (now.has(productId) ? 1 : 0) - (was.has(productId) ? 1 : 0);
    if (quantity !== 0 || orders !== 0) deltas.push({ productId, quantity, orders });
  }
  return deltas;
}

export interface SalesDelta {
  /** The business date the order was paid on: its sales and its refunds are filed there. */
  date: string;
  paidFen: number;
  refundedFen: number;
}

/** How the leader's paid sales (and what was refunded of them) move: filed under the order's paid date. */
export function leaderSalesDelta(before: Order, after: Order): SalesDelta | undefined {
  if (!after.paidAt) return undefined;
  const paidFen = before.paidAt ? 0 : after.totalFen;
  const refundedFen = after.refundedFen - before.refundedFen;
  if (paidFen === 0 && refundedFen === 0) return undefined;
  return { date: businessDate(new Date(after.paidAt)), paidFen, refundedFen };
}
