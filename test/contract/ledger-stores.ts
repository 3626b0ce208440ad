// The stores and the world of the ledger and payout contract suites (ledger.int.test.ts, payouts.int.test.ts):
// the ports on DynamoDB Local and on CloudBase (real SDK, stand-in), the use-cases' dependencies on them with a
// clock the test moves, leaders and picked-up orders as the order stream delivers them.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Leader } from '../../schemas/leaders';
import type { Order, OrderLine } from '../../schemas/orders';
import type { AuditEvent } from '../../schemas/common';
import type { CommissionDeps } from '../../lib/commissions/commissions';
import type { LeaderReads, LedgerStore, PayoutStore } from '../../lib/commissions/ledger';
import type { SandboxPayoutBooks } from '../../lib/commissions/payout-provider';
import { sandboxPayoutProvider } from '../../lib/commissions/payout-provider';
import type { PayoutDeps } from '../../lib/commissions/payouts';
import type { RiskReader } from '../../lib/commissions/risk';
import type { CommissionRules } from '../../lib/commissions/rules';
import { AppError } from '../../lib/runtime/errors';
import { config } from '../../lib/runtime/config';
import { auditTrail } from '../../lib/store/audit';
import { keys } from '../../lib/store/keys';
import { dynamoLeaderStore } from '../../lib/store/leaders';
import { dynamoLedgerStore, dynamoPayoutStore } from '../../lib/store/ledger';
import { dynamoRiskReader } from '../../lib/store/risk';
import { dynamoSandboxPayoutBooks } from '../../lib/store/sandbox-payouts';
import { cloudbaseAuditTrail } from '../../lib/adapters/cloudbase/audit';
import { COLLECTIONS } from '../../lib/adapters/cloudbase/collections';
import { cloudbaseLeaderStore } from '../../lib/adapters/cloudbase/leaders';
import { cloudbaseLedgerStore, cloudbasePayoutStore } from '../../lib/adapters/cloudbase/ledger';
import { cloudbaseRiskReader } from '../../lib/adapters/cloudbase/risk';
import { cloudbaseSandboxPayoutBooks } from '../../lib/adapters/cloudbase/sandbox-payouts';
import type { StoreTarget } from './stores';
import { storeTargets } from './stores';

export interface LedgerStores {
  ledger: LedgerStore;
  payouts: PayoutStore;
  leaders: LeaderReads;
  risk: RiskReader;
  books: SandboxPayoutBooks;
  seedLeader(leader: Leader): Promise<void>;
  /** An order as its store keeps it (who placed it is what the self-purchase check reads). */
  seedOrder(order: Order): Promise<void>;
  auditTrail(entityId: string): Promise<AuditEvent[]>;
}

export const LEDGER_TARGETS = storeTargets<LedgerStores>({
  dynamodb: (client) => ({
    ledger: dynamoLedgerStore(client),
    payouts: dynamoPayoutStore(client),
    leaders: dynamoLeaderStore(client),
    risk: dynamoRiskReader(client),
    books: dynamoSandboxPayoutBooks(client),
    async seedLeader(leader) {
      const created = await dynamoLeaderStore(client).create(leader, {
        entityId: leader.leaderId,
        entityType: 'leader',
        action: 'leader.seeded',
        actor: 'test',
        at: leader.createdAt,
      });
      if (created !== 'created') throw new Error(`leader ${leader.leaderId}: ${created}`);
    },
    async seedOrder(order) {
      await client.send(new PutCommand({ TableName: config.tableName, Item: { ...keys.order(order.orderId), type: 'ORDER', ...order } }));
    },
    auditTrail: (entityId) => auditTrail(entityId, client),
  }),
  cloudbase: (db) => ({
    ledger: cloudbaseLedgerStore(db),
    payouts: cloudbasePayoutStore(db),
    leaders: cloudbaseLeaderStore(db),
    risk: cloudbaseRiskReader(db),
    books: cloudbaseSandboxPayoutBooks(db),
    async seedLeader(leader) {
      await db
        .collection(COLLECTIONS.leaders)
        .doc(leader.leaderId)
        .set({ ...leader });
    },
    async seedOrder(order) {
      await db
        .collection(COLLECTIONS.orders)
        .doc(order.orderId)
        .set({ ...order });
    },
    auditTrail: (entityId) => cloudbaseAuditTrail(entityId, db),
  }),
});

export const RULES: CommissionRules = { referralBps: 200, referralDays: 90, afterSalesHours: 48 };
export const PICKED_UP = new Date('2026-11-20T04:00:00.000Z');
export const OPERATOR = { userId: 'op-1', roles: ['operator' as const] };

let seq = 0;
export const unique = (prefix: string) => `${prefix}${Date.now().toString(36)}${(seq++).toString(36)}`;

export function leaderRecord(overrides: Partial<Leader> = {}): Leader {
  const leaderId = overrides.leaderId ?? unique('L');
  return {
    leaderId,
    userId: `u-${leaderId}`,
    name: '芳芳',
    phone: '13800138000',
    pickupPoint: { name: '芳芳小卖部', address: '幸福路 1 号', community: '幸福小区', city: '上海' },
    status: 'active',
    referralCode: `R${leaderId}`,
    approvedAt: '2026-11-01T00:00:00.000Z',
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    version: 1,
    ...overrides,
  };
}

export const line = (productId: string, amountFen: number, commissionRateBps: number, refundedFen = 0): OrderLine => ({
  productId,
  supplierId: 'S1',
  name: productId,
  unit: '份',
  quantity: 1,
  unitPriceFen: amountFen,
  amountFen,
  supplyPriceFen: Math.floor(amountFen / 2),
  commissionRateBps,
  refundedFen,
  stockLimited: false,
  residentLimited: false,
});

/** A picked-up order of the leader (apples at 10%, rice at 5%), as the order stream delivers it. */
export function pickedUpOrder(leaderId: string, overrides: Partial<Order> = {}): Order {
  const items = overrides.items ?? [line('apple', 10_000, 1000), line('rice', 4_000, 500)];
  return {
    orderId: unique('O'),
    userId: 'u-resident',
    groupBuyId: 'GB1',
    leaderId,
    pickupDate: '2026-11-20',
    cutoffAt: '2026-11-19T12:00:00.000Z',
    status: 'picked_up',
    items,
    totalFen: items.reduce((s, l) => s + l.amountFen, 0),
    refundedFen: items.reduce((s, l) => s + l.refundedFen, 0),
    contactName: '王芳',
    contactPhone: '13800138000',
    createdAt: '2026-11-18T02:00:00.000Z',
    updatedAt: PICKED_UP.toISOString(),
    expiresAt: '2026-11-18T02:15:00.000Z',
    paidAt: '2026-11-18T02:05:00.000Z',
    pickupCode: '123456',
    pickedUpAt: PICKED_UP.toISOString(),
    version: 4,
    ...overrides,
  };
}

/** What an operator or a test sees when a use-case refuses: its API code. */
export const outcomeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (err: unknown) => {
      if (err instanceof AppError) return err.code;
      throw err;
    },
  );

/**
 * A suite's world on one store: its ports, the use-cases' dependencies on them, and the clock (an hour after
 * the pickup; `afterSales()` moves it past the after-sales window). Call at the top of `describe.each`.
 */
export function ledgerWorld(target: StoreTarget<LedgerStores>) {
  const world = {
    stores: undefined as unknown as LedgerStores & { stop(): Promise<void> },
    now: new Date(PICKED_UP.getTime() + 3600_000),
    /** Each payout the sandbox provider was asked to pay, and whether its books recorded it or found it a repeat. */
    paid: [] as { payoutId: string; amountFen: number; outcome: string }[],
    commissions: undefined as unknown as CommissionDeps,
    payoutDeps: undefined as unknown as PayoutDeps,
    afterSales() {
      world.now = new Date(PICKED_UP.getTime() + (RULES.afterSalesHours + 1) * 3600_000);
    },
    async leader(overrides: Partial<Leader> = {}) {
      const leader = leaderRecord(overrides);
      await world.stores.seedLeader(leader);
      return leader;
    },
  };
  beforeAll(async () => {
    const stores = (world.stores = await target.start());
    const clock = { now: () => world.now };
    world.commissions = { ledger: stores.ledger, leaders: stores.leaders, clock, rules: RULES };
    const books: SandboxPayoutBooks = {
      async record(request) {
        const outcome = await stores.books.record(request);
        world.paid.push({ payoutId: request.payoutId, amountFen: request.amountFen, outcome });
        return outcome;
      },
    };
    world.payoutDeps = {
      ledger: stores.ledger,
      payouts: stores.payouts,
      leaders: stores.leaders,
      provider: sandboxPayoutProvider(books, () => world.now),
      clock,
      ids: { next: () => unique('') },
      minPayoutFen: 100,
      risk: { reader: stores.risk, rules: { refundRateBps: 3000, selfPurchaseBps: 5000 } },
    };
  });
  afterAll(() => world.stores.stop());
  beforeEach(() => {
    world.now = new Date(PICKED_UP.getTime() + 3600_000);
  });
  return world;
}
