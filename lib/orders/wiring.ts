// The production wiring of the order use-cases: the store adapters the DATA_STORE setting names (DynamoDB on
// AWS and in the local stack, CloudBase's document database in the CloudBase build), the system clock,
// random ids.
import { cloudbaseGroupBuyStore } from '../adapters/cloudbase/group-buys';
import { cloudbaseLeaderIdOf } from '../adapters/cloudbase/leaders';
import { cloudbaseOrderStore } from '../adapters/cloudbase/orders';
import { lazyShareLinkKey } from '../group-buys/share-link';
import { randomIds, systemClock } from '../runtime/clock';
import { config, onCloudBase } from '../runtime/config';
import { dynamoGroupBuyStore } from '../store/group-buys';
import { dynamoLeaderStore } from '../store/leaders';
import { dynamoOrderStore } from '../store/orders';
import type { OrderDeps } from './ports';
import { placementCache } from './snapshots';

/** What the expiry job needs: the orders and the clock. */
export const expiryDeps = (): Pick<OrderDeps, 'orders' | 'clock'> => ({
  orders: onCloudBase() ? cloudbaseOrderStore() : dynamoOrderStore(),
  clock: systemClock,
});

/** What the uncollected-orders job needs. */
export const uncollectedDeps = () => ({
  orders: onCloudBase() ? cloudbaseOrderStore() : dynamoOrderStore(),
  clock: systemClock,
  pickupWindowDays: config.pickupWindowDays,
});

/** The stores of the ordering path, on the configured data store. */
function stores(): Pick<OrderDeps, 'orders' | 'groupBuys' | 'leaderIdOf'> {
  if (onCloudBase()) {
    // Pickup-point capacity is not kept on CloudBase yet (docs/decisions.md): no limit there.
    return { orders: cloudbaseOrderStore(), groupBuys: cloudbaseGroupBuyStore(), leaderIdOf: cloudbaseLeaderIdOf() };
  }
  const leaders = dynamoLeaderStore();
  return {
    orders: dynamoOrderStore(),
    groupBuys: dynamoGroupBuyStore(),
    leaderIdOf: async (userId) => (await leaders.getByUser(userId))?.leaderId,
  };
}

/**
 * Group buys that a placement's write proved, for the life of this instance (module scope: a
 * warm function keeps it between invocations). Each write checks it again; a refused one forgets it.
 */
const cache = placementCache();

export function orderDeps(): OrderDeps {
  return {
    ...stores(),
    cache,
    clock: systemClock,
    ids: randomIds,
    shareKey: lazyShareLinkKey(() => config.authSecret),
    paymentTimeoutMinutes: config.paymentTimeoutMinutes,
  };
}
