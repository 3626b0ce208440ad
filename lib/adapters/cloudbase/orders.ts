// CloudBase adapter of the OrderStore port. Placing an order is one transaction: the order (its id derived from
// the Idempotency-Key: an existing one is the replay), each item's stock (read, checked, written: never below
// zero however many orders race) and each per-resident counter. Every later change of an order is one more,
// decided on the order's version as read.
import type { AuditEvent } from '../../../schemas/common';
import type { Order, Refund } from '../../../schemas/orders';
import { OrderSchema, PaymentRecordSchema, RefundSchema } from '../../../schemas/orders';
import type { CloseTally, OrderChange, OrderStore, PlaceOutcome } from '../../orders/ports';
import { auditAdd } from './audit';
import { COLLECTIONS, idOf } from './collections';
import type { CloudBaseDb, StoredDoc, Transaction } from './db';
import { cloudbaseDb, entityOf, getDoc, inTransaction, pageBy, queryAll, Rollback, txDoc } from './db';
import type { GroupBuyItemDoc } from './group-buys';
import { addPaidPrices, addSoldCounts, itemId } from './group-buys';
import { outboxAdd } from './outbox';

/** The order as stored: its fields and the sort key of `GET /me/orders`. */
export const orderDoc = (o: Order) => ({ ...o, byUser: idOf(o.createdAt, o.orderId) });
export const parseOrder = entityOf(OrderSchema);

const refundDocId = (r: Pick<Refund, 'orderId' | 'refundId'>) => idOf(r.orderId, r.refundId);

/** The group buy still takes orders at `at`: what the items' copy of its state says. */
export const takesOrders = (item: GroupBuyItemDoc, at: Date) =>
  item.status === 'open' && item.cutoffAt > at.toISOString() && !item.leaderSuspended;

/** Reads the items of an order's lines inside the transaction (each is written later, so a racing closing conflicts). */
export async function readItems(tx: Transaction, order: Pick<Order, 'groupBuyId' | 'items'>) {
  const items = new Map<string, GroupBuyItemDoc>();
  for (const line of order.items) {
    const doc = await txDoc(tx, COLLECTIONS.groupBuyItems, itemId(order.groupBuyId, line.productId)).get();
    if (!doc) throw new Error(`group buy ${order.groupBuyId} has no item ${line.productId}`);
    items.set(line.productId, doc as unknown as GroupBuyItemDoc);
  }
  return items;
}

export async function addRefund(tx: Transaction, refund: Refund): Promise<void> {
  await txDoc(tx, COLLECTIONS.refunds, refundDocId(refund)).create({ ...refund });
  await outboxAdd(tx, { eventName: 'INSERT', type: 'REFUND', key: refundDocId(refund), image: refund });
}

/** The order replaced by `after` at the next version (the caller checked it is still at `before`'s). */
export async function putOrder(tx: Transaction, before: Order, after: Order): Promise<void> {
  const next = { ...after, version: before.version + 1 };
  await txDoc(tx, COLLECTIONS.orders, after.orderId).set(orderDoc(next));
  await outboxAdd(tx, { eventName: 'MODIFY', type: 'ORDER', key: after.orderId, image: next });
}

export async function addTally(tx: Transaction, tally: CloseTally, orderId: string): Promise<void> {
  await txDoc(tx, COLLECTIONS.closeTallies, idOf(tally.groupBuyId, tally.kind, orderId)).create({
    groupBuyId: tally.groupBuyId,
    kind: tally.kind,
    orderId,
  });
}

type ChangeOutcome = Awaited<ReturnType<OrderStore['change']>>;

export function cloudbaseOrderStore(db: CloudBaseDb = cloudbaseDb()): OrderStore {
  const _ = db.command;
  const get = async (orderId: string) => {
    return getDoc(db, COLLECTIONS.orders, orderId, parseOrder);
  };

  return {
    get,

    // The group buy's version is not checked here: its items' copies of its state are (its snapshot never changes).
    place: ({ order, reservations, audit, now }) =>
      inTransaction(db, async (tx): Promise<PlaceOutcome | Rollback<PlaceOutcome>> => {
        const orderDocRef = txDoc(tx, COLLECTIONS.orders, order.orderId);
        if (await orderDocRef.get()) return new Rollback({ kind: 'duplicate_key' });
        const items = await readItems(tx, order);
        if ([...items.values()].some((item) => !takesOrders(item, now))) return new Rollback({ kind: 'group_closed' });
        // stockSuffices: never below zero, however many orders race for the last units.
        const outOfStock = reservations.filter((r) => r.stockLimited && (items.get(r.productId)!.remaining ?? 0) < r.quantity);
        if (outOfStock.length) return new Rollback({ kind: 'out_of_stock', productIds: outOfStock.map((r) => r.productId) });
        // withinResidentLimit: what this resident already holds plus this order fits the limit.
        const counters = new Map<string, number>();
        const overLimit: string[] = [];
        for (const r of reservations) {
          if (r.perResidentLimit === undefined) continue;
          const counter = await txDoc(tx, COLLECTIONS.residentCounters, idOf(order.groupBuyId, order.userId, r.productId)).get();
          const bought = Number(counter?.bought ?? 0);
          if (bought + r.quantity > r.perResidentLimit) overLimit.push(r.productId);
          counters.set(r.productId, bought + r.quantity);
        }
        if (overLimit.length) return new Rollback({ kind: 'over_limit', productIds: overLimit });

        for (const r of reservations) {
          await txDoc(tx, COLLECTIONS.groupBuyItems, itemId(order.groupBuyId, r.productId)).update({
            sold: _.inc(r.quantity),
            ...(r.stockLimited ? { remaining: _.inc(-r.quantity) } : {}),
          });
        }
        for (const [productId, bought] of counters) {
          await txDoc(tx, COLLECTIONS.residentCounters, idOf(order.groupBuyId, order.userId, productId)).set({
            groupBuyId: order.groupBuyId,
            userId: order.userId,
            productId,
            bought,
          });
        }
        await orderDocRef.create(orderDoc(order));
        await outboxAdd(tx, { eventName: 'INSERT', type: 'ORDER', key: order.orderId, image: order });
        await auditAdd(tx, audit);
        return { kind: 'placed' };
      }),

    async listByUser(userId, limit, cursor) {
      return pageBy(db, COLLECTIONS.orders, { userId }, 'byUser', 'desc', limit, cursor, parseOrder);
    },

    change: (change: OrderChange) =>
      inTransaction(db, async (tx): Promise<ChangeOutcome | Rollback<ChangeOutcome>> => {
        const { before, after } = change;
        if (change.payment && (await txDoc(tx, COLLECTIONS.payments, change.payment.paymentId).get())) return new Rollback('payment_seen');
        const current = await txDoc(tx, COLLECTIONS.orders, before.orderId).get();
        if (!current || current.version !== before.version) return new Rollback('stale');
        const guarded = change.groupOpenAt || change.leaderNotSuspended || change.release;
        const items = guarded ? await readItems(tx, before) : new Map<string, GroupBuyItemDoc>();
        if (change.groupOpenAt && [...items.values()].some((i) => !takesOrders(i, change.groupOpenAt!)))
          return new Rollback('group_closed');
        if (change.leaderNotSuspended && [...items.values()].some((i) => i.leaderSuspended)) return new Rollback('leader_suspended');

        await putOrder(tx, before, after);
        // The closing's bulk settlement (a tally) leaves the group buy's sold counts alone, as on DynamoDB: every
        // order of the group buy would write the same documents at once.
        if (!change.tally) await addSoldCounts(tx, before, after);
        for (const line of guarded ? before.items : []) {
          // Giving back what the order held, or (a guard only) touching the item so that a racing writer conflicts.
          await txDoc(tx, COLLECTIONS.groupBuyItems, itemId(before.groupBuyId, line.productId)).update(
            change.release
              ? { sold: _.inc(-line.quantity), ...(line.stockLimited ? { remaining: _.inc(line.quantity) } : {}) }
              : { touches: _.inc(1) },
          );
          if (change.release && line.residentLimited) {
            await txDoc(tx, COLLECTIONS.residentCounters, idOf(before.groupBuyId, before.userId, line.productId)).update({
              bought: _.inc(-line.quantity),
            });
          }
        }
        if (change.payment) await txDoc(tx, COLLECTIONS.payments, change.payment.paymentId).create({ ...change.payment });
        await addPaidPrices(tx, before, after);
        if (change.tally) await addTally(tx, change.tally, before.orderId);
        for (const refund of change.refunds ?? []) await addRefund(tx, refund);
        await auditAdd(tx, change.audit);
        return 'changed';
      }),

    recordUnappliedPayment: (payment, refund, audit) =>
      inTransaction(db, async (tx): Promise<'recorded' | 'payment_seen' | Rollback<'payment_seen'>> => {
        const doc = txDoc(tx, COLLECTIONS.payments, payment.paymentId);
        if (await doc.get()) return new Rollback('payment_seen');
        await doc.create({ ...payment });
        await addRefund(tx, refund);
        await auditAdd(tx, audit);
        return 'recorded';
      }),

    async listRefunds(orderId) {
      return (await queryAll(db, COLLECTIONS.refunds, { orderId })).map(entityOf(RefundSchema));
    },

    completeRefund: (refund, completedAt, audit) =>
      transitionIf(db, refund, { ...refund, status: 'succeeded', completedAt }, ['requested', 'submitted'], (after) => ({
        ...audit,
        before: refund,
        after,
      })).then((o) => (o === 'changed' ? 'completed' : 'already')),

    transitionRefund: (before, after, audit) => transitionIf(db, before, after, [before.status], () => audit),

    async getPayment(paymentId) {
      return getDoc(db, COLLECTIONS.payments, paymentId, entityOf(PaymentRecordSchema));
    },

    async dueForExpiry(now, limit) {
      const { data } = (await db
        .collection(COLLECTIONS.orders)
        .where({ status: 'pending_payment', expiresAt: _.lt(now.toISOString()) })
        .orderBy('expiresAt', 'asc')
        .limit(Math.min(limit, 1000))
        .get()) as { data: StoredDoc[] };
      return data.map(parseOrder);
    },

    // Oldest pickup dates first, as DynamoDB's ready-orders index returns them (index `status, pickupDate`).
    async readyUpTo(lastPickupDate, limit) {
      const { data } = (await db
        .collection(COLLECTIONS.orders)
        .where({ status: 'ready_for_pickup', pickupDate: _.lte(lastPickupDate) })
        .orderBy('pickupDate', 'asc')
        .limit(Math.min(limit, 1000))
        .get()) as { data: StoredDoc[] };
      return data.map(parseOrder);
    },
  };
}

/** Replaces a refund by `after` if it is still in one of the `from` statuses (a refund only moves forward). */
function transitionIf(db: CloudBaseDb, before: Refund, after: Refund, from: string[], audit: (after: Refund) => AuditEvent) {
  return inTransaction(db, async (tx): Promise<'changed' | 'already' | Rollback<'already'>> => {
    const doc = txDoc(tx, COLLECTIONS.refunds, refundDocId(before));
    const current = await doc.get();
    if (!current || !from.includes(String(current.status))) return new Rollback('already');
    await doc.set({ ...after });
    await outboxAdd(tx, { eventName: 'MODIFY', type: 'REFUND', key: refundDocId(after), image: after });
    await auditAdd(tx, audit(after));
    return 'changed';
  });
}
