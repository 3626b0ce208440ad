// The rest of an order's life, priced (issue 15's cost target names every step): orders placed through the
// real handler are paid through the provider's webhook (`POST /payments/notify`, signed by the sandbox
// provider as it signs), closed by the cutoff, put on the pickup sheet by its stream consumer, picked up by
// the leader (`POST /pickups`) and earn their leader's commission in the commissions consumer. Each step
// runs through its real function with the meter on the platform's client; the consumers get exactly the
// records their filters let through (lib/runtime/stream-routes.json), in their queues' batch sizes. Placement,
// the cutoff and the purchase orders are priced by their own sections.
import type { DynamoDBRecord } from 'aws-lambda';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type { Order } from '../schemas/orders';
import type { HttpMain, Input, Meter } from './harness';
import { benchClient, expectStatus, invokeHttp, meter, round, runConcurrently, streamRecords } from './harness';
import { approvedLeader, FRUITS, login, openGroupBuy, seedHandlers, supplierWithProducts } from './seed';
import { businessDate } from '../lib/runtime/time';

export interface LifeStep {
  /** The function (serverless.yml's name) that does the step. */
  function: string;
  wcuPerOrder: number;
  rcuPerOrder: number;
  requestsPerOrder: number;
  invocationsPerOrder: number;
  /** Billed time per order: an HTTP step's mean call, a consumer's calls summed over the orders they served. */
  msPerOrder: number;
  /** WCU per order by what was written (the meter's labels: an item's type, or a key's prefix). */
  wcuByItem: Record<string, number>;
}

export const LIFE_STEPS = ['payment', 'pickup sheet', 'pickup', 'commission'] as const;
export type LifeStepName = (typeof LIFE_STEPS)[number];

export interface LifeResult {
  config: { orders: number; linesPerOrder: number; concurrency: number };
  steps: Record<LifeStepName, LifeStep>;
  checks: Record<string, boolean>;
}

export async function benchLife(options: { orders: number; concurrency?: number }): Promise<LifeResult> {
  const { orders: n } = options;
  const concurrency = options.concurrency ?? 4;
  if (!(n > 0)) throw new Error('orders must be positive');
  const endpoint = process.env.DYNAMODB_ENDPOINT;
  if (!endpoint) throw new Error('benchLife runs after startBenchDynamo() has set DYNAMODB_ENDPOINT');

  // Imported only now: the handlers read their configuration (endpoint, table) at module load.
  const seed = await seedHandlers();
  const { main: ordersMain } = (await import('../functions/orders/handler')) as { main: HttpMain };
  const { main: paymentsMain } = (await import('../functions/payments/handler')) as { main: HttpMain };
  const { main: pickupsMain } = (await import('../functions/pickups/handler')) as { main: HttpMain };
  const consumers = {
    pickupSheets: (await import('../functions/pickup-sheets/handler')).main,
    commissions: (await import('../functions/commissions/handler')).main,
  };
  const { queueEvent } = await import('../test/support/queue-events');
  const { CONSUMER_ROUTES } = await import('../lib/runtime/stream-routes');
  const { loadManifest } = await import('../infra/manifest');
  const { matchesAnyFilter } = await import('../lib/runtime/filter-patterns');
  const { sandbox } = await import('../lib/payments/wiring');
  const { advanceClosing, runCutoff } = await import('../lib/cutoff/cutoff');
  const { cutoffDeps } = await import('../lib/cutoff/wiring');
  const { db, tableName } = await import('../lib/store/dynamo');
  const { keys } = await import('../lib/store/keys');

  const bench = benchClient(endpoint);
  const manifest = loadManifest();
  const run = Date.now().toString(36);
  const readOrder = async (orderId: string) =>
    (await bench.send(new GetCommand({ TableName: tableName(), Key: keys.order(orderId), ConsistentRead: true }))).Item as Input;
  const readOrders = (ids: string[]) => Promise.all(ids.map(readOrder));

  const modify = streamRecords(run);
  const record = (item: Input) => modify('MODIFY', item);

  // ---- A leader, a supplier's two products, a group buy and its orders, through the real handlers -----------
  const operator = await login(seed, `bench-life-op-${run}`, ['operator']);
  const { token: leaderToken, leaderId } = await approvedLeader(seed, operator, `bench-life-leader-${run}`);
  const { productIds } = await supplierWithProducts(seed, operator, `鲜果供应商-life-${run}`, FRUITS);
  // Its cutoff leaves time to place and pay every order first (at a few dozen a second on this machine).
  const cutoffAt = new Date(Date.now() + 15_000 + n * 60);
  const groupBuy = await openGroupBuy(seed, leaderToken, {
    cutoffAt: cutoffAt.toISOString(),
    pickupDate: businessDate(new Date(cutoffAt.getTime() + 86_400_000)),
    items: productIds.map((productId) => ({ productId, stockLimit: 10 * n })),
  });
  const { groupBuyId } = groupBuy;
  const tokens = await Promise.all(Array.from({ length: n }, (_, i) => login(seed, `bench-life-resident-${run}-${i}`)));
  const orderIds: string[] = new Array(n);
  const totals: number[] = new Array(n);
  await runConcurrently(n, concurrency, async (i) => {
    const placed = expectStatus(
      `order ${i}`,
      await invokeHttp(ordersMain, 'POST /orders', '/orders', {
        token: tokens[i],
        headers: { 'idempotency-key': `bench-life-${run}-${i}-${randomUUID()}` },
        body: {
          shareToken: groupBuy.shareToken,
          items: productIds.map((productId) => ({ productId, quantity: 1 })),
          contactName: '张三',
          contactPhone: '13812341234',
        },
      }),
      201,
    );
    orderIds[i] = placed.orderId as string;
    totals[i] = placed.totalFen as number;
  });

  // ---- The steps, each metered on its own ---------------------------------------------------------------------
  const metered: Meter = meter(db());
  const steps = {} as Record<LifeStepName, LifeStep>;
  /** `orders`: the orders as they stand before a step that writes them (an index key it changes is a delete and a put). */
  const measure = async (
    name: LifeStepName,
    fn: string,
    work: () => Promise<{ invocations: number; ms: number }>,
    orders: Input[] = [],
  ) => {
    metered.learn(orders);
    metered.reset();
    const { invocations, ms } = await work();
    steps[name] = {
      function: fn,
      wcuPerOrder: round(metered.wcu / n, 3),
      rcuPerOrder: round(metered.rcu / n, 3),
      requestsPerOrder: round(metered.total() / n, 3),
      invocationsPerOrder: round(invocations / n, 4),
      msPerOrder: round(ms / n, 2),
      wcuByItem: Object.fromEntries(Object.entries(metered.wcuByItem).map(([k, v]) => [k, round(v / n, 3)])),
    };
  };
  /** An HTTP step: one call per order, `concurrency` at a time; billed time is the calls' summed duration. */
  const calls = async (call: (i: number) => Promise<void>) => {
    const { latencies } = await runConcurrently(n, concurrency, call);
    return { invocations: n, ms: latencies.reduce((a, b) => a + b, 0) };
  };
  /** A consumer fed the records its filter passes, in its queue's batches, one call at a time. */
  const feed = async (fn: keyof typeof consumers, records: DynamoDBRecord[]) => {
    const route = CONSUMER_ROUTES.find((r) => r.name === fn)!;
    const batchSize = manifest.find((f) => f.name === fn)!.queues[0]!.batchSize;
    const delivered = records.filter((r) => matchesAnyFilter(r, route.filterPatterns));
    let invocations = 0;
    const started = process.hrtime.bigint();
    for (let start = 0; start < delivered.length; start += batchSize) {
      invocations++;
      const result = await consumers[fn](queueEvent(delivered.slice(start, start + batchSize)));
      if (result.batchItemFailures.length) throw new Error(`${fn} failed ${result.batchItemFailures.length} record(s)`);
    }
    return { invocations, ms: Number(process.hrtime.bigint() - started) / 1e6, delivered: delivered.length };
  };

  // Payment: the provider takes the money (its own books, not ours: before the meter counts) and notifies us.
  const notices = await Promise.all(orderIds.map((orderId, i) => sandbox.charge(orderId, totals[i]!, `bench-life-pay-${run}-${i}`)));
  const placed = await readOrders(orderIds);
  await measure(
    'payment',
    'payments',
    () =>
      calls(async (i) => {
        const { rawBody, headers } = notices[i]!;
        expectStatus(
          `payment ${i}`,
          await invokeHttp(paymentsMain, 'POST /payments/notify', '/payments/notify', { rawBody, headers }),
          200,
        );
      }),
    placed,
  );
  const paid = await readOrders(orderIds);

  // The cutoff (priced by its own section): the paid orders get their pickup codes.
  await new Promise((r) => setTimeout(r, Math.max(0, cutoffAt.getTime() - Date.now() + 50)));
  const deps = cutoffDeps();
  await runCutoff(deps);
  for (let calls = 0; (await advanceClosing(deps, groupBuyId, { maxPages: 50 })).status === 'closing'; calls++) {
    if (calls > 100) throw new Error('the closing did not finish');
  }
  const ready = await readOrders(orderIds);

  await measure(
    'pickup',
    'pickups',
    () =>
      calls(async (i) => {
        expectStatus(
          `pickup ${i}`,
          await invokeHttp(pickupsMain, 'POST /pickups', '/pickups', {
            token: leaderToken,
            body: { pickupCode: ready[i]!.pickupCode, date: ready[i]!.pickupDate },
          }),
          200,
        );
      }),
    ready,
  );
  const pickedUp = await readOrders(orderIds);

  // The pickup sheet's consumer: every order image its filter passes, as the stream delivers them (the ready
  // ones, then the picked-up ones; a pickup reads the code's guard, not the sheet, so the order makes no difference).
  let sheetFed = 0;
  await measure('pickup sheet', 'pickupSheets', async () => {
    const fed = await feed('pickupSheets', [...ready, ...pickedUp].map(record));
    sheetFed = fed.delivered;
    return fed;
  });

  await measure('commission', 'commissions', () => feed('commissions', [...paid, ...ready, ...pickedUp].map(record)));
  metered.detach();

  // ---- What a user would check ----------------------------------------------------------------------------
  const sheet = await bench.send(
    new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.sheetPartition(leaderId, ready[0]!.pickupDate as string) },
    }),
  );
  const accrued = await Promise.all(
    orderIds.map(async (orderId) => {
      const { Items } = await bench.send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.ledgerEntry(orderId, '').pk },
        }),
      );
      return (Items ?? []).filter((e) => e.kind === 'accrual').length;
    }),
  );
  bench.destroy();
  const statuses = (items: Input[]) => new Set(items.map((o) => (o as Order).status));
  return {
    config: { orders: n, linesPerOrder: productIds.length, concurrency },
    steps,
    checks: {
      everyOrderPaid: statuses(paid).size === 1 && statuses(paid).has('paid'),
      everyOrderReady: statuses(ready).size === 1 && statuses(ready).has('ready_for_pickup'),
      everyOrderPickedUp: statuses(pickedUp).size === 1 && statuses(pickedUp).has('picked_up'),
      oneSheetLinePerOrder:
        (sheet.Items ?? []).length === n && (sheet.Items ?? []).every((l) => l.status === 'picked_up') && sheetFed === 2 * n,
      commissionAccruedPerLine: accrued.every((k) => k === productIds.length),
    },
  };
}
