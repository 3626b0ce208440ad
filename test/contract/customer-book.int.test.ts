// The customer book and the stats as one contract, run on both stores: the consumer's use-cases (applying an
// order's image, booking ledger earnings) fed as the queue or the outbox feeds them — twice, out of order, at
// the same time — and read as the leader reads them (`GET /leaders/me/customers`, `GET /leaders/me/stats`).
import type { LedgerEntry } from '../../schemas/commissions';
import type { Order } from '../../schemas/orders';
import type { CustomerBookDeps } from '../../lib/customers/customers';
import { applyLedgerEntries, applyOrder, leaderStats, myCustomers } from '../../lib/customers/customers';
import { cloudbaseCustomerBookStore } from '../../lib/adapters/cloudbase/customers';
import { cloudbaseLeaderStore } from '../../lib/adapters/cloudbase/leaders';
import { COLLECTIONS } from '../../lib/adapters/cloudbase/collections';
import { dynamoCustomerBookStore } from '../../lib/store/customers';
import { dynamoLeaderStore } from '../../lib/store/leaders';
import type { Principal } from '../../lib/runtime/auth';
import type { Leader } from '../../schemas/leaders';
import { activeLeader, paidOrder } from './people';
import { storeTargets } from './stores';

interface BookStores {
  deps: CustomerBookDeps;
  seedLeader(leader: Leader): Promise<void>;
}

const NOW = new Date('2026-12-01T04:00:00.000Z'); // noon in Shanghai
const clock = { now: () => NOW };

const targets = storeTargets<BookStores>({
  dynamodb: (client) => ({
    deps: { book: dynamoCustomerBookStore(client), leaders: dynamoLeaderStore(client), clock },
    async seedLeader(leader) {
      await dynamoLeaderStore(client).create(leader, {
        entityId: leader.leaderId,
        entityType: 'leader',
        action: 'leader.applied',
        actor: leader.userId,
        at: leader.createdAt,
      });
    },
  }),
  cloudbase: (db) => ({
    deps: { book: cloudbaseCustomerBookStore(db), leaders: cloudbaseLeaderStore(db), clock },
    async seedLeader(leader) {
      await db
        .collection(COLLECTIONS.leaders)
        .doc(leader.leaderId)
        .set({ ...leader });
    },
  }),
});

describe.each(targets)('the customer book on $name', (target) => {
  let stores: BookStores & { stop(): Promise<void> };
  beforeAll(async () => {
    stores = await target.start();
  });
  afterAll(() => stores.stop());

  let n = 0;
  /** A leader of the test's own, so each case reads only what it wrote. */
  async function newLeader() {
    const leader = activeLeader(`L${++n}${target.name}`);
    await stores.seedLeader(leader);
    const principal: Principal = { userId: leader.userId, roles: [] };
    return { leader, principal };
  }
  const book = async (principal: Principal) => (await myCustomers(stores.deps, principal, { limit: 50 })).items;
  const stats = async (principal: Principal, days = 30) => leaderStats(stores.deps, principal, 'me', days);

  it('counts a paid order once however often its images come and in whatever order', async () => {
    const { leader, principal } = await newLeader();
    const { paid, next } = paidOrder({
      orderId: 'O1',
      userId: 'u-res',
      leaderId: leader.leaderId,
      placedAt: '2026-11-28T03:00:00.000Z',
      quantity: 2,
    });
    const ready = next(paid, { status: 'ready_for_pickup', pickupCode: '123456' });
    const pickedUp = next(ready, { status: 'picked_up', pickedUpAt: '2026-11-29T03:00:00.000Z' });
    const partlyRefunded = next(pickedUp, { refundedFen: 1200 });
    // The newest first, then older ones and repeats, some at the same time (as two queue workers would).
    await applyOrder(stores.deps, partlyRefunded);
    await Promise.all([applyOrder(stores.deps, paid), applyOrder(stores.deps, ready), applyOrder(stores.deps, partlyRefunded)]);
    await applyOrder(stores.deps, pickedUp);

    expect(await book(principal)).toEqual([
      expect.objectContaining({
        orders: 1,
        spentFen: 1200,
        contactName: '张*',
        contactPhone: '138****1234',
        firstOrderAt: '2026-11-28T11:00:00.000+08:00',
      }),
    ]);
    expect(await stats(principal)).toMatchObject({ customers: 1, newCustomers: 1, orders: 1, gmvFen: 1200, averageOrderFen: 1200 });

    // Refunded in full: the order no longer counts, and the customer leaves the book (an older image changes nothing).
    await applyOrder(stores.deps, next(partlyRefunded, { status: 'refunded', refundedFen: 2400 }));
    await applyOrder(stores.deps, pickedUp);
    expect(await book(principal)).toEqual([]);
    expect(await stats(principal)).toMatchObject({ customers: 0, orders: 0, gmvFen: 0 });
  });

  it('keeps every order of a customer whose orders are applied at the same time, and sees them repeat', async () => {
    const { leader, principal } = await newLeader();
    const orders: Order[] = ['GB1', 'GB2', 'GB3'].map(
      (groupBuyId, i) =>
        paidOrder({
          orderId: `O-${groupBuyId}`,
          userId: 'u-busy',
          leaderId: leader.leaderId,
          groupBuyId,
          placedAt: `2026-11-2${i + 5}T03:00:00.000Z`,
        }).paid,
    );
    await Promise.all(orders.flatMap((o) => [applyOrder(stores.deps, o), applyOrder(stores.deps, o)]));
    expect(await book(principal)).toEqual([
      expect.objectContaining({ orders: 3, spentFen: 3600, lastOrderAt: '2026-11-27T11:00:00.000+08:00' }),
    ]);
    expect(await stats(principal)).toMatchObject({ customers: 1, repeatCustomers: 1, repeatRateBps: 10000, orders: 3, gmvFen: 3600 });
  });

  it('lists customers latest order first, page by page', async () => {
    const { leader, principal } = await newLeader();
    for (const [i, userId] of ['u-a', 'u-b', 'u-c'].entries())
      await applyOrder(
        stores.deps,
        paidOrder({ orderId: `O-${userId}`, userId, leaderId: leader.leaderId, placedAt: `2026-11-1${i}T03:00:00.000Z` }).paid,
      );
    const first = await myCustomers(stores.deps, principal, { limit: 2 });
    expect(first.items.map((c) => c.lastOrderAt)).toEqual(['2026-11-12T11:00:00.000+08:00', '2026-11-11T11:00:00.000+08:00']);
    const second = await myCustomers(stores.deps, principal, { limit: 2, cursor: first.nextCursor! });
    expect([second.items.map((c) => c.lastOrderAt), second.nextCursor]).toEqual([['2026-11-10T11:00:00.000+08:00'], undefined]);
    // Customer ids are opaque: no user id shows.
    expect(JSON.stringify([first, second])).not.toMatch(/u-[abc]/);
  });

  it('books each ledger earning once, delivered twice in a batch or in another batch', async () => {
    const { leader, principal } = await newLeader();
    const entry = (entryId: string, kind: LedgerEntry['kind'], amountFen: number): LedgerEntry => ({
      entryId,
      leaderId: leader.leaderId,
      kind,
      amountFen,
      createdAt: '2026-11-30T03:00:00.000Z',
      availableAt: '2026-12-07T03:00:00.000Z',
    });
    const accrual = entry('E1', 'accrual', 500);
    const referral = entry('E2', 'referral', 40);
    const reversal = entry('E3', 'reversal', -120);
    await applyLedgerEntries(stores.deps, [accrual, referral, accrual]);
    await applyLedgerEntries(stores.deps, [referral, reversal, entry('P1', 'payout', -420)]);
    await Promise.all([applyLedgerEntries(stores.deps, [reversal]), applyLedgerEntries(stores.deps, [accrual, reversal])]);
    expect(await stats(principal, 7)).toMatchObject({ commissionFen: 420, weeks: [expect.objectContaining({ commissionFen: 420 })] });
  });

  const stranger: Principal = { userId: 'u-stranger', roles: [] };

  it('answers a leader’s own stats only, and an operator’s for any leader', async () => {
    const { leader } = await newLeader();
    await expect(leaderStats(stores.deps, stranger, leader.leaderId, 7)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(leaderStats(stores.deps, { userId: 'u-op', roles: ['operator'] }, leader.leaderId, 7)).resolves.toMatchObject({
      leaderId: leader.leaderId,
      orders: 0,
    });
    await expect(myCustomers(stores.deps, stranger, { limit: 5 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
