// Supplier purchase orders against the real stack and DynamoDB Local: consolidated by the stream from the
// nightly cutoff, read and acted on through HTTP, revised (never silently edited) when an order changes,
// supplemented once shipped, and always equal to a recomputation from the orders behind them, however
// the stream records arrive (twice, retried, concurrently, or after a consolidation killed half way).
import { marshall } from '@aws-sdk/util-dynamodb';
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord, SQSEvent } from 'aws-lambda';
import { queueEvent } from '../../test/support/queue-events';
import { applyOrder } from '../../lib/purchase-orders/apply';
import type { ConsolidationStore, ContributionChange } from '../../lib/purchase-orders/consolidation-ports';
import { contributionDeltas } from '../../lib/purchase-orders/contributions';
import { planRebuild, rebuildPurchaseOrder } from '../../lib/purchase-orders/rebuild';
import { consolidationDeps } from '../../lib/purchase-orders/wiring';
import { fullRefund, transitioned, withFreshOrder } from '../../lib/orders/changes';
import { auditTrail } from '../../lib/store/audit';
import { db, tableName } from '../../lib/store/dynamo';
import { keys } from '../../lib/store/keys';
import { groupBuyOrders } from '../../lib/store/leader-orders';
import { dynamoOrderStore, orderItem } from '../../lib/store/orders';
import { dynamoConsolidationStore, dynamoPurchaseOrderStore } from '../../lib/store/purchase-orders';
import type { Order, Refund } from '../../schemas/orders';
import { OrderSchema } from '../../schemas/orders';
import type { OrderContribution } from '../../schemas/purchase-orders';
import { PurchaseOrderSchema } from '../../schemas/purchase-orders';
import type { purchaseOrderView } from '../../lib/purchase-orders/purchase-orders';

/** A purchase order as the API answers it. */
type PurchaseOrder = ReturnType<typeof purchaseOrderView>;
import { consolidationHandler, main as consolidateMain } from '../consolidate-purchase-orders/handler';
import { openGroupBuy, operatorToken, placeOrder, shanghaiDate, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { passCutoff } from '../../test/support/time-travel';

const api = useStack();
let operator: string;
beforeAll(async () => {
  operator = await operatorToken(api);
});

const soon = (ms: number) => new Date(Date.now() + ms).toISOString();
const orders = dynamoOrderStore();
const purchaseOrders = dynamoPurchaseOrderStore();

/** An approved leader with a pickup point of its own. */
async function leaderAt(pickupPoint: { name: string; address: string }) {
  const token = await api.login(unique('leader'));
  const applied = await api.call('POST', '/leaders', {
    token,
    body: { name: '团长', phone: '13900001111', pickupPoint: { ...pickupPoint, community: '幸福小区', city: '上海' } },
  });
  await api.call('POST', `/leaders/${applied.body.leaderId}/approve`, { token: operator });
  return { token, leaderId: applied.body.leaderId as string };
}

/** A resident orders and (unless told otherwise) pays. */
async function order(shareToken: string, items: { productId: string; quantity: number }[], pay = true) {
  const resident = await api.login(unique('resident'));
  const placed = await placeOrder(api, resident, shareToken, items);
  if (placed.status !== 201) throw new Error(`order failed: ${placed.text}`);
  if (pay) await api.call('POST', `/dev/pay/${placed.body.orderId}`);
  return placed.body.orderId as string;
}

/** The nightly cutoff, run by an operator once every cutoff given has passed; then the stream settles. */
async function cutoffAfter(...groupBuyIds: string[]) {
  await passCutoff(groupBuyIds);
  const report = await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }));
  expect(report.status).toBe(200);
  await api.drain();
}

let refundCounter = 0;
/** A refund as the platform records it (order change + refund intent, one transaction): a whole line, part of one, or everything. */
async function refund(orderId: string, what: { productId: string; amountFen?: number } | 'all') {
  await withFreshOrder(orders, orderId, async (o) => {
    const at = new Date().toISOString();
    const refundId = `${orderId}-test-${refundCounter++}`;
    let after: Order;
    let refunds: Refund[];
    if (what === 'all') {
      const full = fullRefund(o, refundId, '整单退款', 'op-test', at)!;
      after = { ...transitioned(o, 'refundAll', at), ...full.after };
      refunds = [full.refund];
    } else {
      const line = o.items.find((l) => l.productId === what.productId)!;
      const amountFen = what.amountFen ?? line.amountFen - line.refundedFen;
      const items = o.items.map((l) => (l === line ? { ...l, refundedFen: l.refundedFen + amountFen } : l));
      const refundedFen = o.refundedFen + amountFen;
      after = { ...(refundedFen === o.totalFen ? transitioned(o, 'refundAll', at) : { ...o, updatedAt: at }), items, refundedFen };
      refunds = [
        {
          refundId,
          orderId,
          paymentId: o.paymentId!,
          amountFen,
          reason: '坏了',
          status: 'requested',
          lines: [{ productId: what.productId, amountFen }],
          requestedBy: 'op-test',
          createdAt: at,
        },
      ];
    }
    const outcome = await orders.change({
      before: o,
      after,
      refunds,
      audit: { entityId: orderId, entityType: 'order', action: 'order.refund_requested', actor: 'op-test', at, before: o, after },
    });
    return outcome === 'changed' ? true : 'stale';
  });
}

let sequence = 0;
/** The stream record Lambda would deliver for an order's current (or a given) image. */
function recordOf(o: Order): DynamoDBRecord {
  const seq = String(++sequence).padStart(21, '0');
  return {
    eventID: `test-${seq}`,
    eventName: 'MODIFY',
    eventSource: 'aws:dynamodb',
    dynamodb: {
      Keys: marshall(keys.order(o.orderId)) as never,
      NewImage: marshall(orderItem(o), { removeUndefinedValues: true }) as never,
      SequenceNumber: seq,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}
const batch = (...records: DynamoDBRecord[]): SQSEvent => queueEvent(records);
const currentOrder = async (orderId: string) => (await orders.get(orderId))!;

/** Every part a supplier has for a date, through the API as the supplier sees them. */
async function partsOf(supplierToken: string, date: string): Promise<PurchaseOrder[]> {
  const res = await api.call('GET', `/purchase-orders?date=${date}`, { token: supplierToken });
  expect(res.status).toBe(200);
  return res.body.items;
}

/** Straight from the table: the stored part (for before/after comparisons that must be exact). */
const stored = async (supplierId: string, date: string, part = 1) => (await purchaseOrders.get(supplierId, date, part))!;

/** Σ over a supplier's parts of the quantities per pickup point and product (as an operator reads them). */
async function consolidated(supplierId: string, date: string) {
  const parts: PurchaseOrder[] = (await api.call('GET', `/purchase-orders?date=${date}&supplierId=${supplierId}`, { token: operator })).body
    .items;
  const sums = new Map<string, number>();
  for (const part of parts) {
    let amount = 0;
    for (const p of part.pickupPoints)
      for (const l of p.lines) sums.set(`${p.leaderId}#${l.productId}`, (sums.get(`${p.leaderId}#${l.productId}`) ?? 0) + l.quantity);
    // Each part's lines are the sum of its breakdown, and its total the sum of its lines.
    for (const l of part.lines) {
      expect(l.quantity).toBe(
        part.pickupPoints
          .flatMap((p) => p.lines)
          .filter((x) => x.productId === l.productId && x.supplyPriceFen === l.supplyPriceFen)
          .reduce((s, x) => s + x.quantity, 0),
      );
      expect(l.amountFen).toBe(l.quantity * l.supplyPriceFen);
      amount += l.amountFen;
    }
    expect(part.totalFen).toBe(amount);
  }
  for (const [k, v] of sums) if (v === 0) sums.delete(k);
  return sums;
}

/**
 * The same quantities recomputed from the orders themselves (every order of each group buy, through
 * the group-buy index, as only a test may): paid orders past the cutoff, lines not refunded in full.
 */
async function recomputed(supplierId: string, groupBuyIds: string[]) {
  const sums = new Map<string, number>();
  for (const groupBuyId of groupBuyIds) {
    for (const o of await groupBuyOrders(db(), groupBuyId)) {
      if (o.status !== 'ready_for_pickup' && o.status !== 'picked_up') continue;
      for (const l of o.items) {
        if (l.supplierId !== supplierId || l.refundedFen >= l.amountFen) continue;
        sums.set(`${o.leaderId}#${l.productId}`, (sums.get(`${o.leaderId}#${l.productId}`) ?? 0) + l.quantity);
      }
    }
  }
  return sums;
}

const sorted = (m: Map<string, number>) => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1));

describe('a delivery date: two leaders, two suppliers, group buys closing in the same second', () => {
  const date = shanghaiDate(soon(86_400_000));
  let fruit: Awaited<ReturnType<typeof supplierWithProducts>>; // 草莓 12.50 (4 boxes a case), 苹果 3.00 (by the 斤)
  let eggs: Awaited<ReturnType<typeof supplierWithProducts>>; // 鸡蛋 9.99
  let fruitToken: string;
  let eggsToken: string;
  let fang: { token: string; leaderId: string };
  let wang: { token: string; leaderId: string };
  const groupBuys: string[] = [];
  const o: Record<string, string> = {};
  let strawberry: string;
  let apple: string;
  let egg: string;
  let fruitPo: string;
  let eggsPo: string;

  beforeAll(async () => {
    fruit = await supplierWithProducts(api, [
      { name: '草莓', unit: '盒', supplyPriceFen: 1250, groupPriceFen: 1990, caseSize: 4 },
      { name: '苹果', unit: '斤', supplyPriceFen: 300, groupPriceFen: 500 },
    ]);
    eggs = await supplierWithProducts(api, [{ name: '鸡蛋', unit: '盒', supplyPriceFen: 999, groupPriceFen: 1500 }]);
    [strawberry, apple, egg] = [fruit.products[0]!.productId, fruit.products[1]!.productId, eggs.products[0]!.productId];
    fruitToken = await api.login(unique('fruit-clerk'), ['supplier'], fruit.supplierId);
    eggsToken = await api.login(unique('egg-clerk'), ['supplier'], eggs.supplierId);
    fang = await leaderAt({ name: '芳芳小卖部', address: '幸福路 1 号' });
    wang = await leaderAt({ name: '老王便利店 "东门"', address: '和平路 8 号, 2 楼' });
    fruitPo = `${fruit.supplierId}-${date}`;
    eggsPo = `${eggs.supplierId}-${date}`;

    // Both group buys close at the same instant, for the same pickup date.
    const cutoffAt = soon(3_600_000);
    const items = [{ productId: strawberry }, { productId: apple }, { productId: egg }];
    const gbFang = await openGroupBuy(api, fang.token, { items, cutoffAt, pickupDate: date });
    const gbWang = await openGroupBuy(api, wang.token, { items, cutoffAt, pickupDate: date });
    groupBuys.push(gbFang.groupBuyId, gbWang.groupBuyId);
    o.fang1 = await order(gbFang.shareToken, [
      { productId: strawberry, quantity: 2 },
      { productId: egg, quantity: 1 },
    ]);
    o.fang2 = await order(gbFang.shareToken, [{ productId: apple, quantity: 5 }]);
    o.fangUnpaid = await order(gbFang.shareToken, [{ productId: strawberry, quantity: 10 }], false);
    o.wang1 = await order(gbWang.shareToken, [
      { productId: strawberry, quantity: 3 },
      { productId: apple, quantity: 1 },
      { productId: egg, quantity: 2 },
    ]);
    o.wang2 = await order(gbWang.shareToken, [{ productId: egg, quantity: 4 }]);
    await cutoffAfter(gbFang.groupBuyId, gbWang.groupBuyId);
  });

  test('one purchase order per supplier and date: totals per product at the supply price, and the breakdown per pickup point', async () => {
    const [po] = await partsOf(fruitToken, date);
    expect(po).toMatchObject({
      purchaseOrderId: fruitPo,
      supplierId: fruit.supplierId,
      deliveryDate: date,
      status: 'issued',
      totalFen: 5 * 1250 + 6 * 300,
    });
    expect(po!.revision).toBeGreaterThanOrEqual(1);
    // The unpaid order (cancelled at the cutoff) is in nothing.
    // Whole cases: 5 boxes of strawberries are 2 cases of 4 (3 boxes over); apples go by the 斤 (case size 1).
    expect(po!.lines).toEqual([
      {
        productId: strawberry,
        name: '草莓',
        unit: '盒',
        quantity: 5,
        supplyPriceFen: 1250,
        amountFen: 6250,
        caseSize: 4,
        cases: 2,
        orderedQuantity: 8,
        surplusQuantity: 3,
      },
      {
        productId: apple,
        name: '苹果',
        unit: '斤',
        quantity: 6,
        supplyPriceFen: 300,
        amountFen: 1800,
        caseSize: 1,
        cases: 6,
        orderedQuantity: 6,
        surplusQuantity: 0,
      },
    ]);
    expect(po!.pickupPoints).toEqual([
      {
        leaderId: fang.leaderId,
        pickupPointName: '芳芳小卖部',
        address: '幸福路 1 号',
        lines: [
          expect.objectContaining({ productId: strawberry, quantity: 2 }),
          expect.objectContaining({ productId: apple, quantity: 5 }),
        ],
      },
      {
        leaderId: wang.leaderId,
        pickupPointName: '老王便利店 "东门"',
        address: '和平路 8 号, 2 楼',
        lines: [
          expect.objectContaining({ productId: strawberry, quantity: 3 }),
          expect.objectContaining({ productId: apple, quantity: 1 }),
        ],
      },
    ]);
    expect(po!.issuedAt).toMatch(/\+08:00$/);
    expect(po!.updatedAt).toMatch(/\+08:00$/);

    const single = await api.call('GET', `/purchase-orders/${fruitPo}`, { token: fruitToken });
    expect(single.status).toBe(200);
    expect(single.body).toEqual(po);

    const [eggPo] = await partsOf(eggsToken, date);
    expect(eggPo).toMatchObject({
      purchaseOrderId: eggsPo,
      totalFen: 7 * 999,
      lines: [{ productId: egg, quantity: 7, supplyPriceFen: 999, amountFen: 6993 }],
    });
    expect(eggPo!.pickupPoints.map((p: { leaderId: string; lines: { quantity: number }[] }) => [p.leaderId, p.lines[0]!.quantity])).toEqual(
      [
        [fang.leaderId, 1],
        [wang.leaderId, 6],
      ],
    );

    // Issued once and audited; the revision records say what each revision changed.
    const revisions = await api.call('GET', `/purchase-orders/${fruitPo}/revisions`, { token: fruitToken });
    expect(revisions.body.items[0]).toMatchObject({ revision: 1, totalFen: { before: 0 } });
    expect(revisions.body.items).toHaveLength(po!.revision);
    expect((await auditTrail(fruitPo))[0]).toMatchObject({ action: 'purchaseOrder.issued', actor: 'system:purchase-orders' });
  });

  test('a supplier sees only its own purchase orders; residents and leaders see none', async () => {
    expect((await partsOf(eggsToken, date)).map((p) => p.supplierId)).toEqual([eggs.supplierId]);
    expect((await api.call('GET', `/purchase-orders/${fruitPo}`, { token: eggsToken })).status).toBe(404);
    expect((await api.call('GET', `/purchase-orders/${fruitPo}`, { token: eggsToken, headers: { accept: 'text/csv' } })).status).toBe(404);
    expect((await api.call('GET', `/purchase-orders?date=${date}&supplierId=${fruit.supplierId}`, { token: eggsToken })).status).toBe(403);
    expect((await api.call('POST', `/purchase-orders/${fruitPo}/acknowledge`, { token: eggsToken })).status).toBe(404);

    const resident = await api.login(unique('resident'));
    expect((await api.call('GET', `/purchase-orders?date=${date}`, { token: resident })).status).toBe(403);
    expect((await api.call('GET', `/purchase-orders/${fruitPo}`, { token: resident })).status).toBe(404);
    expect((await api.call('GET', `/purchase-orders?date=${date}`, { token: fang.token })).status).toBe(403);
    expect((await api.call('GET', `/purchase-orders?date=${date}`)).status).toBe(401);
    expect((await api.call('GET', `/purchase-orders/${fruit.supplierId}-${date}-7`, { token: fruitToken })).status).toBe(404);
    expect((await api.call('GET', `/purchase-orders?date=tomorrow`, { token: fruitToken })).body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'date' }],
    });
  });

  test('operators see every supplier’s purchase orders of a date, narrowed by supplier', async () => {
    const all = await api.call('GET', `/purchase-orders?date=${date}`, { token: operator });
    expect(all.body.items.map((p: PurchaseOrder) => p.purchaseOrderId)).toEqual(expect.arrayContaining([fruitPo, eggsPo]));
    const narrowed = await api.call('GET', `/purchase-orders?date=${date}&supplierId=${eggs.supplierId}`, { token: operator });
    expect(narrowed.body.items.map((p: PurchaseOrder) => p.purchaseOrderId)).toEqual([eggsPo]);
    expect((await api.call('GET', `/purchase-orders/${fruitPo}`, { token: operator })).body.purchaseOrderId).toBe(fruitPo);
    const otherDay = await api.call('GET', `/purchase-orders?date=2020-01-01`, { token: operator });
    expect(otherDay.body.items).toEqual([]);
  });

  test('downloaded as CSV it opens cleanly in Excel: BOM, CRLF, Chinese text, quoting, lines then the breakdown', async () => {
    const res = await api.call('GET', `/purchase-orders/${fruitPo}`, { token: fruitToken, headers: { accept: 'text/csv' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="purchase-order-.+\.csv"$/);
    const bytes = new Uint8Array(
      await (
        await fetch(`${api.stack.url}/purchase-orders/${fruitPo}`, {
          headers: { accept: 'text/csv', authorization: `Bearer ${fruitToken}` },
        })
      ).arrayBuffer(),
    );
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    expect(text.startsWith(`\uFEFF采购单号 Purchase order,${fruitPo}\r\n`)).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const rows = text.slice(1).split('\r\n');
    expect(rows).toContain(
      '商品编号 Product ID,商品 Product,单位 Unit,数量 Quantity,供货价(元) Supply price (CNY),金额(元) Amount (CNY),' +
        '每箱 Case size,箱数 Cases,订货数量 Ordered quantity,富余 Surplus',
    );
    expect(rows).toContain(`${strawberry},草莓,盒,5,12.50,62.50,4,2,8,3`);
    expect(rows).toContain(`"老王便利店 ""东门""","和平路 8 号, 2 楼",${wang.leaderId},${strawberry},草莓,盒,3`);
    expect(rows.indexOf(`${strawberry},草莓,盒,5,12.50,62.50,4,2,8,3`)).toBeLessThan(rows.indexOf('自提点明细 By pickup point'));
  });

  test('a refund before delivery revises the purchase order with the difference and its cause; a partial one (compensation) does not', async () => {
    const ack = await api.call('POST', `/purchase-orders/${fruitPo}/acknowledge`, { token: fruitToken });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged' });
    const before = await stored(fruit.supplierId, date);

    await refund(o.fang1!, { productId: strawberry, amountFen: 100 });
    await api.drain();
    expect(await stored(fruit.supplierId, date)).toEqual(before);

    await refund(o.wang1!, { productId: strawberry }); // the whole line: 3 boxes no longer delivered
    await api.drain();
    const after = await api.call('GET', `/purchase-orders/${fruitPo}`, { token: fruitToken });
    expect(after.body).toMatchObject({
      revision: before.revision + 1,
      status: 'issued',
      acknowledgedRevision: before.revision,
      totalFen: 2 * 1250 + 6 * 300,
    });
    // The cases follow the revision: 2 boxes are one case of 4, 2 over.
    expect(after.body.lines[0]).toMatchObject({ productId: strawberry, quantity: 2, cases: 1, orderedQuantity: 4, surplusQuantity: 2 });
    const csv = await api.call('GET', `/purchase-orders/${fruitPo}`, { token: fruitToken, headers: { accept: 'text/csv' } });
    expect(csv.text.split('\r\n')).toContain(`${strawberry},草莓,盒,2,12.50,25.00,4,1,4,2`);
    expect(after.body.pickupPoints[1].lines).toEqual([expect.objectContaining({ productId: apple, quantity: 1 })]);

    const revisions = (await api.call('GET', `/purchase-orders/${fruitPo}/revisions`, { token: fruitToken })).body.items;
    expect(revisions.at(-1)).toMatchObject({
      revision: before.revision + 1,
      statusBefore: 'acknowledged',
      totalFen: { before: 8050, after: 4300, delta: -3750 },
      lines: [{ productId: strawberry, before: 5, after: 2, delta: -3 }],
      pickupPoints: [{ leaderId: wang.leaderId, productId: strawberry, before: 3, after: 0, delta: -3 }],
      cause: { orders: [{ orderId: o.wang1, status: 'ready_for_pickup' }] },
    });
    expect(revisions.at(-1).at).toMatch(/\+08:00$/);
    expect((await auditTrail(fruitPo)).map((e) => e.action)).toEqual(
      expect.arrayContaining(['purchaseOrder.acknowledged', 'purchaseOrder.revised']),
    );
    // The egg supplier's purchase order did not move.
    expect((await stored(eggs.supplierId, date)).lines[0]!.quantity).toBe(7);
  });

  test('that supplier acknowledges and ships; other transitions and other callers are refused', async () => {
    expect((await api.call('POST', `/purchase-orders/${fruitPo}/acknowledge`, { token: fruitToken })).body.status).toBe('acknowledged');
    expect((await api.call('POST', `/purchase-orders/${fruitPo}/acknowledge`, { token: fruitToken })).status).toBe(409);
    expect((await api.call('POST', `/purchase-orders/${fruitPo}/ship`, { token: operator })).status).toBe(403);
    expect((await api.call('POST', `/purchase-orders/${fruitPo}/ship`, { token: eggsToken })).status).toBe(404);
    const shipped = await api.call('POST', `/purchase-orders/${fruitPo}/ship`, { token: fruitToken });
    expect(shipped.status).toBe(200);
    expect(shipped.body).toMatchObject({ purchaseOrderId: fruitPo, status: 'shipped' });
    expect(shipped.body.shippedAt).toMatch(/\+08:00$/);
    const again = await api.call('POST', `/purchase-orders/${fruitPo}/ship`, { token: fruitToken });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
    expect((await api.call('POST', `/purchase-orders/${fruitPo}/acknowledge`, { token: fruitToken })).status).toBe(409);
    // Shipping straight from issued is allowed too.
    expect((await api.call('POST', `/purchase-orders/${eggsPo}/ship`, { token: eggsToken })).status).toBe(200);
    expect((await auditTrail(fruitPo)).filter((e) => e.action === 'purchaseOrder.shipped')).toEqual([
      expect.objectContaining({
        before: expect.objectContaining({ status: 'acknowledged' }),
        after: expect.objectContaining({ status: 'shipped' }),
      }),
    ]);
  });

  test('a shipped purchase order never changes: a later refund and a late cutoff for the same date go into a supplement', async () => {
    const shippedFruit = await stored(fruit.supplierId, date);
    const shippedEggs = await stored(eggs.supplierId, date);

    await refund(o.fang2!, 'all'); // 5 斤 of apples that will not be handed out
    await api.drain();
    expect(await stored(fruit.supplierId, date)).toEqual(shippedFruit);
    expect(await stored(fruit.supplierId, date, 2)).toMatchObject({ purchaseOrderId: `${fruitPo}-2`, revision: 1, totalFen: -5 * 300 });

    // A late cutoff for the same date: the open supplement gets a new revision, saying why.
    const cutoffAt = soon(3_600_000);
    const late = await openGroupBuy(api, fang.token, {
      items: [{ productId: strawberry }, { productId: egg }],
      cutoffAt,
      pickupDate: date,
    });
    groupBuys.push(late.groupBuyId);
    o.late = await order(late.shareToken, [
      { productId: strawberry, quantity: 4 },
      { productId: egg, quantity: 3 },
    ]);
    await cutoffAfter(late.groupBuyId);

    expect(await stored(fruit.supplierId, date)).toEqual(shippedFruit);
    expect(await stored(eggs.supplierId, date)).toEqual(shippedEggs);
    const fruitParts = await partsOf(fruitToken, date);
    expect(fruitParts.map((p) => p.purchaseOrderId)).toEqual([fruitPo, `${fruitPo}-2`]);
    expect(fruitParts[1]).toMatchObject({ part: 2, supplementOf: fruitPo, status: 'issued', totalFen: 4 * 1250 - 5 * 300 });
    expect(fruitParts[1]!.lines.map((l) => [l.productId, l.quantity])).toEqual([
      [strawberry, 4],
      [apple, -5],
    ]);
    expect(fruitParts[1]!.pickupPoints).toEqual([
      expect.objectContaining({
        leaderId: fang.leaderId,
        lines: [
          expect.objectContaining({ productId: strawberry, quantity: 4 }),
          expect.objectContaining({ productId: apple, quantity: -5 }),
        ],
      }),
    ]);
    const supplementRevisions = (await api.call('GET', `/purchase-orders/${fruitPo}-2/revisions`, { token: fruitToken })).body.items;
    expect(supplementRevisions).toMatchObject([
      {
        revision: 1,
        lines: [{ productId: apple, before: 0, after: -5, delta: -5 }],
        cause: { orders: [{ orderId: o.fang2, status: 'refunded' }] },
      },
      {
        revision: 2,
        lines: [{ productId: strawberry, before: 0, after: 4, delta: 4 }],
        cause: { orders: [{ orderId: o.late, status: 'ready_for_pickup' }] },
      },
    ]);
    const eggParts = await partsOf(eggsToken, date);
    expect(eggParts.map((p) => [p.purchaseOrderId, p.totalFen])).toEqual([
      [eggsPo, 7 * 999],
      [`${eggsPo}-2`, 3 * 999],
    ]);
    // A supplement is acted on like any purchase order.
    expect((await api.call('POST', `/purchase-orders/${fruitPo}-2/acknowledge`, { token: fruitToken })).body.status).toBe('acknowledged');
  });

  test('every supplier’s purchase orders equal a recomputation from the paid, unrefunded order lines', async () => {
    for (const supplierId of [fruit.supplierId, eggs.supplierId]) {
      const expected = await recomputed(supplierId, groupBuys);
      expect(expected.size).toBeGreaterThan(0);
      expect(sorted(await consolidated(supplierId, date))).toEqual(sorted(expected));
    }
  });

  test('duplicate, repeated and out-of-date stream records change nothing', async () => {
    const before = [
      await stored(fruit.supplierId, date, 1),
      await stored(fruit.supplierId, date, 2),
      await stored(eggs.supplierId, date, 2),
    ];
    const current = await Promise.all(Object.values(o).map(currentOrder));
    const records = current.map(recordOf);
    // The same records twice in one batch, the whole batch again, and an old image of a refunded order.
    expect(await consolidateMain(batch(...records, ...records))).toEqual({ batchItemFailures: [] });
    expect(await consolidateMain(batch(...[...records].reverse()))).toEqual({ batchItemFailures: [] });
    const old = current.find((c) => c.orderId === o.fang2)!;
    const oldImage: Order = {
      ...old,
      status: 'ready_for_pickup',
      refundedFen: 0,
      items: old.items.map((l) => ({ ...l, refundedFen: 0 })),
      updatedAt: new Date(Date.parse(old.updatedAt) - 60_000).toISOString(),
      version: old.version - 1,
    };
    expect(await consolidateMain(batch(recordOf(oldImage)))).toEqual({ batchItemFailures: [] });
    await api.drain();
    expect([
      await stored(fruit.supplierId, date, 1),
      await stored(fruit.supplierId, date, 2),
      await stored(eggs.supplierId, date, 2),
    ]).toEqual(before);
  });

  test('a consolidation killed after applying the changes but before rebuilding finishes the job when redelivered', async () => {
    const before = await stored(eggs.supplierId, date, 2);
    await refund(o.late!, { productId: egg }); // −3 eggs, not drained yet
    const record = recordOf(await currentOrder(o.late!));

    // The killed run: contributions and totals written, the process dies before the rebuild.
    const deps = consolidationDeps();
    const late = OrderSchema.parse(await currentOrder(o.late!));
    await applyOrder(deps.store, { order: late, pickupPoint: (await deps.groupBuys.get(late.groupBuyId))!.pickupPoint });
    const snapshot = await dynamoConsolidationStore().snapshot(eggs.supplierId, date);
    expect(snapshot.totals.filter((t) => t.leaderId === fang.leaderId).reduce((s, t) => s + t.quantity, 0)).toBe(1);
    expect(await stored(eggs.supplierId, date, 2)).toEqual(before);

    // A run whose rebuild fails reports the record, so that Lambda delivers it again.
    const failing: ConsolidationStore = {
      ...deps.store,
      commitBuild: async () => {
        throw new Error('killed');
      },
    };
    const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const delivery = batch(record);
    expect(await consolidationHandler({ ...deps, store: failing })(delivery)).toEqual({
      batchItemFailures: [{ itemIdentifier: delivery.Records[0]!.messageId }],
    });
    expect(quiet).toHaveBeenCalledWith(expect.stringContaining('killed'));
    quiet.mockRestore();
    expect(await stored(eggs.supplierId, date, 2)).toEqual(before);

    // Redelivered: the changes are found applied (not applied twice), the rebuild runs.
    expect(await consolidateMain(batch(record))).toEqual({ batchItemFailures: [] });
    const after = await stored(eggs.supplierId, date, 2);
    expect(after).toMatchObject({ revision: before.revision + 1, totalFen: 0, lines: [] });
    const revisions = (await purchaseOrders.revisions(eggs.supplierId, date, 2, 100)).items;
    expect(revisions.at(-1)).toMatchObject({
      lines: [{ productId: egg, before: 3, after: 0, delta: -3 }],
      cause: { orders: [{ orderId: o.late }] },
    });
    await api.drain();
    expect(await stored(eggs.supplierId, date, 2)).toEqual(after);
    expect(sorted(await consolidated(eggs.supplierId, date))).toEqual(sorted(await recomputed(eggs.supplierId, groupBuys)));
  });

  test('concurrent batches touching the same purchase order (and overlapping) still add up exactly', async () => {
    await refund(o.fang1!, 'all');
    await refund(o.wang1!, 'all');
    const r1 = recordOf(await currentOrder(o.fang1!));
    const r2 = recordOf(await currentOrder(o.wang1!));
    const r3 = recordOf(await currentOrder(o.wang2!));
    const results = await Promise.all([
      consolidateMain(batch(r1, r3)),
      consolidateMain(batch(r2, r1)),
      consolidateMain(batch(r3, r2)),
      consolidateMain(batch(r1)),
    ]);
    expect(results).toEqual(results.map(() => ({ batchItemFailures: [] })));
    for (const supplierId of [fruit.supplierId, eggs.supplierId])
      expect(sorted(await consolidated(supplierId, date))).toEqual(sorted(await recomputed(supplierId, groupBuys)));
    await api.drain();
    for (const supplierId of [fruit.supplierId, eggs.supplierId])
      expect(sorted(await consolidated(supplierId, date))).toEqual(sorted(await recomputed(supplierId, groupBuys)));
    // Every stored part parses, and no revision number was used twice.
    for (const supplierId of [fruit.supplierId, eggs.supplierId]) {
      for (const part of (await purchaseOrders.listByDate(date, supplierId, 100)).items) {
        expect(PurchaseOrderSchema.parse(part)).toBeTruthy();
        const numbers = (await purchaseOrders.revisions(supplierId, date, part.part, 100)).items.map((r) => r.revision);
        expect(numbers).toEqual(Array.from({ length: part.revision }, (_, i) => i + 1));
      }
    }
  });

  test('a rebuild that read before a later change can never write over it (the rebuild counter)', async () => {
    const store = dynamoConsolidationStore();
    // A contribution that comes and goes (as an order made ready and then refunded would).
    const ghost: OrderContribution = {
      orderId: unique('ghost'),
      deliveryDate: date,
      leaderId: fang.leaderId,
      orderVersion: 1,
      lines: { [fruit.supplierId]: [{ productId: apple, name: '苹果', unit: '斤', supplyPriceFen: 300, quantity: 1 }] },
    };
    const apply = async (after: OrderContribution) => {
      const before = await store.getContribution(after.orderId);
      const points = contributionDeltas(before, after, { name: '芳芳小卖部', address: '幸福路 1 号' });
      return store.applyContributions([{ ...(before ? { before } : {}), after }], points);
    };
    expect(await apply(ghost)).toBe('applied');
    const early = await store.snapshot(fruit.supplierId, date); // a slow rebuild reads the ghost's apple…
    expect(await apply({ ...ghost, lines: { [fruit.supplierId]: [] }, orderVersion: 2 })).toBe('applied');
    expect(await rebuildPurchaseOrder({ store, clock: { now: () => new Date() } }, fruit.supplierId, date)).toBe('unchanged'); // …a quick one finds nothing to do…
    const stalePlan = planRebuild(early, fruit.supplierId, date, { orders: [] }, new Date().toISOString());
    expect(stalePlan).toBeDefined();
    expect(await store.commitBuild(fruit.supplierId, date, early.build, stalePlan)).toBe('stale'); // …and the slow one may not write.
    expect(sorted(await consolidated(fruit.supplierId, date))).toEqual(sorted(await recomputed(fruit.supplierId, groupBuys)));
  });

  describe("a batch's orders applied together", () => {
    const batchOrders: string[] = [];
    beforeAll(async () => {
      const cutoffAt = soon(3_600_000);
      const items = [{ productId: strawberry }, { productId: apple }, { productId: egg }];
      const gbFang = await openGroupBuy(api, fang.token, { items, cutoffAt, pickupDate: date });
      const gbWang = await openGroupBuy(api, wang.token, { items, cutoffAt, pickupDate: date });
      groupBuys.push(gbFang.groupBuyId, gbWang.groupBuyId);
      for (const gb of [gbFang, gbWang, gbFang, gbWang])
        batchOrders.push(
          await order(gb.shareToken, [
            { productId: strawberry, quantity: 1 },
            { productId: apple, quantity: 2 },
            { productId: egg, quantity: 3 },
          ]),
        );
      await cutoffAfter(gbFang.groupBuyId, gbWang.groupBuyId);
    });

    /** The store, with every applyContributions call recorded (how many changes, and what it answered). */
    function recording(store: ConsolidationStore, before?: (changes: readonly ContributionChange[]) => Promise<void>) {
      const calls: { changes: number; outcome: string }[] = [];
      const wrapped: ConsolidationStore = {
        ...store,
        async applyContributions(changes, points) {
          if (before && calls.length === 0) await before(changes);
          const outcome = await store.applyContributions(changes, points);
          calls.push({ changes: changes.length, outcome });
          return outcome;
        },
      };
      return { wrapped, calls };
    }

    test('a transaction refused because one order was applied meanwhile (a replay, a newer image) is applied order by order, exactly', async () => {
      const [a, b, c, d] = batchOrders as [string, string, string, string];
      for (const id of [a, b, c, d]) await refund(id, { productId: apple });
      const records = await Promise.all([a, b, c, d].map(async (id) => recordOf(await currentOrder(id))));
      await refund(b, { productId: egg }); // a newer image of b, not in the batch
      const deps = consolidationDeps();
      const pickupPoint = async (id: string) => {
        const order = OrderSchema.parse(await currentOrder(id));
        return { order, pickupPoint: (await deps.groupBuys.get(order.groupBuyId))!.pickupPoint };
      };
      // Another consumer, between this batch's reads and its transaction: a's same image, b's newer one.
      const { wrapped, calls } = recording(deps.store, async () => {
        await applyOrder(deps.store, await pickupPoint(a));
        await applyOrder(deps.store, await pickupPoint(b));
      });
      expect(await consolidationHandler({ ...deps, store: wrapped })(batch(...records))).toEqual({ batchItemFailures: [] });
      // The batch's one transaction was refused; its orders then went one by one (a and b found applied).
      expect(calls).toEqual([
        { changes: 4, outcome: 'stale' },
        { changes: 1, outcome: 'applied' },
        { changes: 1, outcome: 'applied' },
      ]);
      for (const supplierId of [fruit.supplierId, eggs.supplierId])
        expect(sorted(await consolidated(supplierId, date))).toEqual(sorted(await recomputed(supplierId, groupBuys)));
      await api.drain();
      for (const supplierId of [fruit.supplierId, eggs.supplierId])
        expect(sorted(await consolidated(supplierId, date))).toEqual(sorted(await recomputed(supplierId, groupBuys)));
    });

    test('an order recorded one item per supplier (before 2026-12-01) is applied from those records, which its own then replaces', async () => {
      const [, b] = batchOrders as [string, string, string, string];
      const current = OrderSchema.parse(await currentOrder(b));
      await api.drain();
      // As the consolidation left it before: one record per supplier, at the version applied, none of its own.
      const own = await dynamoConsolidationStore().getContribution(b);
      expect(own).toMatchObject({ orderVersion: current.version });
      expect(own!.legacy).toBeUndefined();
      const bySupplier = Object.entries(own!.lines);
      expect(bySupplier).toHaveLength(2);
      for (const [supplierId, lines] of bySupplier)
        await db().send(
          new PutCommand({
            TableName: tableName(),
            Item: {
              ...keys.purchaseOrderContribution(supplierId, date, b),
              type: 'PO_CONTRIBUTION',
              supplierId,
              deliveryDate: date,
              orderId: b,
              groupBuyId: current.groupBuyId,
              leaderId: current.leaderId,
              pickupPointName: '老王便利店',
              address: '和平路 8 号, 2 楼',
              orderStatus: current.status,
              lines: lines.map((l) => ({ ...l, name: '', unit: '' })),
              orderVersion: current.version,
              fingerprint: 'before',
            },
          }),
        );
      await db().send(new DeleteCommand({ TableName: tableName(), Key: keys.purchaseOrderOrderContribution(b) }));

      // The same image again changes nothing; a refund is applied once, from those records.
      expect(await consolidateMain(batch(recordOf(current)))).toEqual({ batchItemFailures: [] });
      await refund(b, { productId: strawberry });
      expect(await consolidateMain(batch(recordOf(await currentOrder(b))))).toEqual({ batchItemFailures: [] });
      for (const supplierId of [fruit.supplierId, eggs.supplierId])
        expect(sorted(await consolidated(supplierId, date))).toEqual(sorted(await recomputed(supplierId, groupBuys)));
      const { Items } = await db().send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.purchaseOrderContributionPartition(b) },
          ConsistentRead: true,
        }),
      );
      expect(Items!.map((i) => i.sk)).toEqual(['ORDER']);
      await api.drain();
      for (const supplierId of [fruit.supplierId, eggs.supplierId])
        expect(sorted(await consolidated(supplierId, date))).toEqual(sorted(await recomputed(supplierId, groupBuys)));
    });

    test('a batch killed between its totals and the rebuild finishes the job when redelivered, nothing applied twice', async () => {
      const [a, , c, d] = batchOrders as [string, string, string, string];
      for (const id of [a, c, d]) await refund(id, { productId: strawberry });
      const records = await Promise.all([a, c, d].map(async (id) => recordOf(await currentOrder(id))));
      const before = await stored(fruit.supplierId, date, 2);
      const deps = consolidationDeps();
      const { wrapped, calls } = recording(deps.store);
      const killed: ConsolidationStore = {
        ...wrapped,
        commitBuild: async () => {
          throw new Error('killed');
        },
      };
      const quiet = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      const delivery = batch(...records);
      expect(await consolidationHandler({ ...deps, store: killed })(delivery)).toEqual({
        batchItemFailures: delivery.Records.map((r) => ({ itemIdentifier: r.messageId })),
      });
      quiet.mockRestore();
      // The three orders went in one transaction, and the purchase order waits for its rebuild.
      expect(calls).toEqual([{ changes: 3, outcome: 'applied' }]);
      expect(await stored(fruit.supplierId, date, 2)).toEqual(before);

      // Redelivered: found applied, rebuilt once, exactly.
      expect(await consolidateMain(batch(...records))).toEqual({ batchItemFailures: [] });
      const after = await stored(fruit.supplierId, date, 2);
      expect(after.revision).toBe(before.revision + 1);
      const revisions = (await purchaseOrders.revisions(fruit.supplierId, date, 2, 100)).items;
      expect(revisions.at(-1)).toMatchObject({ lines: [{ productId: strawberry, delta: -3 }] });
      for (const supplierId of [fruit.supplierId, eggs.supplierId])
        expect(sorted(await consolidated(supplierId, date))).toEqual(sorted(await recomputed(supplierId, groupBuys)));
      await api.drain();
      expect(await stored(fruit.supplierId, date, 2)).toEqual(after);
    });
  });
});
