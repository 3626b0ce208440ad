// The production wiring of the order use-cases: DynamoDB adapters, the system clock, random ids.
import { lazyShareLinkKey } from '../group-buys/share-link';
import { randomIds, systemClock } from '../runtime/clock';
import { config } from '../runtime/config';
import { dynamoGroupBuyStore } from '../store/group-buys';
import { dynamoLeaderStore } from '../store/leaders';
import { dynamoOrderStore } from '../store/orders';
import type { OrderDeps } from './orders';

/** What the expiry job needs: the orders and the clock. */
export const expiryDeps = (): Pick<OrderDeps, 'orders' | 'clock'> => ({ orders: dynamoOrderStore(), clock: systemClock });

/** What the uncollected-orders job needs. */
export const uncollectedDeps = () => ({ orders: dynamoOrderStore(), clock: systemClock, pickupWindowDays: config.pickupWindowDays });

export function orderDeps(): OrderDeps {
  const leaders = dynamoLeaderStore();
  return {
    orders: dynamoOrderStore(),
    groupBuys: dynamoGroupBuyStore(),
    leaderIdOf: async (userId) => (await leaders.getByUser(userId))?.leaderId,
    pickupCapacityOf: async (leaderId) => (await leaders.get(leaderId))?.pickupPoint.dailyOrderCapacity,
    clock: systemClock,
    ids: randomIds,
    shareKey: lazyShareLinkKey(() => config.authSecret),
    paymentTimeoutMinutes: config.paymentTimeoutMinutes,
  };
}
