// Supplier purchase orders as suppliers and operators see them: a supplier lists, reads, acknowledges
// and ships its own (and sees nobody else's); operators see all. Status changes go through one
// transition table and are audited.
import type { AuditEvent } from '../../schemas/common';
import type { ListPurchaseOrdersQuery, PurchaseOrder, PurchaseOrderRevision, PurchaseOrderStatus } from '../../schemas/purchase-orders';
import type { Page } from '../leaders/leaders';
import { isOperator, type Principal } from '../runtime/auth';
import type { Clock } from '../runtime/clock';
import { conflict, forbidden, notFound } from '../runtime/errors';
import { toBusinessIso } from '../runtime/time';
import { parsePurchaseOrderId } from './consolidation';

export interface PurchaseOrderStore {
  get(supplierId: string, deliveryDate: string, part: number): Promise<PurchaseOrder | undefined>;
  /** The purchase orders of a delivery date, by supplier; of one supplier when given. */
  listByDate(deliveryDate: string, supplierId: string | undefined, limit: number, cursor?: string): Promise<Page<PurchaseOrder>>;
  /** Replaces `before` with `after` only if it is still at that status and revision. */
  transition(before: PurchaseOrder, after: PurchaseOrder, audit: AuditEvent): Promise<'changed' | 'stale'>;
  revisions(supplierId: string, deliveryDate: string, part: number): Promise<PurchaseOrderRevision[]>;
}

export interface PurchaseOrderDeps {
  purchaseOrders: PurchaseOrderStore;
  clock: Clock;
}

export type PurchaseOrderAction = 'acknowledge' | 'ship';

/** Which action moves a purchase order from which status to which. A supplier may ship unacknowledged. */
export const PURCHASE_ORDER_TRANSITIONS: Record<PurchaseOrderAction, { from: readonly PurchaseOrderStatus[]; to: PurchaseOrderStatus }> = {
  acknowledge: { from: ['issued'], to: 'acknowledged' },
  ship: { from: ['issued', 'acknowledged'], to: 'shipped' },
};

/** The supplier the principal acts for, if they hold the supplier role (and, when given, it is that one). */
const isSupplier = (p: Principal, supplierId?: string) =>
  p.roles.includes('supplier') && !!p.supplierId && (supplierId === undefined || p.supplierId === supplierId);

export async function listPurchaseOrders(
  deps: PurchaseOrderDeps,
  principal: Principal,
  query: ListPurchaseOrdersQuery,
): Promise<Page<PurchaseOrder>> {
  if (isOperator(principal)) return deps.purchaseOrders.listByDate(query.date, query.supplierId, query.limit, query.cursor);
  if (isSupplier(principal)) {
    if (query.supplierId !== undefined && query.supplierId !== principal.supplierId)
      throw forbidden('A supplier sees only its own purchase orders');
    return deps.purchaseOrders.listByDate(query.date, principal.supplierId, query.limit, query.cursor);
  }
  throw forbidden('Only suppliers and operators see purchase orders');
}

/** Operators and the purchase order's supplier; anyone else is told it does not exist. */
export async function readPurchaseOrder(deps: PurchaseOrderDeps, principal: Principal, purchaseOrderId: string): Promise<PurchaseOrder> {
  const id = parsePurchaseOrderId(purchaseOrderId);
  if (!id || !(isOperator(principal) || isSupplier(principal, id.supplierId))) throw notFound('Purchase order');
  const po = await deps.purchaseOrders.get(id.supplierId, id.deliveryDate, id.part);
  if (!po) throw notFound('Purchase order');
  return po;
}

export async function purchaseOrderRevisions(
  deps: PurchaseOrderDeps,
  principal: Principal,
  purchaseOrderId: string,
): Promise<PurchaseOrderRevision[]> {
  const po = await readPurchaseOrder(deps, principal, purchaseOrderId);
  return deps.purchaseOrders.revisions(po.supplierId, po.deliveryDate, po.part);
}

const MAX_STALE_RETRIES = 5;

/** The supplier acknowledges or ships its purchase order (the revision it reads at that moment). */
export async function actOnPurchaseOrder(
  deps: PurchaseOrderDeps,
  principal: Principal,
  purchaseOrderId: string,
  action: PurchaseOrderAction,
): Promise<PurchaseOrder> {
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
    if (outcome === 'changed') return after;
  }
  throw conflict('The purchase order is changing; try again');
}

export function purchaseOrderView(po: PurchaseOrder) {
  return {
    purchaseOrderId: po.purchaseOrderId,
    supplierId: po.supplierId,
    deliveryDate: po.deliveryDate,
    part: po.part,
    ...(po.supplementOf ? { supplementOf: po.supplementOf } : {}),
    status: po.status,
    revision: po.revision,
    totalFen: po.totalFen,
    lines: po.lines,
    pickupPoints: po.pickupPoints,
    issuedAt: toBusinessIso(po.issuedAt),
    updatedAt: toBusinessIso(po.updatedAt),
    ...(po.acknowledgedAt ? { acknowledgedAt: toBusinessIso(po.acknowledgedAt), acknowledgedRevision: po.acknowledgedRevision } : {}),
    ...(po.shippedAt ? { shippedAt: toBusinessIso(po.shippedAt) } : {}),
  };
}

export function revisionView(r: PurchaseOrderRevision) {
  return { ...r, at: toBusinessIso(r.at) };
}
