// The orders function's CloudBase entry, called as CloudBase's HTTP access service calls it (the samples in
// events/cloudbase/), with DATA_STORE=cloudbase and the real SDK sending its database calls to the stand-in.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudBaseContext, CloudBaseHttpEvent } from '../../lib/runtime/cloudbase-http';
import type { GroupBuy } from '../../schemas/group-buys';
import { seedGroupBuyOfApples, standInDb, useFunctionStandIn } from '../../test/cloudbase/function-env';
import { auditActions } from '../../test/contract/people';

const sample = (name: string) => JSON.parse(readFileSync(join(__dirname, '../../events/cloudbase', name), 'utf8')) as CloudBaseHttpEvent;
/** What SCF passes a function the mini-program called: its variables (WX_OPENID among them) as a JSON string. */
const miniProgramContext = (openId: string): CloudBaseContext => {
  const context = JSON.parse(readFileSync(join(__dirname, '../../events/cloudbase/context-miniprogram.json'), 'utf8')) as CloudBaseContext;
  return { ...context, environment: JSON.stringify({ ...(JSON.parse(context.environment!) as object), WX_OPENID: openId }) };
};

const standIn = useFunctionStandIn();
let main: typeof import('./cloudbase').main;
let token: string;
let shareToken: string;

beforeAll(async () => {
  ({ main } = await import('./cloudbase'));
  const { stageIdentity } = await import('../../lib/runtime/auth');
  const { config } = await import('../../lib/runtime/config');
  const { lazyShareLinkKey, signShareToken } = await import('../../lib/group-buys/share-link');

  const db = await standInDb(standIn);
  // A resident who signed in with WeChat before: their OPENID is bound to their user.
  await db
    .collection('users')
    .doc('u-wx')
    .set({ userId: 'u-wx', wechatOpenId: 'oKnownResident00000000000001', createdAt: '2026-11-01T00:00:00.000Z' });
  await db.collection('openIdUsers').doc('oKnownResident00000000000001').set({ userId: 'u-wx' });
  const now = new Date();
  await seedGroupBuyOfApples(standIn, now, 3);
  token = await stageIdentity.issue({ userId: 'u-resident', roles: [] });
  shareToken = signShareToken(lazyShareLinkKey(() => config.authSecret)(), {
    groupBuyId: 'GB1',
    leaderId: 'L1',
    expiresAt: new Date(now.getTime() + 2 * 86400_000),
  });
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
  expect(auditActions(standIn, order.orderId)).toEqual(['order.placed']);

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
  // callFunction data that names no request (a mini-program's own mistake): bad input, named, not a failure.
  const { httpMethod: _dropped, ...noMethod } = sample('orders-get.json');
  const malformed = await main(noMethod as never);
  expect([malformed.statusCode, JSON.parse(malformed.body!)]).toEqual([
    400,
    { error: expect.objectContaining({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: 'httpMethod' })] }) },
  ]);
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

let miniShareToken: string;

/** The mini-program's call: `wx.cloud.callFunction({name: 'orders', data})` with the request as data, no token. */
function miniProgramEvent(key: string, headers: Record<string, string> = {}): CloudBaseHttpEvent {
  const event = sample('orders-place-miniprogram.json');
  const body = JSON.parse(event.body!) as { shareToken: string };
  body.shareToken = miniShareToken;
  return { ...event, body: JSON.stringify(body), headers: { ...event.headers, 'idempotency-key': key, ...headers } };
}

const ordersOf = (userId: string) => standIn.documents('orders').filter((d) => d.userId === userId);

// Its own group buy, so that the stock counted by the tests above is theirs alone.
describe('from the mini-program', () => {
  beforeAll(async () => {
    const { cloudbaseGroupBuyStore } = await import('../../lib/adapters/cloudbase/group-buys');
    const { config } = await import('../../lib/runtime/config');
    const { lazyShareLinkKey, signShareToken } = await import('../../lib/group-buys/share-link');
    const groupBuys = cloudbaseGroupBuyStore(await standInDb(standIn));
    const gb1 = (await groupBuys.get('GB1'))!;
    const gb2: GroupBuy = { ...gb1, groupBuyId: 'GB2', items: gb1.items.map((i) => ({ ...i, stockLimit: 20 })) };
    const audit = { entityId: 'GB2', entityType: 'groupBuy', action: 'groupBuy.created', actor: 'u-leader', at: gb1.createdAt };
    expect(await groupBuys.create(gb2, audit as never)).toBe('created');
    miniShareToken = signShareToken(lazyShareLinkKey(() => config.authSecret)(), {
      groupBuyId: 'GB2',
      leaderId: 'L1',
      expiresAt: new Date(Date.now() + 2 * 86400_000),
    });
  });

  test('a resident calling from the mini-program orders as the user of their WX_OPENID, with no token', async () => {
    const placed = await main(miniProgramEvent('wx-key-0007'), miniProgramContext('oKnownResident00000000000001'));
    expect([placed.statusCode, placed.statusCode === 201 ? '' : placed.body]).toEqual([201, '']);
    const { orderId } = JSON.parse(placed.body!) as { orderId: string };
    expect(ordersOf('u-wx').map((d) => d._id)).toEqual([orderId]);
    // The same resident reads it back, still without a token.
    const get = sample('orders-get.json');
    const read = await main({ ...get, path: `/orders/${orderId}`, headers: {} }, miniProgramContext('oKnownResident00000000000001'));
    expect([read.statusCode, JSON.parse(read.body!)]).toEqual([200, expect.objectContaining({ orderId, contactName: '李娜' })]);

    // Another resident cannot read it: their OPENID is another user.
    const other = await main({ ...get, path: `/orders/${orderId}`, headers: {} }, miniProgramContext('oNewResident0000000000000002'));
    expect(other.statusCode).toBe(404);
  });

  test('an OPENID seen for the first time becomes one user (as a first WeChat sign-in), the same on every later call', async () => {
    const openId = 'oFirstTimer00000000000000003';
    const first = await main(miniProgramEvent('wx-key-0008'), miniProgramContext(openId));
    expect([first.statusCode, first.statusCode === 201 ? '' : first.body]).toEqual([201, '']);
    const guard = standIn.documents('openIdUsers').find((d) => d._id === openId);
    expect(guard).toEqual({ _id: openId, userId: expect.any(String) });
    const userId = guard!.userId as string;
    expect(standIn.documents('users').find((d) => d._id === userId)).toMatchObject({ userId, wechatOpenId: openId });
    expect(auditActions(standIn, userId)).toEqual(['user.created']);

    const again = await main(miniProgramEvent('wx-key-0009'), miniProgramContext(openId));
    expect(again.statusCode).toBe(201);
    expect(ordersOf(userId)).toHaveLength(2);
    expect(standIn.documents('users').filter((d) => d.wechatOpenId === openId)).toHaveLength(1);
  });

  test('identity comes from the platform only: an OPENID in the request is ignored, and a bearer token still decides', async () => {
    // A browser through HTTP access can write any header or body, but has no WX_OPENID in its context.
    const forged = await main(miniProgramEvent('wx-key-0010', { 'x-wx-openid': 'oKnownResident00000000000001' }), {
      request_id: 'r2',
      function_name: 'orders',
    });
    expect(forged.statusCode).toBe(401);
    const forgedEnv = {
      ...miniProgramEvent('wx-key-0011'),
      requestContext: { authorizer: { lambda: { wxOpenId: 'oKnownResident00000000000001' } } },
    };
    expect((await main(forgedEnv as CloudBaseHttpEvent)).statusCode).toBe(401);

    // A token sent from inside the mini-program names its own user, and a bad one is refused, not replaced.
    const withToken = await main(
      miniProgramEvent('wx-key-0012', { authorization: `Bearer ${token}` }),
      miniProgramContext('oKnownResident00000000000001'),
    );
    expect(withToken.statusCode).toBe(201);
    expect(ordersOf('u-resident').map((d) => d._id)).toContain((JSON.parse(withToken.body!) as { orderId: string }).orderId);
    const badToken = await main(
      miniProgramEvent('wx-key-0013', { authorization: 'Bearer nope' }),
      miniProgramContext('oKnownResident00000000000001'),
    );
    expect(badToken.statusCode).toBe(401);
  });
});
