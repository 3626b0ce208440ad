// Production wiring of the customer book, the stats and the reviews.
import { randomIds, systemClock } from '../runtime/clock';
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
  book: dynamoCustomerBookStore(),
  leaders: dynamoLeaderStore(),
  clock: systemClock,
});

/** What a re-run reads: every order of the leader's group buys, and the leader's ledger. */
export const leaderHistory = () => {
  const orders = ordersOfLeader();
  const ledger = dynamoLedgerStore();
  return async (leaderId: string) => ({ orders: await orders(leaderId), entries: await ledger.allEntriesOfLeader(leaderId) });
};

export function reviewDeps(): ReviewDeps {
  const leaders = dynamoLeaderStore();
  return {
    reviews: dynamoReviewStore(),
    orders: dynamoOrderStore(),
    groupBuys: dynamoGroupBuyStore(),
    leaderIdOf: async (userId) => (await leaders.getByUser(userId))?.leaderId,
    clock: systemClock,
    ids: randomIds,
  };
}
