// The expiry job's CloudBase entry, called as a timer trigger calls it (events/cloudbase/timer.json), with
// DATA_STORE=cloudbase and the real SDK sending its database calls to the stand-in: an unpaid order past its
// deadline expires and gives its stock back; running twice changes nothing more.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedGroupBuyOfApples, useFunctionStandIn } from '../../test/cloudbase/function-env';
import { auditActions } from '../../test/contract/people';
import type { CloudBaseTimerEvent } from '../../lib/runtime/cloudbase-http';

const timer = JSON.parse(readFileSync(join(__dirname, '../../events/cloudbase/timer.json'), 'utf8')) as CloudBaseTimerEvent;
const standIn = useFunctionStandIn();

test('expires an unpaid order past its deadline and gives its stock back, once', async () => {
  const { orderDeps } = await import('../../lib/orders/wiring');
  const { placeOrder } = await import('../../lib/orders/orders');
  const { shareLinkKey, signShareToken } = await import('../../lib/group-buys/share-link');

  // An order placed 20 minutes ago (the payment window is 15).
  const placedAt = new Date(Date.now() - 20 * 60_000);
  await seedGroupBuyOfApples(standIn, placedAt, 5);
  const key = shareLinkKey('expiry-test');
  const deps = { ...orderDeps(), clock: { now: () => placedAt }, shareKey: () => key };
  const shareToken = signShareToken(key, { groupBuyId: 'GB1', leaderId: 'L1', expiresAt: new Date(Date.now() + 86400_000) });
  const { order } = await placeOrder(deps, { userId: 'u-1', roles: [] }, 'expiry-key-01', {
    shareToken,
    items: [{ productId: 'apple', quantity: 2 }],
    contactName: '王芳',
    contactPhone: '13800138000',
  });
  expect(standIn.documents('groupBuyItems')[0]).toMatchObject({ remaining: 3 });

  const { main } = await import('./cloudbase');
  expect(await main(timer, { request_id: 't1', function_name: 'expireOrders', time_limit_in_ms: 60_000 })).toEqual({ expired: 1 });
  expect(standIn.documents('orders')[0]).toMatchObject({ orderId: order.orderId, status: 'expired', version: 2 });
  expect(standIn.documents('groupBuyItems')[0]).toMatchObject({ remaining: 5, sold: 0 });
  expect(auditActions(standIn, order.orderId)).toEqual(['order.placed', 'order.expired']);
  // Timers may fire twice: the second run finds nothing to do.
  expect(await main(timer, { request_id: 't2', function_name: 'expireOrders', time_limit_in_ms: 60_000 })).toEqual({ expired: 0 });
});
