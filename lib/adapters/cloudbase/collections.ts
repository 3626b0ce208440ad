// The collections of the CloudBase document database, each document keyed by a natural `_id` built here (the
// meaning the DynamoDB key builder gives its keys), and the indexes each query needs. Unique indexes are
// guards (one leader per user); the others make the listed queries cheap. They are created once per
// environment (README, "Deploying to CloudBase"); the tests' stand-in enforces the unique ones.

export const COLLECTIONS = {
  orders: 'orders',
  refunds: 'refunds',
  idempotency: 'idempotency',
  payments: 'payments',
  groupBuys: 'groupBuys',
  /** One per group-buy item: its live stock, what was sold, and the group's state (the gate every order writes). */
  groupBuyItems: 'groupBuyItems',
  residentCounters: 'residentCounters',
  /** One per group-buy item: units in paid orders and the paid orders with it (the 已售 and 接龙 counts). */
  groupBuySold: 'groupBuySold',
  /** One per product, business date and unit price it was paid at: the 划线价's evidence. */
  productPrices: 'productPrices',
  closeTallies: 'closeTallies',
  leaders: 'leaders',
  suppliers: 'suppliers',
  products: 'products',
  ledgerEntries: 'ledgerEntries',
  ledgerHeads: 'ledgerHeads',
  ledgerSummaries: 'ledgerSummaries',
  payables: 'payables',
  payouts: 'payouts',
  payoutClaims: 'payoutClaims',
  payoutStates: 'payoutStates',
  payoutRunLeases: 'payoutRunLeases',
  transferBills: 'transferBills',
  pickupCodes: 'pickupCodes',
  sheetLines: 'sheetLines',
  purchaseOrders: 'purchaseOrders',
  purchaseOrderRevisions: 'purchaseOrderRevisions',
  purchaseOrderTotals: 'purchaseOrderTotals',
  purchaseOrderBuilds: 'purchaseOrderBuilds',
  purchaseOrderContributions: 'purchaseOrderContributions',
  /** Dirty marks: one per purchase order a consolidation transaction changed, naming its pickup points. */
  purchaseOrderMarks: 'purchaseOrderMarks',
  /** A pickup point's lines in a part, one version per revision that changed them. */
  purchaseOrderBreakdowns: 'purchaseOrderBreakdowns',
  shortfalls: 'shortfalls',
  users: 'users',
  phoneUsers: 'phoneUsers',
  openIdUsers: 'openIdUsers',
  phoneSuppliers: 'phoneSuppliers',
  supplierMembers: 'supplierMembers',
  smsCodes: 'smsCodes',
  smsSendLogs: 'smsSendLogs',
  sessions: 'sessions',
  refreshTokens: 'refreshTokens',
  sandboxPayments: 'sandboxPayments',
  sandboxRefunds: 'sandboxRefunds',
  sandboxPayouts: 'sandboxPayouts',
  sandboxSms: 'sandboxSms',
  audit: 'audit',
  outbox: 'outbox',
  /** Never holds a document: GET /health reads one from it (the store answers, and the environment has its collections). */
  health: 'health',

  /** One per leader and customer (leader#user): the summary every change of that customer writes at the next version. */
  customers: 'customers',
  /** One per order a customer paid (leader#user#order): what it adds to their summary. */
  customerOrders: 'customerOrders',
  /** One per leader and business date (leader#date): the figures of `GET /leaders/me/stats`. */
  statsDays: 'statsDays',
  /** One per ledger entry booked into a day (leader#entry): the guard that books it once. */
  statsLedgerEntries: 'statsLedgerEntries',
  /** One per order (the order id): its review. */
  reviews: 'reviews',
  /** One per leader: the count and rating sum of their pickup point's reviews. */
  reviewSummaries: 'reviewSummaries',
  /** One per notice (its id, derived from its cause): written once, claimed while sent. */
  notices: 'notices',
  notificationSettings: 'notificationSettings',
  /** One per leader and pickup date (leader#date): what they confirmed as arrived. */
  arrivals: 'arrivals',
  /** The notification sandboxes' log (`GET /dev/messages`). */
  sandboxMessages: 'sandboxMessages',
} as const;

export type CollectionName = (typeof COLLECTIONS)[keyof typeof COLLECTIONS];

/** Composite ids: parts joined by `#` (no part of ours contains one). */
export const idOf = (...parts: (string | number)[]) => parts.join('#');

export interface IndexSpec {
  collection: CollectionName;
  fields: string[];
  unique?: boolean;
  /** The query that needs it. */
  why: string;
}

export const INDEXES: IndexSpec[] = [
  { collection: 'leaders', fields: ['userId'], unique: true, why: 'one leader record per user; GET /leaders/me' },
  { collection: 'leaders', fields: ['referralCode'], unique: true, why: 'referral codes are unique; applying with a code' },
  { collection: 'leaders', fields: ['status', 'byStatus'], why: 'GET /leaders?status= (oldest first, paged)' },
  { collection: 'leaders', fields: ['referredBy'], why: 'the recruits of a recruiter (reconciliation)' },
  { collection: 'products', fields: ['supplierId'], why: 'GET /products?supplierId=' },
  { collection: 'groupBuys', fields: ['status', 'cutoffAt'], why: 'the cutoff: open group buys past their cutoff; closings to resume' },
  { collection: 'groupBuys', fields: ['leaderId', 'status'], why: 'a leader’s open group buys (suspension)' },
  { collection: 'groupBuyItems', fields: ['groupBuyId'], why: 'a group buy’s live stock' },
  { collection: 'groupBuySold', fields: ['groupBuyId'], why: 'a group buy’s sold counts (its view)' },
  {
    collection: 'productPrices',
    fields: ['productId', 'date'],
    why: 'a product’s paid prices of the 7 days before a group buy opens (划线价)',
  },
  { collection: 'orders', fields: ['userId', 'byUser'], why: 'GET /me/orders (newest first, paged)' },
  { collection: 'orders', fields: ['status', 'expiresAt'], why: 'the expiry job: unpaid orders past their deadline' },
  { collection: 'orders', fields: ['status', 'pickupDate'], why: 'the uncollected-orders job: ready orders past the pickup window' },
  { collection: 'orders', fields: ['groupBuyId', 'status'], why: 'the closing: a group buy’s unpaid or paid orders' },
  { collection: 'orders', fields: ['leaderId'], why: 'reconciliation: a leader’s orders' },
  {
    collection: 'orders',
    fields: ['leaderId', 'paidAt'],
    why: 'the payouts’ refund-rate check: a leader’s orders paid in the last 30 days',
  },
  { collection: 'refunds', fields: ['orderId'], why: 'an order’s refunds' },
  { collection: 'closeTallies', fields: ['groupBuyId', 'kind'], why: 'the closing’s exact counts' },
  { collection: 'ledgerEntries', fields: ['orderId'], why: 'an order’s ledger (the next booking reads it)' },
  {
    collection: 'ledgerEntries',
    fields: ['leaderId', 'byLeader'],
    why: 'GET /leaders/…/commissions (newest first, paged); reconciliation',
  },
  { collection: 'payables', fields: ['leaderId', 'availableAt'], why: 'the payout job: a leader’s available entries' },
  { collection: 'payouts', fields: ['status', 'byStatus'], why: 'GET /payouts?status= (paged)' },
  { collection: 'payoutClaims', fields: ['payoutId'], why: 'the entries a payout pays' },
  { collection: 'sheetLines', fields: ['leaderId', 'date'], why: 'a pickup point’s sheet of a date' },
  { collection: 'purchaseOrders', fields: ['deliveryDate', 'byDate'], why: 'GET /purchase-orders?date= (by supplier and part, paged)' },
  {
    collection: 'purchaseOrders',
    fields: ['poKey', 'byDate'],
    why: 'GET /purchase-orders?date=&supplierId=; the rebuild’s parts of a purchase order',
  },
  {
    collection: 'purchaseOrderRevisions',
    fields: ['poKey', 'part', 'seq'],
    why: 'GET /purchase-orders/{id}/revisions (oldest first, paged)',
  },
  { collection: 'purchaseOrderMarks', fields: ['poKey'], why: 'the rebuild: a purchase order’s dirty marks' },
  {
    collection: 'purchaseOrderBreakdowns',
    fields: ['poKey', 'part', 'pointRev'],
    why: 'a part’s breakdown (by point, then revision); a point’s newest version at a revision',
  },
  { collection: 'supplierMembers', fields: ['supplierId'], why: 'a supplier’s members (whom to text)' },
  { collection: 'audit', fields: ['entityId', 'at'], why: 'GET /audit/events?entityId=' },
  { collection: 'outbox', fields: ['consumer', 'status', 'availableAt'], why: 'the outbox sweep: a consumer’s items visible now' },
  { collection: 'customers', fields: ['leaderId', 'listed', 'byLeader'], why: 'GET /leaders/me/customers (latest order first, paged)' },
  { collection: 'customerOrders', fields: ['leaderId', 'userId'], why: 'the customer book: a customer’s orders (applying an order)' },
  { collection: 'statsDays', fields: ['leaderId', 'date'], why: 'GET /leaders/{me|leaderId}/stats: the window’s days' },
  { collection: 'reviews', fields: ['leaderId', 'byLeader'], why: 'GET /group-buys/{groupBuyId}/reviews (newest first, paged)' },
  { collection: 'sandboxMessages', fields: ['to', 'sentAt'], why: 'GET /dev/messages (newest first)' },
  // CloudBase has no TTL: the expiry sweep (expiry.ts) removes these collections' documents by these fields.
  { collection: 'smsCodes', fields: ['keepUntil'], why: 'the expiry sweep: codes a day past their expiry' },
  { collection: 'smsSendLogs', fields: ['keepUntil'], why: 'the expiry sweep: send logs no rate limit looks at any more' },
  { collection: 'sessions', fields: ['keepUntil'], why: 'the expiry sweep: sign-ins whose refresh token has expired' },
  { collection: 'refreshTokens', fields: ['expiresAt'], why: 'the expiry sweep: expired refresh tokens' },
  { collection: 'outbox', fields: ['keepUntil'], why: 'the expiry sweep: dead items after 14 days' },
];

/** The unique indexes, by collection (the stand-in enforces them as the service does). */
export const uniqueIndexes = (): Record<string, string[][]> => {
  const out: Record<string, string[][]> = {};
  for (const i of INDEXES.filter((i) => i.unique)) (out[i.collection] ??= []).push(i.fields);
  return out;
};
