// CloudBase adapter of the GroupBuyStore port. Beside the group buy, each of its items has a document of its
// own (`groupBuyItems`): the live stock, what was sold, and a copy of the group's state. Every order, cancel,
// expiry and payment writes the items it touches, and every change of the group's state (closing, a
// suspension) writes all of its items, so that an order and a closing can never both commit on what each read.
import type { GroupBuyStore, SoldCount } from '../../group-buys/group-buys';
import { soldDeltas } from '../../orders/sales';
import type { PaidPrice } from '../../group-buys/reference-price';
import { businessDate } from '../../runtime/time';
import type { Order } from '../../../schemas/orders';
import type { GroupBuy, Stock } from '../../../schemas/group-buys';
import { GroupBuySchema, StockSchema } from '../../../schemas/group-buys';
import { auditAdd } from './audit';
import { COLLECTIONS, idOf } from './collections';
import type { CloudBaseDb } from './db';
import { cloudbaseDb, entityOf, getDoc, inTransaction, queryAll, Rollback, txDoc } from './db';
import type { Transaction } from './db';
import { outboxAdd } from './outbox';

export interface GroupBuyItemDoc {
  groupBuyId: string;
  productId: string;
  stockLimited: boolean;
  stockLimit?: number;
  remaining?: number;
  sold: number;
  /** The group's state, copied on every change of it: what ordering checks. */
  status: GroupBuy['status'];
  cutoffAt: string;
  leaderSuspended?: boolean;
  /** Moved on by a write that only guards a decision (a payment checking the leader). */
  touches: number;
}

export const itemId = (groupBuyId: string, productId: string) => idOf(groupBuyId, productId);

export const parseGroupBuy = entityOf(GroupBuySchema);

/** The evidence that `productId` was paid at `unitPriceFen` on the business date `date` (`PaidPrice` and what finds it). */
interface ProductPriceDoc extends PaidPrice {
  productId: string;
  date: string;
}

const productPriceId = (productId: string, date: string, unitPriceFen: number) =>
  idOf(productId, date, String(unitPriceFen).padStart(10, '0'));

/**
 * Records, in the transaction of an order becoming paid, each unit price its lines were paid at (once per
 * product and price), on the business date of the payment: the 划线价's evidence, as the DynamoDB adapter
 * writes it. Read and written here, so two payments of the same product and price conflict and one retries.
 */
export async function addPaidPrices(tx: Transaction, before: Order, after: Order): Promise<void> {
  if (before.status !== 'pending_payment' || after.status !== 'paid' || !after.paidAt) return;
  const paidAt = after.paidAt;
  const date = businessDate(new Date(paidAt));
  const prices = new Map(after.items.map((l) => [`${l.productId}#${l.unitPriceFen}`, l]));
  for (const { productId, unitPriceFen } of prices.values()) {
    const doc = txDoc(tx, COLLECTIONS.productPrices, productPriceId(productId, date, unitPriceFen));
    const current = (await doc.get()) as Partial<ProductPriceDoc> | undefined;
    const next: ProductPriceDoc = {
      productId,
      date,
      unitPriceFen,
      // The earliest and the latest instants of the day's payments, whichever order they are applied in.
      firstPaidAt: current?.firstPaidAt && current.firstPaidAt < paidAt ? current.firstPaidAt : paidAt,
      lastPaidAt: current?.lastPaidAt && current.lastPaidAt > paidAt ? current.lastPaidAt : paidAt,
    };
    await doc.set({ ...next });
  }
}

/**
 * Moves a group buy's real sold counts (units in paid orders, and the paid orders with the item: what residents
 * are shown) by an order's change, in the change's own transaction, as DynamoDB's GROUP_BUY_SOLD item: one
 * document per item, apart from the item's stock (which placements write), read and written here.
 */
export async function addSoldCounts(tx: Transaction, before: Order, after: Order): Promise<void> {
  for (const delta of soldDeltas(before, after)) {
    const doc = txDoc(tx, COLLECTIONS.groupBuySold, itemId(after.groupBuyId, delta.productId));
    const current = (await doc.get()) as Partial<SoldCount> | undefined;
    await doc.set({
      groupBuyId: after.groupBuyId,
      productId: delta.productId,
      quantity: (current?.quantity ?? 0) + delta.quantity,
      buyers: (current?.buyers ?? 0) + delta.orders,
    });
  }
}

/**
 * Marks a group buy as its leader's suspension stopping it (or no longer), in the transaction of the leader's
 * change: on the group buy (what its view shows) and on each of its items (what ordering checks, `takesOrders`),
 * as DynamoDB marks its one item. Written field by field, so the group's other state stays as it is.
 */
export async function markLeaderSuspended(db: CloudBaseDb, tx: Transaction, groupBuyId: string, suspended: boolean): Promise<void> {
  const mark = { leaderSuspended: suspended ? true : db.command.remove() };
  const doc = txDoc(tx, COLLECTIONS.groupBuys, groupBuyId);
  const groupBuy = await doc.get();
  if (!groupBuy) throw new Error(`No group buy ${groupBuyId} to mark`);
  await doc.update(mark);
  for (const item of parseGroupBuy(groupBuy).items)
    await txDoc(tx, COLLECTIONS.groupBuyItems, itemId(groupBuyId, item.productId)).update(mark);
}

export function cloudbaseGroupBuyStore(db: CloudBaseDb = cloudbaseDb()): GroupBuyStore {
  return {
    async paidPrices(productId, fromDate, toDate) {
      const _ = db.command;
      const docs = await queryAll(db, COLLECTIONS.productPrices, { productId, date: _.gte(fromDate).and(_.lte(toDate)) });
      return docs.map((d) => ({
        unitPriceFen: Number(d.unitPriceFen),
        firstPaidAt: String(d.firstPaidAt),
        lastPaidAt: String(d.lastPaidAt),
      }));
    },
    create: (groupBuy, audit) =>
      inTransaction(db, async (tx) => {
        // leaderStillActive: read and written here, so that a suspension landing meanwhile conflicts.
        const leader = txDoc(tx, COLLECTIONS.leaders, groupBuy.leaderId);
        const current = await leader.get();
        if (current?.status !== 'active') return new Rollback<'created' | 'leader_not_active'>('leader_not_active');
        await leader.update({ touches: db.command.inc(1) });
        await txDoc(tx, COLLECTIONS.groupBuys, groupBuy.groupBuyId).create({ ...groupBuy });
        for (const item of groupBuy.items) {
          const doc: GroupBuyItemDoc = {
            groupBuyId: groupBuy.groupBuyId,
            productId: item.productId,
            stockLimited: item.stockLimit !== undefined,
            ...(item.stockLimit !== undefined ? { stockLimit: item.stockLimit, remaining: item.stockLimit } : {}),
            sold: 0,
            status: groupBuy.status,
            cutoffAt: groupBuy.cutoffAt,
            touches: 0,
          };
          await txDoc(tx, COLLECTIONS.groupBuyItems, itemId(groupBuy.groupBuyId, item.productId)).create({ ...doc });
        }
        await outboxAdd(tx, { eventName: 'INSERT', type: 'GROUP_BUY', key: groupBuy.groupBuyId, image: groupBuy });
        await auditAdd(tx, audit);
        return 'created' as const;
      }),

    async get(groupBuyId) {
      return getDoc(db, COLLECTIONS.groupBuys, groupBuyId, parseGroupBuy);
    },

    async getWithStock(groupBuyId) {
      const doc = await getDoc(db, COLLECTIONS.groupBuys, groupBuyId);
      if (!doc) return undefined;
      const stock = new Map<string, Stock>();
      for (const item of await queryAll(db, COLLECTIONS.groupBuyItems, { groupBuyId })) {
        if (item.stockLimited) {
          const s = StockSchema.parse(item);
          stock.set(s.productId, s);
        }
      }
      const sold = new Map<string, SoldCount>();
      for (const count of await queryAll(db, COLLECTIONS.groupBuySold, { groupBuyId }))
        sold.set(String(count.productId), { quantity: Number(count.quantity ?? 0), buyers: Number(count.buyers ?? 0) });
      return { groupBuy: parseGroupBuy(doc), stock, sold };
    },
  };
}
