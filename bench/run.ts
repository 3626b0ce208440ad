// `npm run bench [-- --orders N --concurrency C --rounds R --warmup W --only orders,cutoff]`
// `npm run bench -- --only cutoff [--sizes 250,500,1000 --groups 2 --big]`
// `npm run bench -- --only purchase-orders [--sizes 250,500,1000]` (--sizes: M of both cutoff and purchase orders)
// `npm run bench -- --city [--points 300 --products 15 --big-po 2000x20]` (a reduced city's 23:00 through the local stack: bench/city.ts)
// `npm run bench -- --only bundles [--loads 3]`
// `npm run bench -- --only orders,cutoff,purchase-orders,customers,cost`: cost prices the sections run before it
// Starts a DynamoDB Local of its own, runs each section (a `bench/<name>.ts` module) in turn, writes
// bench/results/latest.json ({ at, node, machine, <section>: result, ... }) and prints a short table.
//
// The handlers read their configuration once per process, so every section shares this run's
// DynamoDB Local and table; a section seeds its own data (its own group buys, residents, ...).
// To add a section: write `bench/<name>.ts` exporting its bench function and add an entry to `sections`
// below with its JSON key (and its `--only` name, when not the key) and its lines of the table.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { round, startBenchDynamo } from './harness';
import type { CutoffResult } from './cutoff';
import { benchCutoff } from './cutoff';
import type { OrdersResult } from './orders';
import { benchOrders } from './orders';
import type { PurchaseOrdersResult } from './purchase-orders';
import { benchPurchaseOrders } from './purchase-orders';
import type { CityResult } from './city';
import { benchCity, printCity, writeCityResult } from './city';
import type { CustomersResult } from './customers';
import { benchCustomers } from './customers';
import type { BundlesResult } from './bundles';
import { benchBundles } from './bundles';
import type { LifeResult } from './life';
import { benchLife, LIFE_STEPS } from './life';
import type { CostResult } from './cost';
import { issue15Targets } from './targets';
import { costOf } from './cost';

export interface Args {
  orders: number;
  concurrency: number;
  rounds?: number;
  warmup?: number;
  only?: string[];
  /** cutoff: orders per group buy of each run (purchase orders: orders consolidated in each run), the group buys closed side by side, and a run of 10,000. */
  sizes?: number[];
  groups?: number;
  big?: boolean;
  /** --city: pickup points and products of the reduced city. */
  points?: number;
  products?: number;
  /** --city: the big purchase order's pickup points and products (`--big-po 2000x20`; `--big-po 0` skips it). */
  bigPoints?: number;
  bigProducts?: number;
  /** bundles: cold loads of each bundle (the median is reported). */
  loads?: number;
}

interface Section<R> {
  key: string;
  /** The name `--only` takes, when not the key. */
  flag?: string;
  /** Run only when named (`--only` or its own flag). */
  optIn?: boolean;
  /** `report`: the sections run so far in this run (the cost section reads their figures). */
  run(args: Args, report: Record<string, unknown>): Promise<R>;
  print(result: R): string[];
}

/** The orders section's run, both lines limited per resident or neither. */
const ordersSection = (limitPerResident: boolean) => (args: Args) =>
  benchOrders({
    orders: args.orders,
    concurrency: args.concurrency,
    limitPerResident,
    ...(args.rounds ? { rounds: args.rounds } : {}),
    ...(args.warmup !== undefined ? { warmup: args.warmup } : {}),
  });

const sections: Section<unknown>[] = [
  {
    key: 'orders',
    run: ordersSection(true),
    print: printOrders,
  } satisfies Section<OrdersResult>,
  {
    // The same order where no line is limited per resident: its least correct transaction is the floor's.
    key: 'ordersUnlimited',
    flag: 'orders-unlimited',
    run: ordersSection(false),
    print: printOrders,
  } satisfies Section<OrdersResult>,
  {
    key: 'cutoff',
    run: (args) => benchCutoff({ sizes: args.sizes ?? [250, 500, 1000], groups: args.groups ?? 2, big: args.big ?? false }),
    print: printCutoff,
  } satisfies Section<CutoffResult>,
  {
    key: 'purchaseOrders',
    flag: 'purchase-orders',
    run: (args) => benchPurchaseOrders({ sizes: args.sizes ?? [250, 500, 1000] }),
    print: printPurchaseOrders,
  } satisfies Section<PurchaseOrdersResult>,
  {
    key: 'customers',
    run: () => benchCustomers({ orders: 600, customers: 120 }),
    print: printCustomers,
  } satisfies Section<CustomersResult>,
  {
    // The steps of an order's life the sections above do not price: payment, pickup sheet, pickup, commission.
    key: 'life',
    run: () => benchLife({ orders: 200 }),
    print: printLife,
  } satisfies Section<LifeResult>,
  {
    // Not in a default run (it takes minutes): `--city` or `--only city`.
    key: 'city',
    optIn: true,
    run: (args) =>
      benchCity({
        points: args.points ?? 300,
        products: args.products ?? 15,
        bigPoints: args.bigPoints ?? 2000,
        bigProducts: args.bigProducts ?? 20,
      }),
    print: printCity,
  } satisfies Section<CityResult>,
  {
    key: 'bundles',
    run: (args) => benchBundles({ loads: args.loads ?? 3 }),
    print: printBundles,
  } satisfies Section<BundlesResult>,
  {
    // Last: priced from the figures the sections before it measured in this same run.
    key: 'cost',
    run: async (_args, report) => costOf(report),
    print: printCost,
  } satisfies Section<CostResult>,
];

class UsageError extends Error {}

export function parseArgs(argv: string[]): Args {
  const args: Args = { orders: 300, concurrency: 16 };
  const positive = (name: string, raw: string | undefined, min = 1) => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${raw ?? '(nothing)'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--orders':
        args.orders = positive('orders', value());
        break;
      case '--concurrency':
        args.concurrency = positive('concurrency', value());
        break;
      case '--rounds':
        args.rounds = positive('rounds', value());
        break;
      case '--warmup':
        args.warmup = positive('warmup', value(), 0);
        break;
      case '--only':
        args.only = (value() ?? '').split(',').filter(Boolean);
        break;
      case '--sizes':
        args.sizes = (value() ?? '').split(',').map((n) => positive('sizes', n));
        break;
      case '--groups':
        args.groups = positive('groups', value());
        break;
      case '--big':
        args.big = true;
        break;
      case '--city':
        args.only = [...(args.only ?? []), 'city'];
        break;
      case '--points':
        args.points = positive('points', value());
        break;
      case '--products':
        args.products = positive('products', value());
        break;
      case '--big-po': {
        const [points, products] = (value() ?? '').split('x');
        args.bigPoints = positive('big-po', points, 0);
        args.bigProducts = args.bigPoints ? positive('big-po', products) : 0;
        break;
      }
      case '--loads':
        args.loads = positive('loads', value());
        break;
      default:
        throw new UsageError(
          `Unknown argument ${argv[i]} (expected --orders N, --concurrency C, --rounds R, --warmup W, --only a,b, --sizes a,b, --groups N, --big, --loads N, --city, --points N, --products N, --big-po NxP)`,
        );
    }
  }
  return args;
}

function table(rows: (string | number)[][]): string[] {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => String(r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? String(cell).padEnd(widths[c]!) : String(cell).padStart(widths[c]!))).join('   '));
}

function printLife(r: LifeResult): string[] {
  const failed = Object.entries(r.checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  return [
    `life: ${r.config.orders} orders of ${r.config.linesPerOrder} lines paid, closed, put on the sheet, picked up and commissioned through the real functions`,
    ...table([
      ['step', 'function', 'WCU/order', 'RCU/order', 'req/order', 'calls/order', 'ms/order'],
      ...LIFE_STEPS.map((name) => {
        const s = r.steps[name];
        return [name, s.function, s.wcuPerOrder, s.rcuPerOrder, s.requestsPerOrder, s.invocationsPerOrder, s.msPerOrder];
      }),
    ]).map((l) => `  ${l}`),
    ...LIFE_STEPS.map(
      (name) =>
        `  WCU/order of ${name} by item: ${Object.entries(r.steps[name].wcuByItem)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ')}`,
    ),
    `  checks: ${failed.length ? `FAILED ${failed.join(', ')}` : `all ${Object.keys(r.checks).length} passed`}`,
  ];
}

function printOrders(r: OrdersResult): string[] {
  const commands = Object.entries(r.requestsPerOrder.byCommand)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  const failed = Object.entries(r.checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  return [
    `orders${r.config.perResidentLimit === null ? ' (no line limited per resident)' : ` (both lines limited to ${r.config.perResidentLimit} per resident)`}: ${r.config.orders} at concurrency ${r.config.concurrency}, ${r.config.rounds === 1 ? 'platform then bare and floor' : `${r.config.rounds} alternating platform/bare/floor rounds`}, ${r.config.warmup} warm-up orders`,
    ...table([
      ['', 'platform', 'bare tx', 'overhead', 'floor tx', 'overhead'],
      [
        'orders/s',
        r.ordersPerSecond,
        r.bare.ordersPerSecond,
        `${r.overhead.throughputRatio}x`,
        r.floor.ordersPerSecond,
        `${r.overhead.floorThroughputRatio}x`,
      ],
      ['p50 ms', r.p50Ms, r.bare.p50Ms, `${r.overhead.p50Ratio}x`, r.floor.p50Ms, `${r.overhead.floorP50Ratio}x`],
      [
        'p99 ms',
        r.p99Ms,
        r.bare.p99Ms,
        `${Math.round((r.p99Ms / r.bare.p99Ms) * 100) / 100}x`,
        r.floor.p99Ms,
        `${Math.round((r.p99Ms / r.floor.p99Ms) * 100) / 100}x`,
      ],
    ]).map((l) => `  ${l}`),
    '  (bare tx: the same transaction sent bare; floor tx: just the order and its stock update, one TransactWriteItems)',
    `  node CPU ms/order: platform ${r.cpuMsPerOrder.platform}, bare tx ${r.cpuMsPerOrder.bare}, floor tx ${r.cpuMsPerOrder.floor} (DynamoDB Local shares the cores)`,
    `  floor over bare tx: ${r.overhead.bareFloorThroughputRatio}x (what the actions beyond the order and its stock cost this store, no platform at all)`,
    `  requests/order ${r.requestsPerOrder.total} (${commands}); reads/order ${r.readsPerOrder}; TransactWriteItems/order ${r.transactWriteItemsPerOrder}`,
    `  actions/transaction ${Object.entries(r.actionsPerTransaction)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    `  WCU/order ${r.wcuPerOrder}, RCU/order ${r.rcuPerOrder} (AWS's rules, from item sizes)`,
    `  WCU of one order's transaction by item (${r.config.linesPerOrder} lines): ${Object.entries(r.wcuByItem)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    `  item bytes ${Object.entries(r.itemBytes)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    `  peak memory rss ${r.memory.rssMb} MB, heap ${r.memory.heapUsedMb} MB`,
    `  checks: ${failed.length ? `FAILED ${failed.join(', ')}` : `all ${Object.keys(r.checks).length} passed`}`,
  ];
}

function printCutoff(r: CutoffResult): string[] {
  const failed = Object.entries(r.checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  const largest = r.bySize.reduce((a, b) => (b.ordersPerGroup > a.ordersPerGroup ? b : a));
  const row = (label: string, x: CutoffResult['bySize'][number]) => [
    label,
    x.orders,
    x.seconds,
    x.ordersPerSecond,
    x.msPerOrder,
    x.invocations,
    x.maxInvocationSeconds,
    x.maxOrdersPerInvocation,
    x.requestsPerOrder.total,
    x.wcuPerOrder,
    x.rcuPerOrder,
  ];
  return [
    `cutoff: ${r.config.groups} group buys side by side of M orders each (1 in ${r.config.unpaidEvery} unpaid), closed by closeGroupBuys invoked as the stream does (${r.config.pageSize} orders a page, at most ${r.config.maxPagesPerInvocation} pages or ${r.config.workBudgetMs / 1000} s a call); each M run twice, in a palindrome, means shown`,
    ...table([
      ['M', 'orders', 's', 'orders/s', 'ms/order', 'calls', 'max call s', 'max orders/call', 'req/order', 'WCU/order', 'RCU/order'],
      ...r.bySize.map((x) => row(String(x.ordersPerGroup), x)),
      ...(r.big ? [row(`${r.big.ordersPerGroup} (--big)`, r.big)] : []),
    ]).map((l) => `  ${l}`),
    `  requests/order by command (M=${largest.ordersPerGroup}): ${Object.entries(largest.requestsPerOrder.byCommand)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    `  growth from M=${Math.min(...r.config.sizes)} to M=${largest.ordersPerGroup} of per-order figures (1 = linear): WCU ${r.growth.wcuPerOrder}x, RCU ${r.growth.rcuPerOrder}x, requests ${r.growth.requestsPerOrder}x, time ${r.growth.msPerOrder}x`,
    `  time fit over all runs: ${r.timeFit.fixedSeconds} s + ${r.timeFit.msPerOrder} ms × orders (r² ${r.timeFit.r2})`,
    `  RCU fit over all runs, one group buy: ${r.rcuFit.fixedPerGroupBuy} + ${r.rcuFit.perOrder} × orders (r² ${r.rcuFit.r2})`,
    `  item bytes ${Object.entries(r.itemBytes)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ')}`,
    `  checks: ${failed.length ? `FAILED ${failed.join(', ')}` : `all ${Object.keys(r.checks).length} passed`}`,
  ];
}

function printPurchaseOrders(r: PurchaseOrdersResult): string[] {
  const failed = Object.entries(r.checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  const largest = r.bySize.reduce((a, b) => (b.orders > a.orders ? b : a));
  const list = (o: Record<string, number>) =>
    Object.entries(o)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  return [
    `purchaseOrders: M ready orders (${r.config.pickupPoints} pickup points, ${r.config.suppliers} suppliers × ${r.config.productsPerSupplier} products, one delivery date) consolidated by consolidatePurchaseOrders from their stream records (3 per order, 1 through the filter; batches of ${r.config.batchSize}, one shard: one call at a time); each M run twice, in a palindrome, means shown`,
    ...table([
      ['M', 's', 'orders/s', 'ms/order', 'calls', 'req/order', 'WCU/order', 'RCU/order', 'POs', 'revisions'],
      ...r.bySize.map((x) => [
        x.orders,
        x.seconds,
        x.ordersPerSecond,
        x.msPerOrder,
        x.calls,
        x.requestsPerOrder.total,
        x.wcuPerOrder,
        x.rcuPerOrder,
        x.purchaseOrders,
        x.revisions,
      ]),
    ]).map((l) => `  ${l}`),
    `  requests/order by command (M=${largest.orders}): ${list(largest.requestsPerOrder.byCommand)}`,
    `  WCU/order by item written (M=${largest.orders}): ${list(largest.wcuPerOrderByItem)}`,
    `  reads/order by partition (M=${largest.orders}): ${list(largest.readsPerOrder)} (order items, indexes, Scan: none)`,
    `  growth from M=${Math.min(...r.config.sizes)} to M=${largest.orders} of per-order figures (1 = linear): WCU ${r.growth.wcuPerOrder}x, RCU ${r.growth.rcuPerOrder}x, requests ${r.growth.requestsPerOrder}x, time ${r.growth.msPerOrder}x`,
    `  change after issue: ${r.config.refundedLines} order lines refunded in full (real refund endpoint), their records in one call; totals for the change:`,
    ...table([
      ['M', 's', 'requests', 'WCU', 'RCU', 'revisions', 'no-op rebuilds', 'requests by command'],
      ...r.bySize.map((x) => [
        x.orders,
        x.change.seconds,
        x.change.requests.total,
        x.change.wcu,
        x.change.rcu,
        x.change.revisions,
        x.change.unchangedRebuilds,
        list(x.change.requests.byCommand),
      ]),
    ]).map((l) => `    ${l}`),
    `    WCU by item written (M=${largest.orders}): ${list(largest.change.wcuByItem)}`,
    `    growth from M=${Math.min(...r.config.sizes)} to M=${largest.orders} (1 = independent of M): WCU ${r.changeGrowth.wcu}x, RCU ${r.changeGrowth.rcu}x, requests ${r.changeGrowth.requests}x`,
    `  item bytes ${list(r.itemBytes)}`,
    `  checks: ${failed.length ? `FAILED ${failed.join(', ')}` : `all ${Object.keys(r.checks).length} passed`}`,
  ];
}

function printBundles(r: BundlesResult): string[] {
  const failed = Object.entries(r.checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  const rows = Object.entries(r.functions).sort((a, b) => b[1].kb - a[1].kb);
  const biggest = (b: Record<string, number>) =>
    Object.entries(b)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  return [
    `bundles: each function built as serverless-esbuild builds it (serverless.yml custom.esbuild), minified JS, and its cold load (median of ${r.config.loads} fresh node processes, NODE_OPTIONS ${r.config.nodeOptions || '(none)'}, AWS SDK from outside the bundle), limit ${r.config.limitKb} KB`,
    ...table([
      ['function', 'KB', 'load ms', 'biggest (KB)'],
      ['(reference: middy + zod + DocumentClient)', r.reference.kb, r.reference.loadMs, biggest(r.reference.biggest)],
      ...rows.map(([name, f]) => [name, f.kb, f.loadMs, biggest(f.biggest)]),
    ]).map((l) => `  ${l}`),
    `  largest ${r.largest.name} ${r.largest.kb} KB; over ${r.config.limitKb} KB: ${r.overLimit.join(', ') || 'none'}; load time over the reference's: median ${r.loadRatio.median}x, max ${r.loadRatio.max}x`,
    `  checks: ${failed.length ? `FAILED ${failed.join(', ')}` : `all ${Object.keys(r.checks).length} passed`}`,
  ];
}

function printCost(r: CostResult): string[] {
  const usd = (n: number) => `$${n.toFixed(4)}`;
  return [
    `cost: ${r.orders} orders on AWS on-demand at ${r.prices.region} prices of ${r.prices.asOf} (docs/cost.md), from this run's measured capacity units and durations`,
    ...table([
      ['step', 'function', 'MB', 'WCU', 'RCU', 'GB-s', 'DynamoDB', 'Lambda', 'total'],
      ...r.steps.map((s) => [
        s.step,
        s.function,
        s.memoryMb,
        round(s.wcuPerOrder * r.orders),
        round(s.rcuPerOrder * r.orders),
        s.gbSeconds,
        usd(s.usd.writes + s.usd.reads),
        usd(s.usd.lambda),
        usd(s.usd.total),
      ]),
      ['total', '', '', r.total.wcu, r.total.rcu, r.total.gbSeconds, '', '', usd(r.total.usd)],
    ]).map((l) => `  ${l}`),
    `  ${usd(r.total.usdPerOrder * 1000)} per thousand orders measured; not measured by any section (not in the total): ${r.unmeasured.join(', ') || 'none'}`,
  ];
}

function printCustomers(r: CustomersResult): string[] {
  const failed = Object.entries(r.checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  const list = (o: Record<string, number>) =>
    Object.entries(o)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  return [
    `customers: keeping the customer book and stats of one pickup point, ${r.config.orders} orders of ${r.config.customers} customers over ${r.config.days} days (paid, ready, picked up, some refunded; their ledger entries), fed to customerBook in batches of ${r.config.batchSize}`,
    `  per order: ${r.perOrder.records} records, ${r.perOrder.requests} requests (${list(r.perOrder.byCommand)}), WCU ${r.perOrder.wcu}, RCU ${r.perOrder.rcu}; ${r.ordersPerSecond} orders/s`,
    `  WCU/order by item written: ${list(r.perOrder.wcuByItem)}`,
    `  the same records again, shuffled, per order: ${r.duplicates.requests} requests, WCU ${r.duplicates.wcu}, RCU ${r.duplicates.rcu} (${r.duplicates.refusedTransactions} ledger guards refused)`,
    `  opening the page: stats of 30 days ${r.reads.stats30.requests} requests ${r.reads.stats30.rcu} RCU, of 365 days ${r.reads.stats365.requests} requests ${r.reads.stats365.rcu} RCU, a page of the book ${r.reads.bookPage.requests} requests ${r.reads.bookPage.rcu} RCU`,
    `  item bytes ${list(r.itemBytes)}`,
    `  checks: ${failed.length ? `FAILED ${failed.join(', ')}` : `all ${Object.keys(r.checks).length} passed`}`,
  ];
}

async function main() {
  // What this SDK version reads (package.json's AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING is an older name).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const args = parseArgs(process.argv.slice(2));
  const unknown = (args.only ?? []).filter((name) => !sections.some((s) => name === s.key || name === s.flag));
  if (unknown.length)
    throw new UsageError(`No section named ${unknown.join(', ')} (have ${sections.map((s) => s.flag ?? s.key).join(', ')})`);
  const chosen = sections.filter((s) =>
    !args.only ? !s.optIn : args.only.includes(s.key) || (s.flag !== undefined && args.only.includes(s.flag)),
  );
  if (!chosen.length)
    throw new UsageError(`No section named ${args.only?.join(', ')} (have ${sections.map((s) => s.flag ?? s.key).join(', ')})`);

  const report: Record<string, unknown> = {
    at: new Date().toISOString(),
    node: process.version,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', totalMemMb: Math.round(totalmem() / 2 ** 20) },
  };
  const lines: string[] = [];
  const dynamo = await startBenchDynamo('bench-orders');
  try {
    for (const section of chosen) {
      const result = await section.run(args, report);
      report[section.key] = result;
      lines.push(...section.print(result));
    }
  } finally {
    // The process-wide client of the application modules (if they were loaded), then DynamoDB Local.
    const { db } = await import('../lib/store/dynamo');
    db().destroy();
    await dynamo.stop();
  }

  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  // A run of opt-in sections only (the city) writes its own file and keeps latest.json as it was.
  const cityOnly = chosen.every((s) => s.optIn);
  const file = cityOnly
    ? writeCityResult(report.city as CityResult, { at: report.at, node: report.node, machine: report.machine })
    : join(dir, 'latest.json');
  if (!cityOnly) {
    // A run of some sections keeps the others' latest figures (each stamped with its own run's time), and
    // the figures it replaces go under `earlier`, so the file shows before and after side by side.
    const previous = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
    const stamp = (section: unknown, at: unknown) =>
      section && typeof section === 'object' && !('at' in section) ? { at, ...section } : section;
    const kept = Object.fromEntries(
      sections.filter((s) => !chosen.includes(s) && s.key in previous).map((s) => [s.key, stamp(previous[s.key], previous.at)]),
    );
    const earlier = {
      ...(previous.earlier ?? {}),
      ...Object.fromEntries(chosen.filter((s) => s.key in previous).map((s) => [s.key, stamp(previous[s.key], previous.at)])),
    };
    // Issue 15's targets, from the latest figure of each section (this run's, or the one kept).
    const targets = issue15Targets({ ...kept, ...report });
    lines.push('issue 15 targets (latest figure of each section):');
    for (const [name, t] of Object.entries(targets))
      lines.push(
        `  ${t.met ? 'met    ' : 'NOT MET'} ${name}: ${t.now} (target ${t.target}; when filed ${t.issue})${t.why ? `\n          ${t.why}` : ''}`,
      );
    writeFileSync(
      file,
      `${JSON.stringify({ ...report, ...kept, targets, ...(Object.keys(earlier).length ? { earlier } : {}) }, null, 2)}\n`,
    );
  }
  console.log(lines.join('\n'));
  console.log(`results: ${file}`);
  const failed = chosen.some((s) => Object.values((report[s.key] as { checks?: Record<string, boolean> }).checks ?? {}).some((ok) => !ok));
  if (failed) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err instanceof UsageError ? err.message : err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
