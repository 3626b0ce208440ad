// The consolidation's pure rules on the order side: which order lines a supplier delivers, what one order
// contributes to each of its suppliers' purchase orders, what replacing its last contribution changes in
// each pickup point's running totals (alone, and summed over a batch), and which of two images of an order
// is the newer one.
import type { PickupPoint } from '../../schemas/leaders';
import type { Order, OrderLine } from '../../schemas/orders';
import type { CountedLine, OrderContribution } from '../../schemas/purchase-orders';
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

/** The change to one running total (one product at one supply price); a name of '' is not known here. */
export interface TotalDelta {
  productId: string;
  name: string;
  unit: string;
  supplyPriceFen: number;
  delta: number;
}

/** The changes to one pickup point's running totals for one supplier's purchase order. */
export interface PointDelta {
  supplierId: string;
  deliveryDate: string;
  leaderId: string;
  pickupPointName: string;
  address: string;
  deltas: TotalDelta[];
}

export const pointKey = (p: Pick<PointDelta, 'supplierId' | 'deliveryDate' | 'leaderId'>) =>
  `${p.supplierId}#${p.deliveryDate}#${p.leaderId}`;

/** Every supplier of the order, counted or not: a line that stops counting must be taken off. */
export function suppliersOf(order: Order): string[] {
  return [...new Set(order.items.map((l) => l.supplierId))].sort();
}

const byCell = (a: CountedLine, b: CountedLine) =>
  a.productId === b.productId ? a.supplyPriceFen - b.supplyPriceFen : a.productId < b.productId ? -1 : 1;

/** The order's countable lines, per supplier (every supplier of the order, an empty list when none counts). */
export function contributionOf(order: Order): OrderContribution {
  const lines: Record<string, CountedLine[]> = Object.fromEntries(suppliersOf(order).map((s) => [s, []]));
  const cells = new Map<string, CountedLine>();
  for (const line of countableLines(order)) {
    const key = `${line.supplierId}#${cellKey(line)}`;
    const existing = cells.get(key);
    if (existing) existing.quantity += line.quantity;
    else {
      const cell = {
        productId: line.productId,
        supplyPriceFen: line.supplyPriceFen,
        quantity: line.quantity,
        name: line.name,
        unit: line.unit,
      };
      cells.set(key, cell);
      lines[line.supplierId]!.push(cell);
    }
  }
  for (const supplierLines of Object.values(lines)) supplierLines.sort(byCell);
  return { orderId: order.orderId, deliveryDate: order.pickupDate, leaderId: order.leaderId, orderVersion: order.version, lines };
}

/**
 * What replacing `before` by `after` adds to each of the order's pickup point's totals, per supplier (non-zero
 * changes only; a supplier with none is left out).
 */
export function contributionDeltas(
  before: OrderContribution | undefined,
  after: OrderContribution,
  pickupPoint: Pick<PickupPoint, 'name' | 'address'>,
): PointDelta[] {
  const points: PointDelta[] = [];
  const suppliers = [...new Set([...Object.keys(before?.lines ?? {}), ...Object.keys(after.lines)])].sort();
  for (const supplierId of suppliers) {
    const deltas = new Map<string, TotalDelta>();
    const add = (line: CountedLine, sign: 1 | -1) => {
      const d = deltas.get(cellKey(line)) ?? {
        productId: line.productId,
        name: '',
        unit: '',
        supplyPriceFen: line.supplyPriceFen,
        delta: 0,
      };
      d.name ||= line.name ?? '';
      d.unit ||= line.unit ?? '';
      d.delta += sign * line.quantity;
      deltas.set(cellKey(line), d);
    };
    for (const line of after.lines[supplierId] ?? []) add(line, 1);
    for (const line of before?.lines[supplierId] ?? []) add(line, -1);
    const changed = [...deltas.values()].filter((d) => d.delta !== 0);
    if (changed.length)
      points.push({
        supplierId,
        deliveryDate: after.deliveryDate,
        leaderId: after.leaderId,
        pickupPointName: pickupPoint.name,
        address: pickupPoint.address,
        deltas: changed,
      });
  }
  return points;
}

/**
 * The changes of many orders summed per pickup point and purchase order (what a batch writes once per point):
 * cells whose changes cancel out, and points left with none, are left out.
 */
export function sumDeltas(points: readonly PointDelta[]): PointDelta[] {
  const summed = new Map<string, PointDelta & { cells: Map<string, TotalDelta> }>();
  for (const point of points) {
    const into = summed.get(pointKey(point)) ?? { ...point, deltas: [], cells: new Map<string, TotalDelta>() };
    summed.set(pointKey(point), into);
    for (const d of point.deltas) {
      const cell = into.cells.get(cellKey(d)) ?? { ...d, delta: 0 };
      cell.name ||= d.name;
      cell.unit ||= d.unit;
      cell.delta += d.delta;
      into.cells.set(cellKey(d), cell);
    }
  }
  return [...summed.values()].flatMap(({ cells, ...point }) => {
    const deltas = [...cells.values()].filter((d) => d.delta !== 0);
    return deltas.length ? [{ ...point, deltas }] : [];
  });
}

/**
 * Newest image wins: every write of an order moves its version on, so versions order its images, in
 * whatever order they are delivered. An image of the recorded version is the same one, unless the record
 * was read from per-supplier records left half applied (some supplier at an older version, or missing).
 */
export function compareImages(before: OrderContribution | undefined, after: OrderContribution): 'newer' | 'same' | 'older' {
  if (!before || after.orderVersion > before.orderVersion) return 'newer';
  if (after.orderVersion < before.orderVersion) return 'older';
  const halfApplied =
    before.legacy !== undefined &&
    (before.legacy.some((l) => l.orderVersion < before.orderVersion) || Object.keys(after.lines).some((s) => !(s in before.lines)));
  return halfApplied ? 'newer' : 'same';
}
