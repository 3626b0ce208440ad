// The nightly cutoff. The job only begins closing each due group buy (open → closing: new orders are
// refused from then on); the closing itself advances in small pages, each a separate invocation fed
// by the table's stream (every page records its progress on the group buy, which triggers the next):
//   1. cancel-unpaid: every unpaid order is cancelled;
//   2. decide:        with no unpaid order left, the paid quantity is final: below the group's minimum
//                     the group fails, otherwise it closes;
//   3. settle-paid:   every paid order becomes ready_for_pickup with a pickup code, or (failed group)
//                     is refunded in full through the payment port (the refunds function sends it);
//   4. finish:        the group buy becomes closed or failed.
// Every step is a conditional write on the state it read, so a page killed half way, a record
// delivered twice or two cutoffs at once end exactly as one clean run: no second code, no second refund.
import type { AuditEvent } from '../../schemas/common';
import type { CloseCursor, ClosePhase, GroupBuy } from '../../schemas/group-buys';
import type { Order, OrderStatus } from '../../schemas/orders';
import { fullRefund, transitioned, withFreshOrder } from '../orders/changes';
import type { OrderStore } from '../orders/ports';
import type { Clock } from '../runtime/clock';
import { randomCode } from '../runtime/clock';
import type { Page } from '../runtime/page';
import { inParallel } from '../runtime/concurrency';

export interface CloseStats {
  ordersCancelled: number;
  ordersReady: number;
  ordersRefunded: number;
  pages: number;
}

export const ZERO_STATS: CloseStats = { ordersCancelled: 0, ordersReady: 0, ordersRefunded: 0, pages: 0 };

export interface CutoffStore {
  get(groupBuyId: string): Promise<GroupBuy | undefined>;
  /** Open group buys whose cutoff is before `upTo` (an index query, oldest cutoff first), page by page. */
  due(upTo: Date, limit: number, cursor?: string): Promise<Page<GroupBuy>>;
  /** Group buys still closing (to resume any that stalled), page by page. */
  closing(limit: number, cursor?: string): Promise<Page<GroupBuy>>;
  /** open → closing in the given first phase, with zeroed counts, if still open. */
  beginClosing(groupBuy: GroupBuy, phase: ClosePhase, at: string, audit: AuditEvent): Promise<'begun' | 'stale'>;
  /**
   * The next page of a pass over a group buy's orders, those of them in `status` (whole, as the index holds them:
   * possibly a moment behind), from `after` (a page's `nextCursor`; none: from the start). No `nextCursor`: the
   * pass is over. A store that finds orders by status may give the first ones in `status` again each time, with a
   * cursor until there are none: the orders a page settles leave that status.
   */
  ordersIn(groupBuyId: string, status: OrderStatus, limit: number, after?: string): Promise<Page<Order>>;
  /** Sum of the quantities of the group buy's paid orders. */
  paidQuantity(groupBuyId: string): Promise<number>;
  /** Moves to settle-paid with the outcome, if still in cancel-unpaid. */
  decide(
    groupBuy: GroupBuy,
    outcome: 'closed' | 'failed',
    paidQuantity: number,
    at: string,
    audit: AuditEvent,
  ): Promise<'decided' | 'stale'>;
  /**
   * Adds a page's counts to the group buy (and so triggers the next page through the stream), with where the pass
   * of the phase stands (kept only while the group buy is still in that phase).
   */
  recordProgress(groupBuyId: string, delta: CloseStats, at: string, cursor?: CloseCursor): Promise<void>;
  /** closing → `status`, if still closing, with the exact counts of what the closing settled. */
  finish(groupBuy: GroupBuy, status: 'closed' | 'failed', at: string, audit: AuditEvent): Promise<'finished' | 'stale'>;
  /**
   * Gives a paid order its pickup code: 'code_taken' if another order of that point and date has it. The code's
   * guard item names the group buy, and is what `finish` counts the orders made ready by (no tally of its own).
   */
  assignPickupCode(before: Order, after: Order, audit: AuditEvent): Promise<'assigned' | 'code_taken' | 'stale'>;
  /** Marks a group buy for another pass (a stalled closing gets a new stream record). */
  nudge(groupBuyId: string, at: string): Promise<void>;
}

export interface CutoffDeps {
  cutoff: CutoffStore;
  orders: OrderStore;
  clock: Clock;
  /**
   * No change brings a closing's next call at once (CloudBase: its outbox is swept once a minute), so whoever
   * waits for a closing advances it itself (`POST /jobs/cutoff`). On AWS the stream does, within a second.
   */
  advanceWhileWaiting?: boolean;
}

export const PAGE_SIZE = 100;
const PAGE_CONCURRENCY = 8;
/**
 * Beginning a closing moves the group buy from the GB#OPEN to the GB#CLOSING index partition: a write of the
 * whole item to each (projection ALL), ~4 KB for a group buy of 20 products, so 4 WCU. At 23:00 thousands
 * begin at once: at most 200 a second keeps both index partitions under 1,000 WCU/s (5,000 begun in 25 s;
 * docs/scale.md).
 */
export const MAX_BEGINS_PER_SECOND = 200;
const ACTOR = 'system:cutoff';

export const PICKUP_CODE_DIGITS = 6;
/** Random, so that codes are not guessable in sequence; uniqueness comes from the guard item. */
export const newPickupCode = () => randomCode(PICKUP_CODE_DIGITS, '0123456789');

export interface CutoffOptions {
  /** Group buys per page of the index (and begun at once, PAGE_CONCURRENCY at a time). */
  pageSize?: number;
  /** A closing silent for this long is nudged (it gets a new change, so its consumer runs again). */
  stalledAfterMs?: number;
  /** Stop early when the invocation runs out of time (the next run picks up the rest). */
  hasTime?: () => boolean;
  /**
   * Also close, each at its own cutoff, the group buys whose cutoff falls within this many ms: the
   * scheduled run waits for them, so a group buy closes at its cutoff, not at the next run.
   */
  lookAheadMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Begins closing every open group buy whose cutoff has passed (all of them, page by page) and nudges
 * closings that stalled; with `lookAheadMs`, then waits for the cutoffs about to pass and begins those.
 */
export async function runCutoff(deps: CutoffDeps, options: CutoffOptions = {}) {
  const pageSize = options.pageSize ?? 100;
  const hasTime = options.hasTime ?? (() => true);
  const sleep = options.sleep ?? sleepFor;
  const begun = new Set<string>();
  const begin = async (gb: GroupBuy) => {
    const at = deps.clock.now().toISOString();
    // Unpaid orders are cancelled first, so that the paid quantity that decides the outcome is final.
    const outcome = await deps.cutoff.beginClosing(gb, 'cancel-unpaid', at, {
      entityId: gb.groupBuyId,
      entityType: 'groupBuy',
      action: 'groupBuy.closing',
      actor: ACTOR,
      at,
      before: { status: gb.status },
      after: { status: 'closing' },
    });
    if (outcome === 'begun') begun.add(gb.groupBuyId);
  };

  // Every due group buy: beginning one takes it out of the open index, so pages never repeat it.
  const now = deps.clock.now();
  let cursor: string | undefined;
  do {
    const page = await deps.cutoff.due(now, pageSize, cursor);
    const pageStarted = Date.now();
    await inParallel(page.items, PAGE_CONCURRENCY, begin);
    cursor = page.nextCursor;
    const early = (page.items.length * 1000) / MAX_BEGINS_PER_SECOND - (Date.now() - pageStarted);
    if (cursor && early > 0) await sleep(early);
  } while (cursor && hasTime());

  const stalledAfter = options.stalledAfterMs ?? 5 * 60_000;
  cursor = undefined;
  do {
    const page = await deps.cutoff.closing(pageSize, cursor);
    await inParallel(page.items, PAGE_CONCURRENCY, async (gb) => {
      if (!begun.has(gb.groupBuyId) && now.getTime() - Date.parse(gb.progressAt ?? gb.updatedAt) > stalledAfter) {
        await deps.cutoff.nudge(gb.groupBuyId, now.toISOString());
        begun.add(gb.groupBuyId);
      }
    });
    cursor = page.nextCursor;
  } while (cursor && hasTime());

  if (options.lookAheadMs) {
    // While cutoffs fall within the window, wake at each (or every 10 s, to see group buys opened since)
    // and begin what has passed. With nothing coming, the run ends at once: idle minutes cost nothing.
    const until = now.getTime() + options.lookAheadMs;
    for (;;) {
      const current = deps.clock.now().getTime();
      if (current >= until || !hasTime()) break;
      const coming = (await deps.cutoff.due(new Date(until), pageSize)).items.filter((gb) => !begun.has(gb.groupBuyId));
      await inParallel(
        coming.filter((gb) => Date.parse(gb.cutoffAt) <= current),
        PAGE_CONCURRENCY,
        begin,
      );
      const next = Math.min(...coming.map((gb) => Date.parse(gb.cutoffAt)).filter((t) => t > current));
      if (!Number.isFinite(next)) break;
      await sleep(Math.min(next - current + 20, 10_000, until - current));
    }
  }
  return { begun: [...begun] };
}

/**
 * Decides on the page's copy of the order first: the index query returned it whole, and every write is
 * conditional on the version it was decided on, so a copy the index had not yet brought up to date only
 * fails its condition, and the order is then read (strongly consistent) and decided again. A current copy,
 * the usual case at the cutoff, saves a read per order.
 */
async function onPageCopy<T>(deps: CutoffDeps, copy: Order, attempt: (order: Order) => Promise<T | 'stale'>): Promise<T> {
  const first = await attempt(copy);
  return first !== 'stale' ? first : withFreshOrder(deps.orders, copy.orderId, attempt);
}

/** Cancels one unpaid order at the cutoff (its stock no longer matters: the group is closing). */
async function cancelUnpaid(deps: CutoffDeps, copy: Order, at: string): Promise<boolean> {
  return onPageCopy(deps, copy, async (order) => {
    if (order.status !== 'pending_payment') return false;
    const after = transitioned(order, 'close', at);
    const outcome = await deps.orders.change({
      before: order,
      after,
      tally: { groupBuyId: order.groupBuyId, kind: 'cancelled' },
      audit: { entityId: order.orderId, entityType: 'order', action: 'order.cancelled_at_cutoff', actor: ACTOR, at, before: order, after },
    });
    return outcome === 'changed' ? true : outcome === 'stale' ? 'stale' : false;
  });
}

/** A paid order of a closing group: a pickup code, unique for its pickup point and date. */
async function makeReady(deps: CutoffDeps, copy: Order, at: string): Promise<boolean> {
  return onPageCopy(deps, copy, async (order) => {
    if (order.status !== 'paid') return false;
    for (let attempt = 0; attempt < 20; attempt++) {
      const after: Order = { ...transitioned(order, 'close', at), pickupCode: newPickupCode() };
      const outcome = await deps.cutoff.assignPickupCode(order, after, {
        entityId: order.orderId,
        entityType: 'order',
        action: 'order.ready_for_pickup',
        actor: ACTOR,
        at,
        before: order,
        after,
      });
      if (outcome === 'assigned') return true;
      if (outcome === 'stale') return 'stale';
    }
    throw new Error(`No free pickup code for ${order.leaderId} on ${order.pickupDate}`);
  });
}

/** A paid order of a failed group: refunded in full (the refund is sent by the refunds function). */
async function refundFailed(deps: CutoffDeps, copy: Order, at: string): Promise<boolean> {
  return onPageCopy(deps, copy, async (order) => {
    if (order.status !== 'paid') return false;
    const full = fullRefund(order, `${order.orderId}-group-failed`, 'group below its minimum', ACTOR, at);
    const after: Order = { ...transitioned(order, 'fail', at), ...(full?.after ?? {}) };
    const outcome = await deps.orders.change({
      before: order,
      after,
      refunds: full ? [full.refund] : [],
      tally: { groupBuyId: order.groupBuyId, kind: 'refunded' },
      audit: {
        entityId: order.orderId,
        entityType: 'order',
        action: 'order.refunded_group_failed',
        actor: ACTOR,
        at,
        before: order,
        after,
      },
    });
    return outcome === 'changed' ? true : outcome === 'stale' ? 'stale' : false;
  });
}

export interface AdvanceResult {
  status: GroupBuy['status'] | 'missing';
  /** This call finished the closing (closed or failed it). */
  finished?: boolean;
  outcome?: 'closed' | 'failed';
  /** What this call did. */
  stats: CloseStats;
}

/**
 * Advances one closing group buy by up to `maxPages` pages (or until `hasTime` says stop), then records
 * the progress: the stream turns that record into the next call. Idempotent at every step.
 */
export async function advanceClosing(
  deps: CutoffDeps,
  groupBuyId: string,
  options: { maxPages?: number; hasTime?: () => boolean } = {},
): Promise<AdvanceResult> {
  const stats: CloseStats = { ...ZERO_STATS };
  const maxPages = options.maxPages ?? 5;
  // Each phase is one pass over the group buy's orders, page by page: where it stands, this call's or the last
  // recorded one (a call killed before recording only makes the next do its pages again: each write is conditional).
  let cursor: CloseCursor | undefined;
  for (;;) {
    const gb = await deps.cutoff.get(groupBuyId);
    if (!gb) return { status: 'missing', stats };
    if (gb.status !== 'closing') return { status: gb.status, ...(gb.outcome ? { outcome: gb.outcome } : {}), stats };
    const at = deps.clock.now().toISOString();
    const phase: ClosePhase = gb.closePhase === 'settle-paid' ? 'settle-paid' : 'cancel-unpaid';
    if (cursor?.phase !== phase) cursor = gb.closeCursor?.phase === phase ? gb.closeCursor : { phase };
    const { after } = cursor;
    // At least one page per call, so every call makes progress (and a progress record never loops).
    const outOfBudget = stats.pages > 0 && (stats.pages >= maxPages || (options.hasTime !== undefined && !options.hasTime()));
    if (outOfBudget) {
      await deps.cutoff.recordProgress(groupBuyId, stats, at, cursor);
      return { status: 'closing', ...(gb.outcome ? { outcome: gb.outcome } : {}), stats };
    }

    /** The pass's next page: its orders in `status` settled by `settle`, each counted when it did. False: the pass is over. */
    const nextPage = async (status: OrderStatus, settle: (o: Order) => Promise<boolean>, settled: Exclude<keyof CloseStats, 'pages'>) => {
      const page = await deps.cutoff.ordersIn(groupBuyId, status, PAGE_SIZE, after);
      await inParallel(page.items, PAGE_CONCURRENCY, async (o) => void ((await settle(o)) && stats[settled]++));
      if (page.nextCursor || page.items.length) stats.pages++;
      if (!page.nextCursor) return false;
      cursor = { phase, after: page.nextCursor };
      return true;
    };

    if (phase === 'cancel-unpaid') {
      if (await nextPage('pending_payment', (o) => cancelUnpaid(deps, o, at), 'ordersCancelled')) continue;
      // The pass is over: no unpaid order is left and none can be placed, so the paid quantity is final.
      const paidQuantity = await deps.cutoff.paidQuantity(groupBuyId);
      const outcome = gb.minTotalQuantity !== undefined && paidQuantity < gb.minTotalQuantity ? 'failed' : 'closed';
      await deps.cutoff.decide(gb, outcome, paidQuantity, at, {
        entityId: groupBuyId,
        entityType: 'groupBuy',
        action: `groupBuy.decided_${outcome}`,
        actor: ACTOR,
        at,
        before: { closePhase: gb.closePhase },
        after: { closePhase: 'settle-paid', outcome, paidQuantity, minTotalQuantity: gb.minTotalQuantity },
      });
      continue;
    }

    const more =
      gb.outcome === 'failed'
        ? await nextPage('paid', (o) => refundFailed(deps, o, at), 'ordersRefunded')
        : await nextPage('paid', (o) => makeReady(deps, o, at), 'ordersReady');
    if (more) continue;
    // The pass is over: every paid order is settled.
    if (stats.pages > 0) await deps.cutoff.recordProgress(groupBuyId, stats, at);
    const status = gb.outcome ?? 'closed';
    const finished = await deps.cutoff.finish(gb, status, at, {
      entityId: groupBuyId,
      entityType: 'groupBuy',
      action: `groupBuy.${status}`,
      actor: ACTOR,
      at,
      before: { status: 'closing' },
      after: { status, stats: gb.closeStats },
    });
    if (finished === 'finished') return { status, outcome: status, finished: true, stats };
  }
}
