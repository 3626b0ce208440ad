// The customer book and the stats: kept from the order and ledger streams (each change applied exactly once,
// whatever the queue delivers twice or out of order), and read by the leader (and by operators, per leader).
import type { LedgerEntry } from '../../schemas/commissions';
import type { CustomerOrder, CustomerSummary, StatsDay } from '../../schemas/customers';
import type { Order } from '../../schemas/orders';
import type { LeaderStore } from '../leaders/leaders';
import type { Principal } from '../runtime/auth';
import { isOperator } from '../runtime/auth';
import type { Clock } from '../runtime/clock';
import { forbidden, notFound } from '../runtime/errors';
import type { Page } from '../runtime/page';
import { businessDate, toBusinessIso } from '../runtime/time';
import { backoff } from '../runtime/retry';
import type { DayDelta } from './book';
import { compareVersions, customerOrderOf, dayDeltas, sameContribution, statsOf, summarise, windowOf } from './book';

// ---------------------------------------------------------------------------------------------------
// Ports

/** A customer's partition as read (strongly consistent): the summary, and every order's contribution. */
export interface CustomerRecord {
  summary?: CustomerSummary;
  orders: CustomerOrder[];
}

export interface CustomerBookStore {
  customer(leaderId: string, userId: string): Promise<CustomerRecord>;
  /**
   * Writes the order's contribution and the customer's new summary, and ADDs the deltas to the leader's
   * days, all or nothing, only if the summary is still at `readVersion` (0: none yet): 'stale' otherwise.
   */
  apply(readVersion: number, summary: CustomerSummary, order: CustomerOrder, deltas: DayDelta[]): Promise<'applied' | 'stale'>;
  /**
   * ADDs ledger entries' amounts (of one leader, booked on one day) to that day, each entry once: all of
   * them, or none when any was booked before ('already').
   */
  bookEarnings(leaderId: string, date: string, entries: { entryId: string; amountFen: number }[]): Promise<'booked' | 'already'>;
  /** The leader's customers with an order that counts, latest order first. */
  customersOf(leaderId: string, limit: number, cursor?: string): Promise<Page<CustomerSummary>>;
  /** The leader's days from `from` to `to` (business dates, both included); days with nothing are absent. */
  daysOf(leaderId: string, from: string, to: string): Promise<StatsDay[]>;
}

export interface CustomerBookDeps {
  book: CustomerBookStore;
  leaders: Pick<LeaderStore, 'get' | 'getByUser'>;
  clock: Clock;
}

// ---------------------------------------------------------------------------------------------------
// Keeping the book

const MAX_APPLY_ATTEMPTS = 10;

export type ApplyOutcome = 'applied' | 'unchanged' | 'already' | 'superseded';

/**
 * Applies one image of a paid order to its customer's entry and the leader's days. Decided on the
 * customer's partition as read, committed only if nobody changed it meanwhile (else read again), so two
 * images of one customer's orders never both apply on the same read. An image older than the one applied,
 * or the same one again, changes nothing.
 */
export async function applyOrder(deps: Pick<CustomerBookDeps, 'book'>, order: Order): Promise<ApplyOutcome> {
  const incoming = customerOrderOf(order);
  for (let attempt = 1; ; attempt++) {
    const record = await deps.book.customer(order.leaderId, order.userId);
    const stored = record.orders.find((o) => o.orderId === order.orderId);
    const compared = compareVersions(stored, incoming);
    if (compared === 'same') return 'already';
    if (compared === 'older') return 'superseded';
    // A newer image that says the same (the cutoff's pickup code, a pickup) changes nothing: no write.
    if (stored && sameContribution(stored, incoming)) return 'unchanged';
    // An order first seen when it no longer counts (paid, then cancelled) is recorded all the same, so that
    // its older image, delivered later, is known to be older.
    const readVersion = record.summary?.version ?? 0;
    const orders = [...record.orders.filter((o) => o.orderId !== order.orderId), incoming];
    const summary = summarise(order.leaderId, order.userId, orders, readVersion + 1);
    const deltas = dayDeltas({ summary: record.summary, order: stored }, { summary, order: incoming });
    if ((await deps.book.apply(readVersion, summary, incoming, deltas)) === 'applied') return 'applied';
    if (attempt >= MAX_APPLY_ATTEMPTS) throw new Error(`The customer entry of order ${order.orderId} keeps changing`);
    await backoff(attempt);
  }
}

/** The ledger kinds that are earnings (a payout moves money out; it earns nothing). */
const EARNINGS: ReadonlySet<string> = new Set(['accrual', 'reversal', 'referral']);
/** One transaction holds at most 100 actions: the day's ADD and 99 guards. */
const MAX_ENTRIES_PER_BOOKING = 99;

export type EntryOutcome = 'booked' | 'already' | 'ignored';

/**
 * Adds ledger entries' earnings to the days they were booked, each entry once. The entries of one leader
 * and day go in one transaction (one ADD to the day, a guard per entry); when any of them was booked
 * before (a delivery again), each is booked alone, so that only the new ones count.
 */
export async function applyLedgerEntries(deps: Pick<CustomerBookDeps, 'book'>, entries: LedgerEntry[]): Promise<Map<string, EntryOutcome>> {
  const outcomes = new Map<string, EntryOutcome>();
  const groups = new Map<string, { leaderId: string; date: string; entries: LedgerEntry[] }>();
  for (const entry of entries) {
    if (!EARNINGS.has(entry.kind) || entry.amountFen === 0 || outcomes.has(entry.entryId)) {
      outcomes.set(entry.entryId, outcomes.get(entry.entryId) ?? 'ignored');
      continue;
    }
    outcomes.set(entry.entryId, 'already'); // until booked below
    const date = businessDate(new Date(entry.createdAt));
    const key = `${entry.leaderId}#${date}`;
    const group = groups.get(key) ?? { leaderId: entry.leaderId, date, entries: [] };
    group.entries.push(entry);
    groups.set(key, group);
  }
  const book = (leaderId: string, date: string, some: LedgerEntry[]) =>
    deps.book.bookEarnings(
      leaderId,
      date,
      some.map((e) => ({ entryId: e.entryId, amountFen: e.amountFen })),
    );
  for (const { leaderId, date, entries: all } of groups.values()) {
    for (let i = 0; i < all.length; i += MAX_ENTRIES_PER_BOOKING) {
      const chunk = all.slice(i, i + MAX_ENTRIES_PER_BOOKING);
      if (chunk.length > 1 && (await book(leaderId, date, chunk)) === 'booked') {
        for (const e of chunk) outcomes.set(e.entryId, 'booked');
        continue;
      }
      for (const e of chunk) outcomes.set(e.entryId, await book(leaderId, date, [e]));
    }
  }
  return outcomes;
}

/**
 * A re-run: applies every order and every ledger entry of a leader again. What is already applied is
 * found so and changes nothing; what a lost message never applied is applied now; over an emptied book
 * it rebuilds every figure exactly. For the first fill after deployment and after dead letters.
 */
export async function rerunLeader(
  deps: Pick<CustomerBookDeps, 'book'>,
  history: { orders: Order[]; entries: LedgerEntry[] },
): Promise<{ orders: Record<ApplyOutcome, number>; entries: Record<EntryOutcome, number> }> {
  const orders: Record<ApplyOutcome, number> = { applied: 0, unchanged: 0, already: 0, superseded: 0 };
  const entries: Record<EntryOutcome, number> = { booked: 0, already: 0, ignored: 0 };
  for (const order of history.orders) if (order.paidAt) orders[await applyOrder(deps, order)]++;
  for (const outcome of (await applyLedgerEntries(deps, history.entries)).values()) entries[outcome]++;
  return { orders, entries };
}

export interface BookRecord {
  /** The message's id: what a failure is reported by. */
  id: string;
  /** What the record carries, if it is one the book reads (parsed late: a bad image fails its own record). */
  read: () => { order: Order } | { entry: LedgerEntry } | undefined;
}

/**
 * A batch of changes: each order's image applied on its own (a failure is its record's alone), and the
 * batch's ledger entries booked together per leader and day (a failure reports their records).
 */
export async function keepBook(
  deps: Pick<CustomerBookDeps, 'book'>,
  records: BookRecord[],
): Promise<{ failedIds: string[]; errors: { id: string; error: Error }[] }> {
  const errors: { id: string; error: Error }[] = [];
  const entries: { id: string; entry: LedgerEntry }[] = [];
  for (const record of records) {
    try {
      const read = record.read();
      if (read && 'order' in read) await applyOrder(deps, read.order);
      else if (read) entries.push({ id: record.id, entry: read.entry });
    } catch (err) {
      errors.push({ id: record.id, error: err as Error });
    }
  }
  if (entries.length) {
    try {
      await applyLedgerEntries(
        deps,
        entries.map((e) => e.entry),
      );
    } catch (err) {
      for (const { id } of entries) errors.push({ id, error: err as Error });
    }
  }
  const failed = new Set(errors.map((e) => e.id));
  return { failedIds: records.filter((r) => failed.has(r.id)).map((r) => r.id), errors };
}

// ---------------------------------------------------------------------------------------------------
// Reading it

/** The leader a caller may read: their own (`me`), or any for an operator (404 when there is none). */
async function leaderFor(deps: Pick<CustomerBookDeps, 'leaders'>, principal: Principal, leaderId: string /* or 'me' */): Promise<string> {
  if (leaderId === 'me') {
    const own = await deps.leaders.getByUser(principal.userId);
    if (!own) throw notFound('Leader record');
    return own.leaderId;
  }
  if (!isOperator(principal)) {
    const own = await deps.leaders.getByUser(principal.userId);
    if (own?.leaderId !== leaderId) throw forbidden('Operators only');
    return leaderId;
  }
  if (!(await deps.leaders.get(leaderId))) throw notFound('Leader');
  return leaderId;
}

export const customerView = (c: CustomerSummary) => ({
  customerId: c.customerId,
  contactName: c.contactName ?? '',
  contactPhone: c.contactPhone ?? '',
  orders: c.orders,
  spentFen: c.spentFen,
  firstOrderAt: toBusinessIso(c.firstOrderAt!),
  lastOrderAt: toBusinessIso(c.lastOrderAt!),
});

/** `GET /leaders/me/customers`: the caller's customers, latest order first, masked. */
export async function myCustomers(deps: CustomerBookDeps, principal: Principal, page: { limit: number; cursor?: string }) {
  const leaderId = await leaderFor(deps, principal, 'me');
  const found = await deps.book.customersOf(leaderId, page.limit, page.cursor);
  return { items: found.items.map(customerView), ...(found.nextCursor ? { nextCursor: found.nextCursor } : {}) };
}

/** `GET /leaders/{me|leaderId}/stats?days=`: the window's figures from at most `days` day items. */
export async function leaderStats(deps: CustomerBookDeps, principal: Principal, leaderId: string /* or 'me' */, days: number) {
  const id = await leaderFor(deps, principal, leaderId);
  const window = windowOf(deps.clock.now(), days);
  return { leaderId: id, ...statsOf(days, window, await deps.book.daysOf(id, window.from, window.to)) };
}
