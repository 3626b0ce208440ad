// The commission ledger as one contract, run on both stores (DynamoDB Local, and CloudBase's real SDK against the
// stand-in), driving the real use-cases: an accrual booked once however often a pickup is delivered (and at
// once), the recruiter's share, reversals, a leader's balances and pages; reconciliation to the fen.
import type { Order } from '../../schemas/orders';
import { bookOrderCommissions, commissionsOf } from '../../lib/commissions/commissions';
import { reconcile } from '../../lib/commissions/reconcile';
import { LEDGER_TARGETS, ledgerWorld, line, OPERATOR, outcomeOf, pickedUpOrder, RULES } from './ledger-stores';

describe.each(LEDGER_TARGETS)('the ledger on $name', (target) => {
  const w = ledgerWorld(target);

  it('books a pickup once however often it is delivered, with the recruiter’s share, and reverses a refund once', async () => {
    // Suspended leaders still earn what their pickups earn (and stay out of the payout runs of this file's other cases).
    const recruiter = await w.leader({ status: 'suspended' });
    const leader = await w.leader({ referredBy: recruiter.leaderId });
    const order = pickedUpOrder(leader.leaderId);

    // Delivered three times, twice of them at once (an at-least-once queue, two consumers).
    await Promise.all([bookOrderCommissions(w.commissions, order), bookOrderCommissions(w.commissions, order)]);
    await bookOrderCommissions(w.commissions, order);
    const booked = await w.stores.ledger.ledgerOfOrder(order.orderId);
    expect(booked.entries.map((e) => [e.leaderId, e.kind, e.productId, e.amountFen]).sort()).toEqual(
      [
        [leader.leaderId, 'accrual', 'apple', 1000],
        [leader.leaderId, 'accrual', 'rice', 200],
        [recruiter.leaderId, 'referral', 'apple', 200],
        [recruiter.leaderId, 'referral', 'rice', 80],
      ].sort(),
    );
    expect(booked.version).toBe(1);

    // Within the after-sales window it is pending; the recruiter sees their share.
    const mine = await commissionsOf(w.commissions, { userId: leader.userId, roles: [] }, 'me');
    expect(mine).toMatchObject({ leaderId: leader.leaderId, pendingFen: 1200, availableFen: 0, paidFen: 0 });
    expect((await commissionsOf(w.commissions, { userId: recruiter.userId, roles: [] }, 'me')).pendingFen).toBe(280);

    // Two hours later, half the apples refunded: the commission and the referral share reversed, once however often it comes.
    w.now = new Date(w.now.getTime() + 2 * 3600_000);
    const refunded = { ...order, items: [line('apple', 10_000, 1000, 5_000), line('rice', 4_000, 500)], refundedFen: 5_000, version: 5 };
    await Promise.all([bookOrderCommissions(w.commissions, refunded), bookOrderCommissions(w.commissions, refunded)]);
    // The older image delivered late books nothing.
    await bookOrderCommissions(w.commissions, order);
    const after = await w.stores.ledger.ledgerOfOrder(order.orderId);
    expect(
      after.entries
        .filter((e) => e.kind === 'reversal')
        .map((e) => [e.leaderId, e.amountFen])
        .sort(),
    ).toEqual(
      [
        [leader.leaderId, -500],
        [recruiter.leaderId, -100],
      ].sort(),
    );
    expect(after.entries).toHaveLength(6);

    w.afterSales();
    expect(await commissionsOf(w.commissions, OPERATOR, leader.leaderId)).toMatchObject({ pendingFen: 0, availableFen: 700, paidFen: 0 });
    // Newest first, page by page.
    const first = await commissionsOf(w.commissions, { userId: leader.userId, roles: [] }, 'me', { limit: 2 });
    expect(first.entries).toHaveLength(2);
    const second = await commissionsOf(w.commissions, { userId: leader.userId, roles: [] }, 'me', { limit: 2, cursor: first.nextCursor });
    expect([...first.entries, ...second.entries].map((e) => e.kind)).toEqual(['reversal', 'accrual', 'accrual']);
    expect(second.nextCursor).toBeUndefined();
    // Another leader may not read them.
    expect(await outcomeOf(commissionsOf(w.commissions, { userId: recruiter.userId, roles: [] }, leader.leaderId))).toBe('FORBIDDEN');

    // One audit record per leader and booking.
    const bookings = (await w.stores.auditTrail(leader.leaderId)).filter((e) => e.action.startsWith('ledger.'));
    expect(bookings.map((e) => e.action)).toEqual(['ledger.accrual', 'ledger.reversal']);
  });

  it('reconciles a leader’s ledger with the orders to the fen, and names what differs', async () => {
    const recruiter = await w.leader();
    const leader = await w.leader({ referredBy: recruiter.leaderId });
    const booked = pickedUpOrder(leader.leaderId, {
      items: [line('apple', 9_999, 1000, 3_333), line('rice', 4_001, 500)],
      refundedFen: 3_333,
    });
    const missing = pickedUpOrder(leader.leaderId, { items: [line('eggs', 1_550, 800)] });
    await bookOrderCommissions(w.commissions, booked);
    const deps = { leaders: w.stores.leaders, ledger: w.stores.ledger, rules: RULES };
    const ordersOf = (orders: Record<string, Order[]>) => async (leaderId: string) => orders[leaderId] ?? [];

    const clean = await reconcile({ ...deps, ordersOfLeader: ordersOf({ [leader.leaderId]: [booked] }) }, OPERATOR, recruiter.leaderId);
    // floor(6666 × 2%) + floor(4001 × 2%) = 133 + 80
    expect(clean).toEqual({ leaderId: recruiter.leaderId, expectedFen: 213, ledgerFen: 213, discrepancies: [] });

    const off = await reconcile({ ...deps, ordersOfLeader: ordersOf({ [leader.leaderId]: [booked, missing] }) }, OPERATOR, leader.leaderId);
    // floor(6666 × 10%) + floor(4001 × 5%) = 666 + 200; the unbooked eggs: floor(1550 × 8%) = 124.
    expect(off).toMatchObject({ expectedFen: 990, ledgerFen: 866 });
    expect(off.discrepancies).toEqual([
      { orderId: missing.orderId, productId: 'eggs', share: 'commission', expectedFen: 124, ledgerFen: 0, differenceFen: -124 },
    ]);
    expect(
      await outcomeOf(reconcile({ ...deps, ordersOfLeader: ordersOf({}) }, { userId: leader.userId, roles: [] }, leader.leaderId)),
    ).toBe('FORBIDDEN');
  });
});
