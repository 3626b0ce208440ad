// The consolidation's pure rules on the order side: which order lines a supplier delivers, what one order
// contributes to each of its suppliers' purchase orders, what replacing its last contribution changes in
// the running totals, and which of two images of an order is the newer one.
import { createHash } from 'node:crypto';
import type { PickupPoint } from '../../schemas/leaders';
import type { Order, OrderLine } from '../../schemas/orders';
import type { Contribution, ContributionLine } from '../../schemas/purchase-orders';
import { cellKey } from './lines';

// ---------------------------------------------------------------------------------------------------
// Which order lines a supplier delivers

/** Orders past their group's cutoff and paid: what the pickup points hand out (or have). */
const DELIVERED_STATUSES: ReadonlySet<string> = new Set(['ready_for_pickup', 'picked_up']);

/**
 * The rule, in one place: an order that is `ready_for_pickup` or `picked_up` counts each of its lines
 * with the line's full quantity, unless the line is refunded in full (`refundedFen >= amountFen`). A
 * line refunded in part counts in full: a partial refund is compensation (a bruised fruit), not goods
 * left undelivered; units a shortfall took (`shortQuantity`) are left out. A `refunded` order, and any
 * order before the cutoff, counts for nothing.
 */
export function countableLines(order: Order): OrderLine[] {
  if (!DELIVERED_STATUSES.has(order.status)) return [];
  // Units a shortfall took will not arrive: the supplier delivers the rest of the line.
  return order.items
    .filter((line) => line.refundedFen < line.amountFen)
    .map((line) => (line.shortQuantity ? { ...line, quantity: line.quantity - line.shortQuantity } : line))
    .filter((line) => line.quantity > 0);
}

// ---------------------------------------------------------------------------------------------------
// Contributions and deltas

/** What identifies one running total: a pickup point, a product and its supply price. */
export interface CellOf {
  leaderId: string;
  pickupPointName: string;
  address: string;
  productId: string;
  name: string;
  unit: string;
  supplyPriceFen: number;
}

/** The change to one running total. */
export interface TotalDelta extends CellOf {
  delta: number;
}

/** Every supplier of the order, counted or not: a line that stops counting must be taken off. */
export function suppliersOf(order: Order): string[] {
  return [...new Set(order.items.map((l) => l.supplierId))].sort();
}

/** The order's countable lines for one supplier, and where they go. */
export function contributionOf(order: Order, supplierId: string, pickupPoint: Pick<PickupPoint, 'name' | 'address'>): Contribution {
  const byKey = new Map<string, ContributionLine>();
  for (const line of countableLines(order)) {
    if (line.supplierId !== supplierId) continue;
    const key = cellKey(line);
    const existing = byKey.get(key);
    if (existing) existing.quantity += line.quantity;
    else
      byKey.set(key, {
        productId: line.productId,
        name: line.name,
        unit: line.unit,
        supplyPriceFen: line.supplyPriceFen,
        quantity: line.quantity,
      });
  }
  const lines = [...byKey.values()].sort((a, b) =>
    a.productId === b.productId ? a.supplyPriceFen - b.supplyPriceFen : a.productId < b.productId ? -1 : 1,
  );
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([order.status, lines.map((l) => [l.productId, l.supplyPriceFen, l.quantity])]))
    .digest('base64url')
    .slice(0, 16);
  return {
    supplierId,
    deliveryDate: order.pickupDate,
    orderId: order.orderId,
    groupBuyId: order.groupBuyId,
    leaderId: order.leaderId,
    pickupPointName: pickupPoint.name,
    address: pickupPoint.address,
    orderStatus: order.status,
    lines,
    orderVersion: order.version,
    fingerprint,
  };
}

/** What replacing `before` by `after` adds to each running total (non-zero changes only). */
export function contributionDeltas(before: Contribution | undefined, after: Contribution): TotalDelta[] {
  const deltas = new Map<string, TotalDelta>();
  const add = (line: ContributionLine, sign: 1 | -1) => {
    const key = cellKey(line);
    const d = deltas.get(key) ?? {
      leaderId: after.leaderId,
      pickupPointName: after.pickupPointName,
      address: after.address,
      productId: line.productId,
      name: line.name,
      unit: line.unit,
      supplyPriceFen: line.supplyPriceFen,
      delta: 0,
    };
    d.delta += sign * line.quantity;
    deltas.set(key, d);
  };
  for (const line of after.lines) add(line, 1);
  for (const line of before?.lines ?? []) add(line, -1);
  return [...deltas.values()].filter((d) => d.delta !== 0);
}

/**
 * Newest image wins: every write of an order moves its version on, so versions order its images, in
 * whatever order they are delivered.
 */
export function compareImages(before: Contribution | undefined, after: Contribution): 'newer' | 'same' | 'older' {
  if (!before || after.orderVersion > before.orderVersion) return 'newer';
  return after.orderVersion < before.orderVersion ? 'older' : 'same';
}
