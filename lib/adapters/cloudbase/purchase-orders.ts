// CloudBase adapters of the purchase-order ports: the consolidation's contributions, running totals, dirty
// marks and rebuilds (outbox side), and the documents suppliers and operators read and act on (HTTP side).
// The same documents as DynamoDB's items, one collection each; every conditional write is a read inside the
// transaction that writes (a concurrent writer of the same document conflicts, and the work runs again).
import { randomUUID } from 'node:crypto';
import type { ConsolidationStore } from '../../purchase-orders/consolidation-ports';
import { MAX_APPLY_WRITES, marksDone, readSnapshot } from '../../purchase-orders/consolidation-ports';
import type { PartPoint } from '../../purchase-orders/lines';
import { breakdownAt, revisionVersions } from '../../purchase-orders/lines';
import type { PointDelta } from '../../purchase-orders/contributions';
import type { PurchaseOrderStore } from '../../purchase-orders/purchase-orders';
import type { BreakdownVersion, OrderContribution, PurchaseOrder, PurchaseOrderTotal } from '../../../schemas/purchase-orders';
import {
  BreakdownVersionSchema,
  OrderContributionSchema,
  PurchaseOrderRevisionRecordSchema,
  PurchaseOrderSchema,
} from '../../../schemas/purchase-orders';
import { auditAdd } from './audit';
import { COLLECTIONS, idOf } from './collections';
import type { CloudBaseDb, StoredDoc, Transaction } from './db';
import { cloudbaseDb, eachDoc, encodeAfter, entityOf, getDoc, inTransaction, pageBy, queryAll, Rollback, txDoc } from './db';
import { outboxAdd } from './outbox';
import { inParallel } from '../../runtime/concurrency';

/** A purchase order's documents are found by supplier and delivery date together. */
const poKeyOf = (supplierId: string, deliveryDate: string) => idOf(supplierId, deliveryDate);
/** Revisions sort as strings: padded, so that revision 10 comes after 9. */
const padded = (n: number) => String(n).padStart(10, '0');

const headerId = (po: Pick<PurchaseOrder, 'supplierId' | 'deliveryDate' | 'part'>) => idOf(po.supplierId, po.deliveryDate, po.part);
/** The header as stored: the listing's sort key (supplier, then part) and the purchase order's key beside it. */
const headerDoc = (po: PurchaseOrder) => ({
  ...po,
  poKey: poKeyOf(po.supplierId, po.deliveryDate),
  byDate: idOf(po.supplierId, padded(po.part)),
});
const parseHeader = entityOf(PurchaseOrderSchema);
const parseVersion = entityOf(BreakdownVersionSchema);

/** A point's version sorts by point, then revision (`pointRev`): one index serves the breakdown and a point's newest version. */
const pointRevOf = (leaderId: string, revision: number) => idOf(leaderId, padded(revision));
const versionDoc = (v: BreakdownVersion) => ({
  ...v,
  poKey: poKeyOf(v.supplierId, v.deliveryDate),
  pointRev: pointRevOf(v.leaderId, v.revision),
});

interface TotalsCell {
  productId: string;
  supplyPriceFen: number;
  name: string;
  unit: string;
  quantity: number;
}

/** One pickup point's running totals of one purchase order: a cell per product and supply price. */
interface TotalsDoc {
  poKey: string;
  supplierId: string;
  deliveryDate: string;
  leaderId: string;
  pickupPointName: string;
  address: string;
  cells: TotalsCell[];
}

const totalsId = (p: Pick<PointDelta, 'supplierId' | 'deliveryDate' | 'leaderId'>) => idOf(p.supplierId, p.deliveryDate, p.leaderId);

/** The totals with the point's deltas added (a cell only taken off keeps the name it was added with). */
function addDeltas(current: TotalsDoc | undefined, point: PointDelta): TotalsDoc {
  const cells = (current?.cells ?? []).map((c) => ({ ...c }));
  for (const d of point.deltas) {
    let cell = cells.find((c) => c.productId === d.productId && c.supplyPriceFen === d.supplyPriceFen);
    if (!cell) cells.push((cell = { productId: d.productId, supplyPriceFen: d.supplyPriceFen, name: '', unit: '', quantity: 0 }));
    cell.quantity += d.delta;
    if (d.name) [cell.name, cell.unit] = [d.name, d.unit ?? ''];
  }
  return {
    poKey: poKeyOf(point.supplierId, point.deliveryDate),
    supplierId: point.supplierId,
    deliveryDate: point.deliveryDate,
    leaderId: point.leaderId,
    pickupPointName: point.pickupPointName,
    address: point.address,
    cells,
  };
}

/** The cells as running totals (products whose quantity came back to zero are left out). */
const totalsOf = (doc: TotalsDoc | undefined): PurchaseOrderTotal[] =>
  (doc?.cells ?? [])
    .filter((c) => c.quantity !== 0)
    .map((c) => ({
      supplierId: doc!.supplierId,
      deliveryDate: doc!.deliveryDate,
      leaderId: doc!.leaderId,
      pickupPointName: doc!.pickupPointName,
      address: doc!.address,
      ...c,
    }));

/** A dirty mark's token: its id and how many points it names (it is deleted once all were examined). */
const tokenOf = (id: string, points: number) => `${id} ${points}`;
const markOf = (token: string) => {
  const [id, points] = token.split(' ') as [string, string];
  return { id, points: Number(points) };
};

/** The purchase orders a transaction's points belong to, each with its points (one mark each). */
function pointsByPurchaseOrder(points: readonly PointDelta[]): Map<string, PointDelta[]> {
  const by = new Map<string, PointDelta[]>();
  for (const p of points) {
    const key = poKeyOf(p.supplierId, p.deliveryDate);
    by.set(key, [...(by.get(key) ?? []), p]);
  }
  return by;
}

const contributionDoc = (c: OrderContribution) => ({
  orderId: c.orderId,
  deliveryDate: c.deliveryDate,
  leaderId: c.leaderId,
  orderVersion: c.orderVersion,
  lines: c.lines,
});

/** Writes a header (and the outbox item of the change, which notify reads as on DynamoDB). */
async function putHeader(tx: Transaction, before: PurchaseOrder | undefined, after: PurchaseOrder): Promise<void> {
  await txDoc(tx, COLLECTIONS.purchaseOrders, headerId(after)).set(headerDoc(after));
  await outboxAdd(tx, { eventName: before ? 'MODIFY' : 'INSERT', type: 'PURCHASE_ORDER', key: headerId(after), image: after });
}

/** The header is still the one read (nobody acknowledged, shipped or revised it since), or absent when none was read. */
const isAsRead = (current: StoredDoc | undefined, before: PurchaseOrder | undefined) =>
  before ? current?.revision === before.revision && current.status === before.status : !current;

/** The newest `count` versions of a pickup point in a part, at or below `revision` when given (newest first). */
async function newestVersions(db: CloudBaseDb, point: PartPoint, revision?: number, count = 1): Promise<BreakdownVersion[]> {
  const { supplierId, deliveryDate, part, leaderId } = point;
  const _ = db.command;
  const upTo = revision === undefined ? `${leaderId}#~` : pointRevOf(leaderId, revision);
  const { data } = (await db
    .collection(COLLECTIONS.purchaseOrderBreakdowns)
    .where({ poKey: poKeyOf(supplierId, deliveryDate), part, pointRev: _.gt(`${leaderId}#`).and(_.lte(upTo)) })
    .orderBy('pointRev', 'desc')
    .limit(count)
    .get()) as { data: StoredDoc[] };
  return data.map(parseVersion);
}

const READ_CONCURRENCY = 8;

export function cloudbaseConsolidationStore(db: CloudBaseDb = cloudbaseDb()): ConsolidationStore {
  return {
    async getContribution(orderId) {
      return getDoc(db, COLLECTIONS.purchaseOrderContributions, orderId, entityOf(OrderContributionSchema));
    },

    async applyContributions(changes, points) {
      const byPurchaseOrder = pointsByPurchaseOrder(points);
      // One document per change, per point and per mark: what apply.ts packs a call with (chunksOf).
      if (changes.length + points.length + byPurchaseOrder.size > MAX_APPLY_WRITES)
        throw new Error(`applyContributions: more than ${MAX_APPLY_WRITES} documents in one transaction`);
      return inTransaction(db, async (tx): Promise<'applied' | Rollback<'stale'>> => {
        for (const { before, after } of changes) {
          // contributionAsRead: the totals get new minus old only if "old" is still what is recorded.
          const doc = txDoc(tx, COLLECTIONS.purchaseOrderContributions, after.orderId);
          const current = await doc.get();
          if (before ? current?.orderVersion !== before.orderVersion : current) return new Rollback('stale');
          await doc.set(contributionDoc(after));
        }
        for (const point of points) {
          const doc = txDoc(tx, COLLECTIONS.purchaseOrderTotals, totalsId(point));
          await doc.set({ ...addDeltas((await doc.get()) as TotalsDoc | undefined, point) });
        }
        // One immutable mark per purchase order, naming its points: a later change is another mark.
        for (const [poKey, ps] of byPurchaseOrder) {
          const leaderIds = [...new Set(ps.map((p) => p.leaderId))];
          await txDoc(tx, COLLECTIONS.purchaseOrderMarks, idOf(poKey, randomUUID())).create({ poKey, leaderIds });
        }
        return 'applied';
      });
    },

    snapshot(supplierId, deliveryDate, options = {}) {
      const poKey = poKeyOf(supplierId, deliveryDate);
      return readSnapshot(
        {
          counter: () => getDoc(db, COLLECTIONS.purchaseOrderBuilds, poKey),
          headers: async () => (await queryAll(db, COLLECTIONS.purchaseOrders, { poKey })).map(parseHeader),
          marks: async () =>
            (await queryAll(db, COLLECTIONS.purchaseOrderMarks, { poKey })).map((m) => {
              const leaderIds = (m.leaderIds as unknown[]).map(String);
              return { leaderIds, token: tokenOf(String(m._id), leaderIds.length) };
            }),
          totals: async (leaderId) =>
            totalsOf(await getDoc<TotalsDoc>(db, COLLECTIONS.purchaseOrderTotals, totalsId({ supplierId, deliveryDate, leaderId }))),
          newestVersion: (part, leaderId) => newestVersions(db, { supplierId, deliveryDate, part, leaderId }),
        },
        options,
        READ_CONCURRENCY,
      );
    },

    commitBuild: (supplierId, deliveryDate, build, write) =>
      inTransaction(db, async (tx): Promise<'committed' | Rollback<'stale'>> => {
        const poKey = poKeyOf(supplierId, deliveryDate);
        const counter = txDoc(tx, COLLECTIONS.purchaseOrderBuilds, poKey);
        const current = await counter.get();
        // nobodyRebuiltSince: the snapshot this rebuild decided on is still the latest one.
        if ((typeof current?.build === 'number' ? current.build : 0) !== build) return new Rollback('stale');
        const builtAt = write ? Date.parse(write.after.updatedAt) : current?.builtAt;
        await counter.set({ poKey, build: build + 1, ...(typeof builtAt === 'number' ? { builtAt } : {}) });
        if (!write) return 'committed';
        const { before, after, revision, versions, audit } = write;
        const header = txDoc(tx, COLLECTIONS.purchaseOrders, headerId(after));
        if (!isAsRead(await header.get(), before)) return new Rollback('stale');
        await putHeader(tx, before, after);
        await txDoc(tx, COLLECTIONS.purchaseOrderRevisions, idOf(headerId(after), padded(revision.revision))).create({
          ...revision,
          poKey,
          part: after.part,
          seq: padded(revision.revision),
        });
        for (const v of versions)
          await txDoc(tx, COLLECTIONS.purchaseOrderBreakdowns, idOf(headerId(v), v.leaderId, padded(v.revision))).create(versionDoc(v));
        await auditAdd(tx, audit);
        return 'committed';
      }),

    async clearDirty(_supplierId, _deliveryDate, marks) {
      const done = marksDone(marks, (token) => markOf(token).points).map((token) => markOf(token).id);
      // A mark is immutable: a change applied after the rebuild read it is another mark, and stays.
      await inParallel(done, READ_CONCURRENCY, (id) => db.collection(COLLECTIONS.purchaseOrderMarks).doc(id).remove());
    },
  };
}

export function cloudbasePurchaseOrderStore(db: CloudBaseDb = cloudbaseDb()): PurchaseOrderStore {
  return {
    async get(supplierId, deliveryDate, part) {
      return getDoc(db, COLLECTIONS.purchaseOrders, headerId({ supplierId, deliveryDate, part }), parseHeader);
    },

    async listByDate(deliveryDate, supplierId, limit, cursor) {
      // A supplier's parts of the date share their purchase order's key; all suppliers' share the date.
      const where = supplierId ? { poKey: poKeyOf(supplierId, deliveryDate) } : { deliveryDate };
      return pageBy(db, COLLECTIONS.purchaseOrders, where, 'byDate', 'asc', limit, cursor, parseHeader);
    },

    cursorAfter: (po) => encodeAfter(headerDoc(po).byDate)!,

    breakdown(supplierId, deliveryDate, part, revision, afterLeaderId) {
      const versions = eachDoc(db, COLLECTIONS.purchaseOrderBreakdowns, { poKey: poKeyOf(supplierId, deliveryDate), part }, parseVersion, {
        sortField: 'pointRev',
        // Past every version of the point the last page ended with ('~' sorts after any id character).
        after: afterLeaderId ? `${afterLeaderId}#~` : '',
      });
      return breakdownAt(versions, revision);
    },

    transition: (before, after, audit) =>
      inTransaction(db, async (tx): Promise<'changed' | Rollback<'stale'>> => {
        if (!isAsRead(await txDoc(tx, COLLECTIONS.purchaseOrders, headerId(before)).get(), before)) return new Rollback('stale');
        await putHeader(tx, before, after);
        await auditAdd(tx, audit);
        return 'changed';
      }),

    async revisions(supplierId, deliveryDate, part, limit, cursor) {
      return pageBy(
        db,
        COLLECTIONS.purchaseOrderRevisions,
        { poKey: poKeyOf(supplierId, deliveryDate), part },
        'seq',
        'asc',
        limit,
        cursor,
        entityOf(PurchaseOrderRevisionRecordSchema),
      );
    },

    cursorAfterRevision: (_po, revision) => encodeAfter(padded(revision))!,

    async pointVersions(supplierId, deliveryDate, part, leaderId, revision) {
      return revisionVersions(await newestVersions(db, { supplierId, deliveryDate, part, leaderId }, revision, 2), revision);
    },
  };
}
