// Production wiring of the customer book, the stats and the reviews, on the configured data store (DynamoDB, or
// CloudBase's document database in the CloudBase build).
import { cloudbaseCustomerBookStore } from '../adapters/cloudbase/customers';
import { cloudbaseGroupBuyStore } from '../adapters/cloudbase/group-buys';
import { cloudbaseLeaderStore } from '../adapters/cloudbase/leaders';
import { cloudbaseOrderStore } from '../adapters/cloudbase/orders';
import { cloudbaseReviewStore } from '../adapters/cloudbase/reviews';
import { randomIds, systemClock } from '../runtime/clock';
import { onCloudBase } from '../runtime/config';
import { dynamoCustomerBookStore } from '../store/customers';
import { dynamoGroupBuyStore } from '../store/group-buys';
import { ordersOfLeader } from '../store/leader-orders';
import { dynamoLeaderStore } from '../store/leaders';
import { dynamoLedgerStore } from '../store/ledger';
import { dynamoOrderStore } from '../store/orders';
import { dynamoReviewStore } from '../store/reviews';
import type { CustomerBookDeps } from './customers';
import type { ReviewDeps } from './reviews';

export const customerBookDeps = (): CustomerBookDeps => ({
  book: onCloudBase() ? cloudbaseCustomerBookStore() : dynamoCustomerBookStore(),
  leaders: onCloudBase() ? cloudbaseLeaderStore() : dynamoLeaderStore(),
  clock: systemClock,
});

/** What a re-run reads: every order of the leader's group buys, and the leader's ledger. */
export const leaderHistory = () => {
  const orders = ordersOfLeader();
  const ledger = dynamoLedgerStore();
  return async (leaderId: string) => ({ orders: await orders(leaderId), entries: await ledger.allEntriesOfLeader(leaderId) });
};

export function reviewDeps(): ReviewDeps {
  const cloudbase = onCloudBase();
  const leaders = cloudbase ? cloudbaseLeaderStore() : dynamoLeaderStore();
  return {
    reviews: cloudbase ? cloudbaseReviewStore() : dynamoReviewStore(),
    orders: cloudbase ? cloudbaseOrderStore() : dynamoOrderStore(),
    groupBuys: cloudbase ? cloudbaseGroupBuyStore() : dynamoGroupBuyStore(),
    leaderIdOf: async (userId) => (await leaders.getByUser(userId))?.leaderId,
    clock: systemClock,
    ids: randomIds,
  };
}
