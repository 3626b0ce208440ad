// Consolidates the suppliers' purchase orders (one per supplier and delivery date) from the orders that
// changed, reading and writing only what changed, so that neither the cost of a change nor any item grows
// with the size of the purchase order. A batch of changed orders goes through two steps:
//   1. apply (apply.ts): each order's contribution to each of its suppliers' running totals, exactly once,
//      the batch's orders together (each pickup point's totals and dirty mark written once per transaction);
//   2. rebuild (rebuild.ts): each purchase order touched, until the batch's pickup points are clean.
// A consolidation killed between 1 and 2 is delivered again: step 1 finds its changes already applied, its
// points are still dirty, step 2 runs; a change that never comes back leaves its point dirty for the next
// rebuild of that purchase order. The pure rules are in contributions.ts and lines.ts, the ports in
// consolidation-ports.ts; the queue consumer (functions/consolidate-purchase-orders) turns its messages
// into changed orders, and failed changes back into its messages.
import type { PickupPoint } from '../../schemas/leaders';
import type { Order } from '../../schemas/orders';
import type { AppliedOrder, OrderToApply } from './apply';
import { applyOrders } from './apply';
import type { ConsolidationDeps } from './consolidation-ports';
import { purchaseOrderIdOf } from './ids';
import type { Cause, RebuildOutcome } from './rebuild';
import { rebuildPurchaseOrder } from './rebuild';
import { inParallel } from '../runtime/concurrency';

/** An order that changed, as the consolidation reads it. */
export interface ChangedOrder {
  /** The caller's name for this change: a failure is reported by it. */
  changeId: string;
  /**
   * The order as the change left it, if it is one this consolidation reads (read late: a bad image fails
   * its own change alone). Its `version` orders its images, whatever order they come in.
   */
  order: () => Order | undefined;
}

export interface ConsolidationResult {
  /** The changes to deliver again (none when the whole batch is done). */
  failedChangeIds: string[];
  errors: { changeId?: string; purchaseOrder?: string; error: Error }[];
  rebuilt: { supplierId: string; deliveryDate: string; outcome: RebuildOutcome }[];
}

/** Orders of one batch read at once. */
const READ_CONCURRENCY = 8;
const MAX_CAUSES = 50;

/** The pickup point of each group buy, read once per batch (a failed read is tried again by the next order). */
function pickupPointsOf(deps: Pick<ConsolidationDeps, 'groupBuys'>) {
  const pickupPoints = new Map<string, Promise<Pick<PickupPoint, 'name' | 'address'>>>();
  return (groupBuyId: string) => {
    let found = pickupPoints.get(groupBuyId);
    if (!found) {
      found = deps.groupBuys.get(groupBuyId).then((gb) => {
        if (!gb) throw new Error(`Group buy ${groupBuyId} not found`);
        return gb.pickupPoint;
      });
      found.catch(() => pickupPoints.delete(groupBuyId));
      pickupPoints.set(groupBuyId, found);
    }
    return found;
  };
}

interface Applied {
  change: ChangedOrder;
  order: Order;
  result: AppliedOrder[];
}

/** A purchase order the batch touched: the changes that touched it, their pickup points, and why it changes. */
interface Touched {
  supplierId: string;
  deliveryDate: string;
  changeIds: string[];
  points: Set<string>;
  cause: Cause;
}

/** The purchase orders the applied changes touched, their causes in the batch's order. */
function touchedBy(applied: readonly Applied[]): Touched[] {
  const touched = new Map<string, Touched>();
  for (const { change, order, result } of applied) {
    for (const one of result) {
      const key = `${one.supplierId}#${one.deliveryDate}`;
      const po = touched.get(key) ?? {
        supplierId: one.supplierId,
        deliveryDate: one.deliveryDate,
        changeIds: [],
        points: new Set<string>(),
        cause: { orders: [] },
      };
      touched.set(key, po);
      po.changeIds.push(change.changeId);
      po.points.add(one.leaderId);
      // 'already': applied by an earlier delivery that did not get as far as the rebuild.
      if (one.outcome === 'applied' || one.outcome === 'already') {
        if (po.cause.orders.length < MAX_CAUSES)
          po.cause.orders.push({ orderId: order.orderId, groupBuyId: order.groupBuyId, status: order.status });
        else po.cause.more = (po.cause.more ?? 0) + 1;
      }
    }
  }
  return [...touched.values()];
}

/**
 * A batch of changed orders: applies their changes (a change that fails is reported alone, and the others go
 * on), then rebuilds each purchase order they touched
 * until their pickup points are clean. A failed rebuild reports every change that touched it; delivered
 * again, they are found applied, their points still dirty, and the rebuild runs again.
 */
export async function consolidate(deps: ConsolidationDeps, changes: readonly ChangedOrder[]): Promise<ConsolidationResult> {
  const errors: ConsolidationResult['errors'] = [];
  const failed = new Set<string>();
  const pickupPointOf = pickupPointsOf(deps);
  const toApply: (OrderToApply & { change: ChangedOrder })[] = [];
  const fail = (changeId: string, error: Error) => {
    errors.push({ changeId, error });
    failed.add(changeId);
  };
  await inParallel(changes, READ_CONCURRENCY, async (change) => {
    try {
      const order = change.order();
      if (order) toApply.push({ change, order, pickupPoint: await pickupPointOf(order.groupBuyId) });
    } catch (err) {
      fail(change.changeId, err as Error);
    }
  });
  const applied: Applied[] = [];
  const outcomes = await applyOrders(deps.store, toApply);
  toApply.forEach(({ change, order }, i) => {
    const result = outcomes[i]!;
    if (Array.isArray(result)) applied.push({ change, order, result });
    else fail(change.changeId, result);
  });
  // In the batch's order, so that a revision's causes read as the changes came.
  const position = new Map(changes.map((c, i) => [c.changeId, i]));
  applied.sort((a, b) => position.get(a.change.changeId)! - position.get(b.change.changeId)!);

  const rebuilt: ConsolidationResult['rebuilt'] = [];
  for (const po of touchedBy(applied)) {
    try {
      rebuilt.push({
        supplierId: po.supplierId,
        deliveryDate: po.deliveryDate,
        outcome: await rebuildPurchaseOrder(deps, po.supplierId, po.deliveryDate, po.cause, { mine: [...po.points] }),
      });
    } catch (err) {
      errors.push({ purchaseOrder: purchaseOrderIdOf(po.supplierId, po.deliveryDate, 1), error: err as Error });
      for (const id of po.changeIds) failed.add(id);
    }
  }
  return { failedChangeIds: changes.filter((c) => failed.has(c.changeId)).map((c) => c.changeId), errors, rebuilt };
}
