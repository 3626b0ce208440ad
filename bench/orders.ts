// Placing orders through the real handler (`functions/orders/handler.ts`'s `main`, a real API Gateway
// v2 event) against DynamoDB Local, side by side with the bare TransactWriteItems of the same items.
// Each order has two lines, both stock-limited and, by default, limited per resident (the case issue 15
// prices); `limitPerResident: false` prices the same order where no line has a per-resident limit, whose
// least correct transaction is the floor itself (run.ts runs both: `orders` and `ordersUnlimited`).
//
// Side by side: DynamoDB Local slows as its store grows, and these machines are shared, so the platform
// and the bare baseline run in alternating rounds (platform orders of round r, then the bare replay of
// exactly those transactions) after an unmeasured warm-up of both. Absolute rates drift; the ratios of
// the two, measured this way, are the numbers to compare between runs.
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { localCredentials, localRegion } from '../infra/dynamodb-local';
import { itemSize, putUnits, writeUnits } from './capacity';
import type { HttpMain, Input, Meter } from './harness';
import { expectStatus, invokeHttp, meter, percentile, round, runConcurrently } from './harness';
import { approvedLeader, FRUITS, login, openGroupBuy, seedHandlers, supplierWithProducts } from './seed';
import { businessDate } from '../lib/runtime/time';

export interface OrdersOptions {
  orders: number;
  concurrency: number;
  /**
   * Alternating platform/bare/floor rounds the measured orders are split into. Default: an even number
   * up to 6 (bare and floor each go first in half of them), keeping at least 2 × concurrency orders per
   * round (most of a round then runs at full concurrency); 1 when there are fewer orders than that.
   */
  rounds?: number;
  /** Unmeasured orders (and their bare replays) first, to warm both JITs and the connections (default 200). */
  warmup?: number;
  /** Both lines limited per resident (default): the transaction holds the resident's allowance too. */
  limitPerResident?: boolean;
}

export interface Timing {
  orders: number;
  seconds: number;
  ordersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface OrdersResult {
  config: {
    orders: number;
    concurrency: number;
    rounds: number;
    warmup: number;
    linesPerOrder: number;
    stockLimit: number;
    /** null: no line limited per resident. */
    perResidentLimit: number | null;
  };
  ordersPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requestsPerOrder: { total: number; byCommand: Record<string, number> };
  transactWriteItemsPerOrder: number;
  readsPerOrder: number;
  actionsPerTransaction: Record<string, number>;
  wcuPerOrder: number;
  /** The WCU of one order's transaction by action (AWS's rules, each checked or updated item at its size after the run). */
  wcuByItem: Record<string, number>;
  rcuPerOrder: number;
  /** Sizes (bytes, AWS's rules) of the items one order writes or checks, as they stand after the run. */
  itemBytes: Record<string, number>;
  /** The same transaction, sent bare (no handler, no middleware, no validation). */
  bare: Timing;
  /** The floor: the order and its stock update only, one TransactWriteItems (issue 15's target is within 1.25× of it). */
  floor: Timing;
  overhead: {
    p50Ratio: number;
    throughputRatio: number;
    floorP50Ratio: number;
    floorThroughputRatio: number;
    /** Floor over bare throughput: what the actions beyond the order and its stock cost this store, with no platform at all. */
    bareFloorThroughputRatio: number;
  };
  /** p50 of each round, platform, bare and floor: the drift between rounds, visible. */
  rounds: { platformP50Ms: number; bareP50Ms: number; floorP50Ms: number }[];
  /**
   * This process's CPU time per order while each side ran (user + system): the platform's (handler, SDK, and
   * the bench's own meter) against the bare client's. DynamoDB Local's JVM shares the machine's 2 cores.
   */
  cpuMsPerOrder: { platform: number; bare: number; floor: number };
  memory: { rssMb: number; heapUsedMb: number };
  /** Issue 3's requirements, as this run observed them. */
  checks: Record<string, boolean>;
}

type TransactItems = NonNullable<TransactWriteCommandInput['TransactItems']>;

const READ_COMMANDS = ['GetItem', 'BatchGetItem', 'Query', 'Scan', 'TransactGetItems'];
const mb = (bytes: number) => round(bytes / 2 ** 20, 1);
const hoursFromNow = (h: number) => new Date(Date.now() + h * 3_600_000).toISOString();
/** Peak RSS and heap while it runs, sampled every 100 ms (a sample costs ≈0.4 ms of the cores DynamoDB Local shares). */
function memorySampler() {
  const peak = { rss: 0, heapUsed: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  };
  sample();
  const timer = setInterval(sample, 100);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { rssMb: mb(peak.rss), heapUsedMb: mb(peak.heapUsed) };
    },
  };
}

/** `fn`'s result with the CPU time this process spent while it ran. */
async function withCpu<T extends object>(fn: () => Promise<T>): Promise<T & { cpuMs: number }> {
  const start = process.cpuUsage();
  const result = await fn();
  const { user, system } = process.cpuUsage(start);
  return { ...result, cpuMs: (user + system) / 1000 };
}

function timing(latencies: number[], seconds: number): Timing {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    orders: sorted.length,
    seconds: round(seconds, 3),
    ordersPerSecond: round(sorted.length / seconds, 1),
    p50Ms: round(percentile(sorted, 50)),
    p99Ms: round(percentile(sorted, 99)),
  };
}

export async function benchOrders(options: OrdersOptions): Promise<OrdersResult> {
  const { orders, concurrency } = options;
  const fit = Math.min(6, Math.floor(orders / (2 * concurrency)));
  const rounds = Math.max(1, Math.min(options.rounds ?? (fit > 1 ? fit - (fit % 2) : fit), orders));
  // 200: DynamoDB Local's JIT is still speeding up through the first few hundred transactions.
  const warmup = Math.max(0, options.warmup ?? 200);
  const limitPerResident = options.limitPerResident ?? true;
  if (!(orders > 0 && concurrency > 0)) throw new Error('orders and concurrency must be positive');
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('benchOrders runs after startBenchDynamo() has set DYNAMODB_ENDPOINT');

  // Imported only now: the handlers read their configuration (endpoint, table) at module load.
  const seed = await seedHandlers();
  const { main: ordersMain } = (await import('../functions/orders/handler')) as { main: HttpMain };
  const { db, tableName } = await import('../lib/store/dynamo');
  const { keys } = await import('../lib/store/keys');

  const memory = memorySampler();
  const bareClient = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: localRegion(),
      credentials: localCredentials(),
      maxAttempts: 4,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  let live: Meter | undefined;
  try {
    // ---- Seeding, through the real handlers ------------------------------------------------------
    const run = Date.now().toString(36);
    const operator = await login(seed, `bench-op-${run}`, ['operator']);
    const { token: leaderToken } = await approvedLeader(seed, operator, `bench-leader-${run}`);
    const { productIds } = await supplierWithProducts(seed, operator, `鲜果供应商-${run}`, FRUITS);
    // Enough stock for the platform's orders and the bare and floor replays (which decrement the same counters).
    const stockLimit = 3 * (orders + warmup) + 10;
    const perResidentLimit = limitPerResident ? 2 : null;
    const cutoffAt = hoursFromNow(6);
    const { groupBuyId, shareToken } = await openGroupBuy(seed, leaderToken, {
      cutoffAt,
      pickupDate: businessDate(new Date(hoursFromNow(30))),
      items: productIds.map((productId) => ({ productId, stockLimit, ...(perResidentLimit ? { perResidentLimit } : {}) })),
    });

    const residents = Array.from({ length: warmup + orders }, (_, i) => `bench-resident-${run}-${i}`);
    const tokens: string[] = new Array(residents.length);
    await runConcurrently(residents.length, concurrency, async (i) => void (tokens[i] = await login(seed, residents[i]!)));

    // ---- One order, through the real handler --------------------------------------------------------
    const placeOrder = async (i: number) => {
      const res = await invokeHttp(ordersMain, 'POST /orders', '/orders', {
        token: tokens[i],
        headers: { 'idempotency-key': `bench-${run}-${i}-${randomUUID()}` },
        body: {
          shareToken,
          items: productIds.map((productId) => ({ productId, quantity: 1 })),
          contactName: '张三',
          contactPhone: '13812341234',
        },
      });
      expectStatus(`order ${i}`, res, 201);
    };

    // ---- The same transaction with no platform around it ------------------------------------------------
    /** A per-resident counter of this group buy: an item of its partition whose sort key names the resident. */
    const counterOf = (key: unknown, userId: string) => {
      const k = key as { pk?: string; sk?: string } | undefined;
      return k?.pk === keys.groupBuyPartition(groupBuyId) && typeof k.sk === 'string' && k.sk.includes(`#${userId}`);
    };
    /** New items under fresh keys (`pk#bare`), the same stock and group-buy items, a fresh resident's counters (if limited). */
    const bareCopy = (items: Input[]): TransactItems => {
      const orderPut = items.find((a) => ((a.Put as Input | undefined)?.Item as Input | undefined)?.type === 'ORDER');
      const userId = ((orderPut?.Put as Input | undefined)?.Item as Input | undefined)?.userId as string | undefined;
      if (!userId) throw new Error('captured transaction has no order Put');
      let counters = 0;
      const copy = items.map((action) => {
        const put = action.Put as Input | undefined;
        if (put) {
          const item = put.Item as Input;
          return { Put: { ...put, Item: { ...item, pk: `${item.pk as string}#bare` } } };
        }
        const update = action.Update as Input | undefined;
        if (update && counterOf(update.Key, userId)) {
          counters++;
          const key = update.Key as { pk: string; sk: string };
          return { Update: { ...update, Key: { pk: key.pk, sk: key.sk.replace(`#${userId}`, `#${userId}-bare`) } } };
        }
        return action;
      });
      if (limitPerResident !== counters > 0)
        throw new Error(`expected ${limitPerResident ? 'a' : 'no'} per-resident counter update, found ${counters}`);
      return copy;
    };
    /**
     * The floor (issue 15): one TransactWriteItems of just the order and its stock update, the least any
     * platform placing this order writes. The order under a fresh key (`pk#floor`), the gate's update as sent.
     */
    const floorCopy = (items: Input[]): TransactItems => {
      const orderPut = items.find((a) => ((a.Put as Input | undefined)?.Item as Input | undefined)?.type === 'ORDER')?.Put as Input;
      const item = orderPut.Item as Input;
      const stock = items.find((a) => ((a.Update as Input | undefined)?.Key as Input | undefined)?.sk === keys.groupBuyGateSk);
      if (!stock) throw new Error('captured transaction has no stock update');
      return [{ Put: { ...orderPut, Item: { ...item, pk: `${item.pk as string}#floor` } } }, stock];
    };
    const floorReplay = async (captured: Input[][]) => {
      const prepared = captured.map(floorCopy);
      return withCpu(() =>
        runConcurrently(prepared.length, concurrency, async (i) => {
          await bareClient.send(new TransactWriteCommand({ TransactItems: prepared[i], ClientRequestToken: randomUUID() }));
        }),
      );
    };
    const bareReplay = async (captured: Input[][]) => {
      const prepared = captured.map(bareCopy);
      return withCpu(() =>
        runConcurrently(prepared.length, concurrency, async (i) => {
          await bareClient.send(new TransactWriteCommand({ TransactItems: prepared[i], ClientRequestToken: randomUUID() }));
        }),
      );
    };

    // ---- Warm-up (both sides), then the measured rounds ---------------------------------------------------
    // The meter goes on the platform's client only now: seeding is not counted.
    const metered = meter(db(), { recordTransactWrites: true });
    live = metered;
    if (warmup > 0) {
      await runConcurrently(warmup, concurrency, (i) => placeOrder(i));
      const captured = metered.transactWrites;
      await bareReplay(captured);
      await floorReplay(captured);
    }
    metered.reset(); // counts and capacity from here on are the measured orders' only

    const platformLatencies: number[] = [];
    const bareLatencies: number[] = [];
    const floorLatencies: number[] = [];
    let platformSeconds = 0;
    let bareSeconds = 0;
    let floorSeconds = 0;
    const cpuMs = { platform: 0, bare: 0, floor: 0 };
    const perRound: OrdersResult['rounds'] = [];
    const captured: Input[][] = [];
    let placed = 0;
    for (let r = 0; r < rounds; r++) {
      const size = Math.floor(((r + 1) * orders) / rounds) - Math.floor((r * orders) / rounds);
      const first = warmup + placed;
      const from = metered.transactWrites.length;
      const platform = await withCpu(() => runConcurrently(size, concurrency, (i) => placeOrder(first + i)));
      const roundCaptured = metered.transactWrites.slice(from);
      if (roundCaptured.length !== size) throw new Error(`round ${r}: ${size} orders sent ${roundCaptured.length} TransactWriteItems`);
      placed += size;
      // The two replays in turn, first one then the other: neither always runs on the store the other just grew.
      const [bare, floor] =
        r % 2 === 0
          ? [await bareReplay(roundCaptured), await floorReplay(roundCaptured)]
          : await (async () => {
              const f = await floorReplay(roundCaptured);
              return [await bareReplay(roundCaptured), f] as const;
            })();
      captured.push(...roundCaptured);
      platformLatencies.push(...platform.latencies);
      bareLatencies.push(...bare.latencies);
      floorLatencies.push(...floor.latencies);
      platformSeconds += platform.seconds;
      bareSeconds += bare.seconds;
      floorSeconds += floor.seconds;
      cpuMs.platform += platform.cpuMs;
      cpuMs.bare += bare.cpuMs;
      cpuMs.floor += floor.cpuMs;
      perRound.push({
        platformP50Ms: round(percentile(platform.latencies, 50)),
        bareP50Ms: round(percentile(bare.latencies, 50)),
        floorP50Ms: round(percentile(floor.latencies, 50)),
      });
    }
    metered.detach();
    const { requests, wcu, rcu } = metered;

    // ---- What one order wrote and checked, sized ------------------------------------------------------------
    const sample = captured[0] ?? [];
    const itemBytes: Record<string, number> = {};
    const wcuByItem: Record<string, number> = {};
    const charge = (label: string, bytes: number, units: number) => {
      itemBytes[label] = Math.max(itemBytes[label] ?? 0, bytes);
      wcuByItem[label] = (wcuByItem[label] ?? 0) + units;
    };
    const checkedOrUpdated: string[] = [];
    for (const action of sample) {
      const put = action.Put as Input | undefined;
      if (put) {
        const item = put.Item as Input;
        const label = `put ${typeof item.type === 'string' ? item.type.toLowerCase() : 'item'}`;
        const bytes = itemSize(item);
        const own = writeUnits(bytes, true);
        charge(label, bytes, own);
        // Its index writes (one per GSI whose key it carries), apart: they are what a lean item saves twice.
        const indexes = putUnits(item, true) - own;
        if (indexes) wcuByItem[`${label} indexes`] = (wcuByItem[`${label} indexes`] ?? 0) + indexes;
        continue;
      }
      const [kind, body] = Object.entries(action)[0] as [string, Input];
      const { Item } = await bareClient.send(new GetCommand({ TableName: tableName(), Key: body.Key as Input }));
      const label = `${kind === 'ConditionCheck' ? 'check' : kind.toLowerCase()} ${typeof Item?.type === 'string' ? Item.type.toLowerCase() : 'item'}`;
      const bytes = Item ? itemSize(Item) : 0;
      charge(label, bytes, writeUnits(bytes, true));
      checkedOrUpdated.push(label);
    }

    const actionsPerTransaction: Record<string, number> = {};
    for (const action of sample)
      for (const kind of Object.keys(action)) actionsPerTransaction[kind] = (actionsPerTransaction[kind] ?? 0) + 1;

    const per = (n: number) => round(n / orders, 3);
    const byCommand = Object.fromEntries(Object.entries(requests).map(([name, n]) => [name, per(n)]));
    const readsPerOrder = per(READ_COMMANDS.reduce((s, name) => s + (requests[name] ?? 0), 0));
    const transactWriteItemsPerOrder = per(requests.TransactWriteItems ?? 0);
    const platform = timing(platformLatencies, platformSeconds);
    const bare = timing(bareLatencies, bareSeconds);
    const floor = timing(floorLatencies, floorSeconds);
    // Each order and its two replays took one unit of each product.
    const expectedRemaining = stockLimit - 3 * (warmup + orders);
    const { Item: gate } = await bareClient.send(new GetCommand({ TableName: tableName(), Key: keys.groupBuyGate(groupBuyId) }));
    const remaining = productIds.map((productId) => gate?.[`s:${productId}`] as unknown);

    return {
      config: { orders, concurrency, rounds, warmup, linesPerOrder: productIds.length, stockLimit, perResidentLimit },
      ordersPerSecond: platform.ordersPerSecond,
      p50Ms: platform.p50Ms,
      p99Ms: platform.p99Ms,
      requestsPerOrder: { total: per(Object.values(requests).reduce((a, b) => a + b, 0)), byCommand },
      transactWriteItemsPerOrder,
      readsPerOrder,
      actionsPerTransaction,
      wcuPerOrder: per(wcu),
      wcuByItem,
      rcuPerOrder: per(rcu),
      itemBytes,
      bare,
      floor,
      overhead: {
        p50Ratio: round(platform.p50Ms / bare.p50Ms),
        throughputRatio: round(bare.ordersPerSecond / platform.ordersPerSecond),
        floorP50Ratio: round(platform.p50Ms / floor.p50Ms),
        floorThroughputRatio: round(floor.ordersPerSecond / platform.ordersPerSecond),
        bareFloorThroughputRatio: round(floor.ordersPerSecond / bare.ordersPerSecond),
      },
      cpuMsPerOrder: { platform: per(cpuMs.platform), bare: per(cpuMs.bare), floor: per(cpuMs.floor) },
      rounds: perRound,
      memory: memory.stop(),
      checks: {
        oneTransactWriteItemsPerOrder: transactWriteItemsPerOrder === 1,
        atMostTwoReadsPerOrder: readsPerOrder <= 2,
        // A warm function reads nothing to place an order (the group buy and the capacity are cached).
        noReadsWhenWarm: readsPerOrder === 0,
        noScan: !requests.Scan,
        // The meter sizes Update/ConditionCheck targets as under 1 KB: true if that held.
        checkedAndUpdatedItemsUnder1KB: checkedOrUpdated.every((k) => (itemBytes[k] ?? 0) <= 1024),
        stockCounterExact: remaining.every((r) => r === expectedRemaining),
      },
    };
  } finally {
    live?.detach();
    bareClient.destroy();
    memory.stop();
  }
}
