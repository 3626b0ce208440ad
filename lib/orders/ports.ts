// The order domain's ports: what the order use-cases need from a store, and the shapes they exchange.
import type { AuditEvent } from '../../schemas/common';
import type { Order, Refund } from '../../schemas/orders';
import type { GroupBuyStore } from '../group-buys/group-buys';
import type { Page } from '../runtime/page';
import type { Clock, Ids } from '../runtime/clock';
import type { PlacementCache } from './snapshots';

export interface Reservation {
  productId: string;
  quantity: number;
  stockLimited: boolean;
  perResidentLimit?: number;
}

export type PlaceOutcome =
  | { kind: 'placed' }
  /** An order of that id exists already: the same resident and Idempotency-Key placed it. */
  | { kind: 'duplicate_key' }
  /** The group buy no longer takes orders, or is not at the version the order was priced from. */
  | { kind: 'group_closed' }
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

/** The pickup point an order takes one place of, for its pickup date, within the capacity its counter carries. */
export interface PlaceCheck {
  leaderId: string;
}

/** What placing an order writes and checks, at once. */
export interface Placement {
  /** New: its id is derived from the resident and the Idempotency-Key, so a second one of that id is refused. */
  order: Order;
  /** Stock and per-resident allowance taken. */
  reservations: Reservation[];
  audit: AuditEvent;
  /** The group buy must take orders at this instant (open, before its cutoff, its leader not suspended). */
  now: Date;
  /**
   * The version of the group buy the order was priced from (a cached copy, maybe): the write refuses it
   * (`group_closed`) unless the group buy is still at it. Adapters that can't check it rely on the snapshot's
   * immutability (only the status and the suspension mark change, and both are checked).
   */
  groupBuyVersion?: number;
  /** One place of its pickup point for its pickup date, within the point's capacity. */
  place?: PlaceCheck;
}

export interface OrderStore {
  place(placement: Placement): Promise<PlaceOutcome>;
  get(orderId: string): Promise<Order | undefined>;
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
  /**
   * Group buys placement may reuse between requests of a warm instance (the write proves them again).
   * Without it every placement reads the group buy.
   */
  cache?: PlacementCache;
  clock: Clock;
  ids: Ids;
  /** The share-link key (derived from a secret: read when first needed, after the secrets load). */
  shareKey: () => Buffer;
  paymentTimeoutMinutes: number;
}
