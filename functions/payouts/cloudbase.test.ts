// The payouts function's CloudBase entry, called as the HTTP access service calls it (events/cloudbase/
// payouts-*.json): an operator lists the proposed payouts and approves one; it is paid through the sandbox
// provider once, its payout entry appended, and the paid change goes to the notices through the outbox.
import { useFunctionStandIn } from '../../test/cloudbase/function-env';
import { bookedOrder, sample, seedLeader, tokenOf, withToken } from '../../test/cloudbase/ledger-env';

const standIn = useFunctionStandIn();

test('lists, approves once and pays once; the leader then has no open payout', async () => {
  const leader = await seedLeader(standIn);
  await bookedOrder(standIn, leader.leaderId, 72);
  const { payoutDeps } = await import('../../lib/commissions/wiring');
  const { runPayouts } = await import('../../lib/commissions/payouts');
  await runPayouts(payoutDeps());
  const { main } = await import('./cloudbase');
  const operator = await tokenOf('op-1', ['operator']);

  const mine = await main(
    withToken(sample('payouts-list.json'), await tokenOf(leader.userId), { path: '/leaders/me/payout', queryStringParameters: {} }),
  );
  expect(mine.statusCode).toBe(200);
  const { payoutId } = JSON.parse(mine.body!) as { payoutId: string };
  expect(JSON.parse(mine.body!)).toMatchObject({ status: 'proposed', amountFen: 1200 });

  const list = await main(withToken(sample('payouts-list.json'), operator));
  expect(list.statusCode).toBe(200);
  expect((JSON.parse(list.body!) as { items: { payoutId: string }[] }).items.map((p) => p.payoutId)).toEqual([payoutId]);
  // A leader is not an operator.
  expect((await main(withToken(sample('payouts-list.json'), await tokenOf(leader.userId)))).statusCode).toBe(403);

  const approve = sample('payouts-approve.json');
  const path = `/payouts/${payoutId}/approve`;
  const approved = await main(withToken(approve, operator, { path }), { request_id: 'a1', function_name: 'payouts' });
  expect(approved.statusCode).toBe(200);
  expect(JSON.parse(approved.body!)).toMatchObject({
    payoutId,
    status: 'paid',
    amountFen: 1200,
    paidAt: expect.stringMatching(/\+08:00$/),
  });
  // Approving again (a double click, a retry) pays nothing more.
  const again = await main(withToken(approve, operator, { path }));
  expect(again.statusCode).toBe(409);
  expect(standIn.documents('sandboxPayouts')).toEqual([expect.objectContaining({ payoutId, amountFen: 1200 })]);
  expect(standIn.documents('ledgerEntries').filter((e) => e.kind === 'payout')).toEqual([
    expect.objectContaining({ entryId: `payout:${payoutId}`, amountFen: -1200 }),
  ]);
  expect(standIn.documents('ledgerSummaries')).toEqual([
    expect.objectContaining({ leaderId: leader.leaderId, earnedFen: 1200, paidFen: 1200 }),
  ]);
  // The leader hears of it: the paid payout is a change the notices consume.
  const notices = standIn.documents('outbox').filter((d) => d.consumer === 'notify' && String(d.body).includes('"PAYOUT"'));
  expect(notices).toHaveLength(1);
  expect(notices[0]!.body).toContain('"paid"');
  const after = await main(
    withToken(sample('payouts-list.json'), await tokenOf(leader.userId), { path: '/leaders/me/payout', queryStringParameters: {} }),
  );
  expect(after.statusCode).toBe(404);
});
