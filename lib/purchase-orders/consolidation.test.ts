// The rules of consolidation, without a network: which lines count, what a change adds to the totals,
// when a purchase order is issued, revised or supplemented, and its ids.
import type { Order, OrderLine } from '../../schemas/orders';
import type { BreakdownVersion, PurchaseOrder, PurchaseOrderTotal } from '../../schemas/purchase-orders';
import type { ConsolidationSnapshot } from './consolidation-ports';
import type { PendingChange } from './apply';
import { chunksOf } from './apply';
import { MAX_APPLY_WRITES } from './consolidation-ports';
import { compareImages, contributionDeltas, contributionOf, countableLines, pointKey, sumDeltas } from './contributions';
import { parsePurchaseOrderId, purchaseOrderIdOf } from './ids';
import { nextLines, pointDifference } from './lines';
import type { PlannedRevision } from './rebuild';
import { MAX_POINTS_PER_REVISION, MAX_VERSION_BYTES_PER_REVISION, planRebuild } from './rebuild';

const line = (over: Partial<OrderLine> = {}): OrderLine => ({
  productId: 'P1',
  supplierId: 'S1',
  name: '草莓',
  unit: '盒',
  quantity: 2,
  unitPriceFen: 1990,
  amountFen: 3980,
  supplyPriceFen: 1250,
  commissionRateBps: 1000,
  refundedFen: 0,
  stockLimited: false,
  residentLimited: false,
  ...over,
});

const order = (over: Partial<Order> = {}): Order => ({
  orderId: 'O1',
  userId: 'U1',
  groupBuyId: 'G1',
  leaderId: 'L1',
  pickupDate: '2026-11-26',
  cutoffAt: '2026-11-25T15:00:00.000Z',
  status: 'ready_for_pickup',
  items: [line()],
  totalFen: 3980,
  refundedFen: 0,
  contactName: '张三',
  contactPhone: '13812341234',
  createdAt: '2026-11-25T01:00:00.000Z',
  updatedAt: '2026-11-25T15:00:01.000Z',
  expiresAt: '2026-11-25T01:15:00.000Z',
  pickupCode: '123456',
  version: 4,
  ...over,
});

const point = { name: '芳芳小卖部', address: '幸福路 1 号' };

describe('which order lines a supplier delivers', () => {
  test('orders ready for pickup or picked up count every line in full', () => {
    expect(countableLines(order({ status: 'ready_for_pickup' }))).toHaveLength(1);
    expect(countableLines(order({ status: 'picked_up' }))).toHaveLength(1);
  });

  test('orders before the cutoff, and refunded, cancelled or expired orders count for nothing', () => {
    for (const status of ['pending_payment', 'paid', 'refunded', 'cancelled', 'expired'] as const)
      expect(countableLines(order({ status }))).toEqual([]);
  });

  test('a line refunded in full does not count; one refunded in part (compensation) counts in full', () => {
    const o = order({ items: [line({ productId: 'P1', refundedFen: 3980 }), line({ productId: 'P2', refundedFen: 100 })] });
    expect(countableLines(o).map((l) => [l.productId, l.quantity])).toEqual([['P2', 2]]);
  });
});

describe('contributions and the change they make to the totals', () => {
  test('an order contributes its countable lines to each of its suppliers', () => {
    const o = order({
      items: [line({ productId: 'P1', supplierId: 'S1' }), line({ productId: 'P2', supplierId: 'S2', quantity: 3, supplyPriceFen: 500 })],
    });
    expect(contributionOf(o)).toEqual({
      orderId: 'O1',
      deliveryDate: '2026-11-26',
      leaderId: 'L1',
      orderVersion: 4,
      lines: {
        S1: [{ productId: 'P1', name: '草莓', unit: '盒', supplyPriceFen: 1250, quantity: 2 }],
        S2: [{ productId: 'P2', name: '草莓', unit: '盒', supplyPriceFen: 500, quantity: 3 }],
      },
    });
    // A supplier whose lines stopped counting keeps an empty list: its cells must be taken off.
    expect(contributionOf(order({ status: 'refunded' })).lines).toEqual({ S1: [] });
  });

  test('the first contribution adds its quantities; a refund takes them off; a repeat changes nothing', () => {
    const ready = contributionOf(order());
    expect(contributionDeltas(undefined, ready, point)).toEqual([
      {
        supplierId: 'S1',
        deliveryDate: '2026-11-26',
        leaderId: 'L1',
        pickupPointName: '芳芳小卖部',
        address: '幸福路 1 号',
        deltas: [{ productId: 'P1', name: '草莓', unit: '盒', supplyPriceFen: 1250, delta: 2 }],
      },
    ]);
    const refunded = contributionOf(order({ status: 'refunded', version: 5 }));
    expect(contributionDeltas(ready, refunded, point)).toEqual([
      expect.objectContaining({ supplierId: 'S1', deltas: [expect.objectContaining({ productId: 'P1', delta: -2 })] }),
    ]);
    expect(contributionDeltas(ready, ready, point)).toEqual([]);
    expect(contributionDeltas(undefined, refunded, point)).toEqual([]);
  });

  test('the newest image wins, whatever order they come in; the same version is the same image', () => {
    const v4 = contributionOf(order());
    const v5 = contributionOf(order({ status: 'picked_up', version: 5 }));
    expect(compareImages(undefined, v4)).toBe('newer');
    expect(compareImages(v4, v5)).toBe('newer');
    expect(compareImages(v5, v4)).toBe('older');
    expect(compareImages(v4, contributionOf(order()))).toBe('same');
  });

  test('per-supplier records left half applied (before 2026-12-01) are completed by an image of their newest version', () => {
    const o = order({ items: [line({ productId: 'P1', supplierId: 'S1' }), line({ productId: 'P2', supplierId: 'S2' })] });
    const after = contributionOf(o);
    const read = (legacy: { supplierId: string; orderVersion: number }[]) => ({
      ...after,
      lines: Object.fromEntries(legacy.map((l) => [l.supplierId, after.lines[l.supplierId]!])),
      legacy,
    });
    // S2 not applied yet, or at an older version: the same image applies; both at its version: nothing to do.
    const at = (s1: number, s2?: number) => [
      { supplierId: 'S1', orderVersion: s1 },
      ...(s2 === undefined ? [] : [{ supplierId: 'S2', orderVersion: s2 }]),
    ];
    expect([at(4), at(4, 3), at(4, 4)].map((legacy) => compareImages(read(legacy), after))).toEqual(['newer', 'newer', 'same']);
  });

  test("a batch's changes are summed per pickup point and purchase order; changes that cancel out write nothing", () => {
    const one = contributionDeltas(undefined, contributionOf(order({ orderId: 'O1' })), point);
    const two = contributionDeltas(undefined, contributionOf(order({ orderId: 'O2', items: [line({ quantity: 3 })] })), point);
    const gone = contributionDeltas(
      contributionOf(order({ orderId: 'O3' })),
      contributionOf(order({ orderId: 'O3', status: 'refunded' })),
      point,
    );
    const elsewhere = contributionDeltas(undefined, contributionOf(order({ orderId: 'O4', leaderId: 'L2' })), point);
    expect(sumDeltas([...one, ...two, ...elsewhere]).map((p) => [p.leaderId, p.deltas.map((d) => d.delta)])).toEqual([
      ['L1', [5]],
      ['L2', [2]],
    ]);
    expect(sumDeltas([...one, ...gone])).toEqual([]);
  });

  test('a batch is applied in transactions of at most MAX_APPLY_WRITES, the orders of a pickup point together', () => {
    /** 150 orders of two suppliers each, at the pickup point `leaderOf` says. */
    const batchOf = (leaderOf: (i: number) => string): PendingChange[] =>
      Array.from({ length: 150 }, (_, i) => {
        const after = contributionOf(
          order({
            orderId: `O${String(i).padStart(3, '0')}`,
            leaderId: leaderOf(i),
            items: [line({ supplierId: 'S1' }), line({ productId: 'P2', supplierId: 'S2' })],
          }),
        );
        return { after, index: i, points: contributionDeltas(undefined, after, point) };
      });
    /** A transaction's writes: a record per order, a point's totals per supplier, a mark per purchase order. */
    const writes = (chunk: PendingChange[]) =>
      chunk.length + new Set(chunk.flatMap((c) => c.points.flatMap((p) => [pointKey(p), p.supplierId]))).size;
    const pointsOf = (chunk: PendingChange[]) => [...new Set(chunk.map((c) => c.after.leaderId))];

    // 6 points of 25 orders (27 writes each, and the 2 marks): three points a transaction, none split.
    const even = batchOf((i) => `L${i % 6}`);
    const chunks = chunksOf(even);
    expect(chunks.map(writes).every((n) => n <= MAX_APPLY_WRITES)).toBe(true);
    expect(
      chunks
        .flat()
        .map((c) => c.index)
        .sort((a, b) => a - b),
    ).toEqual(even.map((c) => c.index));
    expect(chunks.map(pointsOf)).toEqual([
      ['L0', 'L1', 'L2'],
      ['L3', 'L4', 'L5'],
    ]);

    // A point whose orders alone fill more than one transaction is split, and only that one.
    const crowded = chunksOf(batchOf((i) => (i < 120 ? 'L0' : `L${i % 3}`)));
    expect(crowded.map(writes).every((n) => n <= MAX_APPLY_WRITES)).toBe(true);
    expect(crowded.flat()).toHaveLength(150);
    expect(crowded.flatMap(pointsOf).filter((l) => l !== 'L0')).toEqual(['L1', 'L2']);
  });
});

describe('planning a rebuild', () => {
  const total = (over: Partial<PurchaseOrderTotal>): PurchaseOrderTotal => ({
    supplierId: 'S1',
    deliveryDate: '2026-11-26',
    leaderId: 'L1',
    pickupPointName: '芳芳小卖部',
    address: '幸福路 1 号',
    productId: 'P1',
    name: '草莓',
    unit: '盒',
    supplyPriceFen: 1250,
    quantity: 5,
    ...over,
  });
  /** A round over the given totals: every pickup point they name (and every version's) is dirty. */
  const snapshot = (over: Partial<ConsolidationSnapshot>): ConsolidationSnapshot => {
    const points = [...new Set([...(over.totals ?? []), ...(over.versions ?? [])].map((t) => t.leaderId))];
    return { build: 0, documents: [], totals: [], versions: [], dirty: points.map((leaderId) => ({ leaderId, token: 't' })), ...over };
  };
  /** What a committed plan leaves: the header and the newest version of each point. */
  const committed = (plan: PlannedRevision, status: PurchaseOrder['status'] = plan.after.status) => ({
    documents: [{ ...plan.after, status }],
    versions: plan.versions,
  });
  const cause = { orders: [{ orderId: 'O1', groupBuyId: 'G1', status: 'ready_for_pickup' }] };
  const at = '2026-11-25T15:01:00.000Z';
  /** The round's plan for part 1 of S1 on 2026-11-26. */
  const planOf = (round: ConsolidationSnapshot, when = at) => planRebuild(round, 'S1', '2026-11-26', cause, when);
  const linesOf = (versions: BreakdownVersion[]) => versions.map((v) => [v.leaderId, v.lines.map((l) => [l.productId, l.quantity])]);

  test('nothing is issued while no line counts', () => {
    expect(planOf(snapshot({ totals: [total({ quantity: 0 })] }))).toBeUndefined();
  });

  test('the first rebuild issues revision 1 with lines at the supply price and a version of each pickup point', () => {
    const plan = planOf(
      snapshot({
        totals: [
          total({}),
          total({ leaderId: 'L2', pickupPointName: '老王便利店', quantity: 3 }),
          total({ productId: 'P2', name: '苹果', unit: '斤', supplyPriceFen: 300, quantity: 4 }),
        ],
      }),
    )!;
    expect(plan.before).toBeUndefined();
    expect(plan.after).toMatchObject({
      purchaseOrderId: 'S1-2026-11-26',
      part: 1,
      status: 'issued',
      revision: 1,
      totalFen: 8 * 1250 + 4 * 300,
      pickupPointCount: 2,
    });
    // In Chinese (pinyin) order: 草莓 cǎoméi before 苹果 píngguǒ.
    expect(plan.after.lines).toEqual([
      { productId: 'P1', name: '草莓', unit: '盒', quantity: 8, supplyPriceFen: 1250, amountFen: 10000 },
      { productId: 'P2', name: '苹果', unit: '斤', quantity: 4, supplyPriceFen: 300, amountFen: 1200 },
    ]);
    expect(linesOf(plan.versions)).toEqual([
      [
        'L1',
        [
          ['P1', 5],
          ['P2', 4],
        ],
      ],
      ['L2', [['P1', 3]]],
    ]);
    expect(plan.versions.map((v) => [v.part, v.revision, v.pickupPointName])).toEqual([
      [1, 1, '芳芳小卖部'],
      [1, 1, '老王便利店'],
    ]);
    expect(plan.revision).toMatchObject({
      revision: 1,
      cause,
      totalFen: { before: 0, after: 11200, delta: 11200 },
      pickupPointIds: ['L1', 'L2'],
    });
    expect(plan.examined).toEqual(['L1', 'L2']);
    expect(plan.audit).toMatchObject({ entityId: 'S1-2026-11-26', action: 'purchaseOrder.issued' });
  });

  test('a purchase order that matches its totals is left alone', () => {
    const issued = planOf(snapshot({ totals: [total({})] }))!;
    expect(planOf(snapshot({ ...committed(issued), totals: [total({})] }))).toBeUndefined();
  });

  test('a change writes a version of the changed pickup point only, and the difference per product; an acknowledged one must be acknowledged again', () => {
    const issued = planOf(snapshot({ totals: [total({}), total({ leaderId: 'L2', quantity: 1 })] }))!;
    const acknowledged = { ...issued.after, status: 'acknowledged' as const, acknowledgedRevision: 1 };
    const plan = planOf(
      {
        ...snapshot({ totals: [total({ quantity: 2 })] }),
        documents: [acknowledged],
        versions: issued.versions.filter((v) => v.leaderId === 'L1'),
      },
      '2026-11-25T16:00:00.000Z',
    )!;
    expect(plan.before).toBe(acknowledged);
    expect(plan.after).toMatchObject({
      revision: 2,
      status: 'issued',
      acknowledgedRevision: 1,
      totalFen: 3750,
      issuedAt: at,
      pickupPointCount: 2,
    });
    expect(plan.after.lines).toEqual([{ productId: 'P1', name: '草莓', unit: '盒', quantity: 3, supplyPriceFen: 1250, amountFen: 3750 }]);
    expect(linesOf(plan.versions)).toEqual([['L1', [['P1', 2]]]]);
    expect(plan.versions[0]).toMatchObject({ part: 1, revision: 2 });
    expect(plan.revision).toMatchObject({
      revision: 2,
      statusBefore: 'acknowledged',
      totalFen: { before: 7500, after: 3750, delta: -3750 },
      lines: [{ productId: 'P1', before: 6, after: 3, delta: -3 }],
      pickupPointIds: ['L1'],
    });
    expect(pointDifference(issued.versions[0], plan.versions[0]!)).toEqual([
      {
        leaderId: 'L1',
        pickupPointName: '芳芳小卖部',
        productId: 'P1',
        name: '草莓',
        supplyPriceFen: 1250,
        before: 5,
        after: 2,
        delta: -3,
      },
    ]);
    expect(plan.audit.action).toBe('purchaseOrder.revised');
  });

  test('a pickup point whose lines all go leaves an empty version, and the count of pickup points goes down', () => {
    const issued = planOf(snapshot({ totals: [total({}), total({ leaderId: 'L2', quantity: 1 })] }))!;
    const plan = planOf({ ...snapshot({}), ...committed(issued), dirty: [{ leaderId: 'L2', token: 't' }], totals: [total({})] })!;
    expect(plan.versions).toEqual([expect.objectContaining({ leaderId: 'L2', revision: 2, lines: [] })]);
    expect(plan.after).toMatchObject({ pickupPointCount: 1, totalFen: 5 * 1250 });
  });

  test('a shipped purchase order is never changed: the difference goes into a supplement (negative: a credit)', () => {
    const issued = planOf(snapshot({ totals: [total({})] }))!;
    const shipped = committed(issued, 'shipped');
    const plan = planOf(
      snapshot({
        ...shipped,
        totals: [total({ quantity: 3 }), total({ productId: 'P2', name: '苹果', supplyPriceFen: 300, quantity: 1 })],
      }),
    )!;
    expect(plan.before).toBeUndefined();
    expect(plan.after).toMatchObject({
      purchaseOrderId: 'S1-2026-11-26-2',
      part: 2,
      supplementOf: 'S1-2026-11-26',
      revision: 1,
      status: 'issued',
      totalFen: -2 * 1250 + 300,
    });
    expect(plan.after.lines.map((l) => [l.productId, l.quantity])).toEqual([
      ['P1', -2],
      ['P2', 1],
    ]);
    expect(plan.versions).toEqual([expect.objectContaining({ part: 2, revision: 1 })]);
    // Nothing more to supplement once the totals equal what shipped.
    expect(planOf(snapshot({ ...shipped, totals: [total({})] }))).toBeUndefined();
  });

  test('one revision changes at most MAX_POINTS_PER_REVISION pickup points and MAX_VERSION_BYTES_PER_REVISION of versions; the rest wait for the next', () => {
    const many = Array.from({ length: MAX_POINTS_PER_REVISION + 5 }, (_, i) => total({ leaderId: `L${String(i).padStart(3, '0')}` }));
    const plan = planOf(snapshot({ totals: many }))!;
    expect(plan.versions).toHaveLength(MAX_POINTS_PER_REVISION);
    expect(plan.examined).toHaveLength(MAX_POINTS_PER_REVISION);
    expect(plan.after.pickupPointCount).toBe(MAX_POINTS_PER_REVISION);

    // Pickup points with many products: the versions' bytes stop the revision first.
    const wide = Array.from({ length: 10 }, (_, i) =>
      Array.from({ length: 200 }, (_, p) => total({ leaderId: `W${i}`, productId: `P${String(p).padStart(3, '0')}`, name: `商品${p}` })),
    ).flat();
    const byBytes = planOf(snapshot({ totals: wide }))!;
    const bytes = byBytes.versions.reduce((s, v) => s + Buffer.byteLength(JSON.stringify(v)), 0);
    expect(byBytes.versions.length).toBeGreaterThan(0);
    expect(byBytes.versions.length).toBeLessThan(10);
    expect(bytes).toBeLessThanOrEqual(MAX_VERSION_BYTES_PER_REVISION);
  });

  test('product lines move by the difference at each changed pickup point', () => {
    const strawberry = { productId: 'P1', name: '草莓', unit: '盒', supplyPriceFen: 1250 };
    expect(
      nextLines(
        [{ ...strawberry, quantity: 8, amountFen: 10000 }],
        [{ before: [{ ...strawberry, quantity: 5 }], after: [{ ...strawberry, quantity: 2 }] }],
      ),
    ).toEqual([{ ...strawberry, quantity: 5, amountFen: 6250 }]);
    expect(nextLines([{ ...strawberry, quantity: 5, amountFen: 6250 }], [{ before: [{ ...strawberry, quantity: 5 }], after: [] }])).toEqual(
      [],
    );
  });
});

describe('purchase order ids', () => {
  test('part 1 is supplier and date; supplements add the part; anything else is no id', () => {
    expect(purchaseOrderIdOf('01JSUP', '2026-11-26', 1)).toBe('01JSUP-2026-11-26');
    expect(purchaseOrderIdOf('01JSUP', '2026-11-26', 2)).toBe('01JSUP-2026-11-26-2');
    expect(parsePurchaseOrderId('01JSUP-2026-11-26')).toEqual({ supplierId: '01JSUP', deliveryDate: '2026-11-26', part: 1 });
    expect(parsePurchaseOrderId('01JSUP-2026-11-26-2')).toEqual({ supplierId: '01JSUP', deliveryDate: '2026-11-26', part: 2 });
    for (const bad of ['01JSUP', '01JSUP-2026-11-26-1', '01JSUP-2026-11-26-02', '-2026-11-26', '01JSUP-26-11-26'])
      expect(parsePurchaseOrderId(bad)).toBeUndefined();
  });
});
