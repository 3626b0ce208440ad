// Step 2 of the consolidation: for each purchase order touched, the dirty pickup points (the caller's first,
// at most MAX_POINTS_PER_REVISION) are compared with the part's breakdown; those that differ get a new
// version, written with the header (product lines, total) and the revision record in one transaction. A
// shipped part never changes: a later difference goes into a supplement. Then each mark is deleted if its
// token is still the one read (a change since stays dirty).
// Each rebuild round, even one that finds nothing to change, commits a conditional bump of a per-PO counter
// before it deletes marks, so of two rounds that overlap one has to start again, and a round that read
// before another committed can never write.
import type { AuditEvent } from '../../schemas/common';
import type { BreakdownVersion, PurchaseOrder, PurchaseOrderRevisionRecord, PurchaseOrderTotal } from '../../schemas/purchase-orders';
import { backoff, sleep } from '../runtime/retry';
import type { ConsolidationDeps, ConsolidationSnapshot, DocumentWrite } from './consolidation-ports';
import { purchaseOrderIdOf } from './ids';
import { cellKey, lineDifference, nextLines, sameLines, targetLines } from './lines';

const ACTOR = 'system:purchase-orders';
const MAX_REBUILD_ATTEMPTS = 12;
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
    if (sameLines(current?.lines, target)) {
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
    // The orders behind it are counted, not listed: the revision record written with it lists them (up to
    // 50 orders, ~5 KB, written twice would cost 10 WCU more per revision).
    after: { ...summary(after), lines: record.lines, pickupPoints: changes.length, orders: cause.orders.length + (cause.more ?? 0) },
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
