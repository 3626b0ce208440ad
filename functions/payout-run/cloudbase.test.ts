// The payout run's CloudBase entry, run as its Monday timer runs it (events/cloudbase/timer.json): each active
// leader whose available balance reaches the minimum gets one payout of exactly their available entries;
// a second firing proposes nothing more.
import { useFunctionStandIn } from '../../test/cloudbase/function-env';
import { auditActions } from '../../test/contract/people';
import { bookedOrder, seedLeader, timer } from '../../test/cloudbase/ledger-env';

const standIn = useFunctionStandIn();

test('proposes one payout per leader of their available entries, once', async () => {
  const leader = await seedLeader(standIn);
  const suspended = await seedLeader(standIn, { status: 'suspended' });
  await bookedOrder(standIn, leader.leaderId, 72);
  await bookedOrder(standIn, leader.leaderId, 1); // still in its after-sales window
  await bookedOrder(standIn, suspended.leaderId, 72);

  const { main } = await import('./cloudbase');
  const context = { request_id: 'run-1', function_name: 'payoutRun', time_limit_in_ms: 60_000 };
  expect(await main(timer, context)).toEqual({ proposed: 1, held: 0, failed: 0 });
  const payouts = standIn.documents('payouts');
  expect(payouts).toEqual([expect.objectContaining({ leaderId: leader.leaderId, status: 'proposed', amountFen: 1200, entryCount: 2 })]);
  expect(standIn.documents('payoutClaims')).toHaveLength(2);
  // What it claimed left the payable pool; the pending order's entries and the suspended leader's stay.
  const pool = standIn.documents('payables').map((p) => p.leaderId);
  expect(pool.sort()).toEqual([leader.leaderId, leader.leaderId, suspended.leaderId, suspended.leaderId].sort());
  expect(standIn.documents('payoutRunLeases')).toEqual([]);
  expect(auditActions(standIn, String(payouts[0]!.payoutId))).toEqual(['payout.opened', 'payout.proposed']);

  // Timers may fire twice: the open payout is left alone.
  expect(await main(timer, { ...context, request_id: 'run-2' })).toEqual({ proposed: 0, held: 0, failed: 0 });
  expect(standIn.documents('payouts')).toHaveLength(1);
});
