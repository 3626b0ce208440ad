// A reduced city's 23:00 on DynamoDB Local, through the platform's own HTTP API and local stack: one supplier
// with P products, N pickup points (an approved leader each, with a group buy of every product), one paid
// order per point, then all N group buys cut off in the same second and closed by the cutoff job, their
// changes carried by the stream router and queues to the consumers (pickup sheets, purchase orders, ...).
//
// What it reports: the time from the cutoff job's start until every group buy is closed and the purchase
// order holds every pickup point (close + consolidate, the stream drained), DynamoDB requests and capacity
// per order for that phase (bench/harness.ts's meter on the platform's client, AWS's rules), the largest
// item written (every Put seen, and the items updated in place read back), and whether the purchase order
// is exact to the cell (scripts/city-purchase-order.ts's check: every JSON page, every CSV part). Then a
// projection to 5,000 group buys with the concurrency serverless.yml reserves (docs/scale.md explains it).
//
// `npm run bench -- --city [--points 300 --products 15]`; its figures also go to bench/results/city-<N>x<P>.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { itemSize } from './capacity';
import type { Call } from '../scripts/city-purchase-order';
import type { BigPurchaseOrderResult } from './big-purchase-order';
import { benchBigPurchaseOrder } from './big-purchase-order';
import type { Input, Meter } from './harness';
import { meter, round } from './harness';

export interface CityOptions {
  points: number;
  products: number;
  /** The big purchase order after the city (bench/big-purchase-order.ts): pickup points × products; 0 skips it. */
  bigPoints: number;
  bigProducts: number;
}

export interface CityResult {
  config: { points: number; products: number; cells: number; groupBuys: number; orders: number };
  seedSeconds: number;
  /** Cutoff job start → every group buy closed and the purchase order complete, the stream and queues drained. */
  closeAndConsolidateSeconds: number;
  cutoffJobRuns: number;
  msPerGroupBuy: number;
  requestsPerOrder: { total: number; byCommand: Record<string, number> };
  wcuPerOrder: number;
  rcuPerOrder: number;
  /** The largest item of each kind written during the whole run (bytes, DynamoDB's rules). */
  largestItemBytes: Record<string, number>;
  largestItem: { type: string; bytes: number };
  purchaseOrder: {
    revision: number;
    revisions: number;
    jsonPages: number;
    csvParts: number;
    largestJsonBytes: number;
    largestCsvBytes: number;
  };
  projection: { groupBuys: number; seconds: number; note: string };
  /** The 40,000-cell purchase order (2,000 pickup points × 20 products by default). */
  bigPurchaseOrder?: BigPurchaseOrderResult;
  checks: Record<string, boolean>;
  problems: string[];
}

const ITEM_LIMIT = 100 * 1024;
const FULL_WAVE = 5000;

export async function benchCity(options: CityOptions): Promise<CityResult> {
  const { points, products } = options;
  // Business metrics are one line per order here (EMF to stdout): not what the bench reports.
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  // Imported only now: the handlers read their configuration (endpoint, table) at module load.
  const { startTestStack } = await import('../test/support/stack');
  const { passCutoff } = await import('../test/support/time-travel');
  const { seedCity, checkPurchaseOrder } = await import('../scripts/city-purchase-order');
  const { db, tableName } = await import('../lib/store/dynamo');
  const { keys } = await import('../lib/store/keys');

  // Every item written whole (Put, in or out of a transaction), by its type: the largest of each.
  const largest: Record<string, number> = {};
  const note = (item: Input | undefined) => {
    if (!item) return;
    const type = typeof item.type === 'string' ? item.type : 'untyped';
    largest[type] = Math.max(largest[type] ?? 0, itemSize(item));
  };
  const client = db();
  (client.middlewareStack as unknown as { add(mw: unknown, opts: unknown): void }).add(
    (next: (args: { input: Input }) => Promise<unknown>, context: { commandName: string }) => async (args: { input: Input }) => {
      // Named as the meter names them (bench/harness.ts): the service's operation names.
      const name = context.commandName.replace(/Command$/, '');
      if (name === 'PutItem') note(args.input.Item as Input);
      if (name === 'TransactWriteItems')
        for (const action of args.input.TransactItems as Input[]) note((action.Put as Input | undefined)?.Item as Input | undefined);
      return next(args);
    },
    { step: 'initialize', name: 'cityLargestItem' },
  );

  const api = await startTestStack();
  try {
    const started = Date.now();
    const call: Call = (method, path, callOptions) => api.call(method, path, callOptions);
    const city = await seedCity(call, {
      points,
      products,
      cutoffAt: new Date(Date.now() + 6 * 3_600_000).toISOString(),
      pickupDate: new Date(Date.now() + 30 * 3_600_000 + 8 * 3_600_000).toISOString().slice(0, 10),
      concurrency: 8,
      run: 'city',
      log: (line) => console.log(`city:${line}`),
    });
    await api.drain();
    const seedSeconds = (Date.now() - started) / 1000;
    console.log(`city: seeded ${points} pickup points in ${round(seedSeconds, 1)} s`);
    // All group buys reach their cutoff in the same second.
    await passCutoff(city.groupBuyIds);

    // The platform's requests are metered; the bench's own checks in between are not.
    const meters: Meter[] = [];
    const t0 = Date.now();
    let runs = 0;
    let open = city.groupBuyIds.length;
    let firstStatus = 0;
    // The job closes what it can within its budget; a city takes as many runs as that needs (the schedule runs it every minute).
    while (open > 0 && runs < 20) {
      const m = meter(client);
      meters.push(m);
      const res = await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: city.operator }));
      await api.drain();
      m.detach();
      firstStatus ||= res.status;
      runs++;
      open = 0;
      for (const id of city.groupBuyIds) {
        const { Item } = await client.send(new GetCommand({ TableName: tableName(), Key: keys.groupBuy(id), ConsistentRead: true }));
        if (Item?.status === 'open') open++;
      }
    }
    const seconds = (Date.now() - t0) / 1000;
    const requests: Record<string, number> = {};
    for (const m of meters) for (const [k, n] of Object.entries(m.requests)) requests[k] = (requests[k] ?? 0) + n;
    const total = Object.values(requests).reduce((a, b) => a + b, 0);
    const wcu = meters.reduce((sum, m) => sum + m.wcu, 0);
    const rcu = meters.reduce((sum, m) => sum + m.rcu, 0);
    console.log(`city: closed and consolidated in ${round(seconds, 1)} s (${runs} cutoff job run(s), first answered ${firstStatus})`);

    // Items updated in place (not seen whole by the Put hook): the purchase-order header and counter, each point's totals.
    const readBack = async (key: Record<string, unknown>) =>
      note((await client.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }))).Item as Input | undefined);
    await readBack(keys.purchaseOrder(city.supplierId, city.pickupDate, 1));
    await readBack(keys.purchaseOrderBuild(city.supplierId, city.pickupDate));
    for (const leaderId of city.expected.keys()) await readBack(keys.purchaseOrderPointTotals(city.supplierId, city.pickupDate, leaderId));
    for (const id of city.groupBuyIds.slice(0, 20)) await readBack(keys.groupBuy(id));

    const check = await checkPurchaseOrder(call, city);
    const id = `${city.supplierId}-${city.pickupDate}`;
    const po = (await api.call('GET', `/purchase-orders/${id}`, { token: city.supplierToken })).body;
    let revisions = 0;
    let cursor: string | undefined;
    do {
      const page = await api.call('GET', `/purchase-orders/${id}/revisions?limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
        token: city.supplierToken,
      });
      revisions += page.body.items.length;
      cursor = page.body.nextCursor;
    } while (cursor);
    // Each leader's pickup sheet lists its one order, with what was ordered.
    const sheetProblems: string[] = [];
    for (const [leaderId, order] of city.orders) {
      const sheet = await api.call('GET', `/pickup-points/${leaderId}/sheet?date=${city.pickupDate}`, {
        token: city.leaderTokens.get(leaderId)!,
      });
      const quantities = new Map((sheet.body?.totals ?? []).map((t: { productId: string; quantity: number }) => [t.productId, t.quantity]));
      if (
        sheet.status !== 200 ||
        sheet.body.orders.length !== 1 ||
        sheet.body.orders[0].orderId !== order.orderId ||
        order.items.some((it) => quantities.get(it.productId) !== it.quantity)
      )
        sheetProblems.push(`pickup sheet of ${leaderId}: ${sheet.status} ${sheet.text.slice(0, 200)}`);
    }

    let big: BigPurchaseOrderResult | undefined;
    if (options.bigPoints > 0) {
      console.log(`city: the big purchase order, ${options.bigPoints} pickup points × ${options.bigProducts} products`);
      big = await benchBigPurchaseOrder(call, {
        points: options.bigPoints,
        products: options.bigProducts,
        operator: city.operator,
        note,
      });
    }

    const [type, bytes] = Object.entries(largest).reduce((a, b) => (b[1] > a[1] ? b : a), ['none', 0] as [string, number]);
    const msPerGroupBuy = (seconds * 1000) / points;
    const checks = {
      cutoffJobAnswered200: firstStatus === 200,
      everyGroupBuyClosed: open === 0,
      purchaseOrderExact: check.problems.length === 0,
      cellsAsOrdered: check.cells === points * products,
      noItemOver100KB: bytes <= ITEM_LIMIT,
      everyPickupSheetComplete: sheetProblems.length === 0,
      ...(big ? { bigPurchaseOrderExact: big.exact } : {}),
    };
    return {
      config: { points, products, cells: points * products, groupBuys: points, orders: points },
      seedSeconds: round(seedSeconds, 1),
      closeAndConsolidateSeconds: round(seconds, 1),
      cutoffJobRuns: runs,
      msPerGroupBuy: round(msPerGroupBuy, 1),
      requestsPerOrder: {
        total: round(total / points),
        byCommand: Object.fromEntries(Object.entries(requests).map(([k, n]) => [k, round(n / points)])),
      },
      wcuPerOrder: round(wcu / points),
      rcuPerOrder: round(rcu / points),
      largestItemBytes: largest,
      largestItem: { type, bytes },
      purchaseOrder: {
        revision: po.revision,
        revisions,
        jsonPages: check.jsonPages,
        csvParts: check.csvParts,
        largestJsonBytes: check.largestJsonBytes,
        largestCsvBytes: check.largestCsvBytes,
      },
      projection: {
        groupBuys: FULL_WAVE,
        seconds: round((FULL_WAVE * msPerGroupBuy) / 1000, 0),
        note: "Linear in group buys at this machine's serial rate (one DynamoDB Local, 2 shared cores, every function in one process); in AWS the cutoff closes group buys in parallel and each supplier's purchase order is rebuilt by one call at a time, so this is an upper bound per supplier, not per city: see docs/scale.md.",
      },
      ...(big ? { bigPurchaseOrder: big } : {}),
      checks,
      problems: [...check.problems, ...sheetProblems, ...(big?.problems ?? [])].slice(0, 20),
    };
  } finally {
    client.middlewareStack.remove('cityLargestItem');
    await api.stop();
  }
}

export function printCity(r: CityResult): string[] {
  const failed = Object.entries(r.checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  const list = (o: Record<string, number>) =>
    Object.entries(o)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  return [
    `city: ${r.config.points} pickup points × ${r.config.products} products (${r.config.cells} cells), one order per point, ${r.config.groupBuys} group buys cut off in the same second, through the local stack`,
    `  seeded through the API in ${r.seedSeconds} s; closed and consolidated in ${r.closeAndConsolidateSeconds} s (${r.msPerGroupBuy} ms per group buy)`,
    `  per order while closing and consolidating: ${r.requestsPerOrder.total} requests (${list(r.requestsPerOrder.byCommand)}), WCU ${r.wcuPerOrder}, RCU ${r.rcuPerOrder}`,
    `  purchase order: revision ${r.purchaseOrder.revision} (${r.purchaseOrder.revisions} revisions), ${r.purchaseOrder.jsonPages} JSON page(s) (largest ${r.purchaseOrder.largestJsonBytes} B), ${r.purchaseOrder.csvParts} CSV part(s) (largest ${r.purchaseOrder.largestCsvBytes} B)`,
    ...(r.bigPurchaseOrder
      ? [
          `  big purchase order: ${r.bigPurchaseOrder.config.points} pickup points × ${r.bigPurchaseOrder.config.products} products (${r.bigPurchaseOrder.config.cells} cells) consolidated in ${r.bigPurchaseOrder.consolidateSeconds} s (${r.bigPurchaseOrder.calls} calls of ≤ ${r.bigPurchaseOrder.config.batchSize}, ${r.bigPurchaseOrder.revisions} revisions); read as ${r.bigPurchaseOrder.jsonPages} JSON pages (largest ${r.bigPurchaseOrder.largestJsonBytes} B) and ${r.bigPurchaseOrder.csvParts} CSV parts (largest ${r.bigPurchaseOrder.largestCsvBytes} B): ${r.bigPurchaseOrder.exact ? 'exact' : 'NOT EXACT'}`,
        ]
      : []),
    `  largest item written: ${r.largestItem.type} ${r.largestItem.bytes} B; by type: ${list(r.largestItemBytes)}`,
    `  projection: ${r.projection.groupBuys} group buys ≈ ${r.projection.seconds} s at this machine's serial rate, an upper bound (docs/scale.md)`,
    `  checks: ${failed.length ? `FAILED ${failed.join(', ')}` : `all ${Object.keys(r.checks).length} passed`}${r.problems.length ? `; problems: ${r.problems.join('; ')}` : ''}`,
  ];
}

/** Writes the figures beside the other results, named by the city's size. */
export function writeCityResult(r: CityResult, extra: Record<string, unknown>): string {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `city-${r.config.points}x${r.config.products}.json`);
  writeFileSync(file, JSON.stringify({ ...extra, city: r }, null, 2) + '\n');
  return file;
}
