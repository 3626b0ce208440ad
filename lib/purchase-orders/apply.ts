// Step 1 of the consolidation: each order with a pickup code contributes, per supplier, its countable lines.
// The change from the contribution last applied (new minus old) is ADDed to its pickup point's running
// totals, and the pickup point is marked dirty (a fresh token), in the same transaction that records the
// new contribution, conditional on the old one still being there: duplicates, retries and reordered
// deliveries apply every change exactly once (an older image of the order is never applied over a newer).
import type { PickupPoint } from '../../schemas/leaders';
import type { Order } from '../../schemas/orders';
import type { Contribution } from '../../schemas/purchase-orders';
import { backoff } from '../runtime/retry';
import type { ConsolidationDeps, ConsolidationStore } from './consolidation-ports';
import { compareImages, contributionDeltas, contributionOf, suppliersOf } from './contributions';

const MAX_APPLY_ATTEMPTS = 8;

export type ApplyOutcome = 'applied' | 'unchanged' | 'already' | 'superseded';

/** One order's contribution to one supplier's purchase order: read, compare, apply if newer. */
export async function applyContribution(store: ConsolidationStore, after: Contribution): Promise<ApplyOutcome> {
  for (let attempt = 1; ; attempt++) {
    const before = await store.getContribution(after.supplierId, after.deliveryDate, after.orderId);
    const order = compareImages(before, after);
    if (order === 'same') return 'already';
    if (order === 'older') return 'superseded';
    const deltas = contributionDeltas(before, after);
    if ((await store.applyContribution(before, after, deltas)) === 'applied') return deltas.length ? 'applied' : 'unchanged';
    // Another invocation applied a newer image meanwhile: read again.
    if (attempt >= MAX_APPLY_ATTEMPTS) throw new Error(`The contribution of order ${after.orderId} to ${after.supplierId} keeps changing`);
    await backoff(attempt);
  }
}

export interface AppliedOrder {
  supplierId: string;
  deliveryDate: string;
  leaderId: string;
  outcome: ApplyOutcome;
}

/** Applies an order's contribution to each of its suppliers' purchase orders. */
export async function applyOrder(
  deps: Pick<ConsolidationDeps, 'store'>,
  order: Order,
  pickupPointOf: (groupBuyId: string) => Promise<Pick<PickupPoint, 'name' | 'address'>>,
): Promise<AppliedOrder[]> {
  const pickupPoint = await pickupPointOf(order.groupBuyId);
  const applied: AppliedOrder[] = [];
  for (const supplierId of suppliersOf(order)) {
    applied.push({
      supplierId,
      deliveryDate: order.pickupDate,
      leaderId: order.leaderId,
      outcome: await applyContribution(deps.store, contributionOf(order, supplierId, pickupPoint)),
    });
  }
  return applied;
}
