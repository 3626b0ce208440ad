// The cost of keeping a leader's customer book and stats: N orders of one pickup point (C customers, a group
// buy a day over the last 60 days), each through its life as the platform writes it — placed, paid, the
// cutoff's pickup code, picked up (most), refunded in part or in full (some) — with the commission ledger's
// entries, fed to the real `customerBook` function (functions/customer-book/handler.ts's `main`) as its
// queue would: the records its route's filter lets through, in batches of its serverless.yml batchSize.
//
// What it reports: records, DynamoDB requests, WCU and RCU (AWS's rules, bench/harness.ts's meter) per order
// and by the item written; the same stream delivered again, shuffled (the cost of duplicates: reads, no
// writes); and what opening the page costs (the stats of 30 and 365 days, a page of the book). Checks: the
// stats and the book equal a recomputation from the orders, before and after the duplicates.
import type { DynamoDBRecord } from 'aws-lambda';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Order, OrderLine } from '../schemas/orders';
import { itemSize, putUnits, writeUnits } from './capacity';
import type { Json, HttpMain, Input, Meter } from './harness';
import { expectStatus, invokeHttp, random, meter, round, streamRecords } from './harness';
import { approvedLeader, login, seedHandlers } from './seed';
import { businessDate } from '../lib/runtime/time';

/** A page of `GET /leaders/me/customers`, as the bench reads it. */
type CustomersPage = { items: { contactPhone: string; orders: number; spentFen: number }[]; nextCursor?: string };

export interface CustomersOptions {
  orders: number;
  customers: number;
}

interface Cost {
  requests: { total: number; byCommand: Record<string, number> };
  wcu: number;
  rcu: number;
  wcuByItem: Record<string, number>;
}

export interface CustomersResult {
  config: { orders: number; customers: number; days: number; batchSize: number };
  /** Records in the stream, those the filter lets through (orders paid and later, ledger earnings). */
  streamRecords: number;
  records: number;
  calls: number;
  seconds: number;
  ordersPerSecond: number;
  perOrder: {
    records: number;
    requests: number;
    byCommand: Record<string, number>;
    wcu: number;
    rcu: number;
    wcuByItem: Record<string, number>;
  };
  /** Every record delivered a second time, shuffled: per order (the ledger's refused guards are not committed writes, so not in `wcu`). */
  duplicates: { requests: number; wcu: number; rcu: number; refusedTransactions: number };
  /** Opening the leader's page: totals per request. */
  reads: {
    stats30: { requests: number; rcu: number };
    stats365: { requests: number; rcu: number };
    bookPage: { requests: number; rcu: number };
  };
  itemBytes: Record<string, number>;
  checks: Record<string, boolean>;
}

const FUNCTION_NAME = 'customerBook';
const DAYS = 60;

/** API.md's figures straight from the orders (independent of lib/customers). */
function recompute(orders: Order[], from: string, to: string) {
  const standing = orders.filter(
    (o) => o.paidAt && ['paid', 'ready_for_pickup', 'picked_up'].includes(o.status) && o.totalFen > o.refundedFen,
  );
  const inWindow = standing.filter((o) => businessDate(new Date(o.createdAt)) >= from && businessDate(new Date(o.createdAt)) <= to);
  const users = new Set(inWindow.map((o) => o.userId));
  const first = new Map<string, string>();
  for (const o of standing)
    if (!first.has(o.userId) || businessDate(new Date(o.createdAt)) < first.get(o.userId)!)
      first.set(o.userId, businessDate(new Date(o.createdAt)));
  const gmvFen = inWindow.reduce((s, o) => s + o.totalFen - o.refundedFen, 0);
  return {
    customers: users.size,
    newCustomers: [...users].filter((u) => first.get(u)! >= from).length,
    repeatCustomers: [...users].filter((u) => new Set(inWindow.filter((o) => o.userId === u).map((o) => o.groupBuyId)).size >= 2).length,
    orders: inWindow.length,
    gmvFen,
  };
}

/** WCU by the kind of item written, from the transactions the meter recorded. */
function wcuByItem(m: Meter): Record<string, number> {
  const by: Record<string, number> = {};
  const add = (kind: string, wcu: number) => void (by[kind] = (by[kind] ?? 0) + wcu);
  for (const actions of m.transactWrites) {
    for (const action of actions) {
      const put = action.Put as Input | undefined;
      if (put) add(String((put.Item as Input).type), putUnits(put.Item as Input, true));
      else add(String(((action.Update as Input).Key as Input).sk).startsWith('DAY#') ? 'STATS_DAY' : 'other', writeUnits(256, true));
    }
  }
  return by;
}

export async function benchCustomers(options: CustomersOptions): Promise<CustomersResult> {
  const { orders: n, customers: c } = options;
  if (!(n > 0) || !(c > 0)) throw new Error('orders and customers must be positive');
  // Imported only now: the handlers read their configuration (endpoint, table) at module load.
  const seed = await seedHandlers();
  const { main: customersMain } = (await import('../functions/customers/handler')) as { main: HttpMain };
  const { main: customerBook } = await import('../functions/customer-book/handler');
  const { queueEvent } = await import('../test/support/queue-events');
  const { CONSUMER_ROUTES } = await import('../lib/runtime/stream-routes');
  const { loadManifest } = await import('../infra/manifest');
  const { matchesAnyFilter } = await import('../lib/runtime/filter-patterns');
  const { db, tableName } = await import('../lib/store/dynamo');
  const { keys } = await import('../lib/store/keys');
  const { orderItem } = await import('../lib/store/orders');

  const trigger = loadManifest().find((f) => f.name === FUNCTION_NAME)?.queues[0];
  const route = CONSUMER_ROUTES.find((r) => r.name === FUNCTION_NAME);
  if (!trigger || !route) throw new Error(`serverless.yml has no queue trigger for ${FUNCTION_NAME}`);
  const batchSize = trigger.batchSize;
  const run = Date.now().toString(36);
  const itemBytes: Record<string, number> = {};
  const biggest = (name: string, bytes: number) => void (itemBytes[name] = Math.max(itemBytes[name] ?? 0, bytes));

  // ---- A leader, through the real handlers -----------------------------------------------------------------
  const operator = await login(seed, `bench-cust-op-${run}`, ['operator']);
  const { token: leaderToken, leaderId } = await approvedLeader(seed, operator, `bench-cust-leader-${run}`);

  // ---- The orders' lives, and the stream they make ---------------------------------------------------------
  const rand = random(20261130);
  const now = Date.now();
  const record = streamRecords(run);
  const timed: { at: number; record: DynamoDBRecord }[] = [];
  const finals: Order[] = [];
  const users = Array.from({ length: c }, (_, i) => `bench-cust-${run}-u${i}`);
  for (let i = 0; i < n; i++) {
    // Some neighbours order often, most now and then (squared: a skew towards the first ones).
    const u = Math.floor(rand() ** 2 * c);
    const userId = users[u]!;
    const day = Math.floor(rand() * DAYS);
    const placedAt = now - day * 86_400_000 - Math.floor(rand() * 36_000_000) - 3_600_000;
    const lines: OrderLine[] = Array.from({ length: 1 + Math.floor(rand() * 3) }, (_, l) => {
      const quantity = 1 + Math.floor(rand() * 3);
      const unitPriceFen = 990 + 500 * l;
      return {
        productId: `p-${run}-${l}`,
        supplierId: `s-${run}`,
        name: `商品${l}`,
        unit: '份',
        quantity,
        unitPriceFen,
        amountFen: quantity * unitPriceFen,
        supplyPriceFen: unitPriceFen - 300,
        commissionRateBps: 1000,
        refundedFen: 0,
        stockLimited: false,
        residentLimited: false,
      };
    });
    const totalFen = lines.reduce((s, l) => s + l.amountFen, 0);
    const iso = (t: number) => new Date(t).toISOString();
    let order: Order = {
      orderId: `bench-cust-${run}-o${i}`,
      userId,
      groupBuyId: `bench-cust-${run}-gb${day}`,
      leaderId,
      pickupDate: businessDate(new Date(iso(placedAt + 86_400_000))),
      cutoffAt: iso(placedAt + 3_600_000),
      status: 'pending_payment',
      items: lines,
      totalFen,
      refundedFen: 0,
      contactName: `居民${u}`,
      contactPhone: `138${String(10_000_000 + u).slice(-8)}`,
      createdAt: iso(placedAt),
      updatedAt: iso(placedAt),
      expiresAt: iso(placedAt + 900_000),
      version: 1,
    };
    const next = (at: number, change: Partial<Order>) => {
      order = { ...order, ...change, updatedAt: iso(at), version: order.version + 1 };
      timed.push({ at, record: record('MODIFY', orderItem(order)) });
    };
    timed.push({ at: placedAt, record: record('INSERT', orderItem(order)) });
    next(placedAt + 60_000, { status: 'paid', paidAt: iso(placedAt + 60_000), paymentId: `pay-${i}` });
    next(placedAt + 3_600_000, { status: 'ready_for_pickup', pickupCode: String(100_000 + i) });
    const fate = rand();
    if (fate < 0.03) {
      next(placedAt + 90_000_000, {
        status: 'refunded',
        refundedFen: totalFen,
        items: lines.map((l) => ({ ...l, refundedFen: l.amountFen })),
      });
    } else if (fate < 0.97) {
      const pickedAt = placedAt + 86_400_000 + 7_200_000;
      next(pickedAt, { status: 'picked_up', pickedUpAt: iso(pickedAt) });
      const entry = (kind: 'accrual' | 'reversal', line: OrderLine, amountFen: number, at: number) => {
        const entryId = `${order.orderId}:${line.productId}:commission:${kind === 'accrual' ? 0 : line.refundedFen}`;
        const item = {
          ...keys.ledgerEntry(order.orderId, entryId),
          ...keys.ledgerByLeader(leaderId, iso(at), entryId),
          type: 'LEDGER_ENTRY',
          entryId,
          leaderId,
          kind,
          amountFen,
          share: 'commission',
          orderId: order.orderId,
          productId: line.productId,
          createdAt: iso(at),
          availableAt: iso(at + 172_800_000),
        };
        biggest('ledger entry', itemSize(item));
        timed.push({ at, record: record('INSERT', item) });
      };
      for (const line of lines) entry('accrual', line, Math.floor((line.amountFen * 1000) / 10_000), pickedAt + 1000);
      if (fate > 0.87) {
        // A partial refund of the first line (a bruised box), after the pickup.
        const refundAt = pickedAt + 3_600_000;
        const refunded = Math.min(lines[0]!.amountFen - 1, 300);
        const items = order.items.map((l, k) => (k === 0 ? { ...l, refundedFen: refunded } : l));
        next(refundAt, { refundedFen: refunded, items });
        const line = items[0]!;
        entry(
          'reversal',
          line,
          Math.floor(((line.amountFen - refunded) * 1000) / 10_000) - Math.floor((line.amountFen * 1000) / 10_000),
          refundAt + 1000,
        );
      }
    }
    biggest('order', itemSize(orderItem(order)));
    finals.push(order);
  }
  timed.sort((a, b) => a.at - b.at);
  const stream = timed.map((t) => t.record);

  /** The records the router sends this consumer, fed in batches of batchSize, one call at a time. */
  const feed = async (records: DynamoDBRecord[]) => {
    const delivered = records.filter((r) => matchesAnyFilter(r, route.filterPatterns));
    let calls = 0;
    for (let start = 0; start < delivered.length; start += batchSize) {
      calls++;
      const result = await customerBook(queueEvent(delivered.slice(start, start + batchSize)));
      if (result.batchItemFailures.length) throw new Error(`${FUNCTION_NAME} failed ${result.batchItemFailures.length} record(s)`);
    }
    return { delivered: delivered.length, calls };
  };
  const costOf = (m: Meter): Cost => ({
    requests: { total: m.total(), byCommand: { ...m.requests } },
    wcu: m.wcu,
    rcu: m.rcu,
    wcuByItem: wcuByItem(m),
  });

  const metered = meter(db(), { recordTransactWrites: true });
  const started = process.hrtime.bigint();
  let fed: Awaited<ReturnType<typeof feed>>;
  try {
    fed = await feed(stream);
  } finally {
    metered.detach();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cost = costOf(metered);

  // ---- The page: stats and a page of the book, as the leader opens them -------------------------------------
  const call = async <T extends object = Json>(path: string, routeKey: string) => {
    const m = meter(db());
    try {
      const res = expectStatus<T>(path, await invokeHttp(customersMain, routeKey, path, { token: leaderToken }), 200);
      return { body: res, requests: m.total(), rcu: m.rcu };
    } finally {
      m.detach();
    }
  };
  const windowFrom = (days: number) => businessDate(new Date(new Date(now - (days - 1) * 86_400_000).toISOString()));
  const today = businessDate(new Date(new Date(now).toISOString()));
  const statsMatch = async () => {
    let ok = true;
    for (const days of [1, 7, 30, DAYS, 365]) {
      const { body } = await call<Record<string, number>>(`/leaders/me/stats?days=${days}`, 'GET /leaders/me/stats');
      const want = recompute(finals, windowFrom(days), today);
      for (const [k, v] of Object.entries(want)) {
        if (body[k] !== v) {
          ok = false;
          console.error(`customers bench: ${days} days ${k} = ${body[k]}, expected ${v}`);
        }
      }
    }
    // The book: every customer with a standing order, with their orders and spend.
    let cursor: string | undefined;
    const book = new Map<string, { orders: number; spentFen: number }>();
    do {
      const { body } = await call<CustomersPage>(
        `/leaders/me/customers?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
        'GET /leaders/me/customers',
      );
      for (const item of body.items) book.set(item.contactPhone, { orders: item.orders, spentFen: item.spentFen });
      cursor = body.nextCursor;
    } while (cursor);
    const standing = finals.filter((o) => ['paid', 'ready_for_pickup', 'picked_up'].includes(o.status) && o.totalFen > o.refundedFen);
    const byUser = new Map<string, { orders: number; spentFen: number }>();
    for (const o of standing) {
      const u = byUser.get(o.userId) ?? { orders: 0, spentFen: 0 };
      u.orders++;
      u.spentFen += o.totalFen - o.refundedFen;
      byUser.set(o.userId, u);
    }
    const sum = (m: Map<string, { orders: number; spentFen: number }>) =>
      [...m.values()].reduce((s, x) => [s[0]! + x.orders, s[1]! + x.spentFen], [0, 0]).join('/');
    if (book.size !== byUser.size || sum(book) !== sum(byUser)) {
      ok = false;
      console.error(`customers bench: book ${book.size} customers ${sum(book)}, expected ${byUser.size} ${sum(byUser)}`);
    }
    return ok;
  };
  const exact = await statsMatch();
  const stats30 = await call('/leaders/me/stats?days=30', 'GET /leaders/me/stats');
  const stats365 = await call('/leaders/me/stats?days=365', 'GET /leaders/me/stats');
  const bookPage = await call('/leaders/me/customers', 'GET /leaders/me/customers');

  // ---- Every record again, shuffled: duplicates and reordering cost reads only --------------------------------
  const shuffled = [...stream];
  for (let i = shuffled.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
  }
  const again = meter(db(), { recordTransactWrites: true });
  try {
    await feed(shuffled);
  } finally {
    again.detach();
  }
  const exactAfterDuplicates = await statsMatch();
  const { Items: summaries } = await db().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.customersByLeaderPartition(leaderId) },
      Limit: 20,
    }),
  );
  for (const s of summaries ?? []) biggest('customer summary', itemSize(s));

  const per = (x: number, digits = 3) => round(x / n, digits);
  return {
    config: { orders: n, customers: c, days: DAYS, batchSize },
    streamRecords: stream.length,
    records: fed.delivered,
    calls: fed.calls,
    seconds: round(seconds, 3),
    ordersPerSecond: round(n / seconds, 1),
    perOrder: {
      records: per(fed.delivered, 2),
      requests: per(cost.requests.total),
      byCommand: Object.fromEntries(Object.entries(cost.requests.byCommand).map(([k, v]) => [k, per(v)])),
      wcu: per(cost.wcu),
      rcu: per(cost.rcu),
      wcuByItem: Object.fromEntries(Object.entries(cost.wcuByItem).map(([k, v]) => [k, per(v)])),
    },
    duplicates: {
      requests: per(again.total()),
      wcu: per(again.wcu),
      rcu: per(again.rcu),
      refusedTransactions: again.transactWrites.length,
    },
    reads: {
      stats30: { requests: stats30.requests, rcu: stats30.rcu },
      stats365: { requests: stats365.requests, rcu: stats365.rcu },
      bookPage: { requests: bookPage.requests, rcu: bookPage.rcu },
    },
    itemBytes,
    checks: {
      statsAndBookEqualTheOrders: exact,
      unchangedByDuplicatesAndReordering: exactAfterDuplicates,
      // Duplicates find their change applied: an order's image writes nothing; a ledger entry's guard refuses it.
      duplicatesWriteNothing: !again.transactWrites.some((actions) =>
        actions.some((a) => a.Put && (a.Put as Input).Item && ((a.Put as Input).Item as Input).type === 'CUSTOMER'),
      ),
      // Opening the page never reads the orders: the leader (two GetItems), then one query of at most 365
      // small day items for a year of stats, or one page of the book.
      pageReadsBounded: stats365.requests <= 3 && stats30.requests <= 3 && bookPage.requests <= 3,
      noScan: !cost.requests.byCommand.Scan && !again.requests.Scan,
    },
  };
}
