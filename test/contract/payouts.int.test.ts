// Payouts as one contract, run on both stores (DynamoDB Local, and CloudBase's real SDK against the stand-in),
// driving the real use-cases: available entries claimed by exactly one payout even with two runs racing past
// the run lease, and the lease itself; approve, release and reject each moving a payout once; the provider
// paying a payout once (the sandbox provider's books), also when a crash left it approved.
import type { Leader } from '../../schemas/leaders';
import type { Order } from '../../schemas/orders';
import { bookOrderCommissions, commissionsOf } from '../../lib/commissions/commissions';
import type { PayoutDeps } from '../../lib/commissions/payouts';
import { approvePayout, listPayouts, rejectPayout, releasePayout, runPayouts } from '../../lib/commissions/payouts';
import { LEDGER_TARGETS, leaderRecord, ledgerWorld, OPERATOR, outcomeOf, pickedUpOrder } from './ledger-stores';

describe.each(LEDGER_TARGETS)('payouts on $name', (target) => {
  const w = ledgerWorld(target);

  it('claims each available entry for exactly one payout, even with two runs racing past the lease', async () => {
    const leaders = [await w.leader(), await w.leader()];
    for (const l of leaders) for (let i = 0; i < 2; i++) await bookOrderCommissions(w.commissions, pickedUpOrder(l.leaderId));
    w.afterSales();
    const available = new Map<string, string[]>();
    for (const l of leaders)
      available.set(l.leaderId, (await w.stores.ledger.payableOfLeader(l.leaderId, w.now)).map((p) => p.entryId).sort());
    expect([...available.values()].map((ids) => ids.length)).toEqual([4, 4]);

    // Two runs at once that both got past the lease (one whose lease ran out while it worked, say).
    const leaseless: PayoutDeps = {
      ...w.payoutDeps,
      payouts: { ...w.stores.payouts, acquireRunLease: async () => true, releaseRunLease: async () => {} },
    };
    const reports = await Promise.all([runPayouts(leaseless), runPayouts(leaseless)]);
    expect(reports.map((r) => r.failed)).toEqual([0, 0]);

    for (const l of leaders) {
      const open = await w.stores.payouts.openPayoutOf(l.leaderId);
      expect(open).toMatchObject({ status: 'proposed', amountFen: 2 * 1200, entryCount: 4 });
      expect((await w.stores.payouts.claimsOf(open!.payoutId)).map((c) => c.entryId).sort()).toEqual(available.get(l.leaderId));
      expect(await w.stores.ledger.payableOfLeader(l.leaderId, w.now)).toEqual([]);
    }
    // Nothing left to propose: another run changes nothing.
    expect(await runPayouts(w.payoutDeps)).toMatchObject({ failed: 0 });
    for (const l of leaders) expect((await w.stores.payouts.openPayoutOf(l.leaderId))?.entryCount).toBe(4);
  });

  it('lets one run at a time hold the lease, and takes over a lease that ran out', async () => {
    const t = w.now.toISOString();
    const later = new Date(w.now.getTime() + 60_000).toISOString();
    expect(await w.stores.payouts.acquireRunLease('run-a', t, later)).toBe(true);
    const racing = await Promise.all([
      w.stores.payouts.acquireRunLease('run-b', t, later),
      w.stores.payouts.acquireRunLease('run-c', t, later),
    ]);
    expect(racing).toEqual([false, false]);
    expect(await outcomeOf(runPayouts(w.payoutDeps))).toBe('CONFLICT');
    // run-a died: after its lease runs out, one of two takers gets it.
    const afterwards = new Date(w.now.getTime() + 120_000).toISOString();
    const until = new Date(w.now.getTime() + 600_000).toISOString();
    const takers = await Promise.all([
      w.stores.payouts.acquireRunLease('run-d', afterwards, until),
      w.stores.payouts.acquireRunLease('run-e', afterwards, until),
    ]);
    expect(takers.filter(Boolean)).toHaveLength(1);
    // A late release by run-a leaves the new holder's lease alone; the holder's own release frees it.
    await w.stores.payouts.releaseRunLease('run-a');
    expect(await w.stores.payouts.acquireRunLease('run-f', afterwards, until)).toBe(false);
    await w.stores.payouts.releaseRunLease(takers[0] ? 'run-d' : 'run-e');
    expect(await w.stores.payouts.acquireRunLease('run-f', afterwards, until)).toBe(true);
    await w.stores.payouts.releaseRunLease('run-f');
  });

  /** A leader with a picked-up order past its after-sales window, and this week's payout proposed for them. */
  async function proposedPayout(overrides: Partial<Leader> = {}, orderOverrides: Partial<Order> = {}) {
    const leader = await w.leader(overrides);
    const order = pickedUpOrder(leader.leaderId, orderOverrides);
    await w.stores.seedOrder(order);
    await bookOrderCommissions(w.commissions, order);
    w.afterSales();
    await runPayouts(w.payoutDeps);
    const payout = await w.stores.payouts.openPayoutOf(leader.leaderId);
    return { leader, payout: payout! };
  }

  it('approves a payout once: paid through the provider once, its payout entry appended once', async () => {
    const { leader, payout } = await proposedPayout();
    expect(payout).toMatchObject({ status: 'proposed', amountFen: 1200 });
    expect((await listPayouts(w.payoutDeps, OPERATOR, 'proposed', 100)).items.map((p) => p.payoutId)).toContain(payout.payoutId);

    // Three operators at once: one moves it to approved; one that read it approved may finish paying it too.
    const outcomes = await Promise.all([0, 1, 2].map(() => outcomeOf(approvePayout(w.payoutDeps, OPERATOR, payout.payoutId))));
    expect(outcomes).toContain('ok');
    expect(outcomes.filter((o) => o !== 'ok').every((o) => o === 'CONFLICT')).toBe(true);
    expect(await w.stores.payouts.get(payout.payoutId)).toMatchObject({ status: 'paid', amountFen: 1200 });
    const recorded = () => w.paid.filter((p) => p.payoutId === payout.payoutId && p.outcome === 'recorded');
    expect(recorded()).toEqual([{ payoutId: payout.payoutId, amountFen: 1200, outcome: 'recorded' }]);
    // And once more after it was paid: refused, nothing sent again.
    const asked = w.paid.length;
    expect(await outcomeOf(approvePayout(w.payoutDeps, OPERATOR, payout.payoutId))).toBe('CONFLICT');
    expect(w.paid.length).toBe(asked);

    expect(await commissionsOf(w.commissions, OPERATOR, leader.leaderId)).toMatchObject({ pendingFen: 0, availableFen: 0, paidFen: 1200 });
    const entries = (await w.stores.ledger.allEntriesOfLeader(leader.leaderId)).filter((e) => e.kind === 'payout');
    expect(entries).toEqual([expect.objectContaining({ entryId: `payout:${payout.payoutId}`, amountFen: -1200 })]);
    expect((await w.stores.auditTrail(payout.payoutId)).map((e) => e.action)).toEqual([
      'payout.opened',
      'payout.proposed',
      'payout.approved',
      'payout.paid',
    ]);
    // The leader may be paid again later: the open-payout guard was freed.
    expect(await w.stores.payouts.openPayoutOf(leader.leaderId)).toBeUndefined();
  });

  it('finishes paying a payout a crash left approved, paying the provider once', async () => {
    const { payout } = await proposedPayout();
    const at = w.now.toISOString();
    const audit = { entityId: payout.payoutId, entityType: 'payout', action: 'payout.approved', actor: 'op-1', at };
    expect(await w.stores.payouts.transition(payout, 'proposed', 'approved', at, audit)).toBe('moved');
    // The crash's answer never came; the approval's own retry is stale.
    expect(await w.stores.payouts.transition(payout, 'proposed', 'approved', at, audit)).toBe('stale');
    await Promise.all([
      outcomeOf(approvePayout(w.payoutDeps, OPERATOR, payout.payoutId)),
      outcomeOf(approvePayout(w.payoutDeps, OPERATOR, payout.payoutId)),
    ]);
    expect(await w.stores.payouts.get(payout.payoutId)).toMatchObject({ status: 'paid' });
    expect(w.paid.filter((p) => p.payoutId === payout.payoutId && p.outcome === 'recorded')).toHaveLength(1);
    expect((await w.stores.ledger.allEntriesOfLeader(payout.leaderId)).filter((e) => e.kind === 'payout')).toHaveLength(1);
    expect((await w.stores.ledger.summaryOf(payout.leaderId)).paidFen).toBe(1200);
  });

  it('rejects a payout once, against a racing approval; its entries are paid by the next payout', async () => {
    const { leader, payout } = await proposedPayout();
    const [rejected, approved] = await Promise.all([
      outcomeOf(rejectPayout(w.payoutDeps, OPERATOR, payout.payoutId, '核对有误')),
      outcomeOf(approvePayout(w.payoutDeps, OPERATOR, payout.payoutId)),
    ]);
    expect([rejected, approved].filter((o) => o === 'ok')).toHaveLength(1);
    const settled = await w.stores.payouts.get(payout.payoutId);
    const actions = (await w.stores.auditTrail(payout.payoutId)).map((e) => e.action);
    if (rejected === 'ok') {
      expect(settled).toMatchObject({ status: 'rejected', reason: '核对有误' });
      expect(actions).toEqual(['payout.opened', 'payout.proposed', 'payout.rejecting', 'payout.rejected']);
      expect(w.paid.filter((p) => p.payoutId === payout.payoutId)).toEqual([]);
      // Rejecting again changes nothing; the entries are payable again, and the next run proposes them anew.
      expect(await outcomeOf(rejectPayout(w.payoutDeps, OPERATOR, payout.payoutId, 'again'))).toBe('CONFLICT');
      expect(await w.stores.ledger.payableOfLeader(leader.leaderId, w.now)).toHaveLength(2);
      await runPayouts(w.payoutDeps);
      const next = await w.stores.payouts.openPayoutOf(leader.leaderId);
      expect(next).toMatchObject({ status: 'proposed', amountFen: 1200 });
      expect(next!.payoutId).not.toBe(payout.payoutId);
    } else {
      expect(settled).toMatchObject({ status: 'paid' });
      expect(actions).not.toContain('payout.rejecting');
    }
  });

  it('holds a payout at risk, and releases it once', async () => {
    // The leader bought from their own group buys: all the commission is self-purchase.
    const leader = leaderRecord();
    const { payout } = await proposedPayout(leader, { userId: leader.userId });
    expect(payout).toMatchObject({ status: 'held', riskFlags: ['self_purchase'] });
    expect(payout.riskFigures?.selfPurchase).toMatchObject({ commissionFen: 1200, selfPurchaseFen: 1200, shareBps: 10_000, orders: 1 });
    expect(await outcomeOf(approvePayout(w.payoutDeps, OPERATOR, payout.payoutId))).toBe('CONFLICT');

    const outcomes = await Promise.all([
      outcomeOf(releasePayout(w.payoutDeps, OPERATOR, payout.payoutId, '家庭自用，已核实')),
      outcomeOf(releasePayout(w.payoutDeps, OPERATOR, payout.payoutId, '家庭自用，已核实')),
    ]);
    expect(outcomes.sort()).toEqual(['CONFLICT', 'ok']);
    expect(await w.stores.payouts.get(payout.payoutId)).toMatchObject({
      status: 'proposed',
      releaseReason: '家庭自用，已核实',
      riskFlags: ['self_purchase'],
    });
    expect((await w.stores.auditTrail(payout.payoutId)).map((e) => e.action)).toEqual(['payout.opened', 'payout.held', 'payout.released']);
    expect(await outcomeOf(approvePayout(w.payoutDeps, OPERATOR, payout.payoutId))).toBe('ok');
  });
});
