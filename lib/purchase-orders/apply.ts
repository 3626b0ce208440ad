// Step 1 of the consolidation: each changed order's contribution to its suppliers' running totals, exactly
// once. A batch's orders are applied together: their changes summed per pickup point, so that a point's
// totals and its dirty mark are written once per transaction whatever the number of its orders, in the same
// transaction as each order's new contribution, each conditional on the one read (duplicates, retries and
// reordered deliveries apply every change exactly once; an older image of an order never replaces a newer).
// A transaction refused because some order's record moved since it was read (a redelivery, a newer image, a
// concurrent batch) is applied again order by order, each reading its record again: exactness never rests on
// the batch path.
import type { PickupPoint } from '../../schemas/leaders';
import type { Order } from '../../schemas/orders';
import { backoff } from '../runtime/retry';
import type { ConsolidationStore, ContributionChange } from './consolidation-ports';
import { MAX_APPLY_WRITES } from './consolidation-ports';
import type { PointDelta } from './contributions';
import { compareImages, contributionDeltas, contributionOf, pointKey, sumDeltas, suppliersOf } from './contributions';
import { inParallel } from '../runtime/concurrency';

const MAX_APPLY_ATTEMPTS = 8;
/** Records read, or orders applied one by one, at once. */
const CONCURRENCY = 8;

export type ApplyOutcome = 'applied' | 'unchanged' | 'already' | 'superseded';

export interface AppliedOrder {
  supplierId: string;
  deliveryDate: string;
  leaderId: string;
  outcome: ApplyOutcome;
}

/** A changed order and the pickup point of its group buy. */
export interface OrderToApply {
  order: Order;
  pickupPoint: Pick<PickupPoint, 'name' | 'address'>;
}

/** A change to apply: the records, the index of its order in the batch, what it moves. */
export interface PendingChange extends ContributionChange {
  index: number;
  points: PointDelta[];
}

/** The order's outcome for each of its suppliers ('applied' only where that supplier's totals moved). */
function outcomesOf(order: Order, outcome: ApplyOutcome, points: readonly PointDelta[] = []): AppliedOrder[] {
  const moved = new Set(points.map((p) => p.supplierId));
  return suppliersOf(order).map((supplierId) => ({
    supplierId,
    deliveryDate: order.pickupDate,
    leaderId: order.leaderId,
    outcome: outcome === 'applied' && !moved.has(supplierId) ? 'unchanged' : outcome,
  }));
}

const purchaseOrderKey = (p: PointDelta) => `PO ${p.supplierId}#${p.deliveryDate}`;
const recordsOf = (c: ContributionChange): ContributionChange => ({ ...(c.before ? { before: c.before } : {}), after: c.after });

/** One order alone: read its record, compare, apply if newer, and again if another consumer got there first. */
export async function applyOrder(store: ConsolidationStore, { order, pickupPoint }: OrderToApply): Promise<AppliedOrder[]> {
  const after = contributionOf(order);
  for (let attempt = 1; ; attempt++) {
    const before = await store.getContribution(order.orderId);
    const image = compareImages(before, after);
    if (image === 'same') return outcomesOf(order, 'already');
    if (image === 'older') return outcomesOf(order, 'superseded');
    const points = contributionDeltas(before, after, pickupPoint);
    if ((await store.applyContributions([recordsOf({ before, after })], points)) === 'applied') return outcomesOf(order, 'applied', points);
    if (attempt >= MAX_APPLY_ATTEMPTS) throw new Error(`The contribution of order ${order.orderId} keeps changing`);
    await backoff(attempt);
  }
}

/**
 * The changes in groups that each fit one applyContributions (MAX_APPLY_WRITES), so that most pickup points
 * are written once per batch: a point's orders go together into the first group with room for all of them,
 * and are split only when they alone fill more than one.
 */
export function chunksOf(pending: readonly PendingChange[]): PendingChange[][] {
  const byPoint = new Map<string, PendingChange[]>();
  const sorted = [...pending].sort((a, b) => (a.after.orderId < b.after.orderId ? -1 : 1));
  for (const change of sorted) byPoint.set(change.after.leaderId, [...(byPoint.get(change.after.leaderId) ?? []), change]);

  const chunks: PendingChange[][] = [];
  let chunk: PendingChange[] = [];
  let written = new Set<string>();
  let writes = 0;
  /** The changes' records, the records they replace, and the points and purchase orders they add to the chunk. */
  const cost = (changes: readonly PendingChange[]) => {
    const added = new Set(
      changes.flatMap((c) => c.points.flatMap((p) => [pointKey(p), purchaseOrderKey(p)])).filter((k) => !written.has(k)),
    );
    return changes.reduce((n, c) => n + 1 + (c.before?.legacy?.length ?? 0), 0) + added.size;
  };
  const close = () => {
    if (chunk.length) chunks.push(chunk);
    [chunk, written, writes] = [[], new Set(), 0];
  };
  const add = (change: PendingChange) => {
    writes += cost([change]);
    for (const p of change.points) written.add(pointKey(p)).add(purchaseOrderKey(p));
    chunk.push(change);
  };
  for (const [, changes] of [...byPoint].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (writes + cost(changes) > MAX_APPLY_WRITES) close();
    for (const change of changes) {
      if (chunk.length && writes + cost([change]) > MAX_APPLY_WRITES) close();
      add(change);
    }
  }
  close();
  return chunks;
}

/**
 * A batch of changed orders: for each, its outcome per supplier, or the error that stopped it (a failure is
 * that order's alone). Each record is read once; the newer images are applied together, chunk by chunk; the
 * orders of a chunk that is refused (or fails) are applied one by one.
 */
export async function applyOrders(store: ConsolidationStore, orders: readonly OrderToApply[]): Promise<(AppliedOrder[] | Error)[]> {
  const results: (AppliedOrder[] | Error | undefined)[] = orders.map(() => undefined);
  // An order named twice in a batch is applied once, by its newest image (a transaction writes an item once).
  const newest = new Map<string, number>();
  orders.forEach(({ order }, i) => {
    const j = newest.get(order.orderId);
    if (j === undefined || order.version > orders[j]!.order.version) newest.set(order.orderId, i);
  });

  const pending: PendingChange[] = [];
  await inParallel([...newest.values()], CONCURRENCY, async (index) => {
    const { order, pickupPoint } = orders[index]!;
    try {
      const after = contributionOf(order);
      const before = await store.getContribution(order.orderId);
      const image = compareImages(before, after);
      if (image === 'newer')
        pending.push({ ...recordsOf({ before, after }), index, points: contributionDeltas(before, after, pickupPoint) });
      else results[index] = outcomesOf(order, image === 'same' ? 'already' : 'superseded');
    } catch (err) {
      results[index] = err as Error;
    }
  });

  for (const chunk of chunksOf(pending)) {
    let outcome: 'applied' | 'stale';
    try {
      outcome = await store.applyContributions(chunk.map(recordsOf), sumDeltas(chunk.flatMap((c) => c.points)));
    } catch {
      // Nothing of a failed transaction was written: its orders go the way a refused one's do, and each
      // reports its own failure, if it has one.
      outcome = 'stale';
    }
    if (outcome === 'applied') for (const c of chunk) results[c.index] = outcomesOf(orders[c.index]!.order, 'applied', c.points);
    else
      await inParallel(chunk, CONCURRENCY, async ({ index }) => {
        try {
          results[index] = await applyOrder(store, orders[index]!);
        } catch (err) {
          results[index] = err as Error;
        }
      });
  }

  // The batch's other images of an order: the one applied again, or an older one.
  return orders.map(({ order }, i) => {
    const j = newest.get(order.orderId)!;
    const done = results[j]!;
    // A failure is whatever was thrown (not always an `Error` of this realm: a socket's error may not be).
    if (i === j || !Array.isArray(done)) return done;
    return outcomesOf(order, order.version === orders[j]!.order.version ? 'already' : 'superseded');
  });
}
