// Supplier purchase orders as suppliers and operators see them: a supplier lists, reads, acknowledges
// and ships its own (and sees nobody else's); operators see all. Status changes go through one
// transition table and are audited. A purchase order of any size is read page by page: a response stops
// short of RESPONSE_BUDGET_BYTES of JSON (a CSV part short of CSV_PART_BYTES) at a pickup point, and
// names the cursor of the rest.
import type { AuditEvent } from '../../schemas/common';
import type {
  BreakdownVersion,
  ListPurchaseOrdersQuery,
  PickupPointBreakdown,
  PurchaseOrder,
  PurchaseOrderRevision,
  PurchaseOrderRevisionRecord,
  PurchaseOrderRevisionsQuery,
  PurchaseOrderStatus,
} from '../../schemas/purchase-orders';
import type { Page } from '../runtime/page';
import type { Principal } from '../runtime/auth';
import { isOperator } from '../runtime/auth';
import type { Clock } from '../runtime/clock';
import { conflict, forbidden, notFound, validationError } from '../runtime/errors';
import { toBusinessIso } from '../runtime/time';
import { parsePurchaseOrderId } from './ids';
import { byText, pointDifference } from './lines';
import type { CaseSizes } from './cases';
import { lineInCases } from './cases';
import { csvHead, csvRows } from './csv';

export interface PurchaseOrderStore {
  get(supplierId: string, deliveryDate: string, part: number): Promise<PurchaseOrder | undefined>;
  /** The purchase orders of a delivery date, by supplier; of one supplier when given. */
  listByDate(deliveryDate: string, supplierId: string | undefined, limit: number, cursor?: string): Promise<Page<PurchaseOrder>>;
  /** A cursor of `listByDate` that goes on after this purchase order. */
  cursorAfter(po: PurchaseOrder): string;
  /**
   * The breakdown of a part at a revision: each pickup point's newest version at or below it (points with no
   * lines left out), in storage order (by leaderId), from after `afterLeaderId`.
   */
  breakdown(
    supplierId: string,
    deliveryDate: string,
    part: number,
    revision: number,
    afterLeaderId?: string,
  ): AsyncIterable<BreakdownVersion>;
  /** Replaces `before` with `after` only if it is still at that status and revision. */
  transition(before: PurchaseOrder, after: PurchaseOrder, audit: AuditEvent): Promise<'changed' | 'stale'>;
  /** A part's revision records, oldest first. */
  revisions(
    supplierId: string,
    deliveryDate: string,
    part: number,
    limit: number,
    cursor?: string,
  ): Promise<Page<PurchaseOrderRevisionRecord>>;
  /** A cursor of `revisions` that goes on after this revision. */
  cursorAfterRevision(po: PurchaseOrder, revision: number): string;
  /** A pickup point's version written by a revision, and the one it replaced. */
  pointVersions(
    supplierId: string,
    deliveryDate: string,
    part: number,
    leaderId: string,
    revision: number,
  ): Promise<{ at?: BreakdownVersion; before?: BreakdownVersion }>;
}

export interface PurchaseOrderDeps {
  purchaseOrders: PurchaseOrderStore;
  /** The catalogue's case size of each product found (read when a purchase order is shown). */
  caseSizes(productIds: readonly string[]): Promise<CaseSizes>;
  clock: Clock;
  /** Defaults RESPONSE_BUDGET_BYTES and CSV_PART_BYTES (tests page small purchase orders with smaller ones). */
  responseBudgetBytes?: number;
  csvPartBytes?: number;
}

export type PurchaseOrderAction = 'acknowledge' | 'ship';

/** Which action moves a purchase order from which status to which. A supplier may ship unacknowledged. */
export const PURCHASE_ORDER_TRANSITIONS: Record<PurchaseOrderAction, { from: readonly PurchaseOrderStatus[]; to: PurchaseOrderStatus }> = {
  acknowledge: { from: ['issued'], to: 'acknowledged' },
  ship: { from: ['issued', 'acknowledged'], to: 'shipped' },
};

/** A JSON response stops short of this (1 MB): a breakdown past it is paged by pickup point. */
export const RESPONSE_BUDGET_BYTES = 1_000_000;
/** A CSV response stops short of this: API Gateway takes at most 6 MB from a function, headers included. */
export const CSV_PART_BYTES = 4_000_000;

/** The supplier the principal acts for, if they hold the supplier role (and, when given, it is that one). */
const isSupplier = (p: Principal, supplierId?: string) =>
  p.roles.includes('supplier') && !!p.supplierId && (supplierId === undefined || p.supplierId === supplierId);

// ---------------------------------------------------------------------------------------------------
// Breakdown pages

/** Where a breakdown page ends: the revision it was read at and the last pickup point it held. */
interface BreakdownCursor {
  revision: number;
  after: string;
}

export const encodeBreakdownCursor = (c: BreakdownCursor) =>
  Buffer.from(JSON.stringify({ r: c.revision, a: c.after })).toString('base64url');

export function decodeBreakdownCursor(cursor: string | undefined): BreakdownCursor | undefined {
  if (cursor === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { r?: unknown; a?: unknown };
    if (Number.isInteger(value.r) && (value.r as number) > 0 && typeof value.a === 'string' && value.a.length > 0)
      return { revision: value.r as number, after: value.a };
  } catch {
    // fall through
  }
  throw validationError('cursor', 'not a cursor this API issued');
}

const pointOf = (v: BreakdownVersion): PickupPointBreakdown => ({
  leaderId: v.leaderId,
  pickupPointName: v.pickupPointName,
  address: v.address,
  lines: v.lines,
});

/** Within a page, pickup points by name (a breakdown that fits one page reads as it always did). */
const byPointName = (a: PickupPointBreakdown, b: PickupPointBreakdown) =>
  byText(a.pickupPointName, b.pickupPointName) || byText(a.leaderId, b.leaderId);

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

interface BreakdownPage {
  points: PickupPointBreakdown[];
  /** The cursor of the rest, if the budget stopped the page. */
  next?: string;
  bytes: number;
}

/** Pickup points of a part at `revision`, after `after`, while their size (by `sizeOf`) fits the budget; at least one. */
async function breakdownPage(
  deps: PurchaseOrderDeps,
  po: PurchaseOrder,
  revision: number,
  budget: number,
  sizeOf: (point: PickupPointBreakdown) => number,
  after?: string,
): Promise<BreakdownPage> {
  const points: PickupPointBreakdown[] = [];
  let bytes = 0;
  for await (const version of deps.purchaseOrders.breakdown(po.supplierId, po.deliveryDate, po.part, revision, after)) {
    const point = pointOf(version);
    const size = sizeOf(point);
    if (points.length > 0 && bytes + size > budget) {
      // The cursor is the last point in storage order, taken before the page is sorted by name.
      const next = encodeBreakdownCursor({ revision, after: points.at(-1)!.leaderId });
      return { points: points.sort(byPointName), next, bytes };
    }
    points.push(point);
    bytes += size;
  }
  return { points: points.sort(byPointName), bytes };
}

// JSON: a point costs its JSON and a comma; a response's fixed part is its header view with room for a cursor.
const jsonSize = (point: PickupPointBreakdown) => bytesOf(point) + 1;
const CURSOR_ROOM = 200;

export interface PurchaseOrderPage {
  po: PurchaseOrder;
  /** Of the products on its lines. */
  caseSizes: CaseSizes;
  pickupPoints: PickupPointBreakdown[];
  /** Present when `pickupPoints` is not the rest of the breakdown. */
  breakdownCursor?: string;
}

/** The purchase order with as much of its breakdown (from the cursor's point on) as one response holds. */
async function pageFrom(deps: PurchaseOrderDeps, po: PurchaseOrder, budget: number, cursor?: BreakdownCursor) {
  const caseSizes = await deps.caseSizes(po.lines.map((l) => l.productId));
  const fixed = bytesOf(purchaseOrderView({ po, caseSizes, pickupPoints: [] })) + CURSOR_ROOM;
  const page = await breakdownPage(deps, po, po.revision, budget - fixed, jsonSize, cursor?.after);
  return {
    page: { po, caseSizes, pickupPoints: page.points, ...(page.next ? { breakdownCursor: page.next } : {}) },
    bytes: fixed + page.bytes,
  };
}

// ---------------------------------------------------------------------------------------------------
// Use-cases

/** Each purchase order of the page with its breakdown, while the response stays under its budget. */
export async function listPurchaseOrders(
  deps: PurchaseOrderDeps,
  principal: Principal,
  query: ListPurchaseOrdersQuery,
): Promise<Page<PurchaseOrderPage>> {
  let supplierId = query.supplierId;
  if (!isOperator(principal)) {
    if (!isSupplier(principal)) throw forbidden('Only suppliers and operators see purchase orders');
    if (query.supplierId !== undefined && query.supplierId !== principal.supplierId)
      throw forbidden('A supplier sees only its own purchase orders');
    supplierId = principal.supplierId;
  }
  const page = await deps.purchaseOrders.listByDate(query.date, supplierId, query.limit, query.cursor);
  const items: PurchaseOrderPage[] = [];
  let budget = (deps.responseBudgetBytes ?? RESPONSE_BUDGET_BYTES) - CURSOR_ROOM;
  for (const [i, po] of page.items.entries()) {
    const isLast = i === page.items.length - 1;
    const { page: item, bytes } = await pageFrom(deps, po, budget);
    // The next purchase order does not fit beside the ones before it: the next page starts with it.
    if (items.length > 0 && (bytes > budget || item.breakdownCursor)) {
      return { items, nextCursor: deps.purchaseOrders.cursorAfter(items.at(-1)!.po) };
    }
    items.push(item);
    budget -= bytes;
    // Its breakdown goes on (GET /purchase-orders/{id}?cursor=): the list goes on after it.
    if (item.breakdownCursor) {
      const nextCursor = isLast ? page.nextCursor : deps.purchaseOrders.cursorAfter(po);
      return { items, ...(nextCursor ? { nextCursor } : {}) };
    }
  }
  return { items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

/** Operators and the purchase order's supplier; anyone else is told it does not exist. */
export async function readPurchaseOrder(deps: PurchaseOrderDeps, principal: Principal, purchaseOrderId: string): Promise<PurchaseOrder> {
  const id = parsePurchaseOrderId(purchaseOrderId);
  if (!id || !(isOperator(principal) || isSupplier(principal, id.supplierId))) throw notFound('Purchase order');
  const po = await deps.purchaseOrders.get(id.supplierId, id.deliveryDate, id.part);
  if (!po) throw notFound('Purchase order');
  return po;
}

/**
 * The purchase order and a page of its breakdown: from the start, or from a cursor a previous page gave.
 * Pages of one reading are of one revision: once the purchase order is revised, a cursor of the previous
 * revision is refused (409) and the reader starts again.
 */
export async function readPurchaseOrderPage(
  deps: PurchaseOrderDeps,
  principal: Principal,
  purchaseOrderId: string,
  cursor?: string,
): Promise<PurchaseOrderPage> {
  const from = decodeBreakdownCursor(cursor);
  const po = await readPurchaseOrder(deps, principal, purchaseOrderId);
  if (from && from.revision !== po.revision)
    throw conflict(`The purchase order was revised (revision ${po.revision}) after that page: read it again from the start`);
  return (await pageFrom(deps, po, deps.responseBudgetBytes ?? RESPONSE_BUDGET_BYTES, from)).page;
}

export interface CsvPart {
  po: PurchaseOrder;
  /** The revision the file shows. */
  revision: number;
  text: string;
  /** The next part's cursor: the parts, concatenated, are the file. */
  nextCursor?: string;
}

/**
 * The purchase order as CSV, in parts under CSV_PART_BYTES: the first has the byte order mark, the heading
 * and the product lines; each part holds whole pickup points. Parts are read at the revision of the first
 * (the breakdown keeps every revision's lines), so a file downloaded while the purchase order is revised is
 * still one revision's, whole.
 */
export async function purchaseOrderCsvPart(
  deps: PurchaseOrderDeps,
  principal: Principal,
  purchaseOrderId: string,
  cursor?: string,
): Promise<CsvPart> {
  const from = decodeBreakdownCursor(cursor);
  const po = await readPurchaseOrder(deps, principal, purchaseOrderId);
  if (from && from.revision > po.revision) throw validationError('cursor', 'not a cursor of this purchase order');
  const revision = from?.revision ?? po.revision;
  const head = from ? '' : csvHead(po, await deps.caseSizes(po.lines.map((l) => l.productId)));
  const page = await breakdownPage(
    deps,
    po,
    revision,
    (deps.csvPartBytes ?? CSV_PART_BYTES) - Buffer.byteLength(head),
    (p) => Buffer.byteLength(csvRows([p])),
    from?.after,
  );
  return { po, revision, text: head + csvRows(page.points), ...(page.next ? { nextCursor: page.next } : {}) };
}

/** A part's revisions, oldest first, each with what changed at each pickup point; paged, under the response budget. */
export async function purchaseOrderRevisions(
  deps: PurchaseOrderDeps,
  principal: Principal,
  purchaseOrderId: string,
  query: PurchaseOrderRevisionsQuery = { limit: 50 },
): Promise<Page<PurchaseOrderRevision>> {
  const po = await readPurchaseOrder(deps, principal, purchaseOrderId);
  const page = await deps.purchaseOrders.revisions(po.supplierId, po.deliveryDate, po.part, query.limit, query.cursor);
  const items: PurchaseOrderRevision[] = [];
  let bytes = CURSOR_ROOM;
  for (const record of page.items) {
    const revision = await withDifferences(deps, po, record);
    const size = bytesOf(revision) + 1;
    if (items.length > 0 && bytes + size > (deps.responseBudgetBytes ?? RESPONSE_BUDGET_BYTES))
      return { items, nextCursor: deps.purchaseOrders.cursorAfterRevision(po, items.at(-1)!.revision) };
    items.push(revision);
    bytes += size;
  }
  return { items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
}

/** What a revision changed at each pickup point: its version then against the one it replaced. */
async function withDifferences(
  deps: PurchaseOrderDeps,
  po: PurchaseOrder,
  record: PurchaseOrderRevisionRecord,
): Promise<PurchaseOrderRevision> {
  const { pickupPointIds, ...rest } = record;
  const cells = [];
  for (let i = 0; i < pickupPointIds.length; i += 16) {
    const versions = await Promise.all(
      pickupPointIds
        .slice(i, i + 16)
        .map((leaderId) => deps.purchaseOrders.pointVersions(po.supplierId, po.deliveryDate, po.part, leaderId, record.revision)),
    );
    for (const { at, before } of versions) if (at) cells.push(...pointDifference(before, at));
  }
  cells.sort(
    (x, y) =>
      byText(x.pickupPointName, y.pickupPointName) ||
      byText(x.leaderId, y.leaderId) ||
      byText(x.name, y.name) ||
      x.supplyPriceFen - y.supplyPriceFen,
  );
  return { ...rest, pickupPoints: cells };
}

const MAX_STALE_RETRIES = 5;

/** The supplier acknowledges or ships its purchase order (the revision it reads at that moment). */
export async function actOnPurchaseOrder(
  deps: PurchaseOrderDeps,
  principal: Principal,
  purchaseOrderId: string,
  action: PurchaseOrderAction,
): Promise<PurchaseOrderPage> {
  for (let attempt = 0; attempt < MAX_STALE_RETRIES; attempt++) {
    const po = await readPurchaseOrder(deps, principal, purchaseOrderId);
    if (!isSupplier(principal, po.supplierId)) throw forbidden(`Only the supplier may ${action} its purchase order`);
    const rule = PURCHASE_ORDER_TRANSITIONS[action];
    if (!rule.from.includes(po.status))
      throw conflict(`A purchase order that is ${po.status} cannot be ${action === 'ship' ? 'shipped' : 'acknowledged'}`);
    const at = deps.clock.now().toISOString();
    const after: PurchaseOrder = {
      ...po,
      status: rule.to,
      updatedAt: at,
      ...(action === 'acknowledge' ? { acknowledgedAt: at, acknowledgedRevision: po.revision } : { shippedAt: at }),
    };
    const outcome = await deps.purchaseOrders.transition(po, after, {
      entityId: po.purchaseOrderId,
      entityType: 'purchaseOrder',
      action: `purchaseOrder.${rule.to}`,
      actor: principal.userId,
      at,
      before: { status: po.status, revision: po.revision },
      after: { status: after.status, revision: after.revision },
    });
    if (outcome === 'changed') return (await pageFrom(deps, after, deps.responseBudgetBytes ?? RESPONSE_BUDGET_BYTES)).page;
  }
  throw conflict('The purchase order is changing; try again');
}

export function purchaseOrderView({ po, caseSizes, pickupPoints, breakdownCursor }: PurchaseOrderPage) {
  return {
    purchaseOrderId: po.purchaseOrderId,
    supplierId: po.supplierId,
    deliveryDate: po.deliveryDate,
    part: po.part,
    ...(po.supplementOf ? { supplementOf: po.supplementOf } : {}),
    status: po.status,
    revision: po.revision,
    totalFen: po.totalFen,
    lines: po.lines.map((line) => lineInCases(line, caseSizes)),
    pickupPointCount: po.pickupPointCount,
    pickupPoints,
    ...(breakdownCursor ? { breakdownCursor } : {}),
    issuedAt: toBusinessIso(po.issuedAt),
    updatedAt: toBusinessIso(po.updatedAt),
    ...(po.acknowledgedAt ? { acknowledgedAt: toBusinessIso(po.acknowledgedAt), acknowledgedRevision: po.acknowledgedRevision } : {}),
    ...(po.shippedAt ? { shippedAt: toBusinessIso(po.shippedAt) } : {}),
  };
}

export function revisionView(r: PurchaseOrderRevision) {
  return { ...r, at: toBusinessIso(r.at) };
}
