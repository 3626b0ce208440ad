// The one key builder: every item's primary key and index keys are made here, and each shape has its
// line in docs/data-model.md saying which query needs it.

/** Unpaid orders spread over a few partitions so that a flash sale does not heat one index key. */
export const PENDING_SHARDS = 4;

export function shardOf(id: string, shards: number): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % shards;
}

export const INDEX = { byGsi1: 'gsi1', byGsi2: 'gsi2', byGsi3: 'gsi3' } as const;

export type Key = { pk: string; sk: string };

export const keys = {
  // Leaders
  leader: (leaderId: string): Key => ({ pk: `LEADER#${leaderId}`, sk: 'PROFILE' }),
  /** gsi1: operators list leaders by status, oldest application first. */
  leadersByStatus: (status: string, createdAt: string, leaderId: string) => ({
    gsi1pk: `LEADERS#${status}`,
    gsi1sk: `${createdAt}#${leaderId}`,
  }),
  leadersByStatusPartition: (status: string) => `LEADERS#${status}`,
  /** One leader record per user: the uniqueness guard and the `GET /leaders/me` lookup. */
  userLeader: (userId: string): Key => ({ pk: `USER#${userId}`, sk: 'LEADER' }),
  /** Referral codes are unique: the guard and the lookup of the recruiter. */
  referralCode: (code: string): Key => ({ pk: `REFCODE#${code}`, sk: 'REFCODE' }),

  // Catalogue
  supplier: (supplierId: string): Key => ({ pk: `SUPPLIER#${supplierId}`, sk: 'PROFILE' }),
  product: (productId: string): Key => ({ pk: `PRODUCT#${productId}`, sk: 'PROFILE' }),
  /** gsi1: a supplier's products (`GET /products?supplierId=`). */
  productsBySupplier: (supplierId: string, createdAt: string, productId: string) => ({
    gsi1pk: `SUPPLIER#${supplierId}#PRODUCTS`,
    gsi1sk: `${createdAt}#${productId}`,
  }),
  productsBySupplierPartition: (supplierId: string) => `SUPPLIER#${supplierId}#PRODUCTS`,
  /** gsi2: the whole catalogue (`GET /products`). */
  allProducts: (name: string, productId: string) => ({ gsi2pk: 'PRODUCTS', gsi2sk: `${name}#${productId}` }),
  allProductsPartition: 'PRODUCTS',

  // Group buys: the group buy, its stock counters and its per-resident counters share a partition,
  // so one Query (sk >= META) returns the group buy with its live stock.
  groupBuy: (groupBuyId: string): Key => ({ pk: `GB#${groupBuyId}`, sk: 'META' }),
  groupBuyPartition: (groupBuyId: string) => `GB#${groupBuyId}`,
  stock: (groupBuyId: string, productId: string): Key => ({ pk: `GB#${groupBuyId}`, sk: `STOCK#${productId}` }),
  stockPrefix: 'STOCK#',
  residentCounter: (groupBuyId: string, userId: string, productId: string): Key => ({ pk: `GB#${groupBuyId}`, sk: `BUYER#${userId}#${productId}` }),
  /** gsi2 (sparse): open group buys by cutoff; the cutoff job's work list. Removed when the group closes. */
  openGroupBuys: (cutoffAt: string, groupBuyId: string) => ({ gsi2pk: 'GB#OPEN', gsi2sk: `${cutoffAt}#${groupBuyId}` }),
  openGroupBuysPartition: 'GB#OPEN',
  /** gsi2 (sparse): group buys being closed, so that the cutoff job can resume any that stalled. */
  closingGroupBuys: (cutoffAt: string, groupBuyId: string) => ({ gsi2pk: 'GB#CLOSING', gsi2sk: `${cutoffAt}#${groupBuyId}` }),
  closingGroupBuysPartition: 'GB#CLOSING',
  /** gsi1: a leader's group buys, newest first. */
  groupBuysByLeader: (leaderId: string, createdAt: string, groupBuyId: string) => ({ gsi1pk: `LEADER#${leaderId}#GBS`, gsi1sk: `${createdAt}#${groupBuyId}` }),

  // Orders: the order and its refunds share a partition.
  order: (orderId: string): Key => ({ pk: `ORDER#${orderId}`, sk: 'META' }),
  orderPartition: (orderId: string) => `ORDER#${orderId}`,
  refund: (orderId: string, refundId: string): Key => ({ pk: `ORDER#${orderId}`, sk: `REFUND#${refundId}` }),
  refundPrefix: 'REFUND#',
  /** gsi1: a resident's orders, newest first (`GET /me/orders`). */
  ordersByUser: (userId: string, createdAt: string, orderId: string) => ({ gsi1pk: `USER#${userId}#ORDERS`, gsi1sk: `${createdAt}#${orderId}` }),
  ordersByUserPartition: (userId: string) => `USER#${userId}#ORDERS`,
  /** gsi2 (sparse, sharded): unpaid orders by payment deadline; the expiry job's work list. */
  pendingOrders: (orderId: string, expiresAt: string) => ({ gsi2pk: `ORDERS#PENDING#${shardOf(orderId, PENDING_SHARDS)}`, gsi2sk: `${expiresAt}#${orderId}` }),
  pendingOrdersPartitions: () => Array.from({ length: PENDING_SHARDS }, (_, i) => `ORDERS#PENDING#${i}`),
  /** gsi3: a group buy's orders by status (the cutoff reads `paid#…` and `pending_payment#…`). */
  ordersByGroupBuy: (groupBuyId: string, status: string, orderId: string) => ({ gsi3pk: `GB#${groupBuyId}#ORDERS`, gsi3sk: `${status}#${orderId}` }),
  ordersByGroupBuyPartition: (groupBuyId: string) => `GB#${groupBuyId}#ORDERS`,
  /** One order per resident and Idempotency-Key. */
  idempotency: (userId: string, key: string): Key => ({ pk: `IDEM#${userId}#${key}`, sk: 'IDEM' }),
  /** One application of each provider payment. */
  payment: (paymentId: string): Key => ({ pk: `PAYMENT#${paymentId}`, sk: 'PAYMENT' }),

  // Pickup: codes are unique per pickup point and pickup date (this item is the guard and the lookup).
  pickupCode: (leaderId: string, date: string, code: string): Key => ({ pk: `PICKUP#${leaderId}#${date}`, sk: `CODE#${code}` }),
  /** The pickup sheet of a pickup point and date: one line per order with a pickup code. */
  sheetLine: (leaderId: string, date: string, orderId: string): Key => ({ pk: `SHEET#${leaderId}#${date}`, sk: `ORDER#${orderId}` }),
  sheetPartition: (leaderId: string, date: string) => `SHEET#${leaderId}#${date}`,

  // The sandbox payment provider's books (local stage only).
  sandboxPayment: (paymentId: string): Key => ({ pk: `SANDBOX#${paymentId}`, sk: 'PAYMENT' }),
  sandboxRefund: (paymentId: string, refundId: string): Key => ({ pk: `SANDBOX#${paymentId}`, sk: `REFUND#${refundId}` }),

  // Audit trail: every state change of an entity, in time order.
  audit: (entityId: string, at: string, eventId: string): Key => ({ pk: `AUDIT#${entityId}`, sk: `${at}#${eventId}` }),
  auditPartition: (entityId: string) => `AUDIT#${entityId}`,
};
