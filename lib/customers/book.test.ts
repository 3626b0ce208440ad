// The customer book's rules: contributions, summaries, day deltas and the window's figures, checked against a
// recomputation straight from the orders, including under duplicated and reordered deliveries.
import { businessDate } from '../runtime/time';
import fc from 'fast-check';
import type { CustomerOrder, CustomerSummary, StatsDay } from '../../schemas/customers';
import { STATS_DAY_FIGURES } from '../../schemas/customers';
import type { Order } from '../../schemas/orders';
import { customerIdOf, customerOrderOf, dayDeltas, emptyDay, statsOf, summarise, windowOf } from './book';
import type { CustomerBookStore } from './customers';
import { applyOrder } from './customers';
import { averageRatingX100 } from './reviews';

const NOW = new Date('2026-12-01T04:00:00Z'); // 12:00 in Shanghai, 2026-12-01

function order(over: Partial<Order> & { orderId: string }): Order {
  return {
    userId: 'u-1',
    groupBuyId: 'gb-1',
    leaderId: 'l-1',
    pickupDate: '2026-12-02',
    cutoffAt: '2026-12-01T15:00:00Z',
    status: 'paid',
    items: [],
    totalFen: 1000,
    refundedFen: 0,
    contactName: '王小明',
    contactPhone: '13812345678',
    createdAt: '2026-12-01T02:00:00Z',
    updatedAt: '2026-12-01T02:00:00Z',
    expiresAt: '2026-12-01T02:15:00Z',
    paidAt: '2026-12-01T02:01:00Z',
    version: 2,
    ...over,
  };
}

test('an order counts when paid and something of it stands; contacts are masked when kept', () => {
  expect(customerOrderOf(order({ orderId: 'o1' }))).toMatchObject({
    counts: true,
    netFen: 1000,
    contactName: '王**',
    contactPhone: '138****5678',
  });
  expect(customerOrderOf(order({ orderId: 'o2', refundedFen: 300, status: 'picked_up' }))).toMatchObject({ counts: true, netFen: 700 });
  expect(customerOrderOf(order({ orderId: 'o3', refundedFen: 1000, status: 'refunded' }))).toMatchObject({ counts: false, netFen: 0 });
  expect(customerOrderOf(order({ orderId: 'o4', refundedFen: 1000, status: 'cancelled' }))).toMatchObject({ counts: false });
  expect(customerOrderOf(order({ orderId: 'o5', status: 'pending_payment', paidAt: undefined }))).toMatchObject({ counts: false });
});

test('a customer id is stable per pickup point and differs between pickup points', () => {
  expect(customerIdOf('l-1', 'u-1')).toBe(customerIdOf('l-1', 'u-1'));
  expect(customerIdOf('l-1', 'u-1')).not.toBe(customerIdOf('l-2', 'u-1'));
  expect(customerIdOf('l-1', 'u-1')).not.toContain('u-1');
});

test('a summary: orders, spend, first and last order, the latest contact, and where repeating begins', () => {
  const c = (orderId: string, groupBuyId: string, placedAt: string, netFen: number, counts = true): CustomerOrder => ({
    leaderId: 'l-1',
    userId: 'u-1',
    orderId,
    groupBuyId,
    placedAt,
    counts,
    netFen: counts ? netFen : 0,
    orderVersion: 1,
    contactName: `${orderId}*`,
    contactPhone: '138****0000',
  });
  const s = summarise(
    'l-1',
    'u-1',
    [
      c('o3', 'gb-2', '2026-11-20T03:00:00Z', 500),
      c('o1', 'gb-1', '2026-11-01T03:00:00Z', 1000),
      c('o2', 'gb-1', '2026-11-25T17:00:00Z', 200), // 2026-11-26 in Shanghai
      c('o4', 'gb-3', '2026-11-30T03:00:00Z', 900, false),
    ],
    7,
  );
  expect(s).toMatchObject({
    orders: 3,
    spentFen: 1700,
    groupBuys: 2,
    firstOrderAt: '2026-11-01T03:00:00Z',
    lastOrderAt: '2026-11-25T17:00:00Z',
    contactName: 'o2*',
    // gb-1 last on 11-26, gb-2 on 11-20: a window from 11-20 on sees two group buys.
    repeatDate: '2026-11-20',
    version: 7,
  });
  expect(
    summarise('l-1', 'u-1', [c('o1', 'gb-1', '2026-11-01T03:00:00Z', 1000), c('o2', 'gb-1', '2026-11-02T03:00:00Z', 1)], 1).repeatDate,
  ).toBe(undefined);
});

test('the window is `days` business days ending today in Shanghai, and the figures follow API.md', () => {
  expect(windowOf(NOW, 1)).toEqual({ from: '2026-12-01', to: '2026-12-01' });
  expect(windowOf(NOW, 30)).toEqual({ from: '2026-11-02', to: '2026-12-01' });
  const day = (date: string, d: Partial<StatsDay>): StatsDay => ({ ...emptyDay(date), ...d });
  const stats = statsOf(10, windowOf(NOW, 10), [
    day('2026-11-21', { orders: 5, gmvFen: 5000, lastCustomers: 1 }), // outside
    day('2026-11-22', { orders: 2, gmvFen: 1001, firstCustomers: 1, lastCustomers: 1, repeatCustomers: 1, commissionFen: 100 }),
    day('2026-12-01', { orders: 1, gmvFen: 1000, lastCustomers: 2, repeatCustomers: 0, commissionFen: -30 }),
  ]);
  expect(stats).toMatchObject({
    from: '2026-11-22',
    to: '2026-12-01',
    customers: 3,
    newCustomers: 1,
    repeatCustomers: 1,
    repeatRateBps: 3333,
    orders: 3,
    gmvFen: 2001,
    averageOrderFen: 667,
    commissionFen: 70,
  });
  expect(stats.weeks).toEqual([
    { from: '2026-11-22', to: '2026-11-24', orders: 2, gmvFen: 1001, commissionFen: 100 },
    { from: '2026-11-25', to: '2026-12-01', orders: 1, gmvFen: 1000, commissionFen: -30 },
  ]);
  expect(statsOf(7, windowOf(NOW, 7), [])).toMatchObject({ customers: 0, repeatRateBps: 0, orders: 0, averageOrderFen: 0 });
});

test('the average rating is in hundredths of a star, rounded half up', () => {
  expect(averageRatingX100({ count: 0, ratingSum: 0 })).toBe(0);
  expect(averageRatingX100({ count: 3, ratingSum: 14 })).toBe(467);
  expect(averageRatingX100({ count: 3, ratingSum: 13 })).toBe(433);
  expect(averageRatingX100({ count: 8, ratingSum: 37 })).toBe(463); // 4.625 → 4.63
});

// ---- Against a recomputation, whatever the delivery ----------------------------------------------------------------

/** The book in memory, with the same contract as the DynamoDB adapter (the summary's version guards a write). */
function memoryBook() {
  const partitions = new Map<string, { summary?: CustomerSummary; orders: Map<string, CustomerOrder> }>();
  const days = new Map<string, StatsDay>();
  const store: CustomerBookStore = {
    async customer(leaderId, userId) {
      const p = partitions.get(`${leaderId}#${userId}`);
      return {
        ...(p?.summary ? { summary: structuredClone(p.summary) } : {}),
        orders: [...(p?.orders.values() ?? [])].map((o) => ({ ...o })),
      };
    },
    async apply(readVersion, summary, o, deltas) {
      const key = `${summary.leaderId}#${summary.userId}`;
      const p: { summary?: CustomerSummary; orders: Map<string, CustomerOrder> } = partitions.get(key) ?? { orders: new Map() };
      if ((p.summary?.version ?? 0) !== readVersion) return 'stale';
      p.summary = summary;
      p.orders.set(o.orderId, o);
      partitions.set(key, p);
      for (const d of deltas) {
        const day = days.get(d.date) ?? emptyDay(d.date);
        for (const f of STATS_DAY_FIGURES) day[f] += d[f];
        days.set(d.date, day);
      }
      return 'applied';
    },
    async bookEarnings() {
      return 'booked';
    },
    async customersOf() {
      return { items: [] };
    },
    async daysOf() {
      return [...days.values()];
    },
  };
  return { store, days, partitions };
}

/** API.md's figures from the orders themselves (independent of book.ts). */
function recompute(orders: Order[], from: string, to: string) {
  const shanghai = (iso: string) => businessDate(new Date(iso));
  const standing = orders.filter(
    (o) => o.paidAt && ['paid', 'ready_for_pickup', 'picked_up'].includes(o.status) && o.totalFen > o.refundedFen,
  );
  const inWindow = standing.filter((o) => shanghai(o.createdAt) >= from && shanghai(o.createdAt) <= to);
  const users = new Set(inWindow.map((o) => o.userId));
  const firstDay = (u: string) =>
    standing
      .filter((o) => o.userId === u)
      .map((o) => shanghai(o.createdAt))
      .sort()[0]!;
  const gmvFen = inWindow.reduce((s, o) => s + o.totalFen - o.refundedFen, 0);
  return {
    customers: users.size,
    newCustomers: [...users].filter((u) => firstDay(u) >= from).length,
    repeatCustomers: [...users].filter((u) => new Set(inWindow.filter((o) => o.userId === u).map((o) => o.groupBuyId)).size >= 2).length,
    orders: inWindow.length,
    gmvFen,
    averageOrderFen: inWindow.length ? Math.floor(gmvFen / inWindow.length) : 0,
  };
}

/** One order's images through its life: placed → paid → (ready → picked up | cancelled) → maybe refunds. */
const history = fc.record({
  userId: fc.constantFrom('u-1', 'u-2', 'u-3'),
  groupBuyId: fc.constantFrom('gb-1', 'gb-2', 'gb-3'),
  daysAgo: fc.integer({ min: 0, max: 60 }),
  totalFen: fc.integer({ min: 1, max: 5000 }),
  path: fc.constantFrom('stays-paid', 'picked-up', 'cancelled', 'partly-refunded', 'refunded-after-pickup'),
  refundFen: fc.integer({ min: 1, max: 5000 }),
});

type History = { userId: string; groupBuyId: string; daysAgo: number; totalFen: number; path: string; refundFen: number };

function imagesOf(i: number, h: History): Order[] {
  const createdAt = new Date(NOW.getTime() - h.daysAgo * 86_400_000 - 3_600_000).toISOString();
  const base = order({ orderId: `o${i}`, userId: h.userId, groupBuyId: h.groupBuyId, totalFen: h.totalFen, createdAt, version: 2 });
  const images = [base];
  const next = (over: Partial<Order>) => images.push({ ...images.at(-1)!, ...over, version: images.at(-1)!.version + 1 });
  if (h.path === 'cancelled') next({ status: 'cancelled', refundedFen: h.totalFen });
  if (h.path !== 'stays-paid' && h.path !== 'cancelled') {
    next({ status: 'ready_for_pickup', pickupCode: '123456' });
    next({ status: 'picked_up', pickedUpAt: NOW.toISOString() });
  }
  if (h.path === 'partly-refunded') next({ refundedFen: Math.min(h.refundFen, h.totalFen - 1) });
  if (h.path === 'refunded-after-pickup') next({ status: 'refunded', refundedFen: h.totalFen });
  return images;
}

test('every window equals a recomputation from the orders, however the images arrive (twice, out of order)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(history, { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 2 ** 31 }), async (histories, seed) => {
      const all = histories.map((h, i) => imagesOf(i, h));
      // Every image, each delivered twice, in a shuffled order (seeded).
      const deliveries = all.flat().flatMap((o) => [o, o]);
      let s = seed;
      for (let i = deliveries.length - 1; i > 0; i--) {
        s = (s * 1103515245 + 12345) % 2 ** 31;
        const j = s % (i + 1);
        [deliveries[i], deliveries[j]] = [deliveries[j]!, deliveries[i]!];
      }
      const { store } = memoryBook();
      for (const o of deliveries) await applyOrder({ book: store }, o);
      const finals = all.map((images) => images.at(-1)!);
      for (const days of [1, 7, 30, 61]) {
        const window = windowOf(NOW, days);
        expect(statsOf(days, window, await store.daysOf('l-1', window.from, window.to))).toMatchObject(
          recompute(finals, window.from, window.to),
        );
      }
      // And each customer's entry equals their standing orders.
      for (const userId of new Set(finals.map((o) => o.userId))) {
        const { summary } = await store.customer('l-1', userId);
        const mine = finals.filter(
          (o) =>
            o.userId === userId && o.paidAt && ['paid', 'ready_for_pickup', 'picked_up'].includes(o.status) && o.totalFen > o.refundedFen,
        );
        expect({ orders: summary?.orders, spentFen: summary?.spentFen }).toEqual({
          orders: mine.length,
          spentFen: mine.reduce((sum, o) => sum + o.totalFen - o.refundedFen, 0),
        });
      }
    }),
    { numRuns: 150 },
  );
});

test('a day delta moves a customer from their old last day to the new one', () => {
  const before = summarise('l-1', 'u-1', [customerOrderOf(order({ orderId: 'o1', createdAt: '2026-11-01T03:00:00Z' }))], 1);
  const added = customerOrderOf(order({ orderId: 'o2', groupBuyId: 'gb-2', createdAt: '2026-11-05T03:00:00Z', totalFen: 250 }));
  const after = summarise('l-1', 'u-1', [customerOrderOf(order({ orderId: 'o1', createdAt: '2026-11-01T03:00:00Z' })), added], 2);
  expect(dayDeltas({ summary: before }, { summary: after, order: added })).toEqual([
    { date: '2026-11-01', orders: 0, gmvFen: 0, firstCustomers: 0, lastCustomers: -1, repeatCustomers: 1, commissionFen: 0 },
    { date: '2026-11-05', orders: 1, gmvFen: 250, firstCustomers: 0, lastCustomers: 1, repeatCustomers: 0, commissionFen: 0 },
  ]);
});
