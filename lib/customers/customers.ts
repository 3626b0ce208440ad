// The customer book and the stats: kept from the order and ledger streams (each change applied exactly once,
// whatever the queue delivers twice or out of order), and read by the leader (and by operators, per leader).
import type { LedgerEntry } from '../../schemas/commissions';
import type { CustomerOrder, CustomerSummary, StatsDay } from '../../schemas/customers';
import type { Order } from '../../schemas/orders';
import type { LeaderStore } from '../leaders/leaders';
import { isOperator, type Principal } from '../runtime/auth';
import type { Clock } from '../runtime/clock';
import { forbidden, notFound } from '../runtime/errors';
import type { Page } from '../runtime/page';
import { businessDate, toBusinessIso } from '../runtime/time';
import { compareVersions, customerOrderOf, dayDeltas, sameContribution, statsOf, summarise, windowOf, type DayDelta } from './book';

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
  /** ADDs a ledger entry's amount to its day, once per entry ('already' the second time). */
  bookEarnings(leaderId: string, entryId: string, date: string, amountFen: number): Promise<'booked' | 'already'>;
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
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * 5 * 2 ** Math.min(attempt, 6)));

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

/** Adds a ledger entry's earnings to the day it was booked, once. */
export async function applyLedgerEntry(
  deps: Pick<CustomerBookDeps, 'book'>,
  entry: LedgerEntry,
): Promise<'booked' | 'already' | 'ignored'> {
  if (!EARNINGS.has(entry.kind) || entry.amountFen === 0) return 'ignored';
  return deps.book.bookEarnings(entry.leaderId, entry.entryId, businessDate(new Date(entry.createdAt)), entry.amountFen);
}

/**
 * A re-run: applies every order and every ledger entry of a leader again. What is already applied is
 * found so and changes nothing; what a lost message never applied is applied now; over an emptied book
 * it rebuilds every figure exactly. For the first fill after deployment and after dead letters.
 */
export async function rerunLeader(
  deps: Pick<CustomerBookDeps, 'book'>,
  history: { orders: Order[]; entries: LedgerEntry[] },
): Promise<{ orders: Record<ApplyOutcome, number>; entries: Record<'booked' | 'already' | 'ignored', number> }> {
  const orders: Record<ApplyOutcome, number> = { applied: 0, unchanged: 0, already: 0, superseded: 0 };
  const entries = { booked: 0, already: 0, ignored: 0 };
  for (const order of history.orders) if (order.paidAt) orders[await applyOrder(deps, order)]++;
  for (const entry of history.entries) entries[await applyLedgerEntry(deps, entry)]++;
  return { orders, entries };
}

// ---------------------------------------------------------------------------------------------------
// Reading it

/** The leader a caller may read: their own (`me`), or any for an operator (404 when there is none). */
async function leaderFor(deps: Pick<CustomerBookDeps, 'leaders'>, principal: Principal, leaderId: string | 'me'): Promise<string> {
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
export async function leaderStats(deps: CustomerBookDeps, principal: Principal, leaderId: string | 'me', days: number) {
  const id = await leaderFor(deps, principal, leaderId);
  const window = windowOf(deps.clock.now(), days);
  return { leaderId: id, ...statsOf(days, window, await deps.book.daysOf(id, window.from, window.to)) };
}
