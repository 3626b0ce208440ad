// The operators' jobs on CloudBase, called as its HTTP access service calls them (events/cloudbase/jobs-cutoff.json),
// with DATA_STORE=cloudbase and the real SDK sending its database calls to the stand-in. `POST /jobs/cutoff` reports
// the closing finished within the call although no stream drives it there: it advances what it waits for.
// (`POST /jobs/payouts` is served by this function on CloudBase; its stores are the payouts' own.)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudBaseHttpEvent } from '../../lib/runtime/cloudbase-http';
import { seedGroupBuyOfApples, standInDb, useFunctionStandIn } from '../../test/cloudbase/function-env';

const sample = JSON.parse(readFileSync(join(__dirname, '../../events/cloudbase/jobs-cutoff.json'), 'utf8')) as CloudBaseHttpEvent;

const standIn = useFunctionStandIn();

test('POST /jobs/cutoff closes what is due and reports it, for operators only', async () => {
  await seedGroupBuyOfApples(standIn, new Date(), 5);
  // An unpaid order, written as placing leaves it, and the cutoff a second ago.
  const { orderDeps } = await import('../../lib/orders/wiring');
  const { placeOrder } = await import('../../lib/orders/orders');
  const { lazyShareLinkKey, signShareToken } = await import('../../lib/group-buys/share-link');
  const { config } = await import('../../lib/runtime/config');
  const shareToken = signShareToken(lazyShareLinkKey(() => config.authSecret)(), {
    groupBuyId: 'GB1',
    leaderId: 'L1',
    expiresAt: new Date(Date.now() + 86400_000),
  });
  const { order } = await placeOrder(orderDeps(), { userId: 'u-1', roles: [] }, 'jobs-key-1', {
    shareToken,
    items: [{ productId: 'apple', quantity: 1 }],
    contactName: '王芳',
    contactPhone: '13800138000',
  });
  const db = await standInDb(standIn);
  const cutoffAt = new Date(Date.now() - 1000).toISOString();
  await db.collection('groupBuys').doc('GB1').update({ cutoffAt });
  await db.collection('groupBuyItems').where({ groupBuyId: 'GB1' }).update({ cutoffAt });

  const { stageIdentity } = await import('../../lib/runtime/auth');
  const { main } = await import('./cloudbase');
  const call = async (roles: ('operator' | 'supplier')[]) => {
    const token = await stageIdentity.issue({ userId: 'op-1', roles });
    return main(
      { ...sample, headers: { ...sample.headers, authorization: `Bearer ${token}` } },
      { request_id: 'j1', time_limit_in_ms: 30_000 },
    );
  };

  const refused = await call([]);
  expect([refused.statusCode, JSON.parse(refused.body!)]).toEqual([403, { error: expect.objectContaining({ code: 'FORBIDDEN' }) }]);
  expect(standIn.documents('groupBuys')[0]).toMatchObject({ status: 'open' });

  const report = await call(['operator']);
  expect([report.statusCode, JSON.parse(report.body!)]).toEqual([200, { closed: 1, failed: 0, ordersCancelled: 1, inProgress: 0 }]);
  expect(standIn.documents('groupBuys')[0]).toMatchObject({ status: 'closed', closeStats: { ordersCancelled: 1, ordersReady: 0 } });
  expect(standIn.documents('orders').find((o) => o._id === order.orderId)).toMatchObject({ status: 'cancelled' });

  // Run again: nothing is due.
  const again = await call(['operator']);
  expect(JSON.parse(again.body!)).toEqual({ closed: 0, failed: 0, ordersCancelled: 0, inProgress: 0 });
});
