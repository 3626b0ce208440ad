// DynamoDB adapter of the payouts' RiskReader: the leader's sales per paid date (kept in each order's own
// transaction, lib/store/orders.ts salesActions) and who placed the orders a payout pays for.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { RiskReader } from '../commissions/risk';
import type { Db } from './dynamo';
import { db, partitionBetween, queryAll, tableName } from './dynamo';
import { keys } from './keys';

export function dynamoRiskReader(client: Db = db()): RiskReader {
  return {
    async salesOf(leaderId, fromDate, toDate) {
      const range = partitionBetween(keys.leaderSalesPartition(leaderId), keys.leaderSalesDaySk(fromDate), keys.leaderSalesDaySk(toDate));
      const days = await queryAll(client, range);
      const sum = { paidFen: 0, refundedFen: 0 };
      for (const d of days) {
        sum.paidFen += Number(d.paidFen ?? 0);
        sum.refundedFen += Number(d.refundedFen ?? 0);
      }
      return sum;
    },
    async placedBy(orderIds) {
      const users = new Map<string, string>();
      for (const orderId of orderIds) {
        const { Item } = await client.send(
          new GetCommand({ TableName: tableName(), Key: keys.order(orderId), ProjectionExpression: 'userId' }),
        );
        if (Item?.userId) users.set(orderId, String(Item.userId));
      }
      return users;
    },
  };
}
