// Orders: a resident orders through a leader's share link; stock and per-resident limits are
// reserved atomically with the order; unpaid orders expire; a resident cancels before the cutoff.
import { createHash } from 'node:crypto';
import type { AuditEvent } from '../../schemas/common';
import type { GroupBuy } from '../../schemas/group-buys';
import type { IdempotencyRecord, Order, OrderLine, PlaceOrderBody, Refund } from '../../schemas/orders';
import type { OrderView } from '../../schemas/views';
import type { GroupBuyStore } from '../group-buys/group-buys';
import { invalidShareLink, verifyShareToken } from '../group-buys/share-link';
import type { Page } from '../runtime/page';
import { isOperator, type Principal } from '../runtime/auth';
import type { Clock, Ids } from '../runtime/clock';
import { AppError, conflict, notFound, type ErrorDetail } from '../runtime/errors';
import { count } from '../runtime/observability';
import { addMinutes, toBusinessIso } from '../runtime/time';
import { maskName, maskPhone } from './privacy';
import { nextOrderStatus, type OrderEvent } from './status';

export interface Reservation {
  productId: string;
  quantity: number;
  stockLimited: boolean;
  perResidentLimit?: number;
}

export type PlaceOutcome =
  | { kind: 'placed' }
  | { kind: 'duplicate_key' }
  | { kind: 'group_closed' }
  /** The leader changed the pickup point's capacity since it was read. */
  | { kind: 'capacity_changed' }
  /** Its pickup point has no place left for that pickup date. */
  | { kind: 'pickup_full' }
  | { kind: 'out_of_stock'; productIds: string[] }
  | { kind: 'over_limit'; productIds: string[] };

export interface PaymentRecord {
  paymentId: string;
  orderId: string;
  amountFen: number;
  paidAt: string;
  outcome: 'applied' | 'refunded';
}

export interface OrderChange {
  before: Order;
  after: Order;
  /** Give back the stock and per-resident allowance the order holds. */
  release?: boolean;
  /** Refuse (`group_closed`) unless the group buy still takes orders at this instant. */
  groupOpenAt?: Date;
  /** Refuse (`leader_suspended`) if the order's leader has been suspended since (their group buys are marked). */
  leaderNotSuspended?: boolean;
  /** Apply this payment once (`payment_seen` if it was applied before). */
  payment?: PaymentRecord;
  refunds?: Refund[];
  /** Counted by the closing of its group buy (written with the change, so a retry can't count twice). */
  tally?: CloseTally;
  audit: AuditEvent;
}

export type CloseTallyKind = 'cancelled' | 'ready' | 'refunded';
export interface CloseTally {
  groupBuyId: string;
  kind: CloseTallyKind;
}

/**
 * The pickup point's capacity (orders per pickup date) as read from its leader when the order was priced
 * (`undefined`: no limit). The write checks it is still so, and takes one place within it.
 */
export interface PlaceCheck {
  leaderId: string;
  capacity: number | undefined;
}

export interface OrderStore {
  /**
   * The order, its reservations (stock, per-resident allowance and, with `place`, one place of its pickup
   * point for its pickup date, within `place.capacity`), its idempotency record and audit, at once.
   */
  place(
    order: Order,
    reservations: Reservation[],
    idem: IdempotencyRecord,
    audit: AuditEvent,
    now: Date,
    place?: PlaceCheck,
  ): Promise<PlaceOutcome>;
  get(orderId: string): Promise<Order | undefined>;
  getIdempotency(userId: string, key: string): Promise<IdempotencyRecord | undefined>;
  listByUser(userId: string, limit: number, cursor?: string): Promise<Page<Order>>;
  change(change: OrderChange): Promise<'changed' | 'stale' | 'group_closed' | 'leader_suspended' | 'payment_seen'>;
  /** A payment that can't be applied (order expired, cancelled, or paid twice): recorded and refunded. */
  recordUnappliedPayment(payment: PaymentRecord, refund: Refund, audit: AuditEvent): Promise<'recorded' | 'payment_seen'>;
  listRefunds(orderId: string): Promise<Refund[]>;
  /** Marks a requested or submitted refund succeeded. */
  completeRefund(refund: Refund, completedAt: string, audit: AuditEvent): Promise<'completed' | 'already'>;
  /** Replaces the refund by `after` if it is still in `before`'s status (a refund only moves forward). */
  transitionRefund(before: Refund, after: Refund, audit: AuditEvent): Promise<'changed' | 'already'>;
  /** The record of a provider payment (applied to an order, or refunded): what it took. */
  getPayment(paymentId: string): Promise<PaymentRecord | undefined>;
  dueForExpiry(now: Date, limit: number): Promise<Order[]>;
  /** Orders still `ready_for_pickup` whose pickup date is on or before `lastPickupDate` (an index query). */
  readyUpTo(lastPickupDate: string, limit: number): Promise<Order[]>;
}

export interface OrderDeps {
  orders: OrderStore;
  groupBuys: GroupBuyStore;
  /** The caller's leader id, if they hold a leader record (for reading their pickup point's orders). */
  leaderIdOf(userId: string): Promise<string | undefined>;
  /** The daily order capacity of the leader's pickup point (`undefined`: no limit). */
  pickupCapacityOf(leaderId: string): Promise<number | undefined>;
  clock: Clock;
  ids: Ids;
  /** The share-link key (derived from a secret: read when first needed, after the secrets load). */
  shareKey: () => Buffer;
  paymentTimeoutMinutes: number;
}

/** A stable fingerprint of a request body: the same body in any key order or spacing hashes the same. */
export function requestHash(body: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(body)))
    .digest('base64url');
}

const outOfStock = (details: ErrorDetail[]) => new AppError('OUT_OF_STOCK', details.map((d) => d.message).join('; '), details);
const groupClosed = () => new AppError('GROUP_BUY_CLOSED', 'This group buy no longer takes orders');
const pickupFull = (date: string) =>
  new AppError('PICKUP_POINT_FULL', `This pickup point takes no more orders for ${date}: its daily capacity is reached`);
/** The group buy takes orders at `now` (as the write will check again). */
const takesOrders = (gb: GroupBuy, now: Date) => gb.status === 'open' && !gb.leaderSuspended && Date.parse(gb.cutoffAt) > now.getTime();
/** A write refused because the capacity changed since it was read is tried again, on a fresh read, this often. */
const CAPACITY_RETRIES = 3;

/** Lines priced from the group buy's snapshot: the client never sends a price. */
export function priceLines(groupBuy: GroupBuy, body: PlaceOrderBody): { lines: OrderLine[]; reservations: Reservation[] } {
  const problems: ErrorDetail[] = [];
  const limits: ErrorDetail[] = [];
  const lines: OrderLine[] = [];
  const reservations: Reservation[] = [];
  body.items.forEach((requested, i) => {
    const item = groupBuy.items.find((g) => g.productId === requested.productId);
    if (!item) return void problems.push({ path: `items.${i}.productId`, message: 'not in this group buy' });
    if (item.stockLimit !== undefined && requested.quantity > item.stockLimit) {
      limits.push({ path: `items.${i}.quantity`, message: `more than the ${item.stockLimit} on offer` });
    }
    if (item.perResidentLimit !== undefined && requested.quantity > item.perResidentLimit) {
      limits.push({ path: `items.${i}.quantity`, message: `more than the limit of ${item.perResidentLimit} per resident` });
    }
    lines.push({
      productId: item.productId,
      supplierId: item.supplierId,
      name: item.name,
      unit: item.unit,
      quantity: requested.quantity,
      unitPriceFen: item.groupPriceFen,
      amountFen: item.groupPriceFen * requested.quantity,
      supplyPriceFen: item.supplyPriceFen,
      commissionRateBps: item.commissionRateBps,
      refundedFen: 0,
      stockLimited: item.stockLimit !== undefined,
      residentLimited: item.perResidentLimit !== undefined,
    });
    reservations.push({
      productId: item.productId,
      quantity: requested.quantity,
      stockLimited: item.stockLimit !== undefined,
      ...(item.perResidentLimit !== undefined ? { perResidentLimit: item.perResidentLimit } : {}),
    });
  });
  if (problems.length) throw new AppError('VALIDATION_FAILED', problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
  if (limits.length) throw outOfStock(limits);
  return { lines, reservations };
}

export interface PlacedOrder {
  order: Order;
  /** True when this request repeated an earlier one (same Idempotency-Key and body). */
  replayed: boolean;
}

export async function placeOrder(
  deps: OrderDeps,
  principal: Principal,
  idempotencyKey: string,
  body: PlaceOrderBody,
): Promise<PlacedOrder> {
  const now = deps.clock.now();
  const claims = verifyShareToken(deps.shareKey(), body.shareToken, now);
  const hash = requestHash(body);

  const replay = async (): Promise<PlacedOrder | undefined> => {
    const idem = await deps.orders.getIdempotency(principal.userId, idempotencyKey);
    if (!idem) return undefined;
    if (idem.requestHash !== hash) throw conflict('This Idempotency-Key was used with a different request');
    const order = await deps.orders.get(idem.orderId);
    if (!order) throw new Error(`Idempotency record names a missing order ${idem.orderId}`);
    return { order, replayed: true };
  };

  const groupBuy = await deps.groupBuys.get(claims.groupBuyId);
  if (!groupBuy || groupBuy.leaderId !== claims.leaderId) throw invalidShareLink('unknown group buy');

  for (let attempt = 1; ; attempt++) {
    if (!takesOrders(groupBuy, now)) {
      // A retry of an order placed before the cutoff still gets its order back.
      const earlier = await replay();
      if (earlier) return earlier;
      throw groupClosed();
    }
    const place: PlaceCheck = { leaderId: groupBuy.leaderId, capacity: await deps.pickupCapacityOf(groupBuy.leaderId) };

    const { lines, reservations } = priceLines(groupBuy, body);
    const at = now.toISOString();
    const order: Order = {
      orderId: deps.ids.next(),
      userId: principal.userId,
      groupBuyId: groupBuy.groupBuyId,
      // The leader the link names is the one credited, whoever forwarded it.
      leaderId: claims.leaderId,
      pickupDate: groupBuy.pickupDate,
      cutoffAt: groupBuy.cutoffAt,
      status: 'pending_payment',
      items: lines,
      totalFen: lines.reduce((sum, l) => sum + l.amountFen, 0),
      refundedFen: 0,
      contactName: body.contactName,
      contactPhone: body.contactPhone,
      ...(body.note ? { note: body.note } : {}),
      createdAt: at,
      updatedAt: at,
      expiresAt: addMinutes(now, deps.paymentTimeoutMinutes).toISOString(),
      holdsPlace: true,
      version: 1,
    };
    const idem: IdempotencyRecord = {
      userId: principal.userId,
      key: idempotencyKey,
      requestHash: hash,
      orderId: order.orderId,
      createdAt: at,
    };
    const outcome = await deps.orders.place(
      order,
      reservations,
      idem,
      { entityId: order.orderId, entityType: 'order', action: 'order.placed', actor: principal.userId, at, after: order },
      now,
      place,
    );

    switch (outcome.kind) {
      case 'placed':
        count('OrdersPlaced');
        return { order, replayed: false };
      case 'duplicate_key': {
        const earlier = await replay();
        if (earlier) return earlier;
        throw new Error('Idempotency record vanished between write and read');
      }
      case 'group_closed':
        throw groupClosed();
      case 'capacity_changed':
        if (attempt < CAPACITY_RETRIES) continue;
        throw conflict('The pickup point changed its capacity meanwhile; try again');
      case 'pickup_full':
        throw pickupFull(groupBuy.pickupDate);
      case 'out_of_stock':
      case 'over_limit': {
        const why = outcome.kind === 'out_of_stock' ? 'not enough stock left' : 'over your limit for this item';
        throw outOfStock(
          outcome.productIds.map((productId) => ({
            path: `items.${body.items.findIndex((i) => i.productId === productId)}.quantity`,
            message: `${productId}: ${why}`,
          })),
        );
      }
    }
  }
}

type Viewer = 'owner' | 'leader' | 'operator';

/** Who may read an order: its resident, that pickup point's leader, operators. Others get 404. */
export async function readOrder(
  deps: Pick<OrderDeps, 'orders' | 'leaderIdOf'>,
  principal: Principal,
  orderId: string,
): Promise<{ order: Order; viewer: Viewer }> {
  const order = await deps.orders.get(orderId);
  if (order) {
    if (isOperator(principal)) return { order, viewer: 'operator' };
    if (order.userId === principal.userId) return { order, viewer: 'owner' };
    if ((await deps.leaderIdOf(principal.userId)) === order.leaderId) return { order, viewer: 'leader' };
  }
  // Not revealing whether an order the caller may not see exists.
  throw notFound('Order');
}

export function orderView(order: Order, viewer: Viewer = 'owner'): OrderView {
  const masked = viewer === 'leader';
  return {
    orderId: order.orderId,
    status: order.status,
    groupBuyId: order.groupBuyId,
    leaderId: order.leaderId,
    totalFen: order.totalFen,
    refundedFen: order.refundedFen,
    items: order.items.map((l) => ({
      productId: l.productId,
      name: l.name,
      unit: l.unit,
      quantity: l.quantity,
      unitPriceFen: l.unitPriceFen,
      amountFen: l.amountFen,
      refundedFen: l.refundedFen,
    })),
    ...(order.pickupCode ? { pickupCode: order.pickupCode } : {}),
    pickupDate: order.pickupDate,
    contactName: masked ? maskName(order.contactName) : order.contactName,
    contactPhone: masked ? maskPhone(order.contactPhone) : order.contactPhone,
    ...(order.note ? { note: order.note } : {}),
    createdAt: toBusinessIso(order.createdAt),
    expiresAt: toBusinessIso(order.expiresAt),
    ...(order.paidAt ? { paidAt: toBusinessIso(order.paidAt) } : {}),
    ...(order.pickedUpAt ? { pickedUpAt: toBusinessIso(order.pickedUpAt) } : {}),
    ...(order.uncollectedAt ? { uncollectedAt: toBusinessIso(order.uncollectedAt) } : {}),
  };
}

/** The order after an event, with the line refunds it implies when it refunds everything. */
export function transitioned(order: Order, event: OrderEvent, at: string): Order {
  return { ...order, status: nextOrderStatus(order.status, event), updatedAt: at };
}

/** A refund of everything not yet refunded, allocated line by line. */
export function fullRefund(
  order: Order,
  refundId: string,
  reason: string,
  actor: string,
  at: string,
): { refund: Refund; after: Pick<Order, 'items' | 'refundedFen'> } | undefined {
  const amountFen = order.totalFen - order.refundedFen;
  if (amountFen <= 0 || !order.paymentId) return undefined;
  const lines = order.items.map((l) => ({ productId: l.productId, amountFen: l.amountFen - l.refundedFen })).filter((l) => l.amountFen > 0);
  return {
    refund: {
      refundId,
      orderId: order.orderId,
      paymentId: order.paymentId,
      amountFen,
      reason,
      status: 'requested',
      lines,
      requestedBy: actor,
      createdAt: at,
    },
    after: { items: order.items.map((l) => ({ ...l, refundedFen: l.amountFen })), refundedFen: order.totalFen },
  };
}

const MAX_STALE_RETRIES = 5;

/** Runs read-decide-write until the write finds the order as it was read. */
export async function withFreshOrder<T>(orders: OrderStore, orderId: string, attempt: (order: Order) => Promise<T | 'stale'>): Promise<T> {
  for (let i = 0; i < MAX_STALE_RETRIES; i++) {
    const order = await orders.get(orderId);
    if (!order) throw notFound('Order');
    const result = await attempt(order);
    if (result !== 'stale') return result;
  }
  throw conflict('The order is changing; try again');
}

/** A resident cancels before the cutoff: stock is released and a paid order is refunded in full. */
export async function cancelOrder(deps: Pick<OrderDeps, 'orders' | 'clock'>, principal: Principal, orderId: string): Promise<Order> {
  return withFreshOrder(deps.orders, orderId, async (order) => {
    if (order.userId !== principal.userId) throw notFound('Order');
    const now = deps.clock.now();
    if (Date.parse(order.cutoffAt) <= now.getTime()) throw conflict('The cutoff has passed: the order can no longer be cancelled');
    const at = now.toISOString();
    let after = transitioned(order, 'cancel', at);
    const refunds: Refund[] = [];
    if (order.status === 'paid') {
      const full = fullRefund(order, `${order.orderId}-cancel`, 'cancelled by resident', principal.userId, at);
      if (full) {
        refunds.push(full.refund);
        after = { ...after, ...full.after };
      }
    }
    const outcome = await deps.orders.change({
      before: order,
      after,
      release: true,
      groupOpenAt: now,
      refunds,
      audit: { entityId: order.orderId, entityType: 'order', action: 'order.cancelled', actor: principal.userId, at, before: order, after },
    });
    if (outcome === 'group_closed') throw conflict('The group buy has closed: the order can no longer be cancelled');
    return outcome === 'changed' ? after : 'stale';
  });
}

/** Expires unpaid orders past their payment deadline and gives their stock back. Safe to run twice. */
export async function expireDueOrders(
  deps: Pick<OrderDeps, 'orders' | 'clock'>,
  options: { limit?: number; hasTime?: () => boolean } = {},
): Promise<{ expired: number }> {
  const now = deps.clock.now();
  const due = await deps.orders.dueForExpiry(now, options.limit ?? 200);
  let expired = 0;
  for (const candidate of due) {
    if (options.hasTime && !options.hasTime()) break;
    const done = await withFreshOrder(deps.orders, candidate.orderId, async (order) => {
      if (order.status !== 'pending_payment' || Date.parse(order.expiresAt) > now.getTime()) return false;
      const at = deps.clock.now().toISOString();
      const after = transitioned(order, 'expire', at);
      const outcome = await deps.orders.change({
        before: order,
        after,
        release: true,
        audit: { entityId: order.orderId, entityType: 'order', action: 'order.expired', actor: 'system:expiry', at, before: order, after },
      });
      return outcome === 'changed' ? true : 'stale';
    });
    if (done) expired++;
  }
  return { expired };
}
