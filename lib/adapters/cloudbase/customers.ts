// CloudBase adapter of the CustomerBookStore port. A customer's summary (`customers`, keyed leader#user) is the
// document every change of that customer writes at the next version, in one transaction with the order's
// contribution (`customerOrders`) and the leader's days it moves (`statsDays`, keyed leader#date): two images
// of one customer's orders never both apply on the same read. Ledger earnings are booked once per entry by a
// guard document each (`statsLedgerEntries`), created in the transaction that adds them to their day.
import type { DayDelta } from '../../customers/book';
import type { CustomerBookStore } from '../../customers/customers';
import type { CustomerOrder, CustomerSummary } from '../../../schemas/customers';
import { CustomerOrderSchema, CustomerSummarySchema, STATS_DAY_FIGURES, StatsDaySchema } from '../../../schemas/customers';
import { COLLECTIONS, idOf } from './collections';
import type { CloudBaseDb, Transaction } from './db';
import { cloudbaseDb, entityOf, getDoc, inTransaction, isDuplicate, pageBy, queryAll, Rollback, txDoc } from './db';

/** The summary as stored: listed in the book (and sorted by its latest order) only while an order of theirs counts. */
const summaryDoc = (s: CustomerSummary) => ({
  ...s,
  listed: s.orders > 0 && s.lastOrderAt !== undefined,
  ...(s.lastOrderAt ? { byLeader: idOf(s.lastOrderAt, s.customerId) } : {}),
});

const parseSummary = entityOf(CustomerSummarySchema);

const customerOrderId = (o: Pick<CustomerOrder, 'leaderId' | 'userId' | 'orderId'>) => idOf(o.leaderId, o.userId, o.orderId);

/** Adds a delta's figures to the leader's day, inside the transaction (the day is made by its first delta). */
async function addToDay(tx: Transaction, leaderId: string, delta: Partial<DayDelta> & { date: string }): Promise<void> {
  const day = txDoc(tx, COLLECTIONS.statsDays, idOf(leaderId, delta.date));
  const current = (await day.get()) ?? {};
  const figures = Object.fromEntries(STATS_DAY_FIGURES.map((f) => [f, Number(current[f] ?? 0) + (delta[f] ?? 0)]));
  await day.set({ leaderId, date: delta.date, ...figures });
}

export function cloudbaseCustomerBookStore(db: CloudBaseDb = cloudbaseDb()): CustomerBookStore {
  const _ = db.command;
  return {
    async customer(leaderId, userId) {
      // The summary first, then the orders: orders read later are as new as the summary or newer, and a newer
      // write moved the summary's version on, so `apply` finds it stale. (The other way round, orders older than
      // the summary would be applied at the summary's version.)
      const summary = await getDoc(db, COLLECTIONS.customers, idOf(leaderId, userId), parseSummary);
      const orders = await queryAll(db, COLLECTIONS.customerOrders, { leaderId, userId });
      return {
        ...(summary ? { summary } : {}),
        orders: orders.map(entityOf(CustomerOrderSchema)),
      };
    },

    apply: (readVersion, summary, order, deltas) =>
      inTransaction(db, async (tx) => {
        // customerAsRead: every change of this customer writes the summary at the next version.
        const doc = txDoc(tx, COLLECTIONS.customers, idOf(summary.leaderId, summary.userId));
        const current = await doc.get();
        if (Number(current?.version ?? 0) !== readVersion) return new Rollback<'applied' | 'stale'>('stale');
        await doc.set(summaryDoc(summary));
        await txDoc(tx, COLLECTIONS.customerOrders, customerOrderId(order)).set({ ...order });
        for (const d of deltas) await addToDay(tx, summary.leaderId, d);
        return 'applied' as const;
      }),

    async bookEarnings(leaderId, date, entries) {
      const amountFen = entries.reduce((sum, e) => sum + e.amountFen, 0);
      try {
        return await inTransaction(db, async (tx) => {
          for (const e of entries) {
            // oncePerEntry: a ledger entry is immutable, and its id is its cause.
            const guard = txDoc(tx, COLLECTIONS.statsLedgerEntries, idOf(leaderId, e.entryId));
            if (await guard.get()) return new Rollback<'booked' | 'already'>('already');
            await guard.create({ leaderId, date, ...e });
          }
          await addToDay(tx, leaderId, { date, commissionFen: amountFen });
          return 'booked' as const;
        });
      } catch (err) {
        if (isDuplicate(err)) return 'already';
        throw err;
      }
    },

    async customersOf(leaderId, limit, cursor) {
      return pageBy(db, COLLECTIONS.customers, { leaderId, listed: true }, 'byLeader', 'desc', limit, cursor, parseSummary);
    },

    async daysOf(leaderId, from, to) {
      // `_id` is leader#date: the days come in date order.
      const docs = await queryAll(db, COLLECTIONS.statsDays, { leaderId, date: _.gte(from).and(_.lte(to)) });
      return docs.map(entityOf(StatsDaySchema));
    },
  };
}
