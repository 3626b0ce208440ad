// The orders function's CloudBase entry, called as CloudBase's HTTP access service calls it (the samples in
// events/cloudbase/), with DATA_STORE=cloudbase and the real SDK sending its database calls to the stand-in.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudBaseHttpEvent } from '../../lib/runtime/cloudbase-http';
import type { GroupBuy } from '../../schemas/group-buys';
import { startStandIn, type CloudBaseStandIn } from '../../test/cloudbase/standin';

const sample = (name: string) => JSON.parse(readFileSync(join(__dirname, '../../events/cloudbase', name), 'utf8')) as CloudBaseHttpEvent;

let standIn: CloudBaseStandIn;
let main: typeof import('./cloudbase').main;
let token: string;
let shareToken: string;
const saved = { ...process.env };

beforeAll(async () => {
  const { uniqueIndexes } = await import('../../lib/adapters/cloudbase/collections');
  standIn = await startStandIn({ uniqueIndexes: uniqueIndexes() });
  // What cloudbaserc.json gives the function, and (tests only) where its database calls go.
  process.env.DATA_STORE = 'cloudbase';
  process.env.CLOUDBASE_ENV = 'tuangou-test';
  process.env.CLOUDBASE_SERVICE_URL = standIn.url;
  jest.resetModules();
  ({ main } = await import('./cloudbase'));
  const { makeCloudBaseDb } = await import('../../lib/adapters/cloudbase/db');
  const { cloudbaseGroupBuyStore } = await import('../../lib/adapters/cloudbase/group-buys');
  const { stageIdentity } = await import('../../lib/runtime/auth');
  const { config } = await import('../../lib/runtime/config');
  const { lazyShareLinkKey, signShareToken } = await import('../../lib/group-buys/share-link');

  const db = makeCloudBaseDb({ env: 'tuangou-test', serviceUrl: standIn.url });
  await db.collection('leaders').doc('L1').set({ leaderId: 'L1', userId: 'u-leader', status: 'active', touches: 0 });
  const now = new Date();
  const groupBuy: GroupBuy = {
    groupBuyId: 'GB1',
    leaderId: 'L1',
    pickupPoint: { name: '幸福小区', address: '1 号楼', community: '幸福', city: '杭州' },
    title: '周三团',
    cutoffAt: new Date(now.getTime() + 6 * 3600_000).toISOString(),
    pickupDate: new Date(now.getTime() + 30 * 3600_000).toISOString().slice(0, 10),
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
        stockLimit: 3,
      },
    ],
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
  const audit = { entityId: 'GB1', entityType: 'groupBuy', action: 'groupBuy.created', actor: 'u-leader', at: now.toISOString() };
  expect(await cloudbaseGroupBuyStore(db).create(groupBuy, audit as never)).toBe('created');
  token = await stageIdentity.issue({ userId: 'u-resident', roles: [] });
  shareToken = signShareToken(lazyShareLinkKey(() => config.authSecret)(), {
    groupBuyId: 'GB1',
    leaderId: 'L1',
    expiresAt: new Date(now.getTime() + 2 * 86400_000),
  });
});

afterAll(async () => {
  await standIn.stop();
  process.env = saved;
});

function placeEvent(key: string): CloudBaseHttpEvent {
  const event = sample('orders-place.json');
  const body = JSON.parse(event.body!) as { shareToken: string };
  body.shareToken = shareToken;
  return { ...event, body: JSON.stringify(body), headers: { ...event.headers, authorization: `Bearer ${token}`, 'idempotency-key': key } };
}

test('places an order through HTTP access, answers a retry with the same order, and reads it back', async () => {
  const placed = await main(placeEvent('retry-key-0001'), { request_id: 'r1', function_name: 'orders', time_limit_in_ms: 10_000 });
  expect([placed.statusCode, placed.statusCode === 201 ? '' : placed.body]).toEqual([201, '']);
  expect(placed.headers).toMatchObject({ 'content-type': expect.stringContaining('application/json'), 'cache-control': 'no-store' });
  const order = JSON.parse(placed.body!) as { orderId: string; status: string; totalFen: number };
  expect(order).toMatchObject({ status: 'pending_payment', totalFen: 1200 });
  // The order is in CloudBase's database, with its audit record and an outbox item per interested consumer.
  expect(standIn.documents('orders').map((d) => d._id)).toEqual([order.orderId]);
  expect(
    standIn
      .documents('audit')
      .filter((d) => d.entityId === order.orderId)
      .map((d) => d.action),
  ).toEqual(['order.placed']);

  const retry = await main(placeEvent('retry-key-0001'));
  expect(retry.statusCode).toBe(200);
  expect(JSON.parse(retry.body!)).toMatchObject({ orderId: order.orderId });

  const get = sample('orders-get.json');
  const read = await main({ ...get, path: `/orders/${order.orderId}`, headers: { ...get.headers, authorization: `Bearer ${token}` } });
  expect(read.statusCode).toBe(200);
  expect(JSON.parse(read.body!)).toMatchObject({ orderId: order.orderId, contactName: '王芳' });
});

test('answers as the AWS entry does without a token, and for a route the function does not serve', async () => {
  const event = placeEvent('anon-key-0003');
  const anonymous = await main({ ...event, headers: { ...event.headers, authorization: undefined } });
  expect(anonymous.statusCode).toBe(401);
  expect(JSON.parse(anonymous.body!)).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
  const unknown = await main({ ...sample('orders-get.json'), path: '/nowhere', headers: {} });
  expect(unknown.statusCode).toBe(404);
});

test('survives a transaction conflict, and a function killed after its commit landed: one order, stock taken once', async () => {
  // Another transaction wins the commit: the adapter runs the placement again and succeeds.
  standIn.failNext('database.commitTransaction', 'DATABASE_TRANSACTION_CONFLICT');
  const afterConflict = await main(placeEvent('conflict-key-0004'));
  expect([afterConflict.statusCode, afterConflict.statusCode === 201 ? '' : afterConflict.body]).toEqual([201, '']);

  // The commit lands, then the function dies before it answers: the client sees a failure and retries.
  standIn.killAfter(1, (r) => r.action === 'database.commitTransaction');
  const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const killed = await main(placeEvent('killed-key-0005'));
  expect(killed.statusCode).toBe(500);
  expect(logged).toHaveBeenCalledWith(expect.stringContaining('Unexpected error'));
  logged.mockRestore();
  standIn.revive();
  const retried = await main(placeEvent('killed-key-0005'));
  expect(retried.statusCode).toBe(200);
  const orderId = (JSON.parse(retried.body!) as { orderId: string }).orderId;
  expect(standIn.documents('orders').filter((d) => d.contactName && d.userId === 'u-resident')).toHaveLength(3);
  // The retry found the order the killed call committed (its id is derived from the key): it made no second one.
  expect(standIn.documents('orders').filter((d) => d._id === orderId)).toEqual([
    expect.objectContaining({ requestHash: expect.any(String) }),
  ]);

  // Three units, three orders: the next is refused as API.md says.
  expect(standIn.documents('groupBuyItems')).toEqual([expect.objectContaining({ productId: 'apple', remaining: 0, sold: 3 })]);
  const refused = await main(placeEvent('other-key-0006'));
  expect(refused.statusCode).toBe(409);
  expect(JSON.parse(refused.body!)).toMatchObject({ error: { code: 'OUT_OF_STOCK' } });
});
