// The ledger function's CloudBase entry, called as the HTTP access service calls it
// (events/cloudbase/ledger-my-commissions.json): a leader reads their commissions, booked on the CloudBase ledger.
import { useFunctionStandIn } from '../../test/cloudbase/function-env';
import { bookedOrder, sample, seedLeader, tokenOf, withToken } from '../../test/cloudbase/ledger-env';

const standIn = useFunctionStandIn();

test('GET /leaders/me/commissions: the leader’s balances and entries; 404 for a user who leads nothing; 401 without a token', async () => {
  const leader = await seedLeader(standIn);
  // One order past its after-sales window (48 h), one still in it.
  await bookedOrder(standIn, leader.leaderId, 72);
  await bookedOrder(standIn, leader.leaderId, 1);
  const { main } = await import('./cloudbase');
  const event = sample('ledger-my-commissions.json');

  const answer = await main(withToken(event, await tokenOf(leader.userId)), { request_id: 'r1', function_name: 'ledger' });
  expect(answer.statusCode).toBe(200);
  const body = JSON.parse(answer.body!) as { entries: unknown[] };
  expect(body).toMatchObject({ leaderId: leader.leaderId, pendingFen: 1200, availableFen: 1200, paidFen: 0 });
  expect(body.entries).toHaveLength(4);
  expect(body.entries[0]).toMatchObject({ kind: 'accrual', createdAt: expect.stringMatching(/\+08:00$/) });

  const stranger = await main(withToken(event, await tokenOf('u-nobody')));
  expect([stranger.statusCode, JSON.parse(stranger.body!)]).toEqual([404, { error: expect.objectContaining({ code: 'NOT_FOUND' }) }]);
  expect((await main(event)).statusCode).toBe(401);
  // An operator's read of another leader goes to the leaders function on CloudBase (prefix `/leaders`): not served here.
  const other = await main(withToken(event, await tokenOf('op-1', ['operator']), { path: `/leaders/${leader.leaderId}/commissions` }));
  expect(other.statusCode).toBe(404);
});
