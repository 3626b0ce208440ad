// The uncollected-orders job's CloudBase entry, called as its hourly timer calls it (events/cloudbase/timer.json),
// on the stand-in: a paid order nobody collected within PICKUP_WINDOW_DAYS of its pickup date is refunded in full
// and gives its stock back, once, however often the timer fires; its refund then goes out through the refunds
// consumer. An order still inside its window is left alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudBaseTimerEvent } from '../../lib/runtime/cloudbase-http';
import type { Order } from '../../schemas/orders';
import { seedGroupBuyOfApples, standInDb, startFunctionStandIn, stopFunctionStandIn } from '../../test/cloudbase/function-env';
import type { CloudBaseStandIn } from '../../test/cloudbase/standin';

const timer = JSON.parse(readFileSync(join(__dirname, '../../events/cloudbase/timer.json'), 'utf8')) as CloudBaseTimerEvent;
const context = (name: string, id: string) => ({ request_id: id, function_name: name, time_limit_in_ms: 60_000 });
const DAY = 86400_000;

let standIn: CloudBaseStandIn;
beforeAll(async () => {
  standIn = await startFunctionStandIn();
});
afterAll(() => stopFunctionStandIn(standIn));

test('refunds a ready order past its pickup window in full, once; the refund then goes out through the refunds consumer', async () => {
  const { cloudbaseOrderStore } = await import('../../lib/adapters/cloudbase/orders');
  const { newOrder } = await import('../../lib/orders/pricing');
  const { applyPayment } = await import('../../lib/payments/payments');
  const { sandbox } = await import('../../lib/payments/wiring');
  const { transitioned } = await import('../../lib/orders/changes');
  const { businessDate } = await import('../../lib/runtime/time');
  const store = cloudbaseOrderStore(await standInDb(standIn));

  // Orders of GB1's apples (2 bags each, 10 in stock) whose pickup was 5 days ago and is today, paid and made ready.
  const groupBuy = await seedGroupBuyOfApples(standIn, new Date(Date.now() - 7 * DAY), 10);
  const readyOrder = async (orderId: string, pickupDate: string): Promise<Order> => {
    const at = new Date(Date.now() - 6 * DAY);
    const body = { shareToken: 'seeded', items: [{ productId: 'apple', quantity: 2 }], contactName: '王芳', contactPhone: '13800138000' };
    const ids = {
      orderId,
      userId: 'u-away',
      leaderId: 'L1',
      at: at.toISOString(),
      expiresAt: new Date(at.getTime() + 900_000).toISOString(),
    };
    const { order, reservations } = newOrder({ ...groupBuy, pickupDate }, body, ids);
    const placed = { entityId: orderId, entityType: 'order', action: 'order.placed', actor: 'u-away', at: ids.at };
    expect(await store.place({ order, reservations, audit: placed, now: at })).toEqual({ kind: 'placed' });
    await sandbox.charge(orderId, order.totalFen, `sbx-${orderId}`);
    const payment = { orderId, paymentId: `sbx-${orderId}`, amountFen: order.totalFen, paidAt: ids.at };
    expect((await applyPayment({ orders: store, clock: { now: () => at } }, payment)).outcome).toBe('paid');
    const paid = (await store.get(orderId))!;
    const ready = { ...transitioned(paid, 'close', ids.at), pickupCode: orderId === 'o-forgotten' ? '300001' : '300002' };
    const closed = { entityId: orderId, entityType: 'order', action: 'order.ready', actor: 'system:cutoff', at: ids.at };
    expect(await store.change({ before: paid, after: ready, audit: closed })).toBe('changed');
    return ready;
  };
  const forgotten = await readyOrder('o-forgotten', businessDate(new Date(Date.now() - 5 * DAY)));
  await readyOrder('o-today', businessDate(new Date()));
  expect(standIn.documents('groupBuyItems')).toEqual([expect.objectContaining({ remaining: 6 })]);

  const { main } = await import('./cloudbase');
  expect(await main(timer, context('refundUncollected', 't1'))).toEqual({ refunded: 1, reminded: 0 });
  const order = (id: string) => standIn.documents('orders').find((d) => d._id === id);
  expect(order('o-forgotten')).toMatchObject({ status: 'refunded', refundedFen: forgotten.totalFen, uncollectedAt: expect.any(String) });
  expect(order('o-today')).toMatchObject({ status: 'ready_for_pickup', refundedFen: 0 });
  expect(standIn.documents('groupBuyItems')).toEqual([expect.objectContaining({ remaining: 8 })]);
  expect(standIn.documents('refunds')).toEqual([
    expect.objectContaining({
      refundId: 'o-forgotten-uncollected',
      amountFen: forgotten.totalFen,
      reason: 'uncollected',
      status: 'requested',
    }),
  ]);
  // Timers may fire twice: the second run finds nothing to refund.
  expect(await main(timer, context('refundUncollected', 't2'))).toEqual({ refunded: 0, reminded: 0 });
  expect(standIn.documents('audit').filter((d) => d.entityId === 'o-forgotten' && d.action === 'order.refunded_uncollected')).toHaveLength(
    1,
  );

  // The refunds consumer's timer sends it: the sandbox gives the whole payment back.
  const { main: refunds } = await import('../refunds/cloudbase');
  expect(await refunds(timer, context('refunds', 't3'))).toEqual({ delivered: 1, failed: 0, dead: 0 });
  expect(standIn.documents('refunds')).toEqual([expect.objectContaining({ refundId: 'o-forgotten-uncollected', status: 'succeeded' })]);
  expect(standIn.documents('sandboxPayments').find((d) => d._id === 'sbx-o-forgotten')).toMatchObject({ refundedFen: forgotten.totalFen });
});
