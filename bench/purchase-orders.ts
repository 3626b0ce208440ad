// Purchase-order consolidation at volume: M orders made ready for pickup on one delivery date (several
// pickup points, products of 2 suppliers), consolidated by the real `consolidatePurchaseOrders` function
// (`functions/consolidate-purchase-orders/handler.ts`'s `main`) from their stream records, invoked as
// Lambda invokes it from one shard: batches of its serverless.yml `batchSize` of the records its
// `filterPatterns` let through, one call after the other, a failed record delivered again from there.
//
// The stream is built as the platform writes it: per order an INSERT (pending_payment), a MODIFY (paid)
// and the cutoff's MODIFY (ready_for_pickup, with a pickup code); only the last passes the filter. The
// orders themselves are seeded with the store's item builder, as they stand after the cutoff.
//
// What it reports per M: seconds, orders consolidated per second, DynamoDB requests (by command), WCU
// and RCU per order (AWS's rules, bench/harness.ts's meter on the platform's client), which partitions
// the reads went to (never an order: "no Scan, reads what changed"), the purchase orders and revisions
// written, and whether the per-order figures stay constant across M. Then a change after issue: K order
// lines refunded in full through the real refund endpoint, their records fed to the function, and the
// cost of that one revision. Each purchase order is checked against a recomputation from the orders.
//
// DynamoDB Local slows as its store grows: the sizes run in a palindrome after an unmeasured warm-up and
// each size's figures are the mean of its two runs (as in bench/cutoff.ts).
import { BatchWriteCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { GroupBuy } from '../schemas/group-buys';
import type { Order, OrderLine } from '../schemas/orders';
import { OrderSchema } from '../schemas/orders';
import type { PickupPointBreakdown, PurchaseOrder, PurchaseOrderRevision } from '../schemas/purchase-orders';
import { itemSize, putUnits, writeUnits } from './capacity';
import type { HttpMain, Input, Meter } from './harness';
import { benchClient, expectStatus, growthAcross, invokeHttp, random, meter, round, runConcurrently, streamRecords } from './harness';
import { businessDate } from '../lib/runtime/time';

export interface PurchaseOrdersOptions {
  /** Orders consolidated in each run (in a palindrome: every size twice). */
  sizes: number[];
  /** Order lines refunded in full after the purchase orders are issued (default 10). */
  refunds?: number;
}

interface Cost {
  requests: { total: number; byCommand: Record<string, number> };
  wcu: number;
  rcu: number;
  /** The WCU by the item written (the meter's rules, from the transactions it recorded). */
  wcuByItem: Record<string, number>;
}

/** WCU by the kind of item written: contributions, running totals, documents, revisions, audit, counter. */
function wcuByItem(m: Meter): Record<string, number> {
  const by: Record<string, number> = {};
  const add = (kind: string, wcu: number) => void (by[kind] = (by[kind] ?? 0) + wcu);
  for (const actions of m.transactWrites) {
    for (const action of actions) {
      const put = action.Put as Input | undefined;
      if (put) add(String((put.Item as Input).type), putUnits(put.Item as Input, true));
      else {
        const key = ((action.Update ?? action.ConditionCheck ?? action.Delete) as Input).Key as Input;
        add(String(key.sk) === 'TOTALS' ? 'PO_POINT_TOTALS' : String(key.sk) === 'BUILD' ? 'PO_BUILD' : 'other', writeUnits(256, true));
      }
    }
  }
  // Outside transactions: the counter bump of a rebuild that found nothing to change.
  if (m.requests.UpdateItem) add('PO_BUILD', m.requests.UpdateItem * writeUnits(256, false));
  return by;
}

export interface ChangeAfterIssue {
  /** Order lines refunded in full (one per order), and the records that reached the function. */
  refundedLines: number;
  records: number;
  seconds: number;
  /** Totals for the whole change (not per order). */
  requests: { total: number; byCommand: Record<string, number> };
  wcu: number;
  wcuByItem: Record<string, number>;
  rcu: number;
  /** Revisions written by the change (one per purchase order whose quantities changed). */
  revisions: number;
  /** Rebuilds that found nothing to change (a supplier of a refunded order whose own lines did not change). */
  unchangedRebuilds: number;
}

export interface PurchaseOrdersRun {
  orders: number;
  /** Records in the stream (3 per order), and those the filter lets through to the function. */
  streamRecords: number;
  records: number;
  calls: number;
  /** Records delivered again after a reported failure (0 expected). */
  redelivered: number;
  seconds: number;
  ordersPerSecond: number;
  msPerOrder: number;
  requestsPerOrder: { total: number; byCommand: Record<string, number> };
  wcuPerOrder: number;
  /** WCU per order by the item written (contribution, running total, document, revision, audit, rebuild counter). */
  wcuPerOrderByItem: Record<string, number>;
  rcuPerOrder: number;
  /** Reads per order by the partition they went to: contribution (POC#), purchase-order partition (PO#), group buy, order, other. */
  readsPerOrder: Record<string, number>;
  purchaseOrders: number;
  revisions: number;
  change: ChangeAfterIssue;
  /** Every purchase order equals a recomputation from the orders: after consolidation, and after the change. */
  exact: boolean;
  changeExact: boolean;
}

export interface PurchaseOrdersResult {
  config: {
    sizes: number[];
    batchSize: number;
    suppliers: number;
    productsPerSupplier: number;
    pickupPoints: number;
    refundedLines: number;
    shards: 1;
  };
  bySize: PurchaseOrdersRun[];
  runs: PurchaseOrdersRun[];
  /** Per-order figures at the largest M over the smallest: 1 when a total grows exactly linearly with M. */
  growth: { wcuPerOrder: number; rcuPerOrder: number; requestsPerOrder: number; msPerOrder: number };
  /** The change after issue at the largest M over the smallest: 1 when it costs the same whatever M. */
  changeGrowth: { wcu: number; rcu: number; requests: number };
  itemBytes: Record<string, number>;
  checks: Record<string, boolean>;
}

const SUPPLIERS = 2;
const PRODUCTS_PER_SUPPLIER = 3;
const PICKUP_POINTS = 5;
const DEFAULT_REFUNDS = 10;
const FUNCTION_NAME = 'consolidatePurchaseOrders';

const hoursFromNow = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const since = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

/**
 * What each supplier's purchase order must say, recomputed from the orders by the rule in
 * docs/data-model.md (independently of lib/purchase-orders): per supplier, `leaderId#productId#supplyPriceFen`
 * → quantity over the lines of ready_for_pickup / picked_up orders that are not refunded in full.
 */
function expectedCells(orders: Iterable<Order>): Map<string, Map<string, number>> {
  const bySupplier = new Map<string, Map<string, number>>();
  for (const order of orders) {
    if (order.status !== 'ready_for_pickup' && order.status !== 'picked_up') continue;
    for (const line of order.items) {
      if (line.refundedFen >= line.amountFen) continue;
      const cells = bySupplier.get(line.supplierId) ?? new Map<string, number>();
      bySupplier.set(line.supplierId, cells);
      const key = `${order.leaderId}#${line.productId}#${line.supplyPriceFen}`;
      cells.set(key, (cells.get(key) ?? 0) + line.quantity);
    }
  }
  return bySupplier;
}

/** Where a document differs from the expected cells (empty when it matches, lines and totals included). */
function documentProblems(
  doc: PurchaseOrder | undefined,
  pickupPoints: readonly PickupPointBreakdown[],
  expected: Map<string, number>,
  pointNames: Map<string, string>,
): string[] {
  if (!doc) return expected.size ? ['no purchase order'] : [];
  const problems: string[] = [];
  const found = new Map<string, number>();
  for (const point of pickupPoints) {
    if (pointNames.get(point.leaderId) !== point.pickupPointName)
      problems.push(`pickup point of ${point.leaderId} is "${point.pickupPointName}"`);
    for (const line of point.lines) {
      const key = `${point.leaderId}#${line.productId}#${line.supplyPriceFen}`;
      found.set(key, (found.get(key) ?? 0) + line.quantity);
    }
  }
  for (const key of new Set([...found.keys(), ...expected.keys()])) {
    if ((found.get(key) ?? 0) !== (expected.get(key) ?? 0))
      problems.push(`${key}: ${found.get(key) ?? 0}, expected ${expected.get(key) ?? 0}`);
  }
  const byProduct = new Map<string, number>();
  for (const [key, q] of expected) {
    const [, productId, price] = key.split('#');
    byProduct.set(`${productId}#${price}`, (byProduct.get(`${productId}#${price}`) ?? 0) + q);
  }
  for (const line of doc.lines) {
    const want = byProduct.get(`${line.productId}#${line.supplyPriceFen}`) ?? 0;
    if (line.quantity !== want || line.amountFen !== line.quantity * line.supplyPriceFen)
      problems.push(`line ${line.productId}: ${line.quantity} (${line.amountFen} fen), expected ${want}`);
  }
  if (doc.lines.length !== byProduct.size) problems.push(`${doc.lines.length} lines, expected ${byProduct.size}`);
  const totalFen = [...expected].reduce((s, [key, q]) => s + q * Number(key.split('#')[2]), 0);
  if (doc.totalFen !== totalFen) problems.push(`totalFen ${doc.totalFen}, expected ${totalFen}`);
  return problems;
}

// ---- Set-up: the platform, the function's queue settings, the bench's own client ------------------------------

/** The platform's handlers and modules, imported only now: they read their configuration (endpoint, table) at module load. */
async function loadPlatform() {
  const http = {
    dev: ((await import('../functions/dev/handler')) as { main: HttpMain }).main,
    leaders: ((await import('../functions/leaders/handler')) as { main: HttpMain }).main,
    catalogue: ((await import('../functions/catalogue/handler')) as { main: HttpMain }).main,
    groupBuys: ((await import('../functions/group-buys/handler')) as { main: HttpMain }).main,
    orders: ((await import('../functions/orders/handler')) as { main: HttpMain }).main,
  };
  const { main: consolidate } = await import('../functions/consolidate-purchase-orders/handler');
  const { queueEvent } = await import('../test/support/queue-events');
  const { CONSUMER_ROUTES } = await import('../lib/runtime/stream-routes');
  const { loadManifest } = await import('../infra/manifest');
  const { matchesAnyFilter } = await import('../lib/runtime/filter-patterns');
  const { PICKUP_CODE_DIGITS } = await import('../lib/cutoff/cutoff');
  const { pendingOrder } = await import('../test/support/seeds');
  const { ulid } = await import('../lib/runtime/clock');
  const { db, tableName } = await import('../lib/store/dynamo');
  const { keys } = await import('../lib/store/keys');
  const { orderItem } = await import('../lib/store/orders');
  const { dynamoPurchaseOrderStore } = await import('../lib/store/purchase-orders');
  const purchaseOrderStore = dynamoPurchaseOrderStore();

  // The function's queue settings, from serverless.yml, and its route: what its queue would hand it, in what batches.
  const trigger = loadManifest().find((f) => f.name === FUNCTION_NAME)?.queues[0];
  const route = CONSUMER_ROUTES.find((r) => r.name === FUNCTION_NAME);
  if (!trigger || !route) throw new Error(`serverless.yml has no queue trigger for ${FUNCTION_NAME}`);
  return {
    http,
    consolidate,
    queueEvent,
    route,
    batchSize: trigger.batchSize,
    matchesAnyFilter,
    PICKUP_CODE_DIGITS,
    pendingOrder,
    ulid,
    db,
    tableName,
    keys,
    orderItem,
    purchaseOrderStore,
  };
}

type Platform = Awaited<ReturnType<typeof loadPlatform>>;

/** Which partitions a read goes to, by the pk it reads. */
function partitionKind(pk: unknown) {
  const p = String(pk);
  return p.startsWith('POC#')
    ? 'contribution'
    : p.startsWith('PO#')
      ? 'purchaseOrder'
      : p.startsWith('GB#')
        ? 'groupBuy'
        : p.startsWith('ORDER#')
          ? 'order'
          : 'other';
}

/** Counts the platform's reads by the partition they go to, from start() to stop(). */
function readCounter(platform: Platform) {
  let reads: Record<string, number> | undefined;
  (platform.db().middlewareStack as unknown as { add(mw: unknown, options: unknown): void }).add(
    (next: (args: { input: Input }) => Promise<unknown>, context: { commandName: string }) => async (args: { input: Input }) => {
      if (reads) {
        const input = args.input;
        const name = context.commandName.replace(/Command$/, '');
        const kind =
          name === 'GetItem'
            ? partitionKind((input.Key as Input).pk)
            : name === 'Query'
              ? input.IndexName
                ? 'index'
                : partitionKind((input.ExpressionAttributeValues as Input | undefined)?.[':pk'])
              : name === 'Scan'
                ? 'scan'
                : name === 'BatchGetItem' || name === 'TransactGetItems'
                  ? 'other'
                  : undefined;
        if (kind) reads[kind] = (reads[kind] ?? 0) + 1;
      }
      return next(args);
    },
    { step: 'initialize', name: 'benchPurchaseOrdersReads' },
  );
  return {
    start: () => void (reads = {}),
    stop() {
      const counted = reads ?? {};
      reads = undefined;
      return counted;
    },
    remove() {
      reads = undefined;
      platform.db().middlewareStack.remove('benchPurchaseOrdersReads');
    },
  };
}

async function setUp(endpoint: string) {
  const platform = await loadPlatform();
  // Seeding and the bench's own reads go through a client of their own: the meter sees the platform only.
  const bench = benchClient(endpoint);
  const region = process.env.AWS_REGION || 'ap-east-1';
  const streamArn = `arn:aws:dynamodb:${region}:000000000000:table/${platform.tableName()}/stream/bench`;
  const run = Date.now().toString(36);
  const itemBytes: Record<string, number> = {};
  return {
    ...platform,
    bench,
    run,
    itemBytes,
    biggest: (name: string, bytes: number) => void (itemBytes[name] = Math.max(itemBytes[name] ?? 0, bytes)),
    reads: readCounter(platform),
    streamRecord: streamRecords(run, { region, streamArn }),
  };
}

type Bench = Awaited<ReturnType<typeof setUp>>;

// ---- Seed: leaders once; per run, a catalogue, group buys and M orders as the cutoff leaves them ---------------

/** An operator and the leaders (pickup points), through the real handlers. */
async function seedLeaders(b: Bench) {
  const login = async (userId: string, roles: string[] = []) =>
    expectStatus('login', await invokeHttp(b.http.dev, 'POST /dev/login', '/dev/login', { body: { userId, roles } }), 200).token as string;
  const operator = await login(`bench-po-op-${b.run}`, ['operator']);
  const leaders: { token: string; pickupPointName: string }[] = [];
  for (let i = 0; i < PICKUP_POINTS; i++) {
    const token = await login(`bench-po-leader-${b.run}-${i}`);
    const pickupPointName = `幸福${i + 1}号自提点`;
    const applied = expectStatus(
      'apply as leader',
      await invokeHttp(b.http.leaders, 'POST /leaders', '/leaders', {
        token,
        body: {
          name: `团长${i + 1}`,
          phone: '13900001111',
          pickupPoint: { name: pickupPointName, address: `幸福路 ${i + 1} 号`, community: '幸福小区', city: '上海' },
        },
      }),
      201,
    );
    const leaderId = applied.leaderId as string;
    expectStatus(
      'approve leader',
      await invokeHttp(b.http.leaders, 'POST /leaders/{leaderId}/approve', `/leaders/${leaderId}/approve`, {
        token: operator,
        params: { leaderId },
      }),
      200,
    );
    leaders.push({ token, pickupPointName });
  }
  return { operator, leaders };
}

type People = Awaited<ReturnType<typeof seedLeaders>>;

/** A run's catalogue (new suppliers: a run's purchase orders are its own) and one group buy per pickup point. */
async function seedCatalogue(b: Bench, { operator, leaders }: People, label: string) {
  const productIds: string[] = [];
  const supplierIds: string[] = [];
  for (let s = 0; s < SUPPLIERS; s++) {
    const supplier = expectStatus(
      'supplier',
      await invokeHttp(b.http.catalogue, 'POST /suppliers', '/suppliers', {
        token: operator,
        body: { name: `供应商${s + 1}-${b.run}-${label}`, contactPhone: '13700002222' },
      }),
      201,
    );
    supplierIds.push(supplier.supplierId as string);
    for (let p = 0; p < PRODUCTS_PER_SUPPLIER; p++) {
      const product = expectStatus(
        'product',
        await invokeHttp(b.http.catalogue, 'POST /products', '/products', {
          token: operator,
          body: {
            supplierId: supplier.supplierId,
            name: `商品${s + 1}-${p + 1}`,
            unit: p % 2 ? '盒' : '斤',
            supplyPriceFen: 500 + 100 * (s * PRODUCTS_PER_SUPPLIER + p),
            groupPriceFen: 800 + 100 * (s * PRODUCTS_PER_SUPPLIER + p),
          },
        }),
        201,
      );
      productIds.push(product.productId as string);
    }
  }
  const pickupDate = businessDate(new Date(hoursFromNow(30)));
  const groupBuys: GroupBuy[] = [];
  for (const leader of leaders) {
    const opened = expectStatus(
      'group buy',
      await invokeHttp(b.http.groupBuys, 'POST /group-buys', '/group-buys', {
        token: leader.token,
        body: { title: '明日鲜货团', cutoffAt: hoursFromNow(2), pickupDate, items: productIds.map((productId) => ({ productId })) },
      }),
      201,
    );
    const { Item } = await b.bench.send(
      new GetCommand({ TableName: b.tableName(), Key: b.keys.groupBuy(opened.groupBuyId as string), ConsistentRead: true }),
    );
    groupBuys.push(Item as GroupBuy);
  }
  return { supplierIds, productIds, groupBuys, pickupDate };
}

/**
 * M orders as the cutoff leaves them (stored ready for pickup), and each one's stream: placed (INSERT), paid
 * (MODIFY), made ready at the cutoff (MODIFY); the cutoff's changes come after the day's orders and payments.
 */
async function seedOrders(b: Bench, m: number, label: string, groupBuys: GroupBuy[]) {
  const rand = random(m * 7919 + 17);
  const placedAt = new Date(Date.now() - 3 * 3_600_000).toISOString();
  const paidAt = new Date(Date.now() - 2 * 3_600_000).toISOString();
  const readyAt = new Date(Date.now() - 60_000).toISOString();
  const codes = new Map<string, number>();

  const orders: Order[] = [];
  const placedRecords: DynamoDBRecord[] = [];
  const readyRecords: DynamoDBRecord[] = [];
  const readyItems: Input[] = [];
  const paidItems: Input[] = [];
  for (let i = 0; i < m; i++) {
    const groupBuy = groupBuys[Math.floor(rand() * groupBuys.length)]!;
    const products = [...groupBuy.items];
    for (let j = products.length - 1; j > 0; j--) {
      const k = Math.floor(rand() * (j + 1));
      [products[j], products[k]] = [products[k]!, products[j]!];
    }
    products.length = 1 + Math.floor(rand() * 3);
    const items = products.map((p) => ({ productId: p.productId, quantity: 1 + Math.floor(rand() * 3) }));
    const placed = b.pendingOrder(groupBuy, items, {
      orderId: b.ulid(),
      userId: `bench-po-resident-${b.run}-${label}-${i}`,
      at: placedAt,
      expiresAt: new Date(Date.parse(placedAt) + 15 * 60_000).toISOString(),
    });
    const paid: Order = { ...placed, status: 'paid', updatedAt: paidAt, paidAt, paymentId: `bench-${b.ulid()}`, version: 2 };
    const code = (codes.get(groupBuy.leaderId) ?? 0) + 1;
    codes.set(groupBuy.leaderId, code);
    const ready: Order = {
      ...paid,
      status: 'ready_for_pickup',
      updatedAt: readyAt,
      pickupCode: String(code).padStart(b.PICKUP_CODE_DIGITS, '0'),
      version: 3,
    };
    const [placedItem, paidItem, readyItem] = [b.orderItem(placed), b.orderItem(paid), b.orderItem(ready)];
    placedRecords.push(b.streamRecord('INSERT', placedItem), b.streamRecord('MODIFY', paidItem, placedItem));
    readyItems.push(readyItem);
    paidItems.push(paidItem);
    orders.push(ready);
  }
  for (const [i, item] of readyItems.entries()) readyRecords.push(b.streamRecord('MODIFY', item, paidItems[i]));
  b.biggest('order (ready)', Math.max(...readyItems.map(itemSize)));

  const batches = Math.ceil(readyItems.length / 25);
  await runConcurrently(batches, 8, async (n) => {
    let requests = readyItems.slice(n * 25, n * 25 + 25).map((i) => ({ PutRequest: { Item: i } }));
    while (requests.length) {
      const { UnprocessedItems } = await b.bench.send(new BatchWriteCommand({ RequestItems: { [b.tableName()]: requests } }));
      requests = (UnprocessedItems?.[b.tableName()] ?? []) as typeof requests;
    }
  });
  return { orders, stream: [...placedRecords, ...readyRecords] };
}

/**
 * The change after issue: K lines refunded in full by an operator, through the real endpoint, one line per
 * order, of orders that keep another line (so the order stays ready_for_pickup), spread over the run. Returns
 * the orders as they now are and the stream records of the change.
 */
async function refundLines(b: Bench, operator: string, orders: Order[], refunds: number) {
  const multiLine = orders.filter((o) => o.items.length >= 2);
  const step = Math.max(1, Math.floor(multiLine.length / refunds));
  const refunded = Array.from({ length: Math.min(refunds, multiLine.length) }, (_, k) => multiLine[k * step]!);
  for (const order of refunded) {
    const line = order.items[0] as OrderLine;
    expectStatus(
      'refund',
      await invokeHttp(b.http.orders, 'POST /orders/{orderId}/refunds', `/orders/${order.orderId}/refunds`, {
        token: operator,
        params: { orderId: order.orderId },
        body: { amountFen: line.amountFen, reason: '坏果，整行退款' },
      }),
      201,
    );
  }
  const after = new Map(orders.map((o) => [o.orderId, o]));
  const records: DynamoDBRecord[] = [];
  for (const order of refunded) {
    const { Item } = await b.bench.send(
      new GetCommand({ TableName: b.tableName(), Key: b.keys.order(order.orderId), ConsistentRead: true }),
    );
    // Read as the platform reads it: the stored item keeps its lines under short names (schemas/orders.ts).
    const changed = OrderSchema.parse(Item);
    if (changed.items[0]!.refundedFen !== changed.items[0]!.amountFen || changed.status !== 'ready_for_pickup')
      throw new Error(`order ${order.orderId} was not refunded as expected`);
    after.set(order.orderId, changed);
    records.push(b.streamRecord('MODIFY', Item!, b.orderItem(order)));
  }
  return { refunded, after, records };
}

// ---- Run: records fed to the function as its queue feeds them, under the meter ---------------------------------

/**
 * Feeds records to the function as its queue does: those the router sends it (its route's filter), in
 * batches of batchSize, one call at a time; a reported failure comes again, alone.
 */
async function feed(b: Bench, stream: DynamoDBRecord[]) {
  const delivered = stream.filter((r) => b.matchesAnyFilter(r, b.route.filterPatterns));
  let calls = 0;
  let redelivered = 0;
  for (let start = 0; start < delivered.length; start += b.batchSize) {
    let batch = delivered.slice(start, start + b.batchSize);
    for (let attempt = 0; ; attempt++) {
      calls++;
      const event = b.queueEvent(batch);
      const failed = new Set((await b.consolidate(event)).batchItemFailures.map((f) => f.itemIdentifier));
      if (failed.size === 0) break;
      if (attempt >= b.route.maxReceiveCount) throw new Error(`${FUNCTION_NAME} keeps failing`);
      batch = batch.filter((_, i) => failed.has(event.Records[i]!.messageId));
      redelivered += batch.length;
    }
  }
  return { delivered: delivered.length, calls, redelivered };
}

const costOf = (m: Meter): Cost => ({
  requests: { total: m.total(), byCommand: { ...m.requests } },
  wcu: m.wcu,
  rcu: m.rcu,
  wcuByItem: wcuByItem(m),
});

/** Feeds the records under the meter: what reached the function, how long it took, what it cost and (if counted) where it read. */
async function meteredFeed(b: Bench, records: DynamoDBRecord[], options: { countReads: boolean }) {
  if (options.countReads) b.reads.start();
  const metered = meter(b.db(), { recordTransactWrites: true });
  let fed: Awaited<ReturnType<typeof feed>>;
  const started = process.hrtime.bigint();
  try {
    fed = await feed(b, records);
  } finally {
    metered.detach();
  }
  const seconds = since(started);
  const cost = costOf(metered);
  const reads = options.countReads ? b.reads.stop() : {};
  return { fed, seconds, cost, reads };
}

// ---- Measure: the purchase orders as stored, against the orders --------------------------------------------

/** Every item of a partition, page by page (the bench's own strongly consistent reads). */
async function* partitionItems(b: Bench, pk: string) {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await b.bench.send(
      new QueryCommand({
        TableName: b.tableName(),
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    yield* (page.Items ?? []) as Input[];
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** Every item of a purchase-order partition (headers, revisions, the rebuild counter). */
async function purchaseOrderPartition(b: Bench, supplierId: string, date: string) {
  const items: Input[] = [];
  for await (const item of partitionItems(b, b.keys.purchaseOrderPartition(supplierId, date))) items.push(item);
  const docs = items.filter((i) => i.type === 'PURCHASE_ORDER') as (Input & PurchaseOrder)[];
  const revisions = items.filter((i) => i.type === 'PURCHASE_ORDER_REVISION') as (Input & PurchaseOrderRevision)[];
  for (const d of docs) b.biggest('purchase order', itemSize(d));
  for (const r of revisions) b.biggest('revision', itemSize(r));
  return { docs, revisions };
}

/** Checks each supplier's purchase order (part 1: nothing is shipped here) against the orders. */
async function verify(
  b: Bench,
  what: string,
  supplierIds: string[],
  date: string,
  orders: Iterable<Order>,
  pointNames: Map<string, string>,
) {
  const expected = expectedCells(orders);
  let exact = true;
  const found = [];
  for (const supplierId of supplierIds) {
    const p = await purchaseOrderPartition(b, supplierId, date);
    if (p.docs.length !== 1) {
      exact = false;
      console.error(`purchase-orders bench (${what}): ${supplierId} has ${p.docs.length} purchase orders, expected 1`);
    }
    const doc = p.docs.find((d) => d.part === 1);
    // The breakdown is kept apart from the header (a version per pickup point and revision): read as the API does.
    const pickupPoints: PickupPointBreakdown[] = [];
    if (doc) for await (const v of b.purchaseOrderStore.breakdown(supplierId, date, 1, doc.revision)) pickupPoints.push(v);
    // Every stored version of every pickup point of the supplier's date (the breakdown's own partition).
    for await (const v of partitionItems(b, b.keys.purchaseOrderBreakdownPartition(supplierId, date)))
      b.biggest('breakdown version', itemSize(v));
    const problems = documentProblems(doc, pickupPoints, expected.get(supplierId) ?? new Map(), pointNames);
    if (problems.length) {
      exact = false;
      console.error(
        `purchase-orders bench (${what}): ${supplierId}-${date} differs from the orders: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`,
      );
    }
    found.push(p);
  }
  return { exact, partitions: found };
}

type Verified = Awaited<ReturnType<typeof verify>>;

const revisionCount = (v: Verified) => v.partitions.reduce((s, p) => s + p.revisions.length, 0);

/** The change's revisions: one per supplier whose refunded quantities are not zero, each saying so. */
function changeRevisedExactly(m: number, supplierIds: string[], refunded: Order[], before: Verified, after: Verified): boolean {
  const refundedBySupplier = new Map<string, number>();
  for (const order of refunded)
    refundedBySupplier.set(
      order.items[0]!.supplierId,
      (refundedBySupplier.get(order.items[0]!.supplierId) ?? 0) + order.items[0]!.quantity,
    );
  let exact = after.exact && revisionCount(after) - revisionCount(before) === refundedBySupplier.size;
  for (const [i, supplierId] of supplierIds.entries()) {
    const newest = after.partitions[i]!.revisions.reduce<PurchaseOrderRevision | undefined>(
      (a, r) => (!a || r.revision > a.revision ? r : a),
      undefined,
    );
    const want = refundedBySupplier.get(supplierId);
    if (want === undefined) continue;
    const delta = newest ? newest.lines.reduce((s, l) => s + l.delta, 0) : 0;
    const causes = newest?.cause.orders.length ?? 0;
    if (delta !== -want || causes !== refunded.filter((o) => o.items[0]!.supplierId === supplierId).length) {
      exact = false;
      console.error(
        `purchase-orders bench (M=${m}): the refunds' revision of ${supplierId} changes ${delta} with ${causes} causes, expected ${-want}`,
      );
    }
  }
  return exact;
}

// ---- One run: seed M ready orders, consolidate them, measure; then K lines refunded, the same again -------------

async function runOnce(b: Bench, people: People, m: number, label: string, refunds: number): Promise<PurchaseOrdersRun> {
  const { supplierIds, groupBuys, pickupDate } = await seedCatalogue(b, people, label);
  const pointNames = new Map(groupBuys.map((g) => [g.leaderId, g.pickupPoint.name]));
  const { orders, stream } = await seedOrders(b, m, label, groupBuys);

  const consolidation = await meteredFeed(b, stream, { countReads: true });
  const before = await verify(b, `M=${m}, consolidated`, supplierIds, pickupDate, orders, pointNames);

  const { refunded, after, records } = await refundLines(b, people.operator, orders, refunds);
  const change = await meteredFeed(b, records, { countReads: false });
  const afterChange = await verify(b, `M=${m}, after ${refunded.length} refunds`, supplierIds, pickupDate, after.values(), pointNames);
  const changeExact = changeRevisedExactly(m, supplierIds, refunded, before, afterChange);

  return runReport(m, stream.length, consolidation, change, refunded.length, before, afterChange, changeExact);
}

// ---- Report: a run's figures per order, each size's mean, growth across sizes, the checks ------------------------

type Fed = Awaited<ReturnType<typeof meteredFeed>>;

function runReport(
  m: number,
  streamRecords: number,
  consolidation: Fed,
  change: Fed,
  refundedLines: number,
  before: Verified,
  afterChange: Verified,
  changeExact: boolean,
): PurchaseOrdersRun {
  const per = (n: number, digits = 3) => round(n / m, digits);
  const { seconds, cost } = consolidation;
  return {
    orders: m,
    streamRecords,
    records: consolidation.fed.delivered,
    calls: consolidation.fed.calls,
    redelivered: consolidation.fed.redelivered + change.fed.redelivered,
    seconds: round(seconds, 3),
    ordersPerSecond: round(m / seconds, 1),
    msPerOrder: round((seconds * 1000) / m, 3),
    requestsPerOrder: {
      total: per(cost.requests.total),
      byCommand: Object.fromEntries(Object.entries(cost.requests.byCommand).map(([k, n]) => [k, per(n)])),
    },
    wcuPerOrder: per(cost.wcu),
    wcuPerOrderByItem: Object.fromEntries(Object.entries(cost.wcuByItem).map(([k, n]) => [k, per(n)])),
    rcuPerOrder: per(cost.rcu),
    readsPerOrder: Object.fromEntries(Object.entries(consolidation.reads).map(([k, n]) => [k, per(n)])),
    purchaseOrders: before.partitions.reduce((s, p) => s + p.docs.length, 0),
    revisions: revisionCount(before),
    change: {
      refundedLines,
      records: change.fed.delivered,
      seconds: round(change.seconds, 3),
      requests: change.cost.requests,
      wcu: change.cost.wcu,
      wcuByItem: change.cost.wcuByItem,
      rcu: change.cost.rcu,
      revisions: revisionCount(afterChange) - revisionCount(before),
      unchangedRebuilds: change.cost.requests.byCommand.UpdateItem ?? 0,
    },
    exact: before.exact,
    changeExact,
  };
}

/** The mean of a size's two runs. */
function sizeReport(m: number, runs: PurchaseOrdersRun[]): PurchaseOrdersRun {
  const two = runs.filter((r) => r.orders === m);
  const avg = (f: (r: PurchaseOrdersRun) => number, digits = 3) => round(mean(two.map(f)), digits);
  const avgMap = (f: (r: PurchaseOrdersRun) => Record<string, number>, digits = 3) =>
    Object.fromEntries([...new Set(two.flatMap((r) => Object.keys(f(r))))].map((k) => [k, avg((r) => f(r)[k] ?? 0, digits)]));
  return {
    orders: m,
    streamRecords: two[0]!.streamRecords,
    records: two[0]!.records,
    calls: avg((r) => r.calls, 1),
    redelivered: two.reduce((s, r) => s + r.redelivered, 0),
    seconds: avg((r) => r.seconds),
    ordersPerSecond: avg((r) => r.ordersPerSecond, 1),
    msPerOrder: avg((r) => r.msPerOrder),
    requestsPerOrder: { total: avg((r) => r.requestsPerOrder.total), byCommand: avgMap((r) => r.requestsPerOrder.byCommand) },
    wcuPerOrder: avg((r) => r.wcuPerOrder),
    wcuPerOrderByItem: avgMap((r) => r.wcuPerOrderByItem),
    rcuPerOrder: avg((r) => r.rcuPerOrder),
    readsPerOrder: avgMap((r) => r.readsPerOrder),
    purchaseOrders: avg((r) => r.purchaseOrders, 1),
    revisions: avg((r) => r.revisions, 1),
    change: {
      refundedLines: two[0]!.change.refundedLines,
      records: two[0]!.change.records,
      seconds: avg((r) => r.change.seconds),
      requests: { total: avg((r) => r.change.requests.total, 1), byCommand: avgMap((r) => r.change.requests.byCommand, 1) },
      wcu: avg((r) => r.change.wcu, 1),
      wcuByItem: avgMap((r) => r.change.wcuByItem, 1),
      rcu: avg((r) => r.change.rcu, 1),
      revisions: avg((r) => r.change.revisions, 1),
      unchangedRebuilds: avg((r) => r.change.unchangedRebuilds, 1),
    },
    exact: two.every((r) => r.exact),
    changeExact: two.every((r) => r.changeExact),
  };
}

function report(
  sizes: number[],
  refunds: number,
  batchSize: number,
  runs: PurchaseOrdersRun[],
  itemBytes: Record<string, number>,
): PurchaseOrdersResult {
  const bySize = sizes.map((m) => sizeReport(m, runs));
  const { ratio, perOrder: growth } = growthAcross(bySize, (r) => r.orders);
  const changeGrowth = {
    wcu: ratio((r) => r.change.wcu),
    rcu: ratio((r) => r.change.rcu),
    requests: ratio((r) => r.change.requests.total),
  };
  const within = (x: number, tolerance: number) => x <= 1 + tolerance && x >= 1 - tolerance;
  const expectedRevisions = (m: number) => SUPPLIERS * Math.ceil(m / batchSize);

  return {
    config: {
      sizes,
      batchSize,
      suppliers: SUPPLIERS,
      productsPerSupplier: PRODUCTS_PER_SUPPLIER,
      pickupPoints: PICKUP_POINTS,
      refundedLines: refunds,
      shards: 1,
    },
    bySize,
    runs,
    growth,
    changeGrowth,
    itemBytes,
    checks: {
      everyPurchaseOrderEqualsItsOrders: runs.every((r) => r.exact),
      changeAfterIssueRevisedExactly: runs.every((r) => r.changeExact),
      onePurchaseOrderPerSupplier: runs.every((r) => r.purchaseOrders === SUPPLIERS),
      // Every batch changes both suppliers' totals: one revision each per batch, never more.
      oneRevisionPerPurchaseOrderPerBatch: runs.every((r) => r.revisions === expectedRevisions(r.orders)),
      noFailedRecords: runs.every((r) => r.redelivered === 0),
      // "No Scan": reads go to the contributions of the orders that changed, the purchase-order partitions and
      // the group buys (pickup points), never to an order, an index or a Scan.
      noScanNorOrderReads: runs.every(
        (r) => !r.readsPerOrder.scan && !r.readsPerOrder.order && !r.readsPerOrder.index && !r.requestsPerOrder.byCommand.Scan,
      ),
      // Linear growth: per-order capacity and requests constant across M (within 10 %), time within 50 %.
      wcuPerOrderConstant: within(growth.wcuPerOrder, 0.1),
      rcuPerOrderConstant: within(growth.rcuPerOrder, 0.1),
      requestsPerOrderConstant: within(growth.requestsPerOrder, 0.1),
      timePerOrderConstant: growth.msPerOrder <= 1.5,
      // A change after issue costs the same whatever the day's volume (within 25 %: which suppliers the K lines fall on varies).
      changeCostIndependentOfM: within(changeGrowth.wcu, 0.25) && within(changeGrowth.rcu, 0.25) && within(changeGrowth.requests, 0.25),
      // The meter sizes Update targets as under 1 KB: true if the running totals (the only ones updated in bulk) are.
      runningTotalUnder1KB: (itemBytes['running total'] ?? 0) <= 1024,
    },
  };
}

// ---- The bench: set up, leaders once, an unmeasured warm-up, each size twice in a palindrome, the report ----------

export async function benchPurchaseOrders(options: PurchaseOrdersOptions): Promise<PurchaseOrdersResult> {
  const { sizes } = options;
  const refunds = options.refunds ?? DEFAULT_REFUNDS;
  if (!sizes.length || sizes.some((m) => !(m > 0)) || !(refunds > 0)) throw new Error('sizes and refunds must be positive');
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('benchPurchaseOrders runs after startBenchDynamo() has set DYNAMODB_ENDPOINT');

  const b = await setUp(endpoint);
  try {
    const people = await seedLeaders(b);
    await runOnce(b, people, Math.min(100, ...sizes), 'warmup', refunds);
    const runs: PurchaseOrdersRun[] = [];
    for (const [i, m] of [...sizes, ...[...sizes].reverse()].entries()) runs.push(await runOnce(b, people, m, `r${i}`, refunds));
    return report(sizes, refunds, b.batchSize, runs, b.itemBytes);
  } finally {
    b.reads.remove();
    b.bench.destroy();
  }
}
