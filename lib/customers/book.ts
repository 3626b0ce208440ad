// The rules of the customer book and its stats, as pure functions: what an order contributes to its
// customer, the customer's summary from their orders, and what a change moves in the leader's per-day
// stats. A window of 1–365 days is then answered from at most 365 day items, never from the orders:
//   orders, gmvFen, commissionFen   sums of the days in the window;
//   customers                      customers whose latest order falls in the window (each counted on one day: their last);
//   newCustomers                   customers whose first order falls in the window (counted on their first day);
//   repeatCustomers                customers with orders in two or more group buys in the window: their second most
//                                  recent group buy's latest order falls in it (counted on that day, `repeatDate`).
// Each customer is counted on exactly one day for each of the three, so a change moves a customer from one
// day to another (−1 here, +1 there) and sums over any window stay exact.
import { createHash } from 'node:crypto';
import type { CustomerOrder, CustomerSummary, StatsDay } from '../../schemas/customers';
import type { Order } from '../../schemas/orders';
import { maskName, maskPhone } from '../orders/privacy';
import { addDays, businessDate } from '../runtime/time';

/** Orders that stand: paid, and not cancelled or refunded in full. Before or after the cutoff alike. */
const STANDING: ReadonlySet<string> = new Set(['paid', 'ready_for_pickup', 'picked_up']);

/** The customer id a leader sees: opaque, stable, and different at every pickup point. */
export function customerIdOf(leaderId: string, userId: string): string {
  return `c-${createHash('sha256').update(`${leaderId}\n${userId}`).digest('base64url').slice(0, 20)}`;
}

/** What an order contributes to its customer: it counts when it was paid and something of it stands. */
export function customerOrderOf(order: Order): CustomerOrder {
  const netFen = order.totalFen - order.refundedFen;
  const counts = order.paidAt !== undefined && STANDING.has(order.status) && netFen > 0;
  return {
    leaderId: order.leaderId,
    userId: order.userId,
    orderId: order.orderId,
    groupBuyId: order.groupBuyId,
    placedAt: order.createdAt,
    counts,
    netFen: counts ? netFen : 0,
    orderVersion: order.version,
    contactName: maskName(order.contactName),
    contactPhone: maskPhone(order.contactPhone),
  };
}

/** Whether two contributions say the same (then a newer image of the order changes nothing). */
export const sameContribution = (a: CustomerOrder, b: CustomerOrder) =>
  a.counts === b.counts &&
  a.netFen === b.netFen &&
  a.placedAt === b.placedAt &&
  a.groupBuyId === b.groupBuyId &&
  a.contactName === b.contactName &&
  a.contactPhone === b.contactPhone;

/** Newest image wins: every write of an order moves its version on. */
export function compareVersions(stored: CustomerOrder | undefined, incoming: CustomerOrder): 'newer' | 'same' | 'older' {
  if (!stored || incoming.orderVersion > stored.orderVersion) return 'newer';
  return incoming.orderVersion < stored.orderVersion ? 'older' : 'same';
}

const dayOf = (iso: string) => businessDate(new Date(iso));
const byPlaced = (a: CustomerOrder, b: CustomerOrder) =>
  a.placedAt < b.placedAt ? -1 : a.placedAt > b.placedAt ? 1 : a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0;

/** The customer's summary from all their orders at the pickup point (those that count). */
export function summarise(leaderId: string, userId: string, orders: CustomerOrder[], version: number): CustomerSummary {
  const counting = orders.filter((o) => o.counts).sort(byPlaced);
  const first = counting[0];
  const last = counting.at(-1);
  // Per group buy, the day of its latest order; the second latest of those is where "repeat" begins.
  const latestByGroupBuy = new Map<string, string>();
  for (const o of counting) latestByGroupBuy.set(o.groupBuyId, dayOf(o.placedAt));
  const repeatDate = [...latestByGroupBuy.values()].sort().reverse()[1];
  return {
    leaderId,
    userId,
    customerId: customerIdOf(leaderId, userId),
    orders: counting.length,
    spentFen: counting.reduce((sum, o) => sum + o.netFen, 0),
    groupBuys: latestByGroupBuy.size,
    ...(first ? { firstOrderAt: first.placedAt } : {}),
    ...(last ? { lastOrderAt: last.placedAt, contactName: last.contactName, contactPhone: last.contactPhone } : {}),
    ...(repeatDate ? { repeatDate } : {}),
    version,
  };
}

export type DayDelta = Omit<StatsDay, 'date'> & { date: string };

/** A day with nothing counted yet. */
export const emptyDay = (date: string): DayDelta => ({
  date,
  orders: 0,
  gmvFen: 0,
  firstCustomers: 0,
  lastCustomers: 0,
  repeatCustomers: 0,
  commissionFen: 0,
});

/**
 * What replacing one order's contribution (`before` → `after`) and the customer's summary with it does to
 * the leader's days. Only non-zero changes; at most six days are touched.
 */
export function dayDeltas(
  before: { summary?: CustomerSummary; order?: CustomerOrder },
  after: { summary: CustomerSummary; order: CustomerOrder },
): DayDelta[] {
  const days = new Map<string, DayDelta>();
  const at = (date: string) => days.get(date) ?? days.set(date, emptyDay(date)).get(date)!;
  const order = (o: CustomerOrder | undefined, sign: 1 | -1) => {
    if (!o?.counts) return;
    const d = at(dayOf(o.placedAt));
    d.orders += sign;
    d.gmvFen += sign * o.netFen;
  };
  const customer = (s: CustomerSummary | undefined, sign: 1 | -1) => {
    if (!s || s.orders === 0) return;
    at(dayOf(s.firstOrderAt!)).firstCustomers += sign;
    at(dayOf(s.lastOrderAt!)).lastCustomers += sign;
    if (s.repeatDate) at(s.repeatDate).repeatCustomers += sign;
  };
  order(before.order, -1);
  order(after.order, 1);
  customer(before.summary, -1);
  customer(after.summary, 1);
  return [...days.values()]
    .filter((d) => d.orders || d.gmvFen || d.firstCustomers || d.lastCustomers || d.repeatCustomers || d.commissionFen)
    .sort((a, b) => (a.date < b.date ? -1 : 1));
}

// ---------------------------------------------------------------------------------------------------
// Windows and figures

/** The window of `days` business days ending today (Asia/Shanghai), both ends included. */
export function windowOf(now: Date, days: number): { from: string; to: string } {
  return { from: businessDate(addDays(now, -(days - 1))), to: businessDate(now) };
}

/** The business dates from `from` to `to`, both included. */
function datesBetween(from: string, to: string): string[] {
  const dates: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    dates.push(new Date(t).toISOString().slice(0, 10));
  }
  return dates;
}

export interface Stats {
  days: number;
  from: string;
  to: string;
  customers: number;
  newCustomers: number;
  repeatCustomers: number;
  repeatRateBps: number;
  orders: number;
  gmvFen: number;
  averageOrderFen: number;
  commissionFen: number;
  weeks: { from: string; to: string; orders: number; gmvFen: number; commissionFen: number }[];
}

/** API.md's figures over the window, from its days (days outside it are ignored). */
export function statsOf(days: number, window: { from: string; to: string }, stored: StatsDay[]): Stats {
  const inWindow = stored.filter((d) => d.date >= window.from && d.date <= window.to);
  const sum = (f: (d: StatsDay) => number, of: StatsDay[] = inWindow) => of.reduce((s, d) => s + f(d), 0);
  const customers = sum((d) => d.lastCustomers);
  const repeatCustomers = sum((d) => d.repeatCustomers);
  const orders = sum((d) => d.orders);
  const gmvFen = sum((d) => d.gmvFen);
  // Seven-day spans ending today, oldest first; the oldest holds what is left (fewer days).
  const dates = datesBetween(window.from, window.to);
  const weeks: Stats['weeks'] = [];
  for (let end = dates.length; end > 0; end -= 7) {
    const span = dates.slice(Math.max(0, end - 7), end);
    const of = inWindow.filter((d) => d.date >= span[0]! && d.date <= span.at(-1)!);
    weeks.unshift({
      from: span[0]!,
      to: span.at(-1)!,
      orders: sum((d) => d.orders, of),
      gmvFen: sum((d) => d.gmvFen, of),
      commissionFen: sum((d) => d.commissionFen, of),
    });
  }
  return {
    days,
    from: window.from,
    to: window.to,
    customers,
    newCustomers: sum((d) => d.firstCustomers),
    repeatCustomers,
    repeatRateBps: customers === 0 ? 0 : Math.floor((repeatCustomers * 10_000) / customers),
    orders,
    gmvFen,
    averageOrderFen: orders === 0 ? 0 : Math.floor(gmvFen / orders),
    commissionFen: sum((d) => d.commissionFen),
    weeks,
  };
}
