// DynamoDB adapter of the CustomerBookStore port. A customer's summary and their orders' contributions share
// one small partition (read in one strongly consistent Query, written in one transaction conditional on the
// summary's version); a leader's days are items of one partition, ADDed to, and read by a range of dates.
import type { CustomerBookStore } from '../customers/customers';
import type { DayDelta } from '../customers/book';
import { CustomerOrderSchema, CustomerSummarySchema, StatsDaySchema, type CustomerSummary } from '../../schemas/customers';
import { atVersion, cancellationReasons, db, queryAll, queryPage, tableName, transactWrite, type Db, type TransactItem } from './dynamo';
import { INDEX, keys } from './keys';

export const customerSummaryItem = (s: CustomerSummary) => ({
  ...keys.customerSummary(s.leaderId, s.userId),
  // In the book only while an order of theirs counts (sparse index).
  ...(s.orders > 0 && s.lastOrderAt ? keys.customersByLeader(s.leaderId, s.lastOrderAt, s.customerId) : {}),
  type: 'CUSTOMER',
  ...s,
});

const DAY_FIELDS = ['orders', 'gmvFen', 'firstCustomers', 'lastCustomers', 'repeatCustomers', 'commissionFen'] as const;

/** ADDs the non-zero fields of a delta to the leader's day (the item is made by its first ADD). */
function dayUpdate(leaderId: string, delta: Partial<DayDelta> & { date: string }): TransactItem {
  const fields = DAY_FIELDS.filter((f) => delta[f]);
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

const firstConditionFailed = (err: unknown) => cancellationReasons(err)?.[0] === 'ConditionalCheckFailed';

export function dynamoCustomerBookStore(client: Db = db()): CustomerBookStore {
  return {
    async customer(leaderId, userId) {
      const items = await queryAll(client, {
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.customerPartition(leaderId, userId) },
        ConsistentRead: true,
      });
      const summary = items.find((i) => i.sk === keys.customerSummary(leaderId, userId).sk);
      return {
        ...(summary ? { summary: CustomerSummarySchema.parse(summary) } : {}),
        orders: items.filter((i) => String(i.sk).startsWith(keys.customerOrderPrefix)).map((i) => CustomerOrderSchema.parse(i)),
      };
    },

    async apply(readVersion, summary, order, deltas) {
      const asRead = atVersion(readVersion);
      const actions: TransactItem[] = [
        {
          Put: {
            TableName: tableName(),
            Item: customerSummaryItem(summary),
            // customerAsRead: every change of this customer's partition moves the summary's version on.
            ConditionExpression: asRead.condition,
            ExpressionAttributeNames: asRead.names,
            ...(Object.keys(asRead.values).length ? { ExpressionAttributeValues: asRead.values } : {}),
          },
        },
        {
          Put: {
            TableName: tableName(),
            Item: { ...keys.customerOrder(order.leaderId, order.userId, order.orderId), type: 'CUSTOMER_ORDER', ...order },
          },
        },
        ...deltas.map((d) => dayUpdate(summary.leaderId, d)),
      ];
      try {
        await transactWrite(client, actions);
        return 'applied';
      } catch (err) {
        if (firstConditionFailed(err)) return 'stale';
        throw err;
      }
    },

    async bookEarnings(leaderId, date, entries) {
      const amountFen = entries.reduce((sum, e) => sum + e.amountFen, 0);
      try {
        await transactWrite(client, [
          ...entries.map((e): TransactItem => ({
            Put: {
              TableName: tableName(),
              Item: { ...keys.statsLedgerEntry(leaderId, e.entryId), type: 'STATS_LEDGER_ENTRY', leaderId, date, ...e },
              // oncePerEntry: a ledger entry is immutable, and its id is its cause.
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          })),
          dayUpdate(leaderId, { date, commissionFen: amountFen }),
        ]);
        return 'booked';
      } catch (err) {
        if (cancellationReasons(err)?.some((r) => r === 'ConditionalCheckFailed')) return 'already';
        throw err;
      }
    },

    async customersOf(leaderId, limit, cursor) {
      return queryPage(
        client,
        {
          TableName: tableName(),
          IndexName: INDEX.byGsi1,
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.customersByLeaderPartition(leaderId) },
          ScanIndexForward: false,
        },
        (i) => CustomerSummarySchema.parse(i),
        limit,
        cursor,
      );
    },

    async daysOf(leaderId, from, to) {
      const items = await queryAll(client, {
        TableName: tableName(),
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': keys.statsPartition(leaderId), ':from': keys.statsDaySk(from), ':to': keys.statsDaySk(to) },
      });
      return items.map((i) => StatsDaySchema.parse(i));
    },
  };
}
