// From the cutoff to the pickup on CloudBase, through the functions' CloudBase entries as CloudBase calls them
// (timer events, HTTP access events from events/cloudbase/), with DATA_STORE=cloudbase and the real SDK sending
// its database calls to the stand-in: the cutoff's timer begins the closing and writes its outbox item, the
// closeGroupBuys sweep closes the group, the pickupSheets sweep writes the sheet, the leader reads it and
// confirms a pickup (核销) once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudBaseContext, CloudBaseHttpEvent, CloudBaseTimerEvent } from '../../lib/runtime/cloudbase-http';
import type { Leader } from '../../schemas/leaders';
import { seedGroupBuyOfApples, standInDb, useFunctionStandIn } from '../../test/cloudbase/function-env';
import { auditActions } from '../../test/contract/people';

const events = join(__dirname, '../../events/cloudbase');
const timer = JSON.parse(readFileSync(join(events, 'timer.json'), 'utf8')) as CloudBaseTimerEvent;
const sample = (name: string) => JSON.parse(readFileSync(join(events, name), 'utf8')) as CloudBaseHttpEvent;
const context = (functionName: string, timeLimitMs: number): CloudBaseContext => ({
  request_id: `${functionName}-${Date.now()}`,
  function_name: functionName,
  time_limit_in_ms: timeLimitMs,
});

const standIn = useFunctionStandIn();

/** Leader L1 (user u-leader) as the leaders' store keeps it, and its group buy GB1 of 10 bags of apples. */
async function seedLeaderAndGroupBuy() {
  const now = new Date();
  const groupBuy = await seedGroupBuyOfApples(standIn, now, 10);
  const leader: Leader = {
    leaderId: 'L1',
    userId: 'u-leader',
    name: '李团长',
    phone: '13900000000',
    pickupPoint: { name: '幸福小区', address: '1 号楼', community: '幸福', city: '杭州' },
    status: 'active',
    referralCode: 'R1',
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    version: 1,
  };
  const db = await standInDb(standIn);
  await db
    .collection('leaders')
    .doc('L1')
    .set({ ...leader, touches: 0 });
  return groupBuy;
}

/** Two residents' orders through the order and payment use-cases: one paid, one not. */
async function placeOrders() {
  const { orderDeps } = await import('../../lib/orders/wiring');
  const { placeOrder } = await import('../../lib/orders/orders');
  const { applyPayment } = await import('../../lib/payments/payments');
  const { lazyShareLinkKey, signShareToken } = await import('../../lib/group-buys/share-link');
  const { config } = await import('../../lib/runtime/config');
  const deps = orderDeps();
  const shareToken = signShareToken(lazyShareLinkKey(() => config.authSecret)(), {
    groupBuyId: 'GB1',
    leaderId: 'L1',
    expiresAt: new Date(Date.now() + 2 * 86400_000),
  });
  const place = (userId: string, contactName: string) =>
    placeOrder(deps, { userId, roles: [] }, `key-${userId}`, {
      shareToken,
      items: [{ productId: 'apple', quantity: 2 }],
      contactName,
      contactPhone: '13800138000',
    }).then((r) => r.order);
  const paid = await place('u-paid', '王芳');
  const unpaid = await place('u-unpaid', '李娜');
  const payment = { paymentId: `wx-${paid.orderId}`, orderId: paid.orderId, amountFen: paid.totalFen, paidAt: new Date().toISOString() };
  expect((await applyPayment({ orders: deps.orders, clock: deps.clock }, payment)).outcome).toBe('paid');
  return { paid, unpaid };
}

/** The cutoff passes: a second ago (as the group buy's and its items' copies say). */
async function passCutoff() {
  const db = await standInDb(standIn);
  const cutoffAt = new Date(Date.now() - 1000).toISOString();
  await db.collection('groupBuys').doc('GB1').update({ cutoffAt });
  await db.collection('groupBuyItems').where({ groupBuyId: 'GB1' }).update({ cutoffAt });
}

const outboxOf = (consumer: string) => standIn.documents('outbox').filter((d) => d.consumer === consumer && d.status === 'pending');
const imageOf = (item: Record<string, unknown>) =>
  (JSON.parse(String(item.body)) as { dynamodb: { NewImage: Record<string, { S?: string }> } }).dynamodb.NewImage;

test('the cutoff timer, the two outbox sweeps and the pickup routes close a group and hand its goods over once', async () => {
  const groupBuy = await seedLeaderAndGroupBuy();
  const { paid, unpaid } = await placeOrders();
  await passCutoff();

  // 1. The cutoff's timer: the group buy begins closing; orders are refused from now on (its items say so),
  // and the change is in the outbox for closeGroupBuys.
  const { main: cutoff } = await import('./cloudbase');
  expect(await cutoff(timer, context('cutoff', 60_000))).toEqual({ begun: 1 });
  expect(standIn.documents('groupBuys')[0]).toMatchObject({ status: 'closing', closePhase: 'cancel-unpaid', version: 2 });
  expect(standIn.documents('groupBuyItems').map((i) => i.status)).toEqual(['closing']);
  expect(outboxOf('closeGroupBuys').map(imageOf)).toEqual([
    expect.objectContaining({ type: { S: 'GROUP_BUY' }, groupBuyId: { S: 'GB1' }, status: { S: 'closing' } }),
  ]);
  // A timer may fire twice: nothing more is begun.
  expect(await cutoff(timer, context('cutoff', 60_000))).toEqual({ begun: 0 });

  // 2. closeGroupBuys' timer sweeps its outbox: the group closes, the paid order gets its code.
  const { main: closeGroupBuys } = await import('../close-group-buys/cloudbase');
  expect(await closeGroupBuys(timer, context('closeGroupBuys', 60_000))).toMatchObject({ delivered: 1, failed: 0, dead: 0 });
  expect(standIn.documents('groupBuys')[0]).toMatchObject({
    status: 'closed',
    closeStats: { ordersCancelled: 1, ordersReady: 1, ordersRefunded: 0 },
  });
  expect(standIn.documents('groupBuyItems').map((i) => i.status)).toEqual(['closed']);
  const ready = standIn.documents('orders').find((o) => o._id === paid.orderId)!;
  expect(ready).toMatchObject({ status: 'ready_for_pickup', pickupCode: expect.stringMatching(/^\d{6}$/), version: 3 });
  expect(standIn.documents('orders').find((o) => o._id === unpaid.orderId)).toMatchObject({ status: 'cancelled', version: 2 });
  // The changes it made while closing (its decision, its progress) come back, as the stream brings them on
  // AWS: they find the group closed, and nothing moves.
  expect(await closeGroupBuys(timer, context('closeGroupBuys', 60_000))).toMatchObject({ delivered: 2, failed: 0 });
  expect(await closeGroupBuys(timer, context('closeGroupBuys', 60_000))).toEqual({ delivered: 0, failed: 0, dead: 0 });
  expect(standIn.documents('orders').find((o) => o._id === paid.orderId)).toEqual(ready);

  // 3. pickupSheets' timer sweeps the orders with a pickup code into the sheet.
  const { main: pickupSheets } = await import('../pickup-sheets/cloudbase');
  expect(await pickupSheets(timer, context('pickupSheets', 60_000))).toMatchObject({ delivered: 1, failed: 0 });
  expect(standIn.documents('sheetLines')).toEqual([expect.objectContaining({ orderId: paid.orderId, status: 'ready_for_pickup' })]);

  // 4. The leader reads the sheet through HTTP access, and confirms the pickup by its code, once.
  const { stageIdentity } = await import('../../lib/runtime/auth');
  const leaderToken = await stageIdentity.issue({ userId: 'u-leader', roles: [] });
  const { main: pickups } = await import('../pickups/cloudbase');
  const sheetEvent = (token: string): CloudBaseHttpEvent => {
    const event = sample('pickups-sheet.json');
    return {
      ...event,
      path: '/pickup-points/L1/sheet',
      queryStringParameters: { date: groupBuy.pickupDate },
      headers: { ...event.headers, authorization: `Bearer ${token}` },
    };
  };
  const sheet = await pickups(sheetEvent(leaderToken), context('pickups', 10_000));
  expect([sheet.statusCode, JSON.parse(sheet.body!)]).toEqual([
    200,
    {
      leaderId: 'L1',
      date: groupBuy.pickupDate,
      totals: [{ productId: 'apple', name: '苹果', unit: '袋', quantity: 2 }],
      orders: [
        {
          orderId: paid.orderId,
          pickupCode: ready.pickupCode,
          contactName: '王*',
          contactPhone: '138****8000',
          items: [{ productId: 'apple', name: '苹果', unit: '袋', quantity: 2 }],
          status: 'ready_for_pickup',
        },
      ],
    },
  ]);
  // Another user's token reads nothing of it.
  const stranger = await pickups(sheetEvent(await stageIdentity.issue({ userId: 'u-paid', roles: [] })));
  expect([stranger.statusCode, JSON.parse(stranger.body!)]).toEqual([403, { error: expect.objectContaining({ code: 'FORBIDDEN' }) }]);

  const confirm = () => {
    const event = sample('pickups-confirm.json');
    return pickups(
      {
        ...event,
        headers: { ...event.headers, authorization: `Bearer ${leaderToken}` },
        body: JSON.stringify({ pickupCode: ready.pickupCode, date: groupBuy.pickupDate }),
      },
      context('pickups', 10_000),
    );
  };
  const confirmed = await confirm();
  expect([confirmed.statusCode, JSON.parse(confirmed.body!)]).toEqual([
    200,
    { orderId: paid.orderId, status: 'picked_up', pickupCode: ready.pickupCode },
  ]);
  const again = await confirm();
  expect([again.statusCode, JSON.parse(again.body!)]).toEqual([409, { error: expect.objectContaining({ code: 'CONFLICT' }) }]);
  expect(standIn.documents('orders').find((o) => o._id === paid.orderId)).toMatchObject({ status: 'picked_up', version: 4 });
  expect(auditActions(standIn, paid.orderId)).toEqual(['order.placed', 'order.paid', 'order.ready_for_pickup', 'order.picked_up']);

  // 5. The picked-up order reaches the sheet by the next sweep: the line says so.
  expect(await pickupSheets(timer, context('pickupSheets', 60_000))).toMatchObject({ delivered: 1, failed: 0 });
  const after = await pickups(sheetEvent(leaderToken));
  expect((JSON.parse(after.body!) as { orders: { status: string }[] }).orders.map((o) => o.status)).toEqual(['picked_up']);
});
