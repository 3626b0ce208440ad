// A city's purchase order through the HTTP API only: one supplier with P products, N pickup points (each
// an approved leader with a group buy of every product) and one paid order of every product at each, so
// that the supplier's purchase order has N × P cells; then the purchase order is read back, every JSON page
// and every CSV part, and checked cell by cell against what was ordered.
//
// `npx tsx scripts/city-purchase-order.ts [--points 300] [--products 15] [--lead 240]` with `npm start`
// running (PUBLIC_URL or PORT): the group buys' cutoff is `--lead` seconds ahead, and the platform's own
// schedule closes them at it (every minute, each at its own cutoff); the script waits, then checks.
// functions/purchase-orders/city.int.test.ts runs the same seeding and check on a test stack.

export interface Reply {
  status: number;
  body: unknown;
  text: string;
  headers: Headers;
}
export type Call = (
  method: string,
  path: string,
  options?: { token?: string; body?: unknown; headers?: Record<string, string> },
) => Promise<Reply>;

export interface City {
  supplierId: string;
  supplierToken: string;
  operator: string;
  pickupDate: string;
  products: { productId: string; name: string; supplyPriceFen: number }[];
  groupBuyIds: string[];
  /** leaderId → productId → quantity ordered. */
  expected: Map<string, Map<string, number>>;
  /** leaderId → the order placed there, with its lines. */
  orders: Map<string, { orderId: string; items: { productId: string; quantity: number; amountFen: number }[] }>;
  pointNames: Map<string, string>;
  /** leaderId → the leader's token (to read the pickup sheet). */
  leaderTokens: Map<string, string>;
}

/** The body of an answer with the expected status, as the caller expects it; anything else stops the run. */
const expectStatus = <T extends object = Record<string, unknown>>(what: string, res: Reply, status: number): T => {
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${res.text.slice(0, 300)}`);
  return res.body as T;
};

/** A page of `GET /purchase-orders/{id}`: the header (on every page) and some of the pickup points. */
interface BreakdownPage {
  pickupPointCount: number;
  totalFen: number;
  lines: { productId: string; quantity: number; amountFen: number }[];
  pickupPoints: { leaderId: string; pickupPointName: string; lines: { productId: string; quantity: number }[] }[];
  breakdownCursor?: string;
}

async function inParallel(count: number, concurrency: number, work: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

/** The quantity point `i` orders of product `p`: 1 to 3, varied so that a misplaced cell shows. */
export const quantityOf = (i: number, p: number) => 1 + ((i * 7 + p * 3) % 3);

/** Seeds the city through the API (leaders, supplier, group buys closing at `cutoffAt`, one paid order per point). */
export async function seedCity(
  call: Call,
  options: {
    points: number;
    products: number;
    cutoffAt: string;
    pickupDate: string;
    concurrency?: number;
    run?: string;
    log?: (line: string) => void;
  },
): Promise<City> {
  const run = options.run ?? Date.now().toString(36);
  const login = async (userId: string, roles: string[] = [], supplierId?: string) =>
    expectStatus('login', await call('POST', '/dev/login', { body: { userId, roles, ...(supplierId ? { supplierId } : {}) } }), 200)
      .token as string;
  const operator = await login(`city-op-${run}`, ['operator']);
  const supplier = expectStatus<{ supplierId: string }>(
    'supplier',
    await call('POST', '/suppliers', { token: operator, body: { name: `城市蔬菜供应商-${run}`, contactPhone: '13700002222' } }),
    201,
  );
  const products: City['products'] = [];
  for (let p = 0; p < options.products; p++) {
    const product = expectStatus<{ productId: string; name: string }>(
      'product',
      await call('POST', '/products', {
        token: operator,
        body: {
          supplierId: supplier.supplierId,
          name: `蔬菜${p + 1}号`,
          unit: p % 2 ? '斤' : '把',
          supplyPriceFen: 150 + 10 * p,
          groupPriceFen: 250 + 10 * p,
        },
      }),
      201,
    );
    products.push({ productId: product.productId, name: product.name, supplyPriceFen: 150 + 10 * p });
  }
  const supplierToken = await login(`city-supplier-${run}`, ['supplier'], supplier.supplierId);
  const resident = await login(`city-resident-${run}`);

  const expected = new Map<string, Map<string, number>>();
  const pointNames = new Map<string, string>();
  const leaderTokens = new Map<string, string>();
  const groupBuyIds: string[] = [];
  const orders: City['orders'] = new Map();
  let done = 0;
  await inParallel(options.points, options.concurrency ?? 6, async (i) => {
    const token = await login(`city-leader-${run}-${i}`);
    const name = `幸福${String(i + 1).padStart(4, '0')}号自提点`;
    const applied = expectStatus<{ leaderId: string }>(
      'apply',
      await call('POST', '/leaders', {
        token,
        body: {
          name: `团长${i + 1}`,
          phone: '13900001111',
          pickupPoint: { name, address: `幸福路 ${i + 1} 号`, community: '幸福小区', city: '上海' },
        },
      }),
      201,
    );
    expectStatus('approve', await call('POST', `/leaders/${applied.leaderId}/approve`, { token: operator }), 200);
    const gb = expectStatus<{ groupBuyId: string; shareToken: string }>(
      'group buy',
      await call('POST', '/group-buys', {
        token,
        body: {
          title: '明日蔬菜团',
          cutoffAt: options.cutoffAt,
          pickupDate: options.pickupDate,
          items: products.map((p) => ({ productId: p.productId })),
        },
      }),
      201,
    );
    const items = products.map((p, j) => ({ productId: p.productId, quantity: quantityOf(i, j) }));
    const placed = expectStatus<{ orderId: string; items: { productId: string; quantity: number; amountFen: number }[] }>(
      'order',
      await call('POST', '/orders', {
        token: resident,
        headers: { 'Idempotency-Key': `city-${run}-${i}` },
        body: { shareToken: gb.shareToken, items, contactName: '张三', contactPhone: '13812341234' },
      }),
      201,
    );
    expectStatus('pay', await call('POST', `/dev/pay/${placed.orderId}`), 200);
    groupBuyIds.push(gb.groupBuyId);
    pointNames.set(applied.leaderId, name);
    leaderTokens.set(applied.leaderId, token);
    orders.set(applied.leaderId, { orderId: placed.orderId, items: placed.items });
    expected.set(applied.leaderId, new Map(items.map((it) => [it.productId, it.quantity])));
    if (++done % 50 === 0) options.log?.(`  ${done} pickup points seeded`);
  });
  return {
    supplierId: supplier.supplierId,
    supplierToken,
    operator,
    pickupDate: options.pickupDate,
    products,
    groupBuyIds,
    expected,
    pointNames,
    leaderTokens,
    orders,
  };
}

/** How many of the city's group buys are not closed yet (as anyone reads a group buy). */
export async function groupBuysNotClosed(call: Call, city: City): Promise<number> {
  let notClosed = 0;
  await inParallel(city.groupBuyIds.length, 8, async (i) => {
    const res = await call('GET', `/group-buys/${city.groupBuyIds[i]}`, { token: city.operator });
    if (expectStatus('read a group buy', res, 200).status !== 'closed') notClosed++;
  });
  return notClosed;
}

export interface CheckResult {
  problems: string[];
  jsonPages: number;
  csvParts: number;
  largestJsonBytes: number;
  largestCsvBytes: number;
  cells: number;
}

/**
 * Reads the purchase order as its supplier does, every page and every part, and compares it with what was
 * ordered: each cell, each product line, the total, the count of pickup points; the CSV's rows likewise.
 */
export async function checkPurchaseOrder(call: Call, city: City): Promise<CheckResult> {
  const id = `${city.supplierId}-${city.pickupDate}`;
  const problems: string[] = [];
  const found = new Map<string, Map<string, number>>();
  let first: BreakdownPage | undefined;
  let cursor: string | undefined;
  let jsonPages = 0;
  let largestJsonBytes = 0;
  do {
    const res = await call('GET', `/purchase-orders/${id}${cursor ? `?cursor=${cursor}` : ''}`, { token: city.supplierToken });
    const page = expectStatus<BreakdownPage>('read the purchase order', res, 200);
    jsonPages++;
    largestJsonBytes = Math.max(largestJsonBytes, Buffer.byteLength(res.text));
    first ??= page;
    for (const point of page.pickupPoints) {
      if (found.has(point.leaderId)) problems.push(`pickup point ${point.leaderId} on two pages`);
      if (point.pickupPointName !== city.pointNames.get(point.leaderId))
        problems.push(`pickup point ${point.leaderId} is named ${point.pickupPointName}`);
      found.set(point.leaderId, new Map(point.lines.map((l) => [l.productId, l.quantity])));
    }
    cursor = page.breakdownCursor;
  } while (cursor);

  let cells = 0;
  const byProduct = new Map<string, number>();
  for (const [leaderId, want] of city.expected) {
    const got = found.get(leaderId);
    if (!got) {
      problems.push(`pickup point ${leaderId} is missing`);
      continue;
    }
    for (const [productId, quantity] of want) {
      cells++;
      byProduct.set(productId, (byProduct.get(productId) ?? 0) + quantity);
      if (got.get(productId) !== quantity) problems.push(`${leaderId} × ${productId}: ${got.get(productId)}, ordered ${quantity}`);
    }
    if (got.size !== want.size) problems.push(`${leaderId} has ${got.size} lines, ordered ${want.size}`);
  }
  if (found.size !== city.expected.size) problems.push(`${found.size} pickup points, expected ${city.expected.size}`);
  if (!first) throw new Error('no page of the purchase order was read');
  if (first.pickupPointCount !== city.expected.size)
    problems.push(`pickupPointCount ${first.pickupPointCount}, expected ${city.expected.size}`);
  let totalFen = 0;
  for (const product of city.products) {
    const line = first.lines.find((l) => l.productId === product.productId);
    const quantity = byProduct.get(product.productId) ?? 0;
    totalFen += quantity * product.supplyPriceFen;
    if (!line || line.quantity !== quantity || line.amountFen !== quantity * product.supplyPriceFen)
      problems.push(`line ${product.productId}: ${JSON.stringify(line)}, expected ${quantity}`);
  }
  if (first.totalFen !== totalFen) problems.push(`totalFen ${first.totalFen}, expected ${totalFen}`);

  // The CSV, part by part: the parts concatenated are one file with a row per cell.
  let csv = '';
  let csvParts = 0;
  let largestCsvBytes = 0;
  cursor = undefined;
  do {
    const res = await call('GET', `/purchase-orders/${id}${cursor ? `?cursor=${cursor}` : ''}`, {
      token: city.supplierToken,
      headers: { accept: 'text/csv' },
    });
    expectStatus('read the CSV', res, 200);
    csvParts++;
    largestCsvBytes = Math.max(largestCsvBytes, Buffer.byteLength(res.text));
    csv += res.text;
    cursor = res.headers.get('x-next-cursor') ?? undefined;
    if (cursor && !res.headers.get('link')?.includes(`cursor=${cursor}`)) problems.push('a CSV part names its next cursor but no Link');
  } while (cursor);
  const rows = csv.replace(/^\uFEFF/, '').split('\r\n');
  const heading = rows.indexOf(
    '自提点 Pickup point,地址 Address,团长编号 Leader ID,商品编号 Product ID,商品 Product,单位 Unit,数量 Quantity',
  );
  const cellRows = rows.slice(heading + 1).filter(Boolean);
  if (heading < 0 || cellRows.length !== cells) problems.push(`the CSV has ${cellRows.length} breakdown rows, expected ${cells}`);
  for (const r of cellRows) {
    const [, , leaderId, productId, , , quantity] = r.split(',');
    if (city.expected.get(leaderId!)?.get(productId!) !== Number(quantity)) {
      problems.push(`CSV row ${r}`);
      break;
    }
  }
  return { problems, jsonPages, csvParts, largestJsonBytes, largestCsvBytes, cells };
}

// ---- `npm start`: the same, with the platform's own schedule doing the cutoff -------------------------------
async function main() {
  const args = process.argv.slice(2);
  const flag = (name: string, fallback: number) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const points = flag('points', 300);
  const productCount = flag('products', 15);
  const leadSeconds = flag('lead', 240);
  const base = (process.env.PUBLIC_URL || `http://localhost:${process.env.PORT || 3000}`).replace(/\/+$/, '');
  const call: Call = async (method, path, options = {}) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        ...options.headers,
      },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      // CSV
    }
    return { status: res.status, body, text, headers: res.headers };
  };
  expectStatus('health', await call('GET', '/health'), 200);
  const cutoffAt = new Date(Date.now() + leadSeconds * 1000);
  const pickupDate = new Date(cutoffAt.getTime() + 8 * 3_600_000 + 86_400_000).toISOString().slice(0, 10);
  console.log(`seeding ${points} pickup points × ${productCount} products at ${base}; cutoff ${cutoffAt.toISOString()}`);
  const started = Date.now();
  const city = await seedCity(call, { points, products: productCount, cutoffAt: cutoffAt.toISOString(), pickupDate, log: console.log });
  console.log(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (Date.now() > cutoffAt.getTime()) throw new Error(`Seeding outlasted the lead time: run again with --lead ${leadSeconds * 2}`);
  // Each group buy closes within a minute of its cutoff; the stream then builds the purchase order.
  const id = `${city.supplierId}-${city.pickupDate}`;
  for (;;) {
    await new Promise((r) => setTimeout(r, 5000));
    const res = await call('GET', `/purchase-orders/${id}`, { token: city.supplierToken });
    const po = res.status === 200 ? (res.body as { pickupPointCount: number; revision: number }) : undefined;
    const count = po?.pickupPointCount ?? 0;
    console.log(`  ${new Date().toISOString()} purchase order: ${po ? `revision ${po.revision}, ${count} pickup points` : 'not yet'}`);
    if (count === points) break;
    if (Date.now() > cutoffAt.getTime() + 10 * 60_000) throw new Error('The purchase order is not complete 10 minutes after the cutoff');
  }
  const result = await checkPurchaseOrder(call, city);
  console.log(
    `${id}: ${result.cells} cells, ${result.jsonPages} JSON page(s) (largest ${result.largestJsonBytes} bytes), ${result.csvParts} CSV part(s) (largest ${result.largestCsvBytes} bytes), ${
      result.problems.length ? `${result.problems.length} PROBLEMS:\n  ${result.problems.slice(0, 20).join('\n  ')}` : 'exact'
    }`,
  );
  if (result.problems.length) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(err.stack ?? err.message);
    process.exitCode = 1;
  });
}
