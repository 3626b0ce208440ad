// A supplier's day at a city's scale, through the HTTP API: pickup points × 15 products, ordered, paid, cut
// off by the nightly job, consolidated from the stream, and read back as the supplier reads it, exact to
// the cell (scripts/city-purchase-order.ts does the same against `npm start`). Then the same purchase order
// read in small pages: pages and CSV parts add up to the whole, and pages of one reading are of one revision.
// `npm test` runs it with 30 pickup points (its seeding is most of the time); the case, 300 points ×
// 15 products (4,500 cells, past the ~3,000 at which a purchase order kept in one item reached DynamoDB's
// 400 KB), is `CITY_POINTS=300 npx jest functions/purchase-orders/city.int.test.ts`, and `npm run bench -- --city`.
import type { PurchaseOrderPage } from '../../lib/purchase-orders/purchase-orders';
import { encodeBreakdownCursor, purchaseOrderCsvPart, readPurchaseOrderPage } from '../../lib/purchase-orders/purchase-orders';
import { purchaseOrderDeps } from '../../lib/purchase-orders/wiring';
import type { Call, City } from '../../scripts/city-purchase-order';
import { checkPurchaseOrder, groupBuysNotClosed, seedCity } from '../../scripts/city-purchase-order';
import { hoursFromNow, shanghaiDate } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { passCutoff } from '../../test/support/time-travel';

const api = useStack();
let city: City;
let id: string;

const POINTS = Number(process.env.CITY_POINTS ?? 30);
const call: Call = (method, path, options) => api.call(method, path, options);
const PRODUCTS = 15;

test(`a purchase order of ${POINTS} pickup points × ${PRODUCTS} products is issued exactly`, async () => {
  city = await seedCity(call, {
    points: POINTS,
    products: PRODUCTS,
    cutoffAt: hoursFromNow(2),
    pickupDate: shanghaiDate(hoursFromNow(30)),
  });
  id = `${city.supplierId}-${city.pickupDate}`;
  await passCutoff(city.groupBuyIds);
  // As the schedule does, run by run: each run begins what it can within the HTTP call's limit and the
  // stream closes what was begun; a city's wave takes a few runs on this machine.
  let runs = 0;
  let notClosed: number;
  do {
    const report = await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: city.operator }));
    expect(report.status).toBe(200);
    await api.drain();
    notClosed = await groupBuysNotClosed(call, city);
  } while (notClosed > 0 && ++runs < 10);
  expect(notClosed).toBe(0);

  const result = await checkPurchaseOrder(call, city);
  expect(result.problems).toEqual([]);
  expect(result).toMatchObject({ cells: POINTS * PRODUCTS, jsonPages: 1, csvParts: 1 });
  const po = (await api.call('GET', `/purchase-orders/${id}`, { token: city.supplierToken })).body;
  expect(po).toMatchObject({ status: 'issued', pickupPointCount: POINTS, part: 1 });
  expect(po.lines).toHaveLength(PRODUCTS);
  // Every revision says which pickup points it changed; together they cover every pickup point once.
  const revisions = (await api.call('GET', `/purchase-orders/${id}/revisions?limit=100`, { token: city.supplierToken })).body.items;
  expect(revisions).toHaveLength(po.revision);
  expect(new Set(revisions.flatMap((r: { pickupPoints: { leaderId: string }[] }) => r.pickupPoints.map((c) => c.leaderId))).size).toBe(
    POINTS,
  );
}, 600_000);

describe('read in pages (budgets made small, so that this purchase order needs several)', () => {
  // Budgets in proportion to the size (60 KB and 40 KB at 300 pickup points), so that any size needs several.
  const JSON_BUDGET = 200 * POINTS;
  const CSV_BUDGET = 133 * POINTS;
  const deps = { ...purchaseOrderDeps(), responseBudgetBytes: JSON_BUDGET, csvPartBytes: CSV_BUDGET };
  const supplier = () => ({ userId: 'city-supplier', roles: ['supplier' as const], supplierId: city.supplierId });

  test('JSON pages: each under its budget, each pickup point on one page, together the whole breakdown; CSV parts concatenate to the file', async () => {
    const pages: PurchaseOrderPage[] = [];
    let cursor: string | undefined;
    do {
      const page = await readPurchaseOrderPage(deps, supplier(), id, cursor);
      expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThan(JSON_BUDGET);
      pages.push(page);
      cursor = page.breakdownCursor;
    } while (cursor);
    expect(pages.length).toBeGreaterThan(5);
    const points = pages.flatMap((p) => p.pickupPoints);
    expect(new Set(points.map((p) => p.leaderId)).size).toBe(POINTS);
    expect(points).toHaveLength(POINTS);

    let csv = '';
    let parts = 0;
    cursor = undefined;
    do {
      const part = await purchaseOrderCsvPart(deps, supplier(), id, cursor);
      expect(Buffer.byteLength(part.text)).toBeLessThan(CSV_BUDGET);
      csv += part.text;
      parts++;
      cursor = part.nextCursor;
    } while (cursor);
    expect(parts).toBeGreaterThan(5);
    // The same rows as the whole file in one response (whose points are all on one page, by name; parts are by storage order).
    const whole = (await api.call('GET', `/purchase-orders/${id}`, { token: city.supplierToken, headers: { accept: 'text/csv' } })).text;
    // (fetch's text() drops the byte order mark: compared without it.)
    const sortedRows = (text: string) =>
      text
        .replace(/^\uFEFF/, '')
        .split('\r\n')
        .sort();
    expect(csv.startsWith('\uFEFF')).toBe(true);
    expect(sortedRows(csv)).toEqual(sortedRows(whole));
  });

  test('after a revision a JSON cursor of the previous one is refused (409), while a CSV download goes on at its revision', async () => {
    const before = await readPurchaseOrderPage(deps, supplier(), id);
    const csvBefore = await purchaseOrderCsvPart(deps, supplier(), id);
    // A whole line of one order refunded by an operator: that pickup point's first product goes.
    const [leaderId, order] = [...city.orders].at(-1)!;
    const refund = await api.call('POST', `/orders/${order.orderId}/refunds`, {
      token: city.operator,
      body: { amountFen: order.items[0]!.amountFen, reason: '缺货' },
    });
    expect(refund.status).toBe(201);
    await api.drain();

    const after = (await api.call('GET', `/purchase-orders/${id}`, { token: city.supplierToken })).body;
    expect(after.revision).toBe(before.po.revision + 1);
    const changed = after.pickupPoints.find((p: { leaderId: string }) => p.leaderId === leaderId);
    expect(changed.lines.map((l: { productId: string }) => l.productId)).not.toContain(order.items[0]!.productId);
    const revision = (await api.call('GET', `/purchase-orders/${id}/revisions?limit=100`, { token: city.supplierToken })).body.items.at(-1);
    expect(revision).toMatchObject({
      revision: after.revision,
      pickupPoints: [{ leaderId, productId: order.items[0]!.productId, after: 0, delta: -order.items[0]!.quantity }],
    });

    const stale = encodeBreakdownCursor({ revision: before.po.revision, after: before.pickupPoints[0]!.leaderId });
    const refused = await api.call('GET', `/purchase-orders/${id}?cursor=${stale}`, { token: city.supplierToken });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('CONFLICT');
    expect((await api.call('GET', `/purchase-orders/${id}?cursor=not-a-cursor`, { token: city.supplierToken })).status).toBe(400);

    // The download begun before the revision ends at that revision: the refunded line is still in it.
    let csv = csvBefore.text;
    let cursor = csvBefore.nextCursor;
    while (cursor) {
      const res = await api.call('GET', `/purchase-orders/${id}?cursor=${cursor}`, {
        token: city.supplierToken,
        headers: { accept: 'text/csv' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toContain(`-r${before.po.revision}.csv`);
      csv += res.text;
      cursor = res.headers.get('x-next-cursor') ?? undefined;
    }
    expect(csv.split('\r\n').filter((r) => r.includes(`,${leaderId},${order.items[0]!.productId},`))).toHaveLength(1);
  });
});
