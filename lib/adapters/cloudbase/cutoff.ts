// CloudBase adapter of the CutoffStore port. Every change of a closing group buy is one transaction that reads
// the group buy and writes it (so two changes decided on the same read conflict and one is decided again),
// with its audit record and, while it is `closing`, its outbox item: the change that brings `closeGroupBuys`
// its next call, as the table's stream does on AWS. Beginning and finishing a closing also write the copy of
// the group's state on each of its items, the copy every order's transaction reads and writes: an order and
// the closing can never both commit on what each read.
import type { AuditEvent } from '../../../schemas/common';
import type { GroupBuy } from '../../../schemas/group-buys';
import { OrderSchema } from '../../../schemas/orders';
import type { CloseStats, CutoffStore } from '../../cutoff/cutoff';
import type { Page } from '../../runtime/page';
import { auditAdd } from './audit';
import { COLLECTIONS, idOf } from './collections';
import type { CloudBaseDb, StoredDoc, Transaction } from './db';
import { cloudbaseDb, decodeAfter, encodeAfter, fieldsOf, getDoc, inTransaction, pageBy, queryAll, Rollback, txDoc } from './db';
import { itemId, parseGroupBuy } from './group-buys';
import { addTally, parseOrder, putOrder } from './orders';
import { outboxAdd } from './outbox';

type Decision = 'done' | 'stale';

/**
 * Reads the group buy in the transaction; if `decide` accepts it as read, writes what it returns (the whole
 * document), its outbox item and, when given, the audit record. `undefined` from `decide`: nothing to do.
 */
async function rewrite(
  tx: Transaction,
  groupBuyId: string,
  decide: (current: Record<string, unknown>) => Record<string, unknown> | undefined,
  audit?: AuditEvent,
): Promise<Decision | Rollback<Decision>> {
  const doc = txDoc(tx, COLLECTIONS.groupBuys, groupBuyId);
  const current = fieldsOf(await doc.get());
  const next = current && decide(current);
  if (!next) return new Rollback('stale');
  await doc.set(next);
  // Only a `closing` image has a consumer (closeGroupBuys); the routes decide, as the stream router does.
  await outboxAdd(tx, { eventName: 'MODIFY', type: 'GROUP_BUY', key: groupBuyId, image: next });
  if (audit) await auditAdd(tx, audit);
  return 'done';
}

/**
 * A change of the group buy's state decided on `before` (still at its status and version when written: what the
 * DynamoDB condition checks), at the next version, with its audit record; `itemStatus`: the state its items'
 * copies take with it (ordering reads them: lib/adapters/cloudbase/orders.ts `takesOrders`).
 */
async function changeState(
  db: CloudBaseDb,
  before: GroupBuy,
  change: (current: Record<string, unknown>) => Record<string, unknown>,
  audit: AuditEvent,
  itemStatus?: GroupBuy['status'],
): Promise<Decision> {
  return inTransaction(db, async (tx) => {
    const outcome = await rewrite(
      tx,
      before.groupBuyId,
      (current) =>
        current.status === before.status && current.version === before.version
          ? { ...change(current), version: before.version + 1 }
          : undefined,
      audit,
    );
    if (outcome instanceof Rollback || !itemStatus) return outcome;
    for (const item of before.items)
      await txDoc(tx, COLLECTIONS.groupBuyItems, itemId(before.groupBuyId, item.productId)).update({ status: itemStatus });
    return outcome;
  });
}

const withoutFields = (doc: Record<string, unknown>, fields: string[]) =>
  Object.fromEntries(Object.entries(doc).filter(([k]) => !fields.includes(k)));

export function cloudbaseCutoffStore(db: CloudBaseDb = cloudbaseDb()): CutoffStore {
  const _ = db.command;
  const count = async (collection: string, where: Record<string, unknown>) =>
    ((await db.collection(collection).where(where).count()) as { total: number }).total;

  return {
    async get(groupBuyId) {
      return getDoc(db, COLLECTIONS.groupBuys, groupBuyId, parseGroupBuy);
    },

    // Oldest cutoff first; group buys sharing a cutoff in `_id` order, so the cursor (`cutoffAt#_id`) is exact.
    async due(upTo, limit, cursor): Promise<Page<GroupBuy>> {
      const bound = upTo.toISOString();
      const after = decodeAfter(cursor);
      const [afterCutoff, afterId] = after ? (after.split('#') as [string, string]) : [];
      const where =
        afterCutoff === undefined
          ? { status: 'open', cutoffAt: _.lte(bound) }
          : _.and([
              { status: 'open' },
              _.or([{ cutoffAt: _.gt(afterCutoff).and(_.lte(bound)) }, { cutoffAt: afterCutoff, _id: _.gt(afterId) }]),
            ]);
      const { data } = (await db
        .collection(COLLECTIONS.groupBuys)
        .where(where)
        .orderBy('cutoffAt', 'asc')
        .orderBy('_id', 'asc')
        .limit(Math.min(limit + 1, 1000))
        .get()) as { data: StoredDoc[] };
      const items = data.slice(0, limit).map(parseGroupBuy);
      const last = items[items.length - 1];
      const next = data.length > limit && last ? encodeAfter(idOf(last.cutoffAt, last.groupBuyId)) : undefined;
      return { items, ...(next ? { nextCursor: next } : {}) };
    },

    async closing(limit, cursor) {
      return pageBy(db, COLLECTIONS.groupBuys, { status: 'closing' }, '_id', 'asc', limit, cursor, parseGroupBuy);
    },

    async beginClosing(gb, phase, at, audit) {
      const closeStats: CloseStats = { ordersCancelled: 0, ordersReady: 0, ordersRefunded: 0, pages: 0 };
      // From its commit on, no order can be placed or paid into the group (orders read and write the items).
      const outcome = await changeState(
        db,
        gb,
        (c) => ({ ...c, status: 'closing', closePhase: phase, updatedAt: at, closeStats }),
        audit,
        'closing',
      );
      return outcome === 'done' ? 'begun' : 'stale';
    },

    // By status (the collection's index): the first orders still in it, again each time, with a cursor until
    // there are none (the orders a page settles leave the status; the cursor only says "ask again").
    async ordersIn(groupBuyId, status, limit) {
      const { data } = (await db.collection(COLLECTIONS.orders).where({ groupBuyId, status }).limit(Math.min(limit, 1000)).get()) as {
        data: StoredDoc[];
      };
      return { items: data.map(parseOrder), ...(data.length ? { nextCursor: 'again' } : {}) };
    },

    async paidQuantity(groupBuyId) {
      const paid = await queryAll(db, COLLECTIONS.orders, { groupBuyId, status: 'paid' });
      return paid.reduce((total, doc) => total + OrderSchema.shape.items.parse(doc.items).reduce((s, l) => s + l.quantity, 0), 0);
    },

    async decide(gb, outcome, paidQuantity, at, audit) {
      if (gb.closePhase !== 'cancel-unpaid') return 'stale';
      const result = await changeState(db, gb, (c) => ({ ...c, closePhase: 'settle-paid', outcome, paidQuantity, updatedAt: at }), audit);
      return result === 'done' ? 'decided' : 'stale';
    },

    // Counts and a timestamp only, never the state nor its version (a decision taken on the read before this
    // stays valid); a change all the same, so it brings the next call.
    async recordProgress(groupBuyId, delta: CloseStats, at) {
      await inTransaction(db, (tx) =>
        rewrite(tx, groupBuyId, (current) => {
          if (current.status !== 'closing') return undefined;
          const stats = (current.closeStats ?? {}) as Partial<CloseStats>;
          return {
            ...current,
            progressAt: at,
            closeStats: {
              ordersCancelled: (stats.ordersCancelled ?? 0) + delta.ordersCancelled,
              ordersReady: (stats.ordersReady ?? 0) + delta.ordersReady,
              ordersRefunded: (stats.ordersRefunded ?? 0) + delta.ordersRefunded,
              pages: (stats.pages ?? 0) + delta.pages,
            },
          };
        }),
      );
    },

    async finish(gb, status, at, audit) {
      // Exact counts: each settled order wrote its tally in its own transaction (a page killed half way and
      // done again cannot count twice). Every order is settled by now, so no tally is still to come.
      const tallies = (kind: string) => count(COLLECTIONS.closeTallies, { groupBuyId: gb.groupBuyId, kind });
      const counts = {
        ordersCancelled: await tallies('cancelled'),
        ordersReady: await tallies('ready'),
        ordersRefunded: await tallies('refunded'),
      };
      const result = await changeState(
        db,
        gb,
        (c) => ({
          ...withoutFields(c, ['closePhase']),
          status,
          closedAt: at,
          updatedAt: at,
          closeStats: { pages: 0, ...(c.closeStats as Partial<CloseStats> | undefined), ...counts },
        }),
        audit,
        status,
      );
      return result === 'done' ? 'finished' : 'stale';
    },

    assignPickupCode: (before, after, audit) =>
      inTransaction(db, async (tx): Promise<'assigned' | Rollback<'code_taken' | 'stale'>> => {
        const current = await txDoc(tx, COLLECTIONS.orders, before.orderId).get();
        if (!current || current.version !== before.version) return new Rollback('stale');
        // The code's guard: one order per code, pickup point and date (created here, so two orders drawing
        // the same code at once conflict, and the one retried finds it taken).
        const guard = txDoc(tx, COLLECTIONS.pickupCodes, idOf(after.leaderId, after.pickupDate, after.pickupCode!));
        if (await guard.get()) return new Rollback('code_taken');
        await guard.create({
          orderId: after.orderId,
          groupBuyId: after.groupBuyId,
          leaderId: after.leaderId,
          pickupDate: after.pickupDate,
          code: after.pickupCode,
        });
        await putOrder(tx, before, after);
        await addTally(tx, { groupBuyId: before.groupBuyId, kind: 'ready' }, before.orderId);
        await auditAdd(tx, audit);
        return 'assigned';
      }),

    async nudge(groupBuyId, at) {
      await inTransaction(db, (tx) =>
        rewrite(tx, groupBuyId, (current) => (current.status === 'closing' ? { ...current, nudgedAt: at } : undefined)),
      );
    },
  };
}
