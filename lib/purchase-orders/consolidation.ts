// Consolidates the suppliers' purchase orders from the order stream, reading and writing only what changed,
// so that neither the cost of a change nor any item grows with the size of the purchase order.
//   1. apply:   each order with a pickup code contributes, per supplier, its countable lines. The change
//               from the contribution last applied (new minus old) is ADDed to its pickup point's running
//               totals, and the pickup point is marked dirty (a fresh token), in the same transaction that
//               records the new contribution, conditional on the old one still being there: duplicates,
//               retries and reordered records apply every change exactly once.
//   2. rebuild: for each purchase order touched, the dirty pickup points (the caller's first, at most
//               MAX_POINTS_PER_REVISION) are compared with the part's breakdown; those that differ get a
//               new version, written with the header (product lines, total) and the revision record in one
//               transaction. A shipped part never changes: a later difference goes into a supplement. Then
//               each mark is deleted if its token is still the one read (a change since stays dirty).
// Each rebuild round, even one that finds nothing to change, commits a conditional bump of a per-PO
// counter before it deletes marks, so of two rounds that overlap one has to start again, and a round
// that read before another committed can never write. A consolidation killed between 1 and 2 is
// redelivered: step 1 finds its changes already applied, its points are still dirty, step 2 runs; a
// record that never comes back leaves its point dirty for the next rebuild of that purchase order.
import { createHash } from 'node:crypto';
import type { AuditEvent } from '../../schemas/common';
import type { GroupBuy } from '../../schemas/group-buys';
import type { PickupPoint } from '../../schemas/leaders';
import type { Order, OrderLine } from '../../schemas/orders';
import type {
  BreakdownVersion,
  Contribution,
  ContributionLine,
  PointLine,
  PurchaseOrder,
  PurchaseOrderRevisionRecord,
  PurchaseOrderTotal,
} from '../../schemas/purchase-orders';
import type { Clock } from '../runtime/clock';

// ---------------------------------------------------------------------------------------------------
// Which order lines a supplier delivers

/** Orders past their group's cutoff and paid: what the pickup points hand out (or have). */
const DELIVERED_STATUSES: ReadonlySet<string> = new Set(['ready_for_pickup', 'picked_up']);

/**
 * The rule, in one place: an order that is `ready_for_pickup` or `picked_up` counts each of its lines
 * with the line's full quantity, unless the line is refunded in full (`refundedFen >= amountFen`). A
 * line refunded in part counts in full: a partial refund is compensation (a bruised fruit), not goods
 * left undelivered; units a shortfall took (`shortQuantity`) are left out. A `refunded` order, and any
 * order before the cutoff, counts for nothing.
 */
export function countableLines(order: Order): OrderLine[] {
  if (!DELIVERED_STATUSES.has(order.status)) return [];
  // Units a shortfall took will not arrive: the supplier delivers the rest of the line.
  return order.items
    .filter((line) => line.refundedFen < line.amountFen)
    .map((line) => (line.shortQuantity ? { ...line, quantity: line.quantity - line.shortQuantity } : line))
    .filter((line) => line.quantity > 0);
}

// ---------------------------------------------------------------------------------------------------
// Ids

/** `<supplierId>-<deliveryDate>` for part 1, `<supplierId>-<deliveryDate>-<part>` for a supplement. */
export function purchaseOrderIdOf(supplierId: string, deliveryDate: string, part: number): string {
  return part === 1 ? `${supplierId}-${deliveryDate}` : `${supplierId}-${deliveryDate}-${part}`;
}

export function parsePurchaseOrderId(id: string): { supplierId: string; deliveryDate: string; part: number } | undefined {
  const match = /^(.+)-(\d{4}-\d{2}-\d{2})(?:-(\d{1,3}))?$/.exec(id);
  if (!match) return undefined;
  const part = match[3] === undefined ? 1 : Number(match[3]);
  // Part 1 has no suffix: `…-1` or `…-02` would be a second name for an existing document.
  if (match[3] !== undefined && (part < 2 || String(part) !== match[3])) return undefined;
  return { supplierId: match[1]!, deliveryDate: match[2]!, part };
}

// ---------------------------------------------------------------------------------------------------
// Contributions and deltas

/** What identifies one running total: a pickup point, a product and its supply price. */
export interface CellOf {
  leaderId: string;
  pickupPointName: string;
  address: string;
  productId: string;
  name: string;
  unit: string;
  supplyPriceFen: number;
}

/** The change to one running total. */
export interface TotalDelta extends CellOf {
  delta: number;
}

/** Every supplier of the order, counted or not: a line that stops counting must be taken off. */
export function suppliersOf(order: Order): string[] {
  return [...new Set(order.items.map((l) => l.supplierId))].sort();
}

const lineKey = (productId: string, supplyPriceFen: number) => `${productId}#${supplyPriceFen}`;

/** The order's countable lines for one supplier, and where they go. */
export function contributionOf(order: Order, supplierId: string, pickupPoint: Pick<PickupPoint, 'name' | 'address'>): Contribution {
  const byKey = new Map<string, ContributionLine>();
  for (const line of countableLines(order)) {
    if (line.supplierId !== supplierId) continue;
    const key = lineKey(line.productId, line.supplyPriceFen);
    const existing = byKey.get(key);
    if (existing) existing.quantity += line.quantity;
    else
      byKey.set(key, {
        productId: line.productId,
        name: line.name,
        unit: line.unit,
        supplyPriceFen: line.supplyPriceFen,
        quantity: line.quantity,
      });
  }
  const lines = [...byKey.values()].sort((a, b) =>
    a.productId === b.productId ? a.supplyPriceFen - b.supplyPriceFen : a.productId < b.productId ? -1 : 1,
  );
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([order.status, lines.map((l) => [l.productId, l.supplyPriceFen, l.quantity])]))
    .digest('base64url')
    .slice(0, 16);
  return {
    supplierId,
    deliveryDate: order.pickupDate,
    orderId: order.orderId,
    groupBuyId: order.groupBuyId,
    leaderId: order.leaderId,
    pickupPointName: pickupPoint.name,
    address: pickupPoint.address,
    orderStatus: order.status,
    lines,
    orderVersion: order.version,
    fingerprint,
  };
}

/** What replacing `before` by `after` adds to each running total (non-zero changes only). */
export function contributionDeltas(before: Contribution | undefined, after: Contribution): TotalDelta[] {
  const deltas = new Map<string, TotalDelta>();
  const add = (line: ContributionLine, sign: 1 | -1) => {
    const key = lineKey(line.productId, line.supplyPriceFen);
    const d = deltas.get(key) ?? {
      leaderId: after.leaderId,
      pickupPointName: after.pickupPointName,
      address: after.address,
      productId: line.productId,
      name: line.name,
      unit: line.unit,
      supplyPriceFen: line.supplyPriceFen,
      delta: 0,
    };
    d.delta += sign * line.quantity;
    deltas.set(key, d);
  };
  for (const line of after.lines) add(line, 1);
  for (const line of before?.lines ?? []) add(line, -1);
  return [...deltas.values()].filter((d) => d.delta !== 0);
}

/**
 * Newest image wins: every write of an order moves its version on, so versions order its images, in
 * whatever order the queue delivers them.
 */
function compareImages(before: Contribution | undefined, after: Contribution): 'newer' | 'same' | 'older' {
  if (!before || after.orderVersion > before.orderVersion) return 'newer';
  return after.orderVersion < before.orderVersion ? 'older' : 'same';
}

// ---------------------------------------------------------------------------------------------------
// Pickup points' lines: built from cells (one product and supply price with a quantity)

/** What a pickup point's version holds of one product at one supply price. */
type Cell = PointLine;

export const cellKey = (c: Pick<Cell, 'productId' | 'supplyPriceFen'>) => lineKey(c.productId, c.supplyPriceFen);
export const byText = (a: string, b: string) => a.localeCompare(b, 'zh-CN') || (a < b ? -1 : a > b ? 1 : 0);
const byLine = (a: Cell, b: Cell) => byText(a.name, b.name) || byText(a.productId, b.productId) || a.supplyPriceFen - b.supplyPriceFen;

const cellsOf = (lines: readonly Cell[] | undefined) => new Map((lines ?? []).map((l) => [cellKey(l), l]));

/**
 * What a pickup point's lines must be in the live part: its running totals, less what shipped parts already
 * covered of it (so that the parts of a supplier and date add up to the totals). Zero cells are left out.
 */
export function targetLines(totals: readonly PurchaseOrderTotal[], shipped: readonly (BreakdownVersion | undefined)[]): Cell[] {
  const cells = new Map<string, Cell>();
  for (const t of totals) {
    const cell = cells.get(cellKey(t)) ?? {
      productId: t.productId,
      name: t.name,
      unit: t.unit,
      supplyPriceFen: t.supplyPriceFen,
      quantity: 0,
    };
    cell.quantity += t.quantity;
    cells.set(cellKey(t), cell);
  }
  for (const version of shipped) {
    for (const covered of version?.lines ?? []) {
      const cell = cells.get(cellKey(covered)) ?? { ...covered, quantity: 0 };
      cell.quantity -= covered.quantity;
      cells.set(cellKey(covered), cell);
    }
  }
  return [...cells.values()].filter((c) => c.quantity !== 0).sort(byLine);
}

const canonical = (lines: readonly Cell[] | undefined) =>
  JSON.stringify(
    (lines ?? [])
      .filter((c) => c.quantity !== 0)
      .map((c) => [cellKey(c), c.quantity, c.name, c.unit])
      .sort(([a], [b]) => ((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0)),
  );

/** The product lines of a part, given its previous ones and the change at each changed pickup point. */
export function nextLines(
  lines: readonly PurchaseOrder['lines'][number][],
  changes: readonly { before?: readonly Cell[]; after: readonly Cell[] }[],
): PurchaseOrder['lines'] {
  const byKey = new Map(lines.map((l) => [cellKey(l), { ...l }]));
  for (const change of changes) {
    for (const [sign, cells] of [
      [-1, change.before ?? []],
      [1, change.after],
    ] as const) {
      for (const c of cells) {
        const line = byKey.get(cellKey(c)) ?? {
          productId: c.productId,
          name: c.name,
          unit: c.unit,
          quantity: 0,
          supplyPriceFen: c.supplyPriceFen,
          amountFen: 0,
        };
        line.quantity += sign * c.quantity;
        if (sign === 1) Object.assign(line, { name: c.name, unit: c.unit });
        line.amountFen = line.quantity * line.supplyPriceFen;
        byKey.set(cellKey(c), line);
      }
    }
  }
  return [...byKey.values()].filter((l) => l.quantity !== 0).sort(byLine);
}

/** Per product and supply price: before, after and the difference (those the changed points touched and that moved). */
function lineDifference(
  before: PurchaseOrder['lines'],
  after: PurchaseOrder['lines'],
  touched: Set<string>,
): PurchaseOrderRevisionRecord['lines'] {
  const was = new Map(before.map((l) => [cellKey(l), l]));
  const now = new Map(after.map((l) => [cellKey(l), l]));
  return [...touched]
    .map((key) => {
      const line = (now.get(key) ?? was.get(key))!;
      const b = was.get(key)?.quantity ?? 0;
      const a = now.get(key)?.quantity ?? 0;
      return { productId: line.productId, name: line.name, supplyPriceFen: line.supplyPriceFen, before: b, after: a, delta: a - b };
    })
    .filter((l) => l.delta !== 0 && (was.has(cellKey(l)) || now.has(cellKey(l))))
    .sort((x, y) => byText(x.name, y.name) || x.supplyPriceFen - y.supplyPriceFen);
}

/** Per pickup point and product: before, after and the difference between two versions of that point (changed cells only). */
export function pointDifference(before: BreakdownVersion | undefined, after: BreakdownVersion): PurchaseOrderRevisionCell[] {
  const was = cellsOf(before?.lines);
  const now = cellsOf(after.lines);
  return [...new Set([...was.keys(), ...now.keys()])]
    .map((key) => {
      const c = (now.get(key) ?? was.get(key))!;
      const b = was.get(key)?.quantity ?? 0;
      const a = now.get(key)?.quantity ?? 0;
      return {
        leaderId: after.leaderId,
        pickupPointName: after.pickupPointName,
        productId: c.productId,
        name: c.name,
        supplyPriceFen: c.supplyPriceFen,
        before: b,
        after: a,
        delta: a - b,
      };
    })
    .filter((c) => c.delta !== 0)
    .sort((x, y) => byText(x.name, y.name) || x.supplyPriceFen - y.supplyPriceFen);
}

export interface PurchaseOrderRevisionCell {
  leaderId: string;
  pickupPointName: string;
  productId: string;
  name: string;
  supplyPriceFen: number;
  before: number;
  after: number;
  delta: number;
}

// ---------------------------------------------------------------------------------------------------
// Ports

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

// ---------------------------------------------------------------------------------------------------
// Use-cases

const ACTOR = 'system:purchase-orders';
const MAX_APPLY_ATTEMPTS = 8;
const MAX_REBUILD_ATTEMPTS = 12;
/** Orders of one batch applied at once (each in its own transaction). */
const APPLY_CONCURRENCY = 8;
/**
 * A revision changes at most this many pickup points (its transaction: counter, header, listing, record,
 * audit and the versions, under DynamoDB's 100 actions) and at most MAX_VERSION_BYTES_PER_REVISION of their
 * versions; more dirty points make more revisions.
 */
export const MAX_POINTS_PER_REVISION = 80;
export const MAX_VERSION_BYTES_PER_REVISION = 100 * 1024;
/**
 * Revisions of one purchase order are at least this far apart: at most 4 a second, so a busy supplier's
 * partitions take at most 4 × (100 KB of versions + a header and a record) × 2 (transactional) a second,
 * whatever the number of consumers (docs/scale.md).
 */
export const MIN_REVISION_INTERVAL_MS = 250;
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * 5 * 2 ** Math.min(attempt, 6)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export type ApplyOutcome = 'applied' | 'unchanged' | 'already' | 'superseded';

/** One order's contribution to one supplier's purchase order: read, compare, apply if newer. */
export async function applyContribution(store: ConsolidationStore, after: Contribution): Promise<ApplyOutcome> {
  for (let attempt = 1; ; attempt++) {
    const before = await store.getContribution(after.supplierId, after.deliveryDate, after.orderId);
    const order = compareImages(before, after);
    if (order === 'same') return 'already';
    if (order === 'older') return 'superseded';
    const deltas = contributionDeltas(before, after);
    if ((await store.applyContribution(before, after, deltas)) === 'applied') return deltas.length ? 'applied' : 'unchanged';
    // Another invocation applied a newer image meanwhile: read again.
    if (attempt >= MAX_APPLY_ATTEMPTS) throw new Error(`The contribution of order ${after.orderId} to ${after.supplierId} keeps changing`);
    await backoff(attempt);
  }
}

export interface AppliedOrder {
  supplierId: string;
  deliveryDate: string;
  leaderId: string;
  outcome: ApplyOutcome;
}

/** Applies an order's contribution to each of its suppliers' purchase orders. */
export async function applyOrder(
  deps: Pick<ConsolidationDeps, 'store'>,
  order: Order,
  pickupPointOf: (groupBuyId: string) => Promise<Pick<PickupPoint, 'name' | 'address'>>,
): Promise<AppliedOrder[]> {
  const pickupPoint = await pickupPointOf(order.groupBuyId);
  const applied: AppliedOrder[] = [];
  for (const supplierId of suppliersOf(order)) {
    applied.push({
      supplierId,
      deliveryDate: order.pickupDate,
      leaderId: order.leaderId,
      outcome: await applyContribution(deps.store, contributionOf(order, supplierId, pickupPoint)),
    });
  }
  return applied;
}

export type Cause = PurchaseOrderRevisionRecord['cause'];

/** A revision to commit, and the pickup points it looked at (their marks are deleted once it commits). */
export interface PlannedRevision extends DocumentWrite {
  examined: string[];
}

const versionBytes = (v: BreakdownVersion) => Buffer.byteLength(JSON.stringify(v)) + 64;

/**
 * What the round must write, if anything: the dirty points whose lines differ from their target, in the
 * snapshot's order, up to the limits of one revision. Undefined: every point looked at is as it should be.
 */
export function planRebuild(
  snapshot: ConsolidationSnapshot,
  supplierId: string,
  deliveryDate: string,
  cause: Cause,
  at: string,
): PlannedRevision | undefined {
  const documents = [...snapshot.documents].sort((a, b) => a.part - b.part);
  const last = documents.at(-1);
  const live = last && last.status !== 'shipped' ? last : undefined;
  const shipped = documents.filter((d) => d.status === 'shipped');
  const part = live ? live.part : (last?.part ?? 0) + 1;
  const revision = live ? live.revision + 1 : 1;
  const versionOf = new Map(snapshot.versions.map((v) => [`${v.part}#${v.leaderId}`, v]));
  const totalsOf = new Map<string, PurchaseOrderTotal[]>();
  for (const t of snapshot.totals) totalsOf.set(t.leaderId, [...(totalsOf.get(t.leaderId) ?? []), t]);

  const examined: string[] = [];
  const changes: { before?: BreakdownVersion; after: BreakdownVersion }[] = [];
  let bytes = 0;
  for (const { leaderId } of snapshot.dirty) {
    if (examined.includes(leaderId)) continue;
    const totals = totalsOf.get(leaderId) ?? [];
    const current = live ? versionOf.get(`${live.part}#${leaderId}`) : undefined;
    const target = targetLines(
      totals,
      shipped.map((d) => versionOf.get(`${d.part}#${leaderId}`)),
    );
    if (canonical(current?.lines) === canonical(target)) {
      examined.push(leaderId);
      continue;
    }
    const about = totals[0] ?? current ?? shipped.map((d) => versionOf.get(`${d.part}#${leaderId}`)).find(Boolean);
    const after: BreakdownVersion = {
      supplierId,
      deliveryDate,
      part,
      revision,
      leaderId,
      pickupPointName: about?.pickupPointName ?? '',
      address: about?.address ?? '',
      lines: target,
    };
    const size = versionBytes(after);
    // One revision is one transaction: the rest of the dirty points go into the next.
    if (changes.length >= MAX_POINTS_PER_REVISION || (changes.length > 0 && bytes + size > MAX_VERSION_BYTES_PER_REVISION)) break;
    changes.push({ ...(current ? { before: current } : {}), after });
    bytes += size;
    examined.push(leaderId);
  }
  if (!changes.length) return undefined;

  const previousLines = live?.lines ?? [];
  const lines = nextLines(
    previousLines,
    changes.map((c) => ({ before: c.before?.lines, after: c.after.lines })),
  );
  const totalFen = lines.reduce((sum, l) => sum + l.amountFen, 0);
  const nonEmpty = (v?: BreakdownVersion) => (v && v.lines.length > 0 ? 1 : 0);
  const pickupPointCount = (live?.pickupPointCount ?? 0) + changes.reduce((n, c) => n + nonEmpty(c.after) - nonEmpty(c.before), 0);
  let after: PurchaseOrder;
  if (live) {
    // A revised purchase order must be acknowledged again: what was acknowledged has changed.
    after = {
      ...live,
      lines,
      totalFen,
      pickupPointCount,
      revision,
      status: live.status === 'acknowledged' ? 'issued' : live.status,
      updatedAt: at,
    };
  } else {
    // None yet, or every part shipped: a new part (a supplement of part 1 when it is not the first).
    after = {
      purchaseOrderId: purchaseOrderIdOf(supplierId, deliveryDate, part),
      supplierId,
      deliveryDate,
      part,
      ...(part > 1 ? { supplementOf: purchaseOrderIdOf(supplierId, deliveryDate, 1) } : {}),
      status: 'issued',
      revision: 1,
      lines,
      totalFen,
      pickupPointCount,
      issuedAt: at,
      updatedAt: at,
    };
  }
  const touched = new Set(changes.flatMap((c) => [...(c.before?.lines ?? []), ...c.after.lines].map(cellKey)));
  const record: PurchaseOrderRevisionRecord = {
    purchaseOrderId: after.purchaseOrderId,
    revision: after.revision,
    at,
    ...(live ? { statusBefore: live.status } : {}),
    cause,
    totalFen: { before: live?.totalFen ?? 0, after: after.totalFen, delta: after.totalFen - (live?.totalFen ?? 0) },
    lines: lineDifference(previousLines, lines, touched),
    pickupPointIds: changes.map((c) => c.after.leaderId).sort(),
  };
  const summary = (po: PurchaseOrder) => ({ revision: po.revision, status: po.status, totalFen: po.totalFen });
  const audit: AuditEvent = {
    entityId: after.purchaseOrderId,
    entityType: 'purchaseOrder',
    action: after.revision === 1 ? 'purchaseOrder.issued' : 'purchaseOrder.revised',
    actor: ACTOR,
    at,
    ...(live ? { before: summary(live) } : {}),
    after: { ...summary(after), lines: record.lines, pickupPoints: changes.length, cause },
  };
  return { ...(live ? { before: live } : {}), after, revision: record, versions: changes.map((c) => c.after), audit, examined };
}

export type RebuildOutcome = 'issued' | 'revised' | 'unchanged';
const STRENGTH: Record<RebuildOutcome, number> = { unchanged: 0, revised: 1, issued: 2 };

/**
 * Rebuilds one purchase order's dirty pickup points, round after round, until those asked for (`mine`, the
 * caller's) are clean, or, without `mine`, until none is dirty. Other consumers' points come along in the
 * same rounds, so of several consumers of one busy purchase order most find their points already built.
 */
export async function rebuildPurchaseOrder(
  deps: Pick<ConsolidationDeps, 'store' | 'clock' | 'minRevisionIntervalMs'>,
  supplierId: string,
  deliveryDate: string,
  cause: Cause = { orders: [] },
  options: { mine?: readonly string[] } = {},
): Promise<RebuildOutcome> {
  const interval = deps.minRevisionIntervalMs ?? MIN_REVISION_INTERVAL_MS;
  let outcome: RebuildOutcome = 'unchanged';
  let stale = 0;
  let waited = false;
  for (;;) {
    const snapshot = await deps.store.snapshot(supplierId, deliveryDate, {
      ...(options.mine ? { prefer: options.mine } : {}),
      limit: MAX_POINTS_PER_REVISION,
    });
    if (!snapshot.dirty.length) return outcome;
    if (options.mine && !snapshot.dirty.some((d) => options.mine!.includes(d.leaderId))) return outcome;
    const now = deps.clock.now();
    const plan = planRebuild(snapshot, supplierId, deliveryDate, cause, now.toISOString());
    // Spacing revisions bounds what a busy purchase order's partitions take each second (once per round:
    // a clock that does not move must not hold it forever).
    const wait = plan && snapshot.builtAt !== undefined ? snapshot.builtAt + interval - now.getTime() : 0;
    if (wait > 0 && !waited) {
      waited = true;
      await sleep(Math.min(wait, interval));
      continue;
    }
    waited = false;
    if ((await deps.store.commitBuild(supplierId, deliveryDate, snapshot.build, plan)) === 'stale') {
      // Another round (or an acknowledgement, a shipment) came first: read again.
      if (++stale >= MAX_REBUILD_ATTEMPTS) throw new Error(`The purchase order of ${supplierId} on ${deliveryDate} keeps changing`);
      await backoff(stale);
      continue;
    }
    const examined = new Set(plan ? plan.examined : snapshot.dirty.map((d) => d.leaderId));
    await deps.store.clearDirty(
      supplierId,
      deliveryDate,
      snapshot.dirty.filter((d) => examined.has(d.leaderId)),
    );
    if (plan) {
      const done: RebuildOutcome = plan.after.revision === 1 ? 'issued' : 'revised';
      if (STRENGTH[done] > STRENGTH[outcome]) outcome = done;
    }
  }
}

export interface OrderRecord {
  /** The message's id: what a failure is reported by. */
  id: string;
  /** The order of the record, if it is one this consolidation reads (parsed late: a bad image fails its own record). */
  order: () => Order | undefined;
}

export interface ConsolidationResult {
  /** The records to deliver again (none when the whole batch is done). */
  failedIds: string[];
  errors: { id?: string; purchaseOrder?: string; error: Error }[];
  rebuilt: { supplierId: string; deliveryDate: string; outcome: RebuildOutcome }[];
}

const MAX_CAUSES = 50;

async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/**
 * A batch of changed orders: applies each one's changes (a record that fails is reported alone, and the
 * others go on: each is applied in its own transaction), then rebuilds each purchase order they touched
 * until their pickup points are clean. A failed rebuild reports every record that touched it; delivered
 * again, they are found applied, their points still dirty, and the rebuild runs again.
 */
export async function consolidate(deps: ConsolidationDeps, records: OrderRecord[]): Promise<ConsolidationResult> {
  const errors: ConsolidationResult['errors'] = [];
  const pickupPoints = new Map<string, Promise<Pick<PickupPoint, 'name' | 'address'>>>();
  const pickupPointOf = (groupBuyId: string) => {
    let found = pickupPoints.get(groupBuyId);
    if (!found) {
      found = deps.groupBuys.get(groupBuyId).then((gb) => {
        if (!gb) throw new Error(`Group buy ${groupBuyId} not found`);
        return gb.pickupPoint;
      });
      found.catch(() => pickupPoints.delete(groupBuyId));
      pickupPoints.set(groupBuyId, found);
    }
    return found;
  };

  const touched = new Map<string, { supplierId: string; deliveryDate: string; ids: string[]; points: Set<string>; cause: Cause }>();
  const failed = new Set<string>();
  const applied: { record: OrderRecord; order: Order; result: AppliedOrder[] }[] = [];
  await inParallel(records, APPLY_CONCURRENCY, async (record) => {
    try {
      const order = record.order();
      if (!order) return;
      applied.push({ record, order, result: await applyOrder(deps, order, pickupPointOf) });
    } catch (err) {
      errors.push({ id: record.id, error: err as Error });
      failed.add(record.id);
    }
  });
  // In the batch's order, so that a revision's causes read as the records came.
  const position = new Map(records.map((r, i) => [r.id, i]));
  applied.sort((a, b) => position.get(a.record.id)! - position.get(b.record.id)!);
  for (const { record, order, result } of applied) {
    for (const one of result) {
      const key = `${one.supplierId}#${one.deliveryDate}`;
      const po = touched.get(key) ?? {
        supplierId: one.supplierId,
        deliveryDate: one.deliveryDate,
        ids: [],
        points: new Set<string>(),
        cause: { orders: [] },
      };
      touched.set(key, po);
      po.ids.push(record.id);
      po.points.add(one.leaderId);
      // 'already': applied by an earlier delivery that did not get as far as the rebuild.
      if (one.outcome === 'applied' || one.outcome === 'already') {
        if (po.cause.orders.length < MAX_CAUSES)
          po.cause.orders.push({ orderId: order.orderId, groupBuyId: order.groupBuyId, status: order.status });
        else po.cause.more = (po.cause.more ?? 0) + 1;
      }
    }
  }

  const rebuilt: ConsolidationResult['rebuilt'] = [];
  for (const po of touched.values()) {
    try {
      rebuilt.push({
        supplierId: po.supplierId,
        deliveryDate: po.deliveryDate,
        outcome: await rebuildPurchaseOrder(deps, po.supplierId, po.deliveryDate, po.cause, { mine: [...po.points] }),
      });
    } catch (err) {
      errors.push({ purchaseOrder: purchaseOrderIdOf(po.supplierId, po.deliveryDate, 1), error: err as Error });
      for (const id of po.ids) failed.add(id);
    }
  }
  return { failedIds: records.filter((r) => failed.has(r.id)).map((r) => r.id), errors, rebuilt };
}
