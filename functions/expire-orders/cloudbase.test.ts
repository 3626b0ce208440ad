// The expiry job's CloudBase entry, called as a timer trigger calls it (events/cloudbase/timer.json), with
// DATA_STORE=cloudbase and the real SDK sending its database calls to the stand-in: an unpaid order past its
// deadline expires and gives its stock back; running twice changes nothing more.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GroupBuy } from '../../schemas/group-buys';
import { startStandIn, type CloudBaseStandIn } from '../../test/cloudbase/standin';
import type { CloudBaseTimerEvent } from './cloudbase';

const timer = JSON.parse(readFileSync(join(__dirname, '../../events/cloudbase/timer.json'), 'utf8')) as CloudBaseTimerEvent;
let standIn: CloudBaseStandIn;
const saved = { ...process.env };

beforeAll(async () => {
  const { uniqueIndexes } = await import('../../lib/adapters/cloudbase/collections');
  standIn = await startStandIn({ uniqueIndexes: uniqueIndexes() });
  process.env.DATA_STORE = 'cloudbase';
  process.env.CLOUDBASE_ENV = 'tuangou-test';
  process.env.CLOUDBASE_SERVICE_URL = standIn.url;
  jest.resetModules();
});

afterAll(async () => {
  await standIn.stop();
  process.env = saved;
});

test('expires an unpaid order past its deadline and gives its stock back, once', async () => {
  const { makeCloudBaseDb } = await import('../../lib/adapters/cloudbase/db');
  const { cloudbaseGroupBuyStore } = await import('../../lib/adapters/cloudbase/group-buys');
  const { orderDeps } = await import('../../lib/orders/wiring');
  const { placeOrder } = await import('../../lib/orders/orders');
  const { shareLinkKey, signShareToken } = await import('../../lib/group-buys/share-link');
  const db = makeCloudBaseDb({ env: 'tuangou-test', serviceUrl: standIn.url });

  // An order placed 20 minutes ago (the payment window is 15).
  const placedAt = new Date(Date.now() - 20 * 60_000);
  await db.collection('leaders').doc('L1').set({ leaderId: 'L1', userId: 'u-leader', referralCode: 'R1', status: 'active', touches: 0 });
  const groupBuy: GroupBuy = {
    groupBuyId: 'GB1',
    leaderId: 'L1',
    pickupPoint: { name: '幸福小区', address: '1 号楼', community: '幸福', city: '杭州' },
    title: '周三团',
    cutoffAt: new Date(Date.now() + 6 * 3600_000).toISOString(),
    pickupDate: new Date(Date.now() + 30 * 3600_000).toISOString().slice(0, 10),
    status: 'open',
    items: [
      {
        productId: 'apple',
        supplierId: 'S1',
        name: '苹果',
        unit: '袋',
        supplyPriceFen: 800,
        groupPriceFen: 1200,
        commissionRateBps: 1000,
        stockLimit: 5,
      },
    ],
    createdAt: placedAt.toISOString(),
    updatedAt: placedAt.toISOString(),
    version: 1,
  };
  const audit = { entityId: 'GB1', entityType: 'groupBuy', action: 'groupBuy.created', actor: 'u-leader', at: placedAt.toISOString() };
  expect(await cloudbaseGroupBuyStore(db).create(groupBuy, audit as never)).toBe('created');
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
  expect(
    standIn
      .documents('audit')
      .filter((d) => d.entityId === order.orderId)
      .map((d) => d.action),
  ).toEqual(['order.placed', 'order.expired']);
  // Timers may fire twice: the second run finds nothing to do.
  expect(await main(timer, { request_id: 't2', function_name: 'expireOrders', time_limit_in_ms: 60_000 })).toEqual({ expired: 0 });
});
