// The purchase orders as one contract, run on both stores: the consolidation (`consolidate()`, as the queue and
// the outbox entries drive it) and the supplier's use-cases over the same documents. What a supplier would
// check: every unit ordered is on the purchase order exactly once, however the changes arrive (twice, out of
// order, a batch killed half way and delivered again), and acknowledging or shipping happens once.
import { randomUUID } from 'node:crypto';
import type { AuditEvent } from '../../schemas/common';
import type { Order } from '../../schemas/orders';
import type { ChangedOrder } from '../../lib/purchase-orders/consolidation';
import { consolidate } from '../../lib/purchase-orders/consolidation';
import type { ConsolidationDeps, ConsolidationStore } from '../../lib/purchase-orders/consolidation-ports';
import { purchaseOrderIdOf } from '../../lib/purchase-orders/ids';
import type { PurchaseOrderDeps, PurchaseOrderStore } from '../../lib/purchase-orders/purchase-orders';
import { actOnPurchaseOrder, readPurchaseOrderPage } from '../../lib/purchase-orders/purchase-orders';
import type { ShortfallStore } from '../../lib/purchase-orders/shortfalls';
import { dynamoShortfallStore } from '../../lib/store/shortfalls';
import { cloudbaseShortfallStore } from '../../lib/adapters/cloudbase/shortfalls';
import { AppError } from '../../lib/runtime/errors';
import type { Principal } from '../../lib/runtime/auth';
import { dynamoConsolidationStore, dynamoPurchaseOrderStore } from '../../lib/store/purchase-orders';
import { cloudbaseConsolidationStore, cloudbasePurchaseOrderStore } from '../../lib/adapters/cloudbase/purchase-orders';
import { orderLine, PICKUP_DATE, readyOrder } from '../support/seeds';
import { ORDERING_BUILDERS, storeTargets } from './stores';

const OPERATOR: Principal = { userId: 'u-ops', roles: ['operator'] };
const supplier = (supplierId: string): Principal => ({ userId: `u-${supplierId}`, roles: ['supplier'], supplierId });

interface Stores {
  consolidation: ConsolidationStore;
  purchaseOrders: PurchaseOrderStore;
  shortfalls: ShortfallStore;
  auditTrail(entityId: string): Promise<AuditEvent[]>;
  /** From now on, the function dies once `commits` more transactions have committed (the last one's answer is lost). */
  killAfterCommits(commits: number): void;
  revive(): void;
}

/** A store whose process dies after `commits` committed writes (DynamoDB has no stand-in to cut the wire). */
function killable(store: ConsolidationStore) {
  let left: number | undefined;
  const commit =
    <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (left !== undefined && left <= 0) throw new Error('killed');
      const result = await write(...args);
      if (left !== undefined && --left <= 0) throw new Error('killed after its write landed');
      return result;
    };
  const alive =
    <A extends unknown[], R>(read: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (left !== undefined && left <= 0) throw new Error('killed');
      return read(...args);
    };
  return {
    store: {
      getContribution: alive((...a: Parameters<ConsolidationStore['getContribution']>) => store.getContribution(...a)),
      snapshot: alive((...a: Parameters<ConsolidationStore['snapshot']>) => store.snapshot(...a)),
      clearDirty: alive((...a: Parameters<ConsolidationStore['clearDirty']>) => store.clearDirty(...a)),
      applyContributions: commit((...a: Parameters<ConsolidationStore['applyContributions']>) => store.applyContributions(...a)),
      commitBuild: commit((...a: Parameters<ConsolidationStore['commitBuild']>) => store.commitBuild(...a)),
    } satisfies ConsolidationStore,
    kill: (commits: number) => (left = commits),
    revive: () => (left = undefined),
  };
}

const targets = storeTargets<Omit<Stores, 'stop'>>({
  dynamodb: (client) => {
    const { store, kill, revive } = killable(dynamoConsolidationStore(client));
    return {
      consolidation: store,
      purchaseOrders: dynamoPurchaseOrderStore(client),
      shortfalls: dynamoShortfallStore(client),
      auditTrail: ORDERING_BUILDERS.dynamodb(client).auditTrail,
      killAfterCommits: kill,
      revive,
    };
  },
  cloudbase: (db, standIn) => ({
    consolidation: cloudbaseConsolidationStore(db),
    purchaseOrders: cloudbasePurchaseOrderStore(db),
    shortfalls: cloudbaseShortfallStore(db),
    auditTrail: ORDERING_BUILDERS.cloudbase(db, standIn).auditTrail,
    // The commit lands, its answer never comes back, and every later call fails: a function killed there.
    killAfterCommits: (commits) => standIn.killAfter(commits, (r) => r.action === 'database.commitTransaction'),
    revive: () => standIn.revive(),
  }),
});

const batch = (orders: Order[]): ChangedOrder[] => orders.map((o) => ({ changeId: `m-${o.orderId}-${o.version}`, order: () => o }));

describe.each(targets)('purchase orders on $name', (target) => {
  let stores: Awaited<ReturnType<typeof target.start>>;
  let deps: ConsolidationDeps;
  let reader: PurchaseOrderDeps;
  const now = new Date('2026-12-02T15:05:00.000Z');

  beforeAll(async () => {
    stores = await target.start();
    deps = {
      store: stores.consolidation,
      // Each leader's group buy is at their own pickup point (the consolidation reads its name and address).
      groupBuys: { get: async (groupBuyId) => ({ pickupPoint: { name: `自提点 ${groupBuyId}`, address: '幸福路 1 号' } }) as never },
      clock: { now: () => now },
      minRevisionIntervalMs: 0,
    };
    reader = { purchaseOrders: stores.purchaseOrders, clock: { now: () => now }, caseSizes: async () => new Map() };
  });
  afterAll(() => stores.stop());

  /** Fresh suppliers and pickup points per test: the tests share a store. */
  const ids = () => {
    const run = randomUUID().slice(0, 6);
    return { s1: `S${run}a`, s2: `S${run}b`, l1: `L${run}1`, l2: `L${run}2`, o: (n: number) => `O${run}-${n}` };
  };

  /** What the supplier's purchase order shows: quantity per pickup point and product, and its revision. */
  async function shown(supplierId: string) {
    const page = await readPurchaseOrderPage(reader, OPERATOR, purchaseOrderIdOf(supplierId, PICKUP_DATE, 1));
    const cells: Record<string, number> = {};
    for (const p of page.pickupPoints) for (const l of p.lines) cells[`${p.leaderId} ${l.productId}`] = l.quantity;
    return { revision: page.po.revision, totalFen: page.po.totalFen, cells };
  }

  async function run(changes: ChangedOrder[]) {
    const result = await consolidate(deps, changes);
    return result.failedChangeIds;
  }

  test('the same batch delivered twice: every unit once, no second revision', async () => {
    const { s1, s2, l1, l2, o } = ids();
    const orders = [
      readyOrder(o(1), l1, 3, [orderLine('apple', s1, 2, 500), orderLine('rice', s2, 1, 3000)]),
      readyOrder(o(2), l1, 3, [orderLine('apple', s1, 3, 500)]),
      readyOrder(o(3), l2, 3, [orderLine('apple', s1, 1, 500), orderLine('pear', s1, 4, 250)]),
    ];
    expect(await run(batch(orders))).toEqual([]);
    const first = { s1: await shown(s1), s2: await shown(s2) };
    expect(first.s1).toEqual({
      revision: 1,
      totalFen: 6 * 500 + 4 * 250,
      cells: { [`${l1} apple`]: 5, [`${l2} apple`]: 1, [`${l2} pear`]: 4 },
    });
    expect(first.s2).toEqual({ revision: 1, totalFen: 3000, cells: { [`${l1} rice`]: 1 } });

    expect(await run(batch(orders))).toEqual([]);
    expect({ s1: await shown(s1), s2: await shown(s2) }).toEqual(first);
  });

  test('images out of order: an older version after a newer one changes nothing, the next newer one applies', async () => {
    const { s1, l1, o } = ids();
    expect(
      await run(
        batch([readyOrder(o(1), l1, 5, [orderLine('apple', s1, 3, 500)]), readyOrder(o(2), l1, 2, [orderLine('apple', s1, 1, 500)])]),
      ),
    ).toEqual([]);
    expect((await shown(s1)).cells).toEqual({ [`${l1} apple`]: 4 });

    // Version 4 of O1 (one apple, before it was changed to three) arrives late, in a batch with a newer image of O2.
    expect(
      await run(
        batch([readyOrder(o(1), l1, 4, [orderLine('apple', s1, 1, 500)]), readyOrder(o(2), l1, 3, [orderLine('apple', s1, 2, 500)])]),
      ),
    ).toEqual([]);
    expect(await shown(s1)).toEqual({ revision: 2, totalFen: 5 * 500, cells: { [`${l1} apple`]: 5 } });

    // O1 refunded (version 6): it counts for nothing any more.
    expect(await run(batch([readyOrder(o(1), l1, 6, [orderLine('apple', s1, 3, 500)], 'refunded')]))).toEqual([]);
    expect(await shown(s1)).toEqual({ revision: 3, totalFen: 2 * 500, cells: { [`${l1} apple`]: 2 } });
  });

  test.each([1, 2])('a batch killed after %i committed transaction(s), delivered again: exact, revised once', async (commits) => {
    const { s1, s2, l1, l2, o } = ids();
    const orders = [
      readyOrder(o(1), l1, 3, [orderLine('apple', s1, 2, 500), orderLine('rice', s2, 2, 3000)]),
      readyOrder(o(2), l2, 3, [orderLine('apple', s1, 1, 500), orderLine('rice', s2, 1, 3000)]),
    ];
    stores.killAfterCommits(commits);
    const failed = await run(batch(orders));
    stores.revive();
    // The function died: every message comes again (the queue, or the outbox after its visibility timeout).
    expect(failed.length).toBeGreaterThan(0);
    expect(await run(batch(orders))).toEqual([]);
    expect(await shown(s1)).toEqual({ revision: 1, totalFen: 1500, cells: { [`${l1} apple`]: 2, [`${l2} apple`]: 1 } });
    expect(await shown(s2)).toEqual({ revision: 1, totalFen: 9000, cells: { [`${l1} rice`]: 2, [`${l2} rice`]: 1 } });
    // Nothing is left dirty: the next change of another order revises the purchase order from exact totals.
    expect(await run(batch([readyOrder(o(3), l1, 3, [orderLine('apple', s1, 4, 500)])]))).toEqual([]);
    expect(await shown(s1)).toEqual({ revision: 2, totalFen: 3500, cells: { [`${l1} apple`]: 6, [`${l2} apple`]: 1 } });
  });

  test('acknowledged once and shipped once, however many ask at the same time', async () => {
    const { s1, l1, o } = ids();
    expect(await run(batch([readyOrder(o(1), l1, 3, [orderLine('apple', s1, 2, 500)])]))).toEqual([]);
    const id = purchaseOrderIdOf(s1, PICKUP_DATE, 1);

    const asks = await Promise.allSettled([1, 2, 3].map(() => actOnPurchaseOrder(reader, supplier(s1), id, 'acknowledge')));
    expect(asks.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    for (const a of asks.filter((a) => a.status === 'rejected')) expect((a.reason as AppError).status).toBe(409);
    const shipped = await actOnPurchaseOrder(reader, supplier(s1), id, 'ship');
    expect(shipped.po).toMatchObject({ status: 'shipped', acknowledgedRevision: 1 });
    await expect(actOnPurchaseOrder(reader, supplier(s1), id, 'ship')).rejects.toMatchObject({ status: 409 });
    // Another supplier is told it does not exist.
    await expect(actOnPurchaseOrder(reader, supplier(`${s1}x`), id, 'acknowledge')).rejects.toMatchObject({ status: 404 });

    const actions = (await stores.auditTrail(id)).map((e) => e.action);
    expect(actions.filter((a) => a !== 'purchaseOrder.issued')).toEqual(['purchaseOrder.acknowledged', 'purchaseOrder.shipped']);
  });

  test('a shortfall report is written once, with its audit; the same report again finds it', async () => {
    const { s1 } = ids();
    const purchaseOrderId = purchaseOrderIdOf(s1, PICKUP_DATE, 1);
    const shortfall = {
      shortfallId: `sf-${s1}`,
      purchaseOrderId,
      supplierId: s1,
      deliveryDate: PICKUP_DATE,
      lines: [{ productId: 'apple', shortQuantity: 2 }],
      reason: '冻伤',
      refunds: [{ orderId: 'O1', productId: 'apple', quantity: 2, amountFen: 2000 }],
      reportedBy: `u-${s1}`,
      createdAt: now.toISOString(),
    };
    const audit = {
      entityId: purchaseOrderId,
      entityType: 'purchaseOrder',
      action: 'purchaseOrder.shortfall_reported',
      actor: `u-${s1}`,
      at: now.toISOString(),
    };
    const written = await Promise.all([stores.shortfalls.put(shortfall, audit), stores.shortfalls.put(shortfall, audit)]);
    expect(written.sort()).toEqual(['exists', 'written']);
    expect(await stores.shortfalls.get(purchaseOrderId, shortfall.shortfallId)).toEqual(shortfall);
    expect(await stores.shortfalls.get(purchaseOrderId, 'sf-other')).toBeUndefined();
    expect((await stores.auditTrail(purchaseOrderId)).map((e) => e.action)).toEqual(['purchaseOrder.shortfall_reported']);
  });
});
