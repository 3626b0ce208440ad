// DynamoDB adapters of the purchase-order ports: the consolidation's contributions, running totals, dirty
// marks and rebuilds (stream side), and the documents suppliers and operators read and act on (HTTP side).
// Key shapes and why each exists: lib/store/keys.ts and docs/data-model.md ("Purchase orders").
import { randomUUID } from 'node:crypto';
import { DeleteCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import type { ConsolidationStore, DocumentWrite } from '../purchase-orders/consolidation-ports';
import { marksDone, readSnapshot } from '../purchase-orders/consolidation-ports';
import type { PointDelta } from '../purchase-orders/contributions';
import type { PartPoint } from '../purchase-orders/lines';
import { breakdownAt, revisionVersions } from '../purchase-orders/lines';
import type { PurchaseOrderStore } from '../purchase-orders/purchase-orders';
import type {
  BreakdownVersion,
  OrderContribution,
  PurchaseOrder,
  PurchaseOrderRevisionRecord,
  PurchaseOrderTotal,
} from '../../schemas/purchase-orders';
import {
  BreakdownVersionSchema,
  ContributionSchema,
  OrderContributionSchema,
  PurchaseOrderRevisionRecordSchema,
  PurchaseOrderSchema,
} from '../../schemas/purchase-orders';
import { auditPut } from './audit';
import type { Db, TransactItem } from './dynamo';
import {
  cancellationReasons,
  db,
  encodeCursor,
  guardedWrite,
  isConditionFailure,
  partitionBetween,
  partitionOf,
  putIfNew,
  queryAll,
  queryEach,
  readByKeys,
  readItem,
  tableName,
  transactWrite,
  withCursor,
} from './dynamo';
import { INDEX, keys } from './keys';
import { inParallel } from '../runtime/concurrency';

const headerItem = (po: PurchaseOrder) => ({
  ...keys.purchaseOrder(po.supplierId, po.deliveryDate, po.part),
  type: 'PURCHASE_ORDER',
  ...po,
});

/** The part's entry in the date index: its key only (readers fetch the header it names). */
const listingItem = (po: PurchaseOrder) => ({
  ...keys.purchaseOrderListing(po.supplierId, po.deliveryDate, po.part),
  ...keys.purchaseOrdersByDate(po.deliveryDate, po.supplierId, po.part),
  type: 'PURCHASE_ORDER_LISTING',
  supplierId: po.supplierId,
  deliveryDate: po.deliveryDate,
  part: po.part,
});

const versionItem = (v: BreakdownVersion) => ({
  ...keys.purchaseOrderBreakdown(v.supplierId, v.deliveryDate, v.part, v.leaderId, v.revision),
  type: 'PO_BREAKDOWN',
  ...v,
});

// A revision's causing orders are stored as "<orderId> <groupBuyId> <status>" (~70 B each instead of ~100: up
// to 50 of them are most of the record, written in a transaction at 2 WCU per KB), read back as objects.
const revisionItem = (supplierId: string, deliveryDate: string, part: number, revision: PurchaseOrderRevisionRecord) => ({
  ...keys.purchaseOrderRevision(supplierId, deliveryDate, part, revision.revision),
  type: 'PURCHASE_ORDER_REVISION',
  ...revision,
  cause: { ...revision.cause, orders: revision.cause.orders.map((o) => `${o.orderId} ${o.groupBuyId} ${o.status}`) },
});

function revisionFrom(item: Record<string, unknown>): PurchaseOrderRevisionRecord {
  const cause = item.cause as { orders?: unknown[] } | undefined;
  const orders = (cause?.orders ?? []).map((o) => {
    if (typeof o !== 'string') return o; // stored as objects before 2026-12-01
    const [orderId, groupBuyId, status] = o.split(' ');
    return { orderId, groupBuyId, status };
  });
  return PurchaseOrderRevisionRecordSchema.parse({ ...item, cause: { ...cause, orders } });
}

/** The header replaced only if nobody acknowledged, shipped or revised it since it was read. */
function headerPut(before: PurchaseOrder | undefined, after: PurchaseOrder): TransactItem {
  return {
    Put: {
      TableName: tableName(),
      Item: headerItem(after),
      ...(before
        ? {
            ConditionExpression: 'revision = :revision AND #status = :status',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':revision': before.revision, ':status': before.status },
          }
        : { ConditionExpression: 'attribute_not_exists(pk)' }),
    },
  };
}

const anyConditionFailed = (err: unknown) => cancellationReasons(err)?.some((r) => r === 'ConditionalCheckFailed') ?? false;

// A pickup point's running totals are one item: a quantity attribute per product and supply price
// (`q:<productId>#<supplyPriceFen>`, ADDed to), with the product's name and unit beside it (`n:…`, `u:…`).
const QUANTITY = 'q:';
const NAME = 'n:';
const UNIT = 'u:';

/** ADDs a point's deltas to its running totals (a name and unit set with each cell an order adds to). */
function totalsUpdate(point: PointDelta): TransactItem {
  const names: Record<string, string> = { '#type': 'type', '#address': 'address' };
  const values: Record<string, unknown> = {
    ':type': 'PO_POINT_TOTALS',
    ':supplierId': point.supplierId,
    ':date': point.deliveryDate,
    ':leaderId': point.leaderId,
    ':point': point.pickupPointName,
    ':address': point.address,
  };
  const set = [
    '#type = :type',
    'supplierId = :supplierId',
    'deliveryDate = :date',
    'leaderId = :leaderId',
    'pickupPointName = :point',
    '#address = :address',
  ];
  const add: string[] = [];
  point.deltas.forEach((d, i) => {
    const key = `${d.productId}#${d.supplyPriceFen}`;
    Object.assign(names, { [`#q${i}`]: QUANTITY + key });
    Object.assign(values, { [`:q${i}`]: d.delta });
    add.push(`#q${i} :q${i}`);
    // A cell only taken off is not named here: it was named when it was added.
    if (d.name) {
      Object.assign(names, { [`#n${i}`]: NAME + key, [`#u${i}`]: UNIT + key });
      Object.assign(values, { [`:n${i}`]: d.name, [`:u${i}`]: d.unit });
      set.push(`#n${i} = :n${i}`, `#u${i} = :u${i}`);
    }
  });
  return {
    Update: {
      TableName: tableName(),
      Key: keys.purchaseOrderPointTotals(point.supplierId, point.deliveryDate, point.leaderId),
      UpdateExpression: `SET ${set.join(', ')} ADD ${add.join(', ')}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * One dirty mark per purchase order a transaction changes, naming its pickup points: immutable (a fresh id
 * each time), so a rebuild that read it, and the totals after it, may delete it; a later change is another mark.
 */
function markPuts(points: readonly PointDelta[]): TransactItem[] {
  const byPurchaseOrder = new Map<string, PointDelta[]>();
  for (const p of points)
    byPurchaseOrder.set(`${p.supplierId}#${p.deliveryDate}`, [...(byPurchaseOrder.get(`${p.supplierId}#${p.deliveryDate}`) ?? []), p]);
  return [...byPurchaseOrder.values()].map((ps) => ({
    Put: {
      TableName: tableName(),
      Item: {
        ...keys.purchaseOrderDirty(ps[0]!.supplierId, ps[0]!.deliveryDate, randomUUID()),
        type: 'PO_DIRTY',
        leaderIds: [...new Set(ps.map((p) => p.leaderId))],
      },
    },
  }));
}

/**
 * A mark as read, and the token each of its points carries in a snapshot: the mark's id, how many points it
 * names, and (a mark of one point written before 2026-12-01) the token it had then.
 */
interface Mark {
  id: string;
  leaderIds: string[];
  legacyToken?: string;
}
const tokenOf = (m: Mark) => [m.id, m.leaderIds.length, ...(m.legacyToken ? [m.legacyToken] : [])].join(' ');
function markOf(token: string): { id: string; points: number; legacyToken?: string } {
  const [id, points, legacyToken] = token.split(' ') as [string, string, string | undefined];
  return { id, points: Number(points), ...(legacyToken ? { legacyToken } : {}) };
}
function markFrom(item: Record<string, unknown>): Mark {
  if (Array.isArray(item.leaderIds)) return { id: String(item.sk), leaderIds: item.leaderIds.map(String) };
  return { id: String(item.sk), leaderIds: [String(item.leaderId)], legacyToken: String(item.token) };
}

// An order's contribution is one item for all its suppliers, its cells as [productId, supplyPriceFen,
// quantity] (names are on the totals): a few hundred bytes, under the 1 KB past which a transaction pays double.
const StoredLinesSchema = z.record(z.string(), z.array(z.tuple([z.string(), z.number().int(), z.number().int()])));

const contributionItem = (c: OrderContribution) => ({
  ...keys.purchaseOrderOrderContribution(c.orderId),
  type: 'PO_CONTRIBUTION',
  orderId: c.orderId,
  deliveryDate: c.deliveryDate,
  leaderId: c.leaderId,
  orderVersion: c.orderVersion,
  lines: Object.fromEntries(
    Object.entries(c.lines).map(([supplierId, lines]) => [supplierId, lines.map((l) => [l.productId, l.supplyPriceFen, l.quantity])]),
  ),
});

/**
 * The order's contribution from the items of its partition: its own record, or else the per-supplier records
 * of before 2026-12-01 read as one (at the newest of their versions, each named in `legacy` at its own).
 */
function contributionFrom(orderId: string, items: Record<string, unknown>[]): OrderContribution | undefined {
  const own = items.find((i) => i.sk === 'ORDER');
  if (own) {
    const lines = StoredLinesSchema.parse(own.lines);
    return OrderContributionSchema.parse({
      ...own,
      lines: Object.fromEntries(
        Object.entries(lines).map(([s, cells]) => [
          s,
          cells.map(([productId, supplyPriceFen, quantity]) => ({ productId, supplyPriceFen, quantity })),
        ]),
      ),
    });
  }
  const legacy = items.map((i) => ContributionSchema.parse(i));
  if (!legacy.length) return undefined;
  return {
    orderId,
    deliveryDate: legacy[0]!.deliveryDate,
    leaderId: legacy[0]!.leaderId,
    orderVersion: Math.max(...legacy.map((c) => c.orderVersion)),
    lines: Object.fromEntries(
      legacy.map((c) => [
        c.supplierId,
        c.lines.map(({ productId, supplyPriceFen, quantity }) => ({ productId, supplyPriceFen, quantity })),
      ]),
    ),
    legacy: legacy.map((c) => ({ supplierId: c.supplierId, orderVersion: c.orderVersion })),
  };
}

/** The item's cells as running totals (products whose quantity came back to zero are left out). */
function totalsOf(item: Record<string, unknown> | undefined): PurchaseOrderTotal[] {
  if (!item) return [];
  const totals: PurchaseOrderTotal[] = [];
  for (const [attribute, value] of Object.entries(item)) {
    if (!attribute.startsWith(QUANTITY) || typeof value !== 'number' || value === 0) continue;
    const key = attribute.slice(QUANTITY.length);
    const hash = key.lastIndexOf('#');
    totals.push({
      supplierId: String(item.supplierId),
      deliveryDate: String(item.deliveryDate),
      leaderId: String(item.leaderId),
      pickupPointName: String(item.pickupPointName),
      address: String(item.address),
      productId: key.slice(0, hash),
      name: typeof item[NAME + key] === 'string' ? (item[NAME + key] as string) : '',
      unit: typeof item[UNIT + key] === 'string' ? (item[UNIT + key] as string) : '',
      supplyPriceFen: Number(key.slice(hash + 1)),
      quantity: value,
    });
  }
  return totals;
}

/** The newest `count` versions of a pickup point in a part, at or below `revision` when given (newest first). */
async function newestVersions(client: Db, point: PartPoint, revision?: number, count = 1): Promise<BreakdownVersion[]> {
  const { supplierId, deliveryDate, part, leaderId } = point;
  const prefix = keys.purchaseOrderPointPrefix(part, leaderId);
  const { Items } = await client.send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression:
        revision === undefined ? 'pk = :pk AND begins_with(sk, :prefix)' : 'pk = :pk AND sk BETWEEN :prefix AND :upTo',
      ExpressionAttributeValues: {
        ':pk': keys.purchaseOrderBreakdownPartition(supplierId, deliveryDate),
        ':prefix': prefix,
        ...(revision === undefined ? {} : { ':upTo': keys.purchaseOrderBreakdown(supplierId, deliveryDate, part, leaderId, revision).sk }),
      },
      ScanIndexForward: false,
      Limit: count,
      ConsistentRead: true,
    }),
  );
  return (Items ?? []).map((i) => BreakdownVersionSchema.parse(i));
}

const READ_CONCURRENCY = 16;

export function dynamoConsolidationStore(client: Db = db()): ConsolidationStore {
  /** Every mark of a purchase order (strongly consistent: a few, as each is deleted once rebuilt). */
  async function marksOf(supplierId: string, deliveryDate: string): Promise<Mark[]> {
    const marks = await Promise.all(
      keys
        .purchaseOrderDirtyPartitions(supplierId, deliveryDate)
        .map(async (pk) => (await queryAll(client, { ...partitionOf(pk), ConsistentRead: true })).map(markFrom)),
    );
    return marks.flat().sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  return {
    async getContribution(orderId) {
      const { Items } = await client.send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.purchaseOrderContributionPartition(orderId) },
          ConsistentRead: true,
        }),
      );
      return contributionFrom(orderId, Items ?? []);
    },

    async applyContributions(changes, points) {
      const actions: TransactItem[] = changes.flatMap(({ before, after }): TransactItem[] => [
        {
          Put: {
            TableName: tableName(),
            Item: contributionItem(after),
            // contributionAsRead: the totals get new minus old only if "old" is still what is recorded.
            ...(before && !before.legacy
              ? { ConditionExpression: 'orderVersion = :version', ExpressionAttributeValues: { ':version': before.orderVersion } }
              : { ConditionExpression: 'attribute_not_exists(pk)' }),
          },
        },
        // The per-supplier records read in its place go, each if still at the version read.
        ...(before?.legacy ?? []).map((l) => ({
          Delete: {
            TableName: tableName(),
            Key: keys.purchaseOrderContribution(l.supplierId, before!.deliveryDate, after.orderId),
            ConditionExpression: 'orderVersion = :version',
            ExpressionAttributeValues: { ':version': l.orderVersion },
          },
        })),
      ]);
      actions.push(...points.map(totalsUpdate), ...markPuts(points));
      try {
        await transactWrite(client, actions);
        return 'applied';
      } catch (err) {
        if (anyConditionFailed(err)) return 'stale';
        throw err;
      }
    },

    snapshot(supplierId, deliveryDate, options = {}) {
      return readSnapshot(
        {
          counter: () => readItem(client, keys.purchaseOrderBuild(supplierId, deliveryDate)),
          headers: async () => {
            const { Items } = await client.send(
              new QueryCommand({
                TableName: tableName(),
                KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
                ExpressionAttributeValues: {
                  ':pk': keys.purchaseOrderPartition(supplierId, deliveryDate),
                  ':prefix': keys.purchaseOrderHeaderPrefix,
                },
                ConsistentRead: true,
              }),
            );
            return (Items ?? []).map((i) => PurchaseOrderSchema.parse(i));
          },
          marks: async () => (await marksOf(supplierId, deliveryDate)).map((m) => ({ leaderIds: m.leaderIds, token: tokenOf(m) })),
          totals: async (leaderId) => totalsOf(await readItem(client, keys.purchaseOrderPointTotals(supplierId, deliveryDate, leaderId))),
          newestVersion: (part, leaderId) => newestVersions(client, { supplierId, deliveryDate, part, leaderId }),
        },
        options,
        READ_CONCURRENCY,
      );
    },

    async commitBuild(supplierId, deliveryDate, build, write?: DocumentWrite) {
      const bump = {
        TableName: tableName(),
        Key: keys.purchaseOrderBuild(supplierId, deliveryDate),
        UpdateExpression: write ? 'SET #type = :type, #build = :next, builtAt = :at' : 'SET #type = :type, #build = :next',
        // nobodyRebuiltSince: the snapshot this rebuild decided on is still the latest one.
        ConditionExpression: build === 0 ? 'attribute_not_exists(#build)' : '#build = :build',
        ExpressionAttributeNames: { '#type': 'type', '#build': 'build' },
        ExpressionAttributeValues: {
          ':type': 'PO_BUILD',
          ':next': build + 1,
          ...(build === 0 ? {} : { ':build': build }),
          ...(write ? { ':at': Date.parse(write.after.updatedAt) } : {}),
        },
      };
      try {
        if (!write) {
          await client.send(new UpdateCommand(bump));
        } else {
          const { after, before, revision, versions, audit } = write;
          await transactWrite(client, [
            { Update: bump },
            headerPut(before, after),
            ...(before ? [] : [putIfNew(listingItem(after))]),
            {
              Put: {
                TableName: tableName(),
                Item: revisionItem(supplierId, deliveryDate, after.part, revision),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...versions.map((v) => ({
              Put: { TableName: tableName(), Item: versionItem(v), ConditionExpression: 'attribute_not_exists(pk)' },
            })),
            auditPut(audit),
          ]);
        }
        return 'committed';
      } catch (err) {
        if (isConditionFailure(err) || anyConditionFailed(err)) return 'stale';
        throw err;
      }
    },

    async clearDirty(supplierId, deliveryDate, marks) {
      const done = marksDone(marks, (token) => markOf(token).points).map(markOf);
      await inParallel(done, READ_CONCURRENCY, async (mark) => {
        try {
          await client.send(
            new DeleteCommand({
              TableName: tableName(),
              Key: keys.purchaseOrderDirty(supplierId, deliveryDate, mark.id),
              // noChangeSince (a mark of one point written before 2026-12-01, which a change rewrote): a change
              // applied after the rebuild read the mark keeps the point dirty.
              ...(mark.legacyToken
                ? {
                    ConditionExpression: '#token = :token',
                    ExpressionAttributeNames: { '#token': 'token' },
                    ExpressionAttributeValues: { ':token': mark.legacyToken },
                  }
                : {}),
            }),
          );
        } catch (err) {
          if (!isConditionFailure(err)) throw err;
        }
      });
    },
  };
}

/** A listing cursor is the index key of the last listing entry returned. */
const listingCursor = (po: Pick<PurchaseOrder, 'supplierId' | 'deliveryDate' | 'part'>) =>
  encodeCursor({
    ...keys.purchaseOrderListing(po.supplierId, po.deliveryDate, po.part),
    ...keys.purchaseOrdersByDate(po.deliveryDate, po.supplierId, po.part),
  })!;

export function dynamoPurchaseOrderStore(client: Db = db()): PurchaseOrderStore {
  async function headers(requests: { supplierId: string; deliveryDate: string; part: number }[]): Promise<PurchaseOrder[]> {
    const keysOf = requests.map((r) => keys.purchaseOrder(r.supplierId, r.deliveryDate, r.part));
    return readByKeys(client, keysOf, (i) => PurchaseOrderSchema.parse(i), { consistent: true });
  }

  return {
    async get(supplierId, deliveryDate, part) {
      return readItem(client, keys.purchaseOrder(supplierId, deliveryDate, part), (i) => PurchaseOrderSchema.parse(i));
    },

    async listByDate(deliveryDate, supplierId, limit, cursor) {
      const page = await withCursor(cursor, (startKey) =>
        client.send(
          new QueryCommand({
            TableName: tableName(),
            IndexName: INDEX.byGsi1,
            KeyConditionExpression: supplierId ? 'gsi1pk = :pk AND begins_with(gsi1sk, :supplier)' : 'gsi1pk = :pk',
            ExpressionAttributeValues: {
              ':pk': keys.purchaseOrdersByDatePartition(deliveryDate),
              ...(supplierId ? { ':supplier': keys.purchaseOrdersOfSupplierPrefix(supplierId) } : {}),
            },
            Limit: limit,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      const entries = (page.Items ?? []).map((i) => ({
        supplierId: String(i.supplierId),
        deliveryDate: String(i.deliveryDate),
        part: Number(i.part),
      }));
      const items = entries.length ? await headers(entries) : [];
      const nextCursor = encodeCursor(page.LastEvaluatedKey);
      return { items, ...(nextCursor ? { nextCursor } : {}) };
    },

    cursorAfter: (po) => listingCursor(po),

    breakdown(supplierId, deliveryDate, part, revision, afterLeaderId) {
      const prefix = keys.purchaseOrderBreakdownPrefix(part);
      const versions = queryEach(
        client,
        {
          ...partitionBetween(
            keys.purchaseOrderBreakdownPartition(supplierId, deliveryDate),
            // Past every version of the point the last page ended with ('~' sorts after every id character).
            afterLeaderId ? `${prefix}${afterLeaderId}#~` : prefix,
            `${prefix}~`,
          ),
          ConsistentRead: true,
        },
        (i) => BreakdownVersionSchema.parse(i),
      );
      return breakdownAt(versions, revision);
    },

    async transition(before, after, audit) {
      const failed = await guardedWrite(client, [headerPut(before, after), auditPut(audit)], ['stale']);
      return failed ?? 'changed';
    },

    async revisions(supplierId, deliveryDate, part, limit, cursor) {
      const page = await withCursor(cursor, (startKey) =>
        client.send(
          new QueryCommand({
            TableName: tableName(),
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: {
              ':pk': keys.purchaseOrderPartition(supplierId, deliveryDate),
              ':prefix': keys.purchaseOrderRevisionPrefix(part),
            },
            Limit: limit,
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      const nextCursor = encodeCursor(page.LastEvaluatedKey);
      return { items: (page.Items ?? []).map(revisionFrom), ...(nextCursor ? { nextCursor } : {}) };
    },

    cursorAfterRevision: (po, revision) => encodeCursor(keys.purchaseOrderRevision(po.supplierId, po.deliveryDate, po.part, revision))!,

    async pointVersions(supplierId, deliveryDate, part, leaderId, revision) {
      return revisionVersions(await newestVersions(client, { supplierId, deliveryDate, part, leaderId }, revision, 2), revision);
    },
  };
}
