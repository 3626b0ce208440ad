// The one key builder: every item's primary key and index keys are made here, and each shape has its
// line in docs/data-model.md saying which query needs it.

/** Unpaid orders spread over a few partitions so that a flash sale does not heat one index key. */
export const PENDING_SHARDS = 4;
/** The pickup points of a busy supplier's day waiting for a rebuild, spread so that each order's mark is not on one key. */
export const PO_DIRTY_SHARDS = 4;

export function shardOf(id: string, shards: number): number {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % shards;
}

/** Orders ready for pickup spread the same way: a cutoff makes a whole group buy ready at once. */
export const READY_SHARDS = 4;

/**
 * The table's indexes. gsi1 and gsi2 project every attribute; gsi3k and gsi4 only the keys (KEYS_ONLY), so a
 * change of an order that keeps its keys writes nothing to them, and their lists are read back from the table by
 * key (readByKeys). gsi3k is keyed on `gsi3pk`/`gsi3sk` (indexKeyOf): it replaced gsi3, which projected ALL over
 * the same attributes (decisions.md, 2026-12-02, "Orders in key-only indexes").
 */
export const INDEX = { byGsi1: 'gsi1', byGsi2: 'gsi2', byGsi3: 'gsi3k', byGsi4: 'gsi4' } as const;
export type IndexName = (typeof INDEX)[keyof typeof INDEX];
/** The prefix of an index's key attributes (`<prefix>pk`, `<prefix>sk`). */
export const indexKeyOf = (index: IndexName): string => (index === INDEX.byGsi3 ? 'gsi3' : index);

export type Key = { pk: string; sk: string };

export const keys = {
  /** GET /health reads this key; no item is ever written there. */
  health: (): Key => ({ pk: 'HEALTH', sk: 'HEALTH' }),
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

  // Group buys: the group buy, its gate (live stock) and its per-resident counters share a partition,
  // so one Query (sk >= GATE) returns the group buy with its live stock.
  groupBuy: (groupBuyId: string): Key => ({ pk: `GB#${groupBuyId}`, sk: 'META' }),
  groupBuyPartition: (groupBuyId: string) => `GB#${groupBuyId}`,
  /** What placement checks and takes stock from (lib/store/gate.ts). */
  groupBuyGate: (groupBuyId: string): Key => ({ pk: `GB#${groupBuyId}`, sk: 'GATE' }),
  groupBuyGateSk: 'GATE',
  /** A product's stock counter of a group buy created before gates (read until the migration has moved it onto the gate). */
  stock: (groupBuyId: string, productId: string): Key => ({ pk: `GB#${groupBuyId}`, sk: `STOCK#${productId}` }),
  stockPrefix: 'STOCK#',
  /** A resident's counter of one product (orders placed before 2026-12-01 give back here). */
  residentCounter: (groupBuyId: string, userId: string, productId: string): Key => ({
    pk: `GB#${groupBuyId}`,
    sk: `BUYER#${userId}#${productId}`,
  }),
  /** A resident's counters of every limited product of the group buy (`n:<productId>`): one item an order updates. */
  residentCounts: (groupBuyId: string, userId: string): Key => ({ pk: `GB#${groupBuyId}`, sk: `BUYER#${userId}` }),
  /** gsi2 (sparse): open group buys by cutoff; the cutoff job's work list. Removed when the group closes. */
  openGroupBuys: (cutoffAt: string, groupBuyId: string) => ({ gsi2pk: 'GB#OPEN', gsi2sk: `${cutoffAt}#${groupBuyId}` }),
  openGroupBuysPartition: 'GB#OPEN',
  /** One per order the closing settled, written with the order's change: the closing's exact counts. */
  closeTally: (groupBuyId: string, kind: string, orderId: string): Key => ({ pk: `GB#${groupBuyId}`, sk: `CLOSE#${kind}#${orderId}` }),
  closeTallyPrefix: (kind: string) => `CLOSE#${kind}#`,
  /** gsi2 (sparse): group buys being closed, so that the cutoff job can resume those that stalled. */
  closingGroupBuys: (cutoffAt: string, groupBuyId: string) => ({ gsi2pk: 'GB#CLOSING', gsi2sk: `${cutoffAt}#${groupBuyId}` }),
  closingGroupBuysPartition: 'GB#CLOSING',
  /** gsi1: a leader's group buys, newest first. */
  groupBuysByLeader: (leaderId: string, createdAt: string, groupBuyId: string) => ({
    gsi1pk: `LEADER#${leaderId}#GBS`,
    gsi1sk: `${createdAt}#${groupBuyId}`,
  }),
  groupBuysByLeaderPartition: (leaderId: string) => `LEADER#${leaderId}#GBS`,

  // Orders: the order and its refunds share a partition.
  order: (orderId: string): Key => ({ pk: `ORDER#${orderId}`, sk: 'META' }),
  orderPartition: (orderId: string) => `ORDER#${orderId}`,
  refund: (orderId: string, refundId: string): Key => ({ pk: `ORDER#${orderId}`, sk: `REFUND#${refundId}` }),
  refundPrefix: 'REFUND#',
  /**
   * gsi4 (KEYS_ONLY): a resident's orders, newest first (`GET /me/orders`, then the orders by key). Until
   * 2026-12-02 on gsi1 (projection ALL: every change of an order rewrote its copy there); `npm run
   * migrate-order-indexes` moves orders written before.
   */
  ordersByUser: (userId: string, createdAt: string, orderId: string) => ({
    gsi4pk: `USER#${userId}#ORDERS`,
    gsi4sk: `${createdAt}#${orderId}`,
  }),
  ordersByUserPartition: (userId: string) => `USER#${userId}#ORDERS`,
  /** gsi2 (sparse, sharded): unpaid orders by payment deadline; the expiry job's work list. */
  pendingOrders: (orderId: string, expiresAt: string) => ({
    gsi2pk: `ORDERS#PENDING#${shardOf(orderId, PENDING_SHARDS)}`,
    gsi2sk: `${expiresAt}#${orderId}`,
  }),
  pendingOrdersPartitions: () => Array.from({ length: PENDING_SHARDS }, (_, i) => `ORDERS#PENDING#${i}`),
  /**
   * gsi3k (KEYS_ONLY): a group buy's orders, by id. Not by status (until 2026-12-02, `<status>#<orderId>`; orders keep that key
   * until their next write): a key that changes with every status is a delete and a put in the index, one more
   * write at every payment, pickup code, pickup and refund; the closing passes over the partition instead
   * (decisions.md, "A group buy's orders by id").
   */
  ordersByGroupBuy: (groupBuyId: string, orderId: string) => ({
    gsi3pk: `GB#${groupBuyId}#ORDERS`,
    gsi3sk: orderId,
  }),
  ordersByGroupBuyPartition: (groupBuyId: string) => `GB#${groupBuyId}#ORDERS`,
  /** One order per resident and Idempotency-Key. */
  idempotency: (userId: string, key: string): Key => ({ pk: `IDEM#${userId}#${key}`, sk: 'IDEM' }),
  /** One application of each provider payment. */
  payment: (paymentId: string): Key => ({ pk: `PAYMENT#${paymentId}`, sk: 'PAYMENT' }),

  // Pickup: codes are unique per pickup point and pickup date (this item is the guard and the lookup).
  pickupCode: (leaderId: string, date: string, code: string): Key => ({ pk: `PICKUP#${leaderId}#${date}`, sk: `CODE#${code}` }),
  /** The codes of a pickup point and date: the closing counts the orders it made ready by them (their `groupBuyId`). */
  pickupCodePartition: (leaderId: string, date: string) => `PICKUP#${leaderId}#${date}`,
  /** The pickup sheet of a pickup point and date: one line per order with a pickup code. */
  sheetLine: (leaderId: string, date: string, orderId: string): Key => ({ pk: `SHEET#${leaderId}#${date}`, sk: `ORDER#${orderId}` }),
  sheetPartition: (leaderId: string, date: string) => `SHEET#${leaderId}#${date}`,

  // Purchase orders (docs/data-model.md, "Purchase orders"): no partition or item grows with the number of
  // pickup points, and none takes a write per order of a busy supplier on its own.
  //  - PO#<supplier>#<date>: the parts' headers (`HEADER`, supplements `HEADER#02`…), their revision
  //    records, the listing entries of the date index (written once per part) and the rebuild counter;
  //  - POB#<supplier>#<date>: the breakdown, one item per pickup point and revision that changed it;
  //  - POT#<supplier>#<date>#<leaderId>: one pickup point's running totals (ADDed to by each order's change);
  //  - PODIRTY#<supplier>#<date>#<shard>: the pickup points whose totals changed since their last rebuild;
  //  - POC#<orderId>: what each order last contributed, per supplier and date.
  purchaseOrder: (supplierId: string, date: string, part: number): Key => ({
    pk: `PO#${supplierId}#${date}`,
    sk: part === 1 ? 'HEADER' : `HEADER#${String(part).padStart(2, '0')}`,
  }),
  purchaseOrderPartition: (supplierId: string, date: string) => `PO#${supplierId}#${date}`,
  purchaseOrderHeaderPrefix: 'HEADER',
  /**
   * A part's entry in the date index, written once when the part is issued. The headers themselves carry no
   * index key: every revision rewrites a header, and one index partition per date would take them all.
   */
  purchaseOrderListing: (supplierId: string, date: string, part: number): Key => ({
    pk: `PO#${supplierId}#${date}`,
    sk: `LIST#${String(part).padStart(2, '0')}`,
  }),
  /** gsi1 (on the listing entries): the purchase orders of a delivery date, by supplier (`GET /purchase-orders?date=&supplierId=`). */
  purchaseOrdersByDate: (date: string, supplierId: string, part: number) => ({
    gsi1pk: `POS#${date}`,
    gsi1sk: `${supplierId}#${String(part).padStart(2, '0')}`,
  }),
  purchaseOrdersByDatePartition: (date: string) => `POS#${date}`,
  purchaseOrdersOfSupplierPrefix: (supplierId: string) => `${supplierId}#`,
  /** What changed in a revision of a part, and why (the pickup points it changed, not their lines). */
  purchaseOrderRevision: (supplierId: string, date: string, part: number, revision: number): Key => ({
    pk: `PO#${supplierId}#${date}`,
    sk: `REV#${String(part).padStart(2, '0')}#${String(revision).padStart(6, '0')}`,
  }),
  purchaseOrderRevisionPrefix: (part: number) => `REV#${String(part).padStart(2, '0')}#`,
  /** Every rebuild (a revision or a check that found nothing to change) bumps it, conditionally. */
  purchaseOrderBuild: (supplierId: string, date: string): Key => ({ pk: `PO#${supplierId}#${date}`, sk: 'BUILD' }),
  /** A pickup point's lines in a part as of the revision that changed them (never rewritten). */
  purchaseOrderBreakdown: (supplierId: string, date: string, part: number, leaderId: string, revision: number): Key => ({
    pk: `POB#${supplierId}#${date}`,
    sk: `PT#${String(part).padStart(2, '0')}#${leaderId}#${String(revision).padStart(6, '0')}`,
  }),
  purchaseOrderBreakdownPartition: (supplierId: string, date: string) => `POB#${supplierId}#${date}`,
  /** Every version of every pickup point of a part, by pickup point then revision. */
  purchaseOrderBreakdownPrefix: (part: number) => `PT#${String(part).padStart(2, '0')}#`,
  /** Every version of one pickup point of a part (newest last). */
  purchaseOrderPointPrefix: (part: number, leaderId: string) => `PT#${String(part).padStart(2, '0')}#${leaderId}#`,
  /** One pickup point's running totals for a supplier and date: one item, a quantity attribute per product and price. */
  purchaseOrderPointTotals: (supplierId: string, date: string, leaderId: string): Key => ({
    pk: `POT#${supplierId}#${date}#${leaderId}`,
    sk: 'TOTALS',
  }),
  /**
   * A dirty mark: the pickup points whose totals one transaction changed in one purchase order, named by a
   * fresh id (until 2026-12-01: one mark per point, named by its leader id). Sparse: deleted once rebuilt.
   */
  purchaseOrderDirty: (supplierId: string, date: string, markId: string): Key => ({
    pk: `PODIRTY#${supplierId}#${date}#${shardOf(markId, PO_DIRTY_SHARDS)}`,
    sk: markId,
  }),
  purchaseOrderDirtyPartitions: (supplierId: string, date: string) =>
    Array.from({ length: PO_DIRTY_SHARDS }, (_, i) => `PODIRTY#${supplierId}#${date}#${i}`),
  /** A supplier's shortfall report on a purchase order, with the refunds it decided (id derived from the report). */
  shortfall: (purchaseOrderId: string, shortfallId: string): Key => ({ pk: `SHORTFALL#${purchaseOrderId}`, sk: shortfallId }),
  /**
   * One order's countable lines for one supplier, as recorded until 2026-12-01 (read, and deleted when the
   * order's own record replaces them).
   */
  purchaseOrderContribution: (supplierId: string, date: string, orderId: string): Key => ({
    pk: `POC#${orderId}`,
    sk: `${supplierId}#${date}`,
  }),
  /** What an order last added to its suppliers' totals, all of them in one item (a partition per order). */
  purchaseOrderOrderContribution: (orderId: string): Key => ({ pk: `POC#${orderId}`, sk: 'ORDER' }),
  purchaseOrderContributionPartition: (orderId: string) => `POC#${orderId}`,

  // Commission ledger (append-only): an order's entries share a partition with its head, whose version
  // every booking for that order moves on (so two bookings that read the same ledger can't both append).
  ledgerEntry: (orderId: string, entryId: string): Key => ({ pk: `LEDGER#ORDER#${orderId}`, sk: `ENTRY#${entryId}` }),
  ledgerOrderPartition: (orderId: string) => `LEDGER#ORDER#${orderId}`,
  ledgerEntryPrefix: 'ENTRY#',
  ledgerHead: (orderId: string): Key => ({ pk: `LEDGER#ORDER#${orderId}`, sk: 'HEAD' }),
  payoutEntry: (payoutId: string): Key => ({ pk: `LEDGER#PAYOUT#${payoutId}`, sk: 'ENTRY#payout' }),
  /** gsi1: a leader's ledger in time order (`GET /leaders/me/commissions`, page by page; the pending part). */
  ledgerByLeader: (leaderId: string, createdAt: string, entryId: string) => ({
    gsi1pk: `LEDGER#${leaderId}`,
    gsi1sk: `${createdAt}#${entryId}`,
  }),
  ledgerByLeaderPartition: (leaderId: string) => `LEDGER#${leaderId}`,
  /** A leader's running totals: everything earned and everything paid, ADDed with each entry. */
  ledgerSummary: (leaderId: string): Key => ({ pk: `LEADER#${leaderId}`, sk: 'LEDGER' }),
  /** Working state of payouts, not ledger: an entry of the leader not yet claimed by a payout, by availability. */
  payable: (leaderId: string, availableAt: string, entryId: string): Key => ({
    pk: `PAYABLE#${leaderId}`,
    sk: `${availableAt}#${entryId}`,
  }),
  payablePartition: (leaderId: string) => `PAYABLE#${leaderId}`,
  payout: (payoutId: string): Key => ({ pk: `PAYOUT#${payoutId}`, sk: 'META' }),
  /** The entries a payout pays: one item each (a payout's size does not grow one item). */
  payoutClaim: (payoutId: string, entryId: string): Key => ({ pk: `PAYOUT#${payoutId}`, sk: `CLAIM#${entryId}` }),
  payoutPartition: (payoutId: string) => `PAYOUT#${payoutId}`,
  payoutClaimPrefix: 'CLAIM#',
  /** gsi1: payouts by status (`GET /payouts?status=`). */
  payoutsByStatus: (status: string, createdAt: string, payoutId: string) => ({
    gsi1pk: `PAYOUTS#${status}`,
    gsi1sk: `${createdAt}#${payoutId}`,
  }),
  payoutsByStatusPartition: (status: string) => `PAYOUTS#${status}`,
  /** At most one open payout per leader: the guard. */
  payoutState: (leaderId: string): Key => ({ pk: `PAYOUTSTATE#${leaderId}`, sk: 'STATE' }),
  /** One payout run at a time: a lease with an expiry. */
  payoutRunLease: { pk: 'PAYOUTRUN', sk: 'LEASE' },
  /** gsi2 on leader records: the leaders a leader recruited (reconciliation of referral shares). */
  recruits: (recruiterId: string, createdAt: string, leaderId: string) => ({
    gsi2pk: `RECRUITS#${recruiterId}`,
    gsi2sk: `${createdAt}#${leaderId}`,
  }),
  recruitsPartition: (recruiterId: string) => `RECRUITS#${recruiterId}`,
  /** A payout's transfer bill at the provider (商家转账 `out_bill_no`) → the payout, for its notification. */
  transferBill: (billNo: string): Key => ({ pk: `TRANSFERBILL#${billNo}`, sk: 'TRANSFERBILL' }),
  /** The sandbox payout provider's books (local stage). */
  sandboxPayout: (payoutId: string): Key => ({ pk: `SANDBOXPAYOUT#${payoutId}`, sk: 'PAYOUT' }),

  // Supply, pickup and prices (issue 12).
  /**
   * gsi2 (sparse, sharded): orders `ready_for_pickup` by pickup date; the uncollected job's work list
   * (`sk < <last due date>~`), and whoever warns residents the day before. An order is never unpaid and
   * ready at once, so it shares gsi2 with the pending-orders key.
   */
  readyOrders: (orderId: string, pickupDate: string) => ({
    gsi2pk: `ORDERS#READY#${shardOf(orderId, READY_SHARDS)}`,
    gsi2sk: `${pickupDate}#${orderId}`,
  }),
  readyOrdersPartitions: () => Array.from({ length: READY_SHARDS }, (_, i) => `ORDERS#READY#${i}`),
  /** Places taken at a pickup point for one pickup date (`taken`), updated in each order's transaction. */
  pickupPlaces: (leaderId: string, date: string): Key => ({ pk: `PLACES#${leaderId}#${date}`, sk: 'PLACES' }),
  /** A group buy's real sales (paid orders only), per item: `q:<productId>` units and `b:<productId>` orders. */
  groupBuySold: (groupBuyId: string): Key => ({ pk: `GB#${groupBuyId}`, sk: 'SOLD' }),
  groupBuySoldSk: 'SOLD',
  /** A product was paid for at this unit price on one business date (the 划线价's evidence: first and last paid instants). */
  productPriceDay: (productId: string, date: string, unitPriceFen: number): Key => ({
    pk: `PRICE#${productId}`,
    sk: `DAY#${date}#${String(unitPriceFen).padStart(10, '0')}`,
  }),
  productPricePartition: (productId: string) => `PRICE#${productId}`,
  productPriceDaySk: (date: string) => `DAY#${date}`,
  /** A leader's paid sales of one business date (by paid date) and what has been refunded of them since. */
  leaderSalesDay: (leaderId: string, date: string): Key => ({ pk: `SALES#${leaderId}`, sk: `DAY#${date}` }),
  leaderSalesPartition: (leaderId: string) => `SALES#${leaderId}`,
  leaderSalesDaySk: (date: string) => `DAY#${date}`,

  // The sandbox payment provider's books (local stage only).
  sandboxPayment: (paymentId: string): Key => ({ pk: `SANDBOX#${paymentId}`, sk: 'PAYMENT' }),
  sandboxRefund: (paymentId: string, refundId: string): Key => ({ pk: `SANDBOX#${paymentId}`, sk: `REFUND#${refundId}` }),

  // Sign-in: users, the guards that make a phone or an OPENID one user, supplier members, codes and their
  // rate-limit logs, sign-ins (sessions) and refresh tokens (by hash).
  /** A user's profile; `wechatOpenId` on it is what the WeChat Pay adapters pay. Beside `USER#<id>`/`LEADER`. */
  userProfile: (userId: string): Key => ({ pk: `USER#${userId}`, sk: 'PROFILE' }),
  /** One user per phone: the guard and the sign-in lookup. */
  phoneUser: (phone: string): Key => ({ pk: `PHONE#${phone}`, sk: 'USER' }),
  /** The supplier a phone signs in for (one per phone): read at every sign-in and refresh. */
  phoneSupplier: (phone: string): Key => ({ pk: `PHONE#${phone}`, sk: 'SUPPLIER' }),
  /** One user per WeChat OPENID: the guard and the sign-in lookup. */
  openIdUser: (openId: string): Key => ({ pk: `WXOPENID#${openId}`, sk: 'USER' }),
  /** A supplier's members, in the supplier's partition (a Query lists them, e.g. to text them). */
  supplierMember: (supplierId: string, phone: string): Key => ({ pk: `SUPPLIER#${supplierId}`, sk: `MEMBER#${phone}` }),
  supplierMemberPrefix: 'MEMBER#',
  /** The code last texted to a phone (hash only). */
  smsCode: (phone: string): Key => ({ pk: `SMSCODE#${phone}`, sk: 'CODE' }),
  /** Recent code sends of a phone (`phone:<phone>`) or a client address (`ip:<address or /64>`). */
  smsSendLog: (subject: string): Key => ({ pk: `SMSRATE#${subject}`, sk: 'LOG' }),
  session: (sessionId: string): Key => ({ pk: `SESSION#${sessionId}`, sk: 'SESSION' }),
  refreshToken: (tokenHash: string): Key => ({ pk: `REFRESH#${tokenHash}`, sk: 'REFRESH' }),
  /** The sandbox SMS provider's outbox (local stage): the last code "sent" to a phone. */
  sandboxSms: (phone: string): Key => ({ pk: `SANDBOXSMS#${phone}`, sk: 'LAST' }),

  // Notifications: the outbox (one notice per message, its id derived from its cause), each person's
  // settings beside their profile, the leaders' arrival confirmations, and the local sandboxes' log.
  notice: (noticeId: string): Key => ({ pk: `NOTICE#${noticeId}`, sk: 'NOTICE' }),
  notificationSettings: (userId: string): Key => ({ pk: `USER#${userId}`, sk: 'NOTIFY' }),
  arrival: (leaderId: string, date: string): Key => ({ pk: `ARRIVAL#${leaderId}#${date}`, sk: 'ARRIVAL' }),
  /** What the sandbox SMS and WeChat "sent" to a phone or an OPENID, in time order (local stage). */
  sandboxMessage: (to: string, sentAt: string, id: string): Key => ({ pk: `SANDBOXMSG#${to}`, sk: `${sentAt}#${id}` }),
  sandboxMessagePartition: (to: string) => `SANDBOXMSG#${to}`,

  // The leader's customer book: one partition per customer of a pickup point, holding the customer's
  // summary and what each of their orders contributes to it (read together, in one strongly consistent Query).
  customerPartition: (leaderId: string, userId: string) => `CUSTOMER#${leaderId}#${userId}`,
  customerSummary: (leaderId: string, userId: string): Key => ({ pk: `CUSTOMER#${leaderId}#${userId}`, sk: 'SUMMARY' }),
  customerOrder: (leaderId: string, userId: string, orderId: string): Key => ({
    pk: `CUSTOMER#${leaderId}#${userId}`,
    sk: `ORDER#${orderId}`,
  }),
  customerOrderPrefix: 'ORDER#',
  /** gsi1 (sparse: customers with an order that counts): a leader's customer book, latest order first. */
  customersByLeader: (leaderId: string, lastOrderAt: string, customerId: string) => ({
    gsi1pk: `CUSTOMERS#${leaderId}`,
    gsi1sk: `${lastOrderAt}#${customerId}`,
  }),
  customersByLeaderPartition: (leaderId: string) => `CUSTOMERS#${leaderId}`,
  /** A leader's stats: one item per business date (sums and customer counters, ADDed to), and the guards of booked ledger entries. */
  statsPartition: (leaderId: string) => `STATS#${leaderId}`,
  statsDay: (leaderId: string, date: string): Key => ({ pk: `STATS#${leaderId}`, sk: `DAY#${date}` }),
  statsDaySk: (date: string) => `DAY#${date}`,
  statsLedgerEntry: (leaderId: string, entryId: string): Key => ({ pk: `STATS#${leaderId}`, sk: `LEDGER#${entryId}` }),
  /** One review per order, in the order's partition (the guard). */
  review: (orderId: string): Key => ({ pk: `ORDER#${orderId}`, sk: 'REVIEW' }),
  /** gsi1: a pickup point's reviews, newest first (`GET /group-buys/{id}/reviews`). */
  reviewsByLeader: (leaderId: string, createdAt: string, orderId: string) => ({
    gsi1pk: `REVIEWS#${leaderId}`,
    gsi1sk: `${createdAt}#${orderId}`,
  }),
  reviewsByLeaderPartition: (leaderId: string) => `REVIEWS#${leaderId}`,
  /** A pickup point's review count and rating sum, ADDed with each review. */
  reviewSummary: (leaderId: string): Key => ({ pk: `LEADER#${leaderId}`, sk: 'REVIEWS' }),

  // Audit trail: every state change of an entity, in time order.
  audit: (entityId: string, at: string, eventId: string): Key => ({ pk: `AUDIT#${entityId}`, sk: `${at}#${eventId}` }),
  auditPartition: (entityId: string) => `AUDIT#${entityId}`,
};
