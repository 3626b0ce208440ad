// The consolidation's ports: the store of contributions, running totals, dirty marks and rebuilds (its
// DynamoDB adapter is lib/store/purchase-orders.ts), and what else consolidating needs.
import type { AuditEvent } from '../../schemas/common';
import type { GroupBuy } from '../../schemas/group-buys';
import type {
  BreakdownVersion,
  OrderContribution,
  PurchaseOrder,
  PurchaseOrderRevisionRecord,
  PurchaseOrderTotal,
} from '../../schemas/purchase-orders';
import type { Clock } from '../runtime/clock';
import { inParallel } from '../runtime/concurrency';
import type { PointDelta } from './contributions';

/**
 * A pickup point waiting for a rebuild, with the token of the mark that named it when read (a store may mark
 * several points with one mark: the point then comes once per mark naming it, each with that mark's token).
 */
export interface DirtyMark {
  leaderId: string;
  token: string;
}

export interface ConsolidationSnapshot {
  /** The rebuild counter, read before anything else: committing requires it unchanged. */
  build: number;
  /** When the last revision committed (ms since the epoch). */
  builtAt?: number;
  /** Every part's header, in part order. */
  documents: PurchaseOrder[];
  /** The pickup points this round looks at (dirty ones, those asked for first), in that order. */
  dirty: DirtyMark[];
  /** Their running totals. */
  totals: PurchaseOrderTotal[];
  /** Their newest version in each part. */
  versions: BreakdownVersion[];
}

export interface DocumentWrite {
  /** The part as read (absent for a new part): written only if still at that revision and status. */
  before?: PurchaseOrder;
  after: PurchaseOrder;
  revision: PurchaseOrderRevisionRecord;
  /** The new version of each pickup point this revision changes. */
  versions: BreakdownVersion[];
  audit: AuditEvent;
}

export interface SnapshotOptions {
  /** Pickup points to look at first (a consumer's own), if dirty. */
  prefer?: readonly string[];
  /** About this many pickup points (a store marking several points at once may give a mark's points whole). */
  limit?: number;
}

/** An order's contribution to record in place of the one read (none: the order's first). */
export interface ContributionChange {
  before?: OrderContribution;
  after: OrderContribution;
}

/**
 * What one applyContributions may carry: one per change, one per per-supplier record it replaces
 * (`before.legacy`), one per pickup point (its totals) and one per purchase order (its dirty mark), within
 * DynamoDB's 100 actions a transaction.
 */
export const MAX_APPLY_WRITES = 100;

export interface ConsolidationStore {
  /** The order's contribution as last recorded (strongly consistent), if any. */
  getContribution(orderId: string): Promise<OrderContribution | undefined>;
  /**
   * Atomically: records each change's `after` in place of its `before` (each only if that one is still what is
   * recorded), ADDs each point's deltas to its running totals and marks the points dirty (a fresh mark).
   * 'stale' when any change's `before` is no longer the recorded one: then nothing is written.
   */
  applyContributions(changes: readonly ContributionChange[], points: readonly PointDelta[]): Promise<'applied' | 'stale'>;
  /** Reads the rebuild counter, then the headers, the dirty marks, and those points' totals and versions (all strongly consistent). */
  snapshot(supplierId: string, deliveryDate: string, options?: SnapshotOptions): Promise<ConsolidationSnapshot>;
  /** Moves the rebuild counter on from `build` (and writes the revision, if any), or 'stale'. */
  commitBuild(supplierId: string, deliveryDate: string, build: number, write?: DocumentWrite): Promise<'committed' | 'stale'>;
  /**
   * Deletes each mark read whose points are all among those given (examined by a round that committed): a
   * change since the mark was read is another mark, or keeps its token moved on, and stays dirty.
   */
  clearDirty(supplierId: string, deliveryDate: string, marks: readonly DirtyMark[]): Promise<void>;
}

export interface ConsolidationDeps {
  store: ConsolidationStore;
  groupBuys: { get(groupBuyId: string): Promise<GroupBuy | undefined> };
  clock: Clock;
  /** Revisions of one purchase order are at least this far apart (default MIN_REVISION_INTERVAL_MS). */
  minRevisionIntervalMs?: number;
}

/** A dirty mark as a store keeps it: the points it names, and the token its deletion is checked by. */
export interface StoredMark {
  leaderIds: readonly string[];
  token: string;
}

/**
 * The marks a snapshot takes, whole (a mark is deleted once all its points are rebuilt): those naming the
 * caller's own points first, then the others, until they name `limit` points; the caller's points first.
 */
export function takeMarks(marks: readonly StoredMark[], options: SnapshotOptions = {}): { points: string[]; dirty: DirtyMark[] } {
  const limit = options.limit ?? 80;
  const mine = new Set(options.prefer ?? []);
  const names = (m: StoredMark) => m.leaderIds.some((l) => mine.has(l));
  const points = new Set<string>();
  const dirty: DirtyMark[] = [];
  for (const mark of [...marks.filter(names), ...marks.filter((m) => !names(m))]) {
    if (points.size >= limit) break;
    for (const leaderId of mark.leaderIds) {
      points.add(leaderId);
      dirty.push({ leaderId, token: mark.token });
    }
  }
  dirty.sort((a, b) => Number(mine.has(b.leaderId)) - Number(mine.has(a.leaderId)));
  return { points: [...points], dirty };
}

/** The parts whose newest versions a snapshot reads: each shipped part, and the live one. */
export function partsToRead(documents: readonly PurchaseOrder[]): number[] {
  const last = documents.at(-1);
  const parts = documents.filter((d) => d.status === 'shipped').map((d) => d.part);
  if (last && last.status !== 'shipped') parts.push(last.part);
  return parts;
}

/** What a store reads for a snapshot, each read strongly consistent; readSnapshot decides in which order. */
export interface SnapshotReads {
  /** The rebuild counter as stored (`build`, and `builtAt` once a revision committed), if any. */
  counter(): Promise<Record<string, unknown> | undefined>;
  /** Every part's header. */
  headers(): Promise<PurchaseOrder[]>;
  marks(): Promise<StoredMark[]>;
  totals(leaderId: string): Promise<PurchaseOrderTotal[]>;
  /** The pickup point's newest version in the part, if any. */
  newestVersion(part: number, leaderId: string): Promise<BreakdownVersion[]>;
}

/**
 * A snapshot, read in the order that makes deciding on it safe: the counter first (a rebuild that commits after
 * this read knows nobody rebuilt in between), then the headers and the marks, then the totals of each point
 * the marks taken name (read after its mark, so they hold every change the mark stands for) and its newest
 * version in the live part and in each shipped one.
 */
export async function readSnapshot(reads: SnapshotReads, options: SnapshotOptions, concurrency: number): Promise<ConsolidationSnapshot> {
  const build = await reads.counter();
  const documents = (await reads.headers()).sort((a, b) => a.part - b.part);
  const { points, dirty } = takeMarks(await reads.marks(), options);
  const parts = partsToRead(documents);
  const states = await inParallel(points, concurrency, async (leaderId) => {
    const [totals, ...versions] = await Promise.all([reads.totals(leaderId), ...parts.map((part) => reads.newestVersion(part, leaderId))]);
    return { totals, versions: versions.flat() };
  });
  return {
    build: typeof build?.build === 'number' ? build.build : 0,
    ...(typeof build?.builtAt === 'number' ? { builtAt: build.builtAt } : {}),
    documents,
    dirty,
    totals: states.flatMap((s) => s.totals),
    versions: states.flatMap((s) => s.versions),
  };
}

/** The tokens of the marks whose points are all among those examined (`pointsOf` a token: how many it names). */
export function marksDone(examined: readonly DirtyMark[], pointsOf: (token: string) => number): string[] {
  const seen = new Map<string, Set<string>>();
  for (const { token, leaderId } of examined) seen.set(token, (seen.get(token) ?? new Set()).add(leaderId));
  return [...seen].filter(([token, points]) => points.size >= pointsOf(token)).map(([token]) => token);
}
