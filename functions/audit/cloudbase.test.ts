// The audit function's CloudBase entry, called as the HTTP access service calls it (events/cloudbase/
// audit-events.json): an operator reads an entity's audit trail and reconciles a leader's ledger with the
// orders in CloudBase's database, to the fen.
import { useFunctionStandIn } from '../../test/cloudbase/function-env';
import { bookedOrder, sample, seedLeader, tokenOf, withToken } from '../../test/cloudbase/ledger-env';

const standIn = useFunctionStandIn();

test('GET /audit/events and GET /audit/reconciliation, for operators only', async () => {
  const leader = await seedLeader(standIn);
  const order = await bookedOrder(standIn, leader.leaderId, 72);
  const { main } = await import('./cloudbase');
  const operator = await tokenOf('op-1', ['operator']);
  const event = sample('audit-events.json');

  const trail = await main(withToken(event, operator, { queryStringParameters: { entityId: leader.leaderId } }), {
    request_id: 'e1',
    function_name: 'audit',
  });
  expect(trail.statusCode).toBe(200);
  expect(JSON.parse(trail.body!)).toEqual({
    items: [
      expect.objectContaining({
        action: 'ledger.accrual',
        actor: 'system:commissions',
        entityId: leader.leaderId,
        at: expect.stringMatching(/\+08:00$/),
      }),
    ],
  });

  const reconciliation = { path: '/audit/reconciliation', queryStringParameters: { leaderId: leader.leaderId } };
  const reconciled = await main(withToken(event, operator, reconciliation));
  expect(reconciled.statusCode).toBe(200);
  expect(JSON.parse(reconciled.body!)).toEqual({ leaderId: leader.leaderId, expectedFen: 1200, ledgerFen: 1200, discrepancies: [] });
  // An order the ledger missed is named, to the fen.
  const { standInDb } = await import('../../test/cloudbase/function-env');
  const db = await standInDb(standIn);
  await db
    .collection('orders')
    .doc(`${order.orderId}-2`)
    .set({ ...order, orderId: `${order.orderId}-2` });
  const off = JSON.parse((await main(withToken(event, operator, reconciliation))).body!) as { discrepancies: unknown[] };
  expect(off).toMatchObject({ expectedFen: 2400, ledgerFen: 1200 });
  expect(off.discrepancies).toHaveLength(2);

  expect((await main(withToken(event, await tokenOf(leader.userId), reconciliation))).statusCode).toBe(403);
});
