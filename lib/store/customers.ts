// DynamoDB adapter of the CustomerBookStore port. A customer's summary and their orders' contributions share
// one small partition (read in one strongly consistent Query, written in one transaction conditional on the
// summary's version); a leader's days are items of one partition, ADDed to, and read by a range of dates.
import type { CustomerBookStore } from '../customers/customers';
import type { DayDelta } from '../customers/book';
import type { CustomerSummary } from '../../schemas/customers';
import { CustomerOrderSchema, CustomerSummarySchema, STATS_DAY_FIGURES, StatsDaySchema } from '../../schemas/customers';
import type { Db, TransactItem } from './dynamo';
import {
  cancellationReasons,
  db,
  guardedWrite,
  partitionBetween,
  partitionOf,
  putAtVersion,
  putIfNew,
  queryAll,
  queryPage,
  tableName,
  transactWrite,
} from './dynamo';
import { INDEX, keys } from './keys';

export const customerSummaryItem = (s: CustomerSummary) => ({
  ...keys.customerSummary(s.leaderId, s.userId),
  // In the book only while an order of theirs counts (sparse index).
  ...(s.orders > 0 && s.lastOrderAt ? keys.customersByLeader(s.leaderId, s.lastOrderAt, s.customerId) : {}),
  type: 'CUSTOMER',
  ...s,
});

/** ADDs the non-zero fields of a delta to the leader's day (the item is made by its first ADD). */
function dayUpdate(leaderId: string, delta: Partial<DayDelta> & { date: string }): TransactItem {
  const fields = STATS_DAY_FIGURES.filter((f) => delta[f]);
  return {
    Update: {
      TableName: tableName(),
      Key: keys.statsDay(leaderId, delta.date),
      UpdateExpression: `SET #type = :type, leaderId = :leader, #date = :date${fields.length ? ` ADD ${fields.map((f) => `${f} :${f}`).join(', ')}` : ''}`,
      ExpressionAttributeNames: { '#type': 'type', '#date': 'date' },
      ExpressionAttributeValues: {
        ':type': 'STATS_DAY',
        ':leader': leaderId,
        ':date': delta.date,
        ...Object.fromEntries(fields.map((f) => [`:${f}`, delta[f]])),
      },
    },
  };
}

export function dynamoCustomerBookStore(client: Db = db()): CustomerBookStore {
  return {
    async customer(leaderId, userId) {
      const items = await queryAll(client, { ...partitionOf(keys.customerPartition(leaderId, userId)), ConsistentRead: true });
      const summary = items.find((i) => i.sk === keys.customerSummary(leaderId, userId).sk);
      return {
        ...(summary ? { summary: CustomerSummarySchema.parse(summary) } : {}),
        orders: items.filter((i) => String(i.sk).startsWith(keys.customerOrderPrefix)).map((i) => CustomerOrderSchema.parse(i)),
      };
    },

    async apply(readVersion, summary, order, deltas) {
      const actions: TransactItem[] = [
        // customerAsRead: every change of this customer's partition moves the summary's version on.
        putAtVersion(customerSummaryItem(summary), readVersion),
        {
          Put: {
            TableName: tableName(),
            Item: { ...keys.customerOrder(order.leaderId, order.userId, order.orderId), type: 'CUSTOMER_ORDER', ...order },
          },
        },
        ...deltas.map((d) => dayUpdate(summary.leaderId, d)),
      ];
      const failed = await guardedWrite(client, actions, ['stale']);
      return failed ?? 'applied';
    },

    async bookEarnings(leaderId, date, entries) {
      const amountFen = entries.reduce((sum, e) => sum + e.amountFen, 0);
      try {
        await transactWrite(client, [
          ...entries.map((e) =>
            // oncePerEntry: a ledger entry is immutable, and its id is its cause.
            putIfNew({ ...keys.statsLedgerEntry(leaderId, e.entryId), type: 'STATS_LEDGER_ENTRY', leaderId, date, ...e }),
          ),
          dayUpdate(leaderId, { date, commissionFen: amountFen }),
        ]);
        return 'booked';
      } catch (err) {
        if (cancellationReasons(err)?.some((r) => r === 'ConditionalCheckFailed')) return 'already';
        throw err;
      }
    },

    async customersOf(leaderId, limit, cursor) {
      const newestFirst = { ...partitionOf(keys.customersByLeaderPartition(leaderId), INDEX.byGsi1), ScanIndexForward: false };
      return queryPage(client, newestFirst, (i) => CustomerSummarySchema.parse(i), limit, cursor);
    },

    async daysOf(leaderId, from, to) {
      const items = await queryAll(client, partitionBetween(keys.statsPartition(leaderId), keys.statsDaySk(from), keys.statsDaySk(to)));
      return items.map((i) => StatsDaySchema.parse(i));
    },
  };
}
