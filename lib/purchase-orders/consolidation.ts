// Consolidates the suppliers' purchase orders from the order stream, reading only what changed.
//   1. apply:   each order with a pickup code contributes, per supplier, its countable lines. The change
//               from the contribution last applied (new minus old) is ADDed to running totals per pickup
//               point, product and supply price, in the same transaction that records the new
//               contribution, conditional on the old one still being there: duplicates, retries and
//               reordered records apply every change exactly once.
//   2. rebuild: once per batch, every purchase order touched is rebuilt from its totals (one small
//               partition) and written as a new revision only if it differs, with the difference and
//               its cause. A shipped part never changes: a later difference goes into a supplement.
// Each rebuild, even one that finds nothing to change, commits a conditional bump of a per-PO counter,
// so of two rebuilds that overlap one has to start again and the last one to commit read every change
// applied before it. A consolidation killed between 1 and 2 is redelivered: step 1 finds its changes
// already applied, step 2 runs.
import { createHash } from 'node:crypto';
import type { AuditEvent } from '../../schemas/common';
import type { GroupBuy } from '../../schemas/group-buys';
import type { PickupPoint } from '../../schemas/leaders';
import type { Order, OrderLine } from '../../schemas/orders';
import type {
  Contribution,
  ContributionLine,
  PurchaseOrder,
  PurchaseOrderRevision,
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
 * left undelivered. A `refunded` order, and any order before the cutoff, counts for nothing.
 */
export function countableLines(order: Order): OrderLine[] {
  if (!DELIVERED_STATUSES.has(order.status)) return [];
  return order.items.filter((line) => line.refundedFen < line.amountFen);
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
// Documents: built from cells (one pickup point, product and supply price with a quantity)

interface Cell extends CellOf {
  quantity: number;
}

const cellKey = (c: Pick<Cell, 'leaderId' | 'productId' | 'supplyPriceFen'>) => `${c.leaderId}#${lineKey(c.productId, c.supplyPriceFen)}`;
const byText = (a: string, b: string) => a.localeCompare(b, 'zh-CN') || (a < b ? -1 : a > b ? 1 : 0);

function cellsOfDocument(doc: PurchaseOrder): Map<string, Cell> {
  const cells = new Map<string, Cell>();
  for (const point of doc.pickupPoints) {
    for (const line of point.lines) {
      const cell: Cell = { leaderId: point.leaderId, pickupPointName: point.pickupPointName, address: point.address, ...line };
      cells.set(cellKey(cell), cell);
    }
  }
  return cells;
}

/**
 * What the live part must say: the running totals, less what shipped parts already covered (so the
 * parts of a supplier and date add up to the totals). Zero cells are left out.
 */
export function targetCells(totals: PurchaseOrderTotal[], shipped: PurchaseOrder[]): Map<string, Cell> {
  const cells = new Map<string, Cell>();
  for (const t of totals) {
    cells.set(cellKey(t), {
      leaderId: t.leaderId,
      pickupPointName: t.pickupPointName,
      address: t.address,
      productId: t.productId,
      name: t.name,
      unit: t.unit,
      supplyPriceFen: t.supplyPriceFen,
      quantity: t.quantity,
    });
  }
  for (const doc of shipped) {
    for (const [key, covered] of cellsOfDocument(doc)) {
      const cell = cells.get(key) ?? { ...covered, quantity: 0 };
      cell.quantity -= covered.quantity;
      cells.set(key, cell);
    }
  }
  for (const [key, cell] of cells) if (cell.quantity === 0) cells.delete(key);
  return cells;
}

/** The document's lines, per-pickup-point breakdown and total, in a stable order. */
export function documentContent(cells: Iterable<Cell>): Pick<PurchaseOrder, 'lines' | 'pickupPoints' | 'totalFen'> {
  const lines = new Map<string, PurchaseOrder['lines'][number]>();
  const points = new Map<string, PurchaseOrder['pickupPoints'][number]>();
  const sorted = [...cells]
    .filter((c) => c.quantity !== 0)
    .sort((a, b) => byText(a.name, b.name) || byText(a.productId, b.productId) || a.supplyPriceFen - b.supplyPriceFen);
  for (const c of sorted) {
    const key = lineKey(c.productId, c.supplyPriceFen);
    const line = lines.get(key) ?? {
      productId: c.productId,
      name: c.name,
      unit: c.unit,
      quantity: 0,
      supplyPriceFen: c.supplyPriceFen,
      amountFen: 0,
    };
    line.quantity += c.quantity;
    line.amountFen = line.quantity * line.supplyPriceFen;
    lines.set(key, line);
    const point = points.get(c.leaderId) ?? { leaderId: c.leaderId, pickupPointName: c.pickupPointName, address: c.address, lines: [] };
    point.lines.push({ productId: c.productId, name: c.name, unit: c.unit, supplyPriceFen: c.supplyPriceFen, quantity: c.quantity });
    points.set(c.leaderId, point);
  }
  const docLines = [...lines.values()].filter((l) => l.quantity !== 0);
  return {
    lines: docLines,
    pickupPoints: [...points.values()].sort((a, b) => byText(a.pickupPointName, b.pickupPointName) || byText(a.leaderId, b.leaderId)),
    totalFen: docLines.reduce((sum, l) => sum + l.amountFen, 0),
  };
}

const canonical = (cells: Map<string, Cell>) =>
  JSON.stringify(
    [...cells.entries()]
      .filter(([, c]) => c.quantity !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, c]) => [k, c.quantity, c.name, c.unit, c.pickupPointName, c.address]),
  );

/** Per product and per pickup point: before, after and the difference (changed ones only). */
function difference(before: Map<string, Cell>, after: Map<string, Cell>): Pick<PurchaseOrderRevision, 'lines' | 'pickupPoints'> {
  const keys = [...new Set([...before.keys(), ...after.keys()])];
  const pickupPoints = keys
    .map((k) => {
      const b = before.get(k)?.quantity ?? 0;
      const a = after.get(k)?.quantity ?? 0;
      const c = (after.get(k) ?? before.get(k))!;
      return {
        leaderId: c.leaderId,
        pickupPointName: c.pickupPointName,
        productId: c.productId,
        name: c.name,
        supplyPriceFen: c.supplyPriceFen,
        before: b,
        after: a,
        delta: a - b,
      };
    })
    .filter((c) => c.delta !== 0)
    .sort(
      (x, y) =>
        byText(x.pickupPointName, y.pickupPointName) ||
        byText(x.leaderId, y.leaderId) ||
        byText(x.name, y.name) ||
        x.supplyPriceFen - y.supplyPriceFen,
    );
  const lines = new Map<string, PurchaseOrderRevision['lines'][number]>();
  for (const c of pickupPoints) {
    const key = lineKey(c.productId, c.supplyPriceFen);
    const line = lines.get(key) ?? {
      productId: c.productId,
      name: c.name,
      supplyPriceFen: c.supplyPriceFen,
      before: 0,
      after: 0,
      delta: 0,
    };
    lines.set(key, line);
  }
  // Product totals over every pickup point (not only the changed ones).
  for (const [map, field] of [
    [before, 'before'],
    [after, 'after'],
  ] as const) {
    for (const c of map.values()) {
      const line = lines.get(lineKey(c.productId, c.supplyPriceFen));
      if (line) line[field] += c.quantity;
    }
  }
  for (const line of lines.values()) line.delta = line.after - line.before;
  return {
    lines: [...lines.values()].filter((l) => l.delta !== 0).sort((x, y) => byText(x.name, y.name) || x.supplyPriceFen - y.supplyPriceFen),
    pickupPoints,
  };
}

// ---------------------------------------------------------------------------------------------------
// Ports

export interface ConsolidationSnapshot {
  /** The rebuild counter, read before anything else: committing requires it unchanged. */
  build: number;
  /** Every part of the supplier and date, in part order. */
  documents: PurchaseOrder[];
  totals: PurchaseOrderTotal[];
}

export interface DocumentWrite {
  /** The part as read (absent for a new part): written only if still at that revision and status. */
  before?: PurchaseOrder;
  after: PurchaseOrder;
  revision: PurchaseOrderRevision;
  audit: AuditEvent;
}

export interface ConsolidationStore {
  getContribution(supplierId: string, deliveryDate: string, orderId: string): Promise<Contribution | undefined>;
  /** Records `after` in place of `before` (if still that one) and ADDs the deltas to the totals, atomically. */
  applyContribution(before: Contribution | undefined, after: Contribution, deltas: TotalDelta[]): Promise<'applied' | 'stale'>;
  /** Reads the rebuild counter, then the documents, then the totals (all strongly consistent). */
  snapshot(supplierId: string, deliveryDate: string): Promise<ConsolidationSnapshot>;
  /** Moves the rebuild counter on from `build` (and writes the document, if any), or 'stale'. */
  commitBuild(supplierId: string, deliveryDate: string, build: number, write?: DocumentWrite): Promise<'committed' | 'stale'>;
}

export interface ConsolidationDeps {
  store: ConsolidationStore;
  groupBuys: { get(groupBuyId: string): Promise<GroupBuy | undefined> };
  clock: Clock;
}

// ---------------------------------------------------------------------------------------------------
// Use-cases

const ACTOR = 'system:purchase-orders';
const MAX_APPLY_ATTEMPTS = 8;
const MAX_REBUILD_ATTEMPTS = 12;
const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * 5 * 2 ** Math.min(attempt, 6)));

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
      outcome: await applyContribution(deps.store, contributionOf(order, supplierId, pickupPoint)),
    });
  }
  return applied;
}

export type Cause = PurchaseOrderRevision['cause'];
export type PlannedRevision = DocumentWrite;

/** What the rebuild of a supplier and date must write, if anything. */
export function planRebuild(
  snapshot: ConsolidationSnapshot,
  supplierId: string,
  deliveryDate: string,
  cause: Cause,
  at: string,
): PlannedRevision | undefined {
  const documents = [...snapshot.documents].sort((a, b) => a.part - b.part);
  const last = documents.at(-1);
  const target = targetCells(
    snapshot.totals,
    documents.filter((d) => d.status === 'shipped'),
  );
  const live = last && last.status !== 'shipped' ? last : undefined;
  const current = live ? cellsOfDocument(live) : new Map<string, Cell>();
  if (canonical(current) === canonical(target)) return undefined;

  const content = documentContent(target.values());
  let after: PurchaseOrder;
  if (live) {
    // A revised purchase order must be acknowledged again: what was acknowledged has changed.
    after = {
      ...live,
      ...content,
      revision: live.revision + 1,
      status: live.status === 'acknowledged' ? 'issued' : live.status,
      updatedAt: at,
    };
  } else {
    // None yet, or every part shipped: a new part (a supplement of part 1 when it is not the first).
    const part = (last?.part ?? 0) + 1;
    after = {
      purchaseOrderId: purchaseOrderIdOf(supplierId, deliveryDate, part),
      supplierId,
      deliveryDate,
      part,
      ...(part > 1 ? { supplementOf: purchaseOrderIdOf(supplierId, deliveryDate, 1) } : {}),
      status: 'issued',
      revision: 1,
      ...content,
      issuedAt: at,
      updatedAt: at,
    };
  }
  const revision: PurchaseOrderRevision = {
    purchaseOrderId: after.purchaseOrderId,
    revision: after.revision,
    at,
    ...(live ? { statusBefore: live.status } : {}),
    cause,
    totalFen: { before: live?.totalFen ?? 0, after: after.totalFen, delta: after.totalFen - (live?.totalFen ?? 0) },
    ...difference(current, target),
  };
  const summary = (po: PurchaseOrder) => ({ revision: po.revision, status: po.status, totalFen: po.totalFen });
  const audit: AuditEvent = {
    entityId: after.purchaseOrderId,
    entityType: 'purchaseOrder',
    action: after.revision === 1 ? 'purchaseOrder.issued' : 'purchaseOrder.revised',
    actor: ACTOR,
    at,
    ...(live ? { before: summary(live) } : {}),
    after: { ...summary(after), lines: revision.lines, cause },
  };
  return { ...(live ? { before: live } : {}), after, revision, audit };
}

/** Rebuilds one purchase order from its totals: issues it, revises it, or confirms it is current. */
export async function rebuildPurchaseOrder(
  deps: Pick<ConsolidationDeps, 'store' | 'clock'>,
  supplierId: string,
  deliveryDate: string,
  cause: Cause = { orders: [] },
): Promise<'issued' | 'revised' | 'unchanged'> {
  for (let attempt = 1; ; attempt++) {
    const snapshot = await deps.store.snapshot(supplierId, deliveryDate);
    const plan = planRebuild(snapshot, supplierId, deliveryDate, cause, deps.clock.now().toISOString());
    if ((await deps.store.commitBuild(supplierId, deliveryDate, snapshot.build, plan)) === 'committed') {
      return !plan ? 'unchanged' : plan.after.revision === 1 ? 'issued' : 'revised';
    }
    // Another rebuild (or an acknowledgement, a shipment) came first: read again.
    if (attempt >= MAX_REBUILD_ATTEMPTS) throw new Error(`The purchase order of ${supplierId} on ${deliveryDate} keeps changing`);
    await backoff(attempt);
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
  rebuilt: { supplierId: string; deliveryDate: string; outcome: 'issued' | 'revised' | 'unchanged' }[];
}

const MAX_CAUSES = 50;

/**
 * A batch of changed orders: applies each one's changes (a record that fails is reported alone, and the
 * others go on: each is applied in its own transaction), then rebuilds each purchase order they touched
 * once. A failed rebuild reports every record that touched it; delivered again, they are found applied,
 * and the rebuild runs again.
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

  const touched = new Map<string, { supplierId: string; deliveryDate: string; ids: string[]; cause: Cause }>();
  const failed = new Set<string>();
  for (const record of records) {
    try {
      const order = record.order();
      if (!order) continue;
      for (const applied of await applyOrder(deps, order, pickupPointOf)) {
        const key = `${applied.supplierId}#${applied.deliveryDate}`;
        const po = touched.get(key) ?? {
          supplierId: applied.supplierId,
          deliveryDate: applied.deliveryDate,
          ids: [],
          cause: { orders: [] },
        };
        touched.set(key, po);
        po.ids.push(record.id);
        // 'already': applied by an earlier delivery that did not get as far as the rebuild.
        if (applied.outcome === 'applied' || applied.outcome === 'already') {
          if (po.cause.orders.length < MAX_CAUSES)
            po.cause.orders.push({ orderId: order.orderId, groupBuyId: order.groupBuyId, status: order.status });
          else po.cause.more = (po.cause.more ?? 0) + 1;
        }
      }
    } catch (err) {
      errors.push({ id: record.id, error: err as Error });
      failed.add(record.id);
    }
  }

  const rebuilt: ConsolidationResult['rebuilt'] = [];
  for (const po of touched.values()) {
    try {
      rebuilt.push({
        supplierId: po.supplierId,
        deliveryDate: po.deliveryDate,
        outcome: await rebuildPurchaseOrder(deps, po.supplierId, po.deliveryDate, po.cause),
      });
    } catch (err) {
      errors.push({ purchaseOrder: purchaseOrderIdOf(po.supplierId, po.deliveryDate, 1), error: err as Error });
      for (const id of po.ids) failed.add(id);
    }
  }
  return { failedIds: records.filter((r) => failed.has(r.id)).map((r) => r.id), errors, rebuilt };
}
