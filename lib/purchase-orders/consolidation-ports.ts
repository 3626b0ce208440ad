// The consolidation's ports: the store of contributions, running totals, dirty marks and rebuilds (its
// DynamoDB adapter is lib/store/purchase-orders.ts), and what else consolidating needs.
import type { AuditEvent } from '../../schemas/common';
import type { GroupBuy } from '../../schemas/group-buys';
import type {
  BreakdownVersion,
  Contribution,
  PurchaseOrder,
  PurchaseOrderRevisionRecord,
  PurchaseOrderTotal,
} from '../../schemas/purchase-orders';
import type { Clock } from '../runtime/clock';
import type { TotalDelta } from './contributions';

/** A pickup point waiting for a rebuild, with the token its mark had when read. */
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
  /** At most this many pickup points. */
  limit?: number;
}

export interface ConsolidationStore {
  getContribution(supplierId: string, deliveryDate: string, orderId: string): Promise<Contribution | undefined>;
  /**
   * Records `after` in place of `before` (if still that one), ADDs the deltas to the pickup point's totals
   * and marks the point dirty, atomically.
   */
  applyContribution(before: Contribution | undefined, after: Contribution, deltas: TotalDelta[]): Promise<'applied' | 'stale'>;
  /** Reads the rebuild counter, then the headers, the dirty marks, and those points' totals and versions (all strongly consistent). */
  snapshot(supplierId: string, deliveryDate: string, options?: SnapshotOptions): Promise<ConsolidationSnapshot>;
  /** Moves the rebuild counter on from `build` (and writes the revision, if any), or 'stale'. */
  commitBuild(supplierId: string, deliveryDate: string, build: number, write?: DocumentWrite): Promise<'committed' | 'stale'>;
  /** Deletes each mark whose token is still the one read. */
  clearDirty(supplierId: string, deliveryDate: string, marks: readonly DirtyMark[]): Promise<void>;
}

export interface ConsolidationDeps {
  store: ConsolidationStore;
  groupBuys: { get(groupBuyId: string): Promise<GroupBuy | undefined> };
  clock: Clock;
  /** Revisions of one purchase order are at least this far apart (default MIN_REVISION_INTERVAL_MS). */
  minRevisionIntervalMs?: number;
}
