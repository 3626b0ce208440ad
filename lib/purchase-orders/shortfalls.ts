// Shortfalls (缺货): a supplier reports, before shipping, units of a purchase order that will not arrive.
// The missing units are taken from the latest-placed orders first; each affected order line is refunded
// for exactly those units at its unit price (a refund intent the refunds consumer executes) and marked
// short, so the purchase order (a revision, through the consolidation), the pickup sheet and the leader's
// commission (net of refunds) follow from the order change. The allocation is decided once and recorded
// before any order is touched: the same report again, or a report killed half way and sent again, settles
// exactly the recorded refunds, each order once (its refund id is derived from the shortfall's).
import { createHash } from 'node:crypto';
import type { Order, Refund } from '../../schemas/orders';
import type { PurchaseOrder } from '../../schemas/purchase-orders';
import type { ReportShortfallBody, Shortfall, ShortfallRefund } from '../../schemas/shortfalls';
import type { AuditEvent } from '../../schemas/common';
import type { SheetLine } from '../../schemas/pickups';
import type { Principal } from '../runtime/auth';
import type { Clock } from '../runtime/clock';
import { conflict, notFound, validationError } from '../runtime/errors';
import { refundChange, withFreshOrder } from '../orders/changes';
import type { OrderStore } from '../orders/ports';
import { parsePurchaseOrderId } from './ids';
import type { PurchaseOrderStore } from './purchase-orders';

export interface ShortfallStore {
  get(purchaseOrderId: string, shortfallId: string): Promise<Shortfall | undefined>;
  /** Writes the report with its audit unless one with its id exists. */
  put(shortfall: Shortfall, audit: AuditEvent): Promise<'written' | 'exists'>;
}

export interface ShortfallDeps {
  purchaseOrders: Pick<PurchaseOrderStore, 'get' | 'breakdown'>;
  shortfalls: ShortfallStore;
  orders: OrderStore;
  /** A pickup point's sheet for a date: the orders with a pickup code there. */
  sheetLines(leaderId: string, date: string): Promise<SheetLine[]>;
  clock: Clock;
}

const hash = (...parts: string[]) => createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 22);

/**
 * The same report (purchase order, lines, reason) has the same id, whatever the order of its lines; an
 * Idempotency-Key, when sent, names the report instead (two genuine reports of the same figures).
 */
export function shortfallIdOf(purchaseOrderId: string, body: ReportShortfallBody, idempotencyKey?: string): string {
  const lines = [...body.lines].sort((a, b) => (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0));
  const report = idempotencyKey ? `key:${idempotencyKey}` : JSON.stringify([lines.map((l) => [l.productId, l.shortQuantity]), body.reason]);
  return `sf-${hash(purchaseOrderId, report)}`;
}

/** One order's refund for a shortfall: derived, so that applying it twice finds it done. */
export const shortfallRefundId = (shortfallId: string, orderId: string) => `r-${hash(shortfallId, orderId)}`;

/** What the report asks of each product, checked against the purchase order (each failure names its field). */
function checkLines(po: PurchaseOrder, body: ReportShortfallBody): Map<string, number> {
  const wanted = new Map<string, number>();
  body.lines.forEach((line, i) => {
    if (wanted.has(line.productId)) throw validationError(`lines.${i}.productId`, 'named twice in one report');
    const ordered = po.lines.filter((l) => l.productId === line.productId).reduce((sum, l) => sum + l.quantity, 0);
    if (ordered <= 0) throw validationError(`lines.${i}.productId`, 'not on this purchase order');
    // Units residents ordered: surplus from rounding up to cases never covers a shortfall.
    if (line.shortQuantity > ordered) throw validationError(`lines.${i}.shortQuantity`, `more than the ${ordered} ordered`);
    wanted.set(line.productId, line.shortQuantity);
  });
  return wanted;
}

const placedLatestFirst = (a: Order, b: Order) =>
  a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.orderId < b.orderId ? 1 : a.orderId > b.orderId ? -1 : 0;

/** Units of a line still to be delivered. */
const deliverable = (line: Order['items'][number]) => (line.refundedFen >= line.amountFen ? 0 : line.quantity - (line.shortQuantity ?? 0));

/** The orders the missing units come from, latest placed first, and what each line gives up. */
async function allocate(deps: ShortfallDeps, po: PurchaseOrder, wanted: Map<string, number>): Promise<ShortfallRefund[]> {
  const leaderIds: string[] = [];
  for await (const point of deps.purchaseOrders.breakdown(po.supplierId, po.deliveryDate, po.part, po.revision))
    if (point.lines.some((l) => wanted.has(l.productId) && l.quantity > 0)) leaderIds.push(point.leaderId);
  const orderIds = new Set<string>();
  for (const leaderId of leaderIds)
    for (const line of await deps.sheetLines(leaderId, po.deliveryDate))
      if (line.status === 'ready_for_pickup' && line.items.some((i) => wanted.has(i.productId))) orderIds.add(line.orderId);
  const orders: Order[] = [];
  const ids = [...orderIds];
  for (let i = 0; i < ids.length; i += 16) {
    for (const order of await Promise.all(ids.slice(i, i + 16).map((id) => deps.orders.get(id))))
      if (order?.status === 'ready_for_pickup') orders.push(order);
  }
  orders.sort(placedLatestFirst);

  const refunds: ShortfallRefund[] = [];
  for (const [productId, shortQuantity] of wanted) {
    let left = shortQuantity;
    for (const order of orders) {
      if (left === 0) break;
      for (const line of order.items) {
        if (left === 0) break;
        if (line.productId !== productId || line.supplierId !== po.supplierId) continue;
        const take = Math.min(left, deliverable(line));
        if (take <= 0) continue;
        // Exactly the missing units at the line's unit price, never more than remains refundable of it.
        const amountFen = take === deliverable(line) ? line.amountFen - line.refundedFen : take * line.unitPriceFen;
        refunds.push({
          orderId: order.orderId,
          productId,
          quantity: take,
          amountFen: Math.min(amountFen, line.amountFen - line.refundedFen),
        });
        left -= take;
      }
    }
    // The orders did not reach the purchase order yet (or changed meanwhile): nothing is decided.
    if (left > 0) throw conflict('The purchase order is being revised; report the shortfall again in a moment');
  }
  return refunds;
}

/** Settles one order's part of a shortfall: its refund and short units, once. */
async function settleOrder(deps: ShortfallDeps, shortfall: Shortfall, orderId: string, lines: ShortfallRefund[]): Promise<void> {
  const refundId = shortfallRefundId(shortfall.shortfallId, orderId);
  await withFreshOrder(deps.orders, orderId, async (order) => {
    if ((await deps.orders.listRefunds(orderId)).some((r) => r.refundId === refundId)) return true;
    // Refunded in full or collected since the report: nothing of it is still to be delivered.
    if (order.status !== 'ready_for_pickup' || !order.paymentId) return true;
    const at = deps.clock.now().toISOString();
    const taken = new Map<string, { quantity: number; amountFen: number }>();
    const items = order.items.map((line) => {
      const share = lines.find((l) => l.productId === line.productId);
      if (!share || line.supplierId !== shortfall.supplierId || taken.has(line.productId)) return line;
      const amountFen = Math.min(share.amountFen, line.amountFen - line.refundedFen);
      const quantity = Math.min(share.quantity, line.quantity - (line.shortQuantity ?? 0));
      taken.set(line.productId, { quantity, amountFen });
      return { ...line, shortQuantity: (line.shortQuantity ?? 0) + quantity, refundedFen: line.refundedFen + amountFen };
    });
    const amountFen = [...taken.values()].reduce((sum, t) => sum + t.amountFen, 0);
    if (amountFen <= 0) return true;
    const refund: Refund = {
      refundId,
      orderId,
      paymentId: order.paymentId,
      amountFen,
      reason: `缺货：${shortfall.reason}`,
      status: 'requested',
      lines: [...taken.entries()].filter(([, t]) => t.amountFen > 0).map(([productId, t]) => ({ productId, amountFen: t.amountFen })),
      requestedBy: shortfall.reportedBy,
      createdAt: at,
    };
    const outcome = await deps.orders.change(
      refundChange(order, items, refund, {
        action: 'order.shortfall_refunded',
        actor: shortfall.reportedBy,
        note: { shortfallId: shortfall.shortfallId },
      }),
    );
    return outcome === 'changed' ? true : 'stale';
  });
}

async function settle(deps: ShortfallDeps, shortfall: Shortfall): Promise<void> {
  const byOrder = new Map<string, ShortfallRefund[]>();
  for (const r of shortfall.refunds) byOrder.set(r.orderId, [...(byOrder.get(r.orderId) ?? []), r]);
  for (const [orderId, lines] of byOrder) await settleOrder(deps, shortfall, orderId, lines);
}

/** `POST /purchase-orders/{id}/shortfalls`: that supplier, before the purchase order is shipped. */
export async function reportShortfall(
  deps: ShortfallDeps,
  principal: Principal,
  purchaseOrderId: string,
  body: ReportShortfallBody,
  idempotencyKey?: string,
): Promise<{ shortfall: Shortfall; replayed: boolean }> {
  const id = parsePurchaseOrderId(purchaseOrderId);
  // Only that supplier: anyone else is told the purchase order does not exist (as when reading it).
  const mine = !!id && principal.roles.includes('supplier') && principal.supplierId === id.supplierId;
  if (!id || !mine) throw notFound('Purchase order');
  const po = await deps.purchaseOrders.get(id.supplierId, id.deliveryDate, id.part);
  if (!po) throw notFound('Purchase order');

  const shortfallId = shortfallIdOf(po.purchaseOrderId, body, idempotencyKey);
  const earlier = await deps.shortfalls.get(po.purchaseOrderId, shortfallId);
  if (earlier) {
    // Sent again (or killed half way): finish what it decided, refund nothing twice.
    await settle(deps, earlier);
    return { shortfall: earlier, replayed: true };
  }
  if (po.status === 'shipped') throw conflict('A shipped purchase order takes no shortfall');
  const wanted = checkLines(po, body);
  const at = deps.clock.now().toISOString();
  const shortfall: Shortfall = {
    shortfallId,
    purchaseOrderId: po.purchaseOrderId,
    supplierId: po.supplierId,
    deliveryDate: po.deliveryDate,
    lines: body.lines,
    reason: body.reason,
    refunds: await allocate(deps, po, wanted),
    reportedBy: principal.userId,
    createdAt: at,
  };
  const written = await deps.shortfalls.put(shortfall, {
    entityId: po.purchaseOrderId,
    entityType: 'purchaseOrder',
    action: 'purchaseOrder.shortfall_reported',
    actor: principal.userId,
    at,
    after: shortfall,
  });
  const recorded = written === 'written' ? shortfall : await deps.shortfalls.get(po.purchaseOrderId, shortfallId);
  if (!recorded) throw conflict('The shortfall is being recorded; try again');
  await settle(deps, recorded);
  return { shortfall: recorded, replayed: written !== 'written' };
}

export const shortfallView = (s: Shortfall) => ({ shortfallId: s.shortfallId, refunds: s.refunds });
