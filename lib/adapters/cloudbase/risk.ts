// CloudBase adapter of the payouts' RiskReader. The orders on CloudBase keep no per-day sales documents
// (DynamoDB's `SALES#` items), so the leader's paid sales of the period are read from the orders themselves
// (index `orders.leaderId, paidAt`): each order paid within it, and what has been refunded of it since. As on
// DynamoDB, what a failed group buy's closing refunded is no sign of the leader's service and is not counted
// (an order the closing refunded, found by its close tally, counts none of its refunds: a refund made before
// the closing is not told apart here).
import type { RiskReader } from '../../commissions/risk';
import { endOfBusinessDate } from '../../runtime/time';
import { COLLECTIONS, idOf } from './collections';
import type { CloudBaseDb } from './db';
import { cloudbaseDb, getDoc, queryAll } from './db';

const DAY_MS = 86_400_000;

export function cloudbaseRiskReader(db: CloudBaseDb = cloudbaseDb()): RiskReader {
  const _ = db.command;
  return {
    async salesOf(leaderId, fromDate, toDate) {
      // Business dates (Asia/Shanghai), as the DynamoDB adapter files sales by paid date.
      const from = new Date(endOfBusinessDate(fromDate).getTime() - DAY_MS).toISOString();
      const to = endOfBusinessDate(toDate).toISOString();
      const orders = await queryAll(db, COLLECTIONS.orders, { leaderId, paidAt: _.and(_.gte(from), _.lt(to)) });
      const sum = { paidFen: 0, refundedFen: 0 };
      for (const o of orders) {
        sum.paidFen += Number(o.totalFen ?? 0);
        const refundedFen = Number(o.refundedFen ?? 0);
        if (refundedFen > 0 && !(await getDoc(db, COLLECTIONS.closeTallies, idOf(String(o.groupBuyId), 'refunded', String(o.orderId)))))
          sum.refundedFen += refundedFen;
      }
      return sum;
    },
    async placedBy(orderIds) {
      const users = new Map<string, string>();
      for (const orderId of orderIds) {
        const order = await getDoc(db, COLLECTIONS.orders, orderId);
        if (typeof order?.userId === 'string') users.set(orderId, order.userId);
      }
      return users;
    },
  };
}
