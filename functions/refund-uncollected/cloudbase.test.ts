// The uncollected-orders job's CloudBase entry, called as its hourly timer calls it (events/cloudbase/timer.json),
// on the stand-in: a paid order nobody collected within PICKUP_WINDOW_DAYS of its pickup date is refunded in full
// and gives its stock back, once, however often the timer fires; its refund then goes out through the refunds
// consumer. An order due tomorrow is reminded once (a notice, for notify); one still inside its window is left alone.
import { cloudbaseOrderStore } from '../../lib/adapters/cloudbase/orders';
import { transitioned } from '../../lib/orders/changes';
import { newOrder } from '../../lib/orders/pricing';
import { applyPayment } from '../../lib/payments/payments';
import { businessDate } from '../../lib/runtime/time';
import type { GroupBuy } from '../../schemas/group-buys';
import type { Order, OrderStatus } from '../../schemas/orders';
import { seedGroupBuyOfApples, standInDb, useFunctionStandIn } from '../../test/cloudbase/function-env';
import { timerContext, timerEvent } from '../../test/cloudbase/money';

const DAY = 86400_000;
const standIn = useFunctionStandIn();
let store: ReturnType<typeof cloudbaseOrderStore>;
let groupBuy: GroupBuy;

beforeAll(async () => {
  store = cloudbaseOrderStore(await standInDb(standIn));
  groupBuy = await seedGroupBuyOfApples(standIn, new Date(Date.now() - 7 * DAY), 10);
});

/** An order of 2 bags of GB1's apples for `pickupDate`, paid at the sandbox 6 days ago and made ready (as the closing leaves it). */
async function readyOrder(orderId: string, pickupDate: string, pickupCode: string): Promise<Order> {
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
  const audit = (action: string, status: OrderStatus) => ({
    entityId: orderId,
    entityType: 'order',
    action,
    actor: 'test',
    at: ids.at,
    after: { status },
  });
  expect(await store.place({ order, reservations, audit: audit('order.placed', 'pending_payment'), now: at })).toEqual({ kind: 'placed' });
  const { sandbox } = await import('../../lib/payments/wiring');
  await sandbox.charge(orderId, order.totalFen, `sbx-${orderId}`);
  const payment = { orderId, paymentId: `sbx-${orderId}`, amountFen: order.totalFen, paidAt: ids.at };
  expect((await applyPayment({ orders: store, clock: { now: () => at } }, payment)).outcome).toBe('paid');
  const paid = (await store.get(orderId))!;
  const ready = { ...transitioned(paid, 'close', ids.at), pickupCode };
  expect(await store.change({ before: paid, after: ready, audit: audit('order.ready', 'ready_for_pickup') })).toBe('changed');
  return ready;
}

const orderDoc = (id: string) => standIn.documents('orders').find((d) => d._id === id);

test('refunds a ready order past its pickup window in full, once; the refund then goes out through the refunds consumer', async () => {
  const forgotten = await readyOrder('o-forgotten', businessDate(new Date(Date.now() - 5 * DAY)), '300001');
  await readyOrder('o-today', businessDate(new Date()), '300002');
  // Picked up by nobody two days ago: refunded tomorrow (PICKUP_WINDOW_DAYS is 3), so reminded today.
  await readyOrder('o-soon', businessDate(new Date(Date.now() - 2 * DAY)), '300003');
  expect(standIn.documents('groupBuyItems')).toEqual([expect.objectContaining({ remaining: 4 })]);

  const { main } = await import('./cloudbase');
  expect(await main(timerEvent(), timerContext('refundUncollected', 't1'))).toEqual({ refunded: 1, reminded: 1 });
  expect(standIn.documents('notices')).toEqual([
    expect.objectContaining({ noticeId: 'uncollected-soon:o-soon', template: 'uncollected_soon', userId: 'u-away', status: 'pending' }),
  ]);
  // …written with its outbox item, which notify's sweep sends.
  expect(standIn.documents('outbox').filter((d) => d.consumer === 'notify')).toHaveLength(1);
  expect(orderDoc('o-soon')).toMatchObject({ status: 'ready_for_pickup' });
  expect(orderDoc('o-forgotten')).toMatchObject({ status: 'refunded', refundedFen: forgotten.totalFen, uncollectedAt: expect.any(String) });
  expect(orderDoc('o-today')).toMatchObject({ status: 'ready_for_pickup', refundedFen: 0 });
  expect(standIn.documents('groupBuyItems')).toEqual([expect.objectContaining({ remaining: 6 })]);
  expect(standIn.documents('refunds')).toEqual([
    expect.objectContaining({
      refundId: 'o-forgotten-uncollected',
      amountFen: forgotten.totalFen,
      reason: 'uncollected',
      status: 'requested',
    }),
  ]);
  // Timers may fire twice: the second run finds nothing to refund, and nobody to remind again.
  expect(await main(timerEvent(), timerContext('refundUncollected', 't2'))).toEqual({ refunded: 0, reminded: 0 });
  expect(standIn.documents('audit').filter((d) => d.entityId === 'o-forgotten' && d.action === 'order.refunded_uncollected')).toHaveLength(
    1,
  );

  // The refunds consumer's timer sends it: the sandbox gives the whole payment back.
  const { main: refunds } = await import('../refunds/cloudbase');
  expect(await refunds(timerEvent(), timerContext('refunds', 't3'))).toEqual({ delivered: 1, failed: 0, dead: 0 });
  expect(standIn.documents('refunds')).toEqual([expect.objectContaining({ refundId: 'o-forgotten-uncollected', status: 'succeeded' })]);
  expect(standIn.documents('sandboxPayments').find((d) => d._id === 'sbx-o-forgotten')).toMatchObject({ refundedFen: forgotten.totalFen });
});
