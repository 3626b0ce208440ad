// The commissions consumer's CloudBase entry, run as its timer runs it (events/cloudbase/timer.json): the outbox
// items of a picked-up order (the orders adapter writes one per change, in the order's transaction) are booked
// on the CloudBase ledger once, however often they come, and the new entries go on to the customer book.
import { standInDb, useFunctionStandIn } from '../../test/cloudbase/function-env';
import { seedLeader, timer } from '../../test/cloudbase/ledger-env';
import { pickedUpOrder } from '../../test/contract/ledger-stores';

const standIn = useFunctionStandIn();

test('books a picked-up order from the outbox once, however often its change comes', async () => {
  const { inTransaction } = await import('../../lib/adapters/cloudbase/db');
  const { outboxAdd } = await import('../../lib/adapters/cloudbase/outbox');
  const db = await standInDb(standIn);
  const recruiter = await seedLeader(standIn);
  const leader = await seedLeader(standIn, { referredBy: recruiter.leaderId, approvedAt: new Date(Date.now() - 86400_000).toISOString() });
  const order = pickedUpOrder(leader.leaderId, { pickedUpAt: new Date().toISOString() });
  // The pickup's change, and the same change again (a repeated write, a replay): two outbox items.
  for (let i = 0; i < 2; i++)
    await inTransaction(db, (tx) => outboxAdd(tx, { eventName: 'MODIFY', type: 'ORDER', key: order.orderId, image: order }));
  expect(standIn.documents('outbox').filter((d) => d.consumer === 'commissions')).toHaveLength(2);

  const { main } = await import('./cloudbase');
  const context = { request_id: 'sweep-1', function_name: 'commissions', time_limit_in_ms: 60_000 };
  expect(await main(timer, context)).toEqual({ delivered: 2, failed: 0, dead: 0 });
  // REFERRAL_BPS is 100 by default: 1 % of the lines for the recruiter.
  const entries = standIn.documents('ledgerEntries');
  expect(entries.map((e) => [e.leaderId, e.kind, e.productId, e.amountFen]).sort()).toEqual(
    [
      [leader.leaderId, 'accrual', 'apple', 1000],
      [leader.leaderId, 'accrual', 'rice', 200],
      [recruiter.leaderId, 'referral', 'apple', 100],
      [recruiter.leaderId, 'referral', 'rice', 40],
    ].sort(),
  );
  expect(
    standIn
      .documents('ledgerSummaries')
      .map((s) => [s.leaderId, s.earnedFen])
      .sort(),
  ).toEqual(
    [
      [leader.leaderId, 1200],
      [recruiter.leaderId, 140],
    ].sort(),
  );
  expect(standIn.documents('payables')).toHaveLength(4);
  expect(
    standIn
      .documents('audit')
      .map((a) => a.action)
      .sort(),
  ).toEqual(['ledger.accrual', 'ledger.referral']);
  // Each new entry is a change the customer book wants; nothing is left for commissions.
  const outbox = standIn.documents('outbox');
  expect(outbox.filter((d) => d.consumer === 'commissions')).toEqual([]);
  const entryChanges = outbox.filter((d) => d.consumer === 'customerBook' && String(d.body).includes('"LEDGER_ENTRY"'));
  expect(entryChanges).toHaveLength(4);

  // The next minute's sweep finds nothing to do.
  expect(await main(timer, { ...context, request_id: 'sweep-2' })).toEqual({ delivered: 0, failed: 0, dead: 0 });
  expect(standIn.documents('ledgerEntries')).toHaveLength(4);
});
