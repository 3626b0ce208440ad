// The refunds consumer's CloudBase entry, run as its timer runs it (events/cloudbase/timer.json), on the stand-in:
// a paid order cancelled, or partly refunded after pickup, through the orders entry's HTTP access events; the
// refund reaches the consumer through the outbox and the sandbox provider's books once, however often the sweep
// runs and even when an item is delivered again.
import { seedGroupBuyOfApples, standInDb, useFunctionStandIn } from '../../test/cloudbase/function-env';
import { asCaller, bodyOf, moneyEntries, timerContext, timerEvent } from '../../test/cloudbase/money';

const timer = timerEvent();
const context = (id: string) => timerContext('refunds', id);

const standIn = useFunctionStandIn();
let entries: Awaited<ReturnType<typeof moneyEntries>>;
let main: typeof import('./cloudbase').main;
let resident: string;

beforeAll(async () => {
  entries = await moneyEntries();
  ({ main } = await import('./cloudbase'));
  await seedGroupBuyOfApples(standIn, new Date(), 10);
  resident = await entries.token('u-refunded');
});

/** An order of `quantity` bags, paid through the payments entry. */
async function paidOrder(key: string, quantity: number) {
  const { orderId, totalFen } = await entries.placeOrder(resident, key, quantity);
  const paid = await (await entries.pay(orderId, totalFen, `sbx-${key}`)).deliver();
  expect(bodyOf(paid)).toEqual({ orderId, status: 'paid' });
  return { orderId, totalFen, paymentId: `sbx-${key}` };
}

const refundsOf = (orderId: string) => standIn.documents('refunds').filter((d) => d.orderId === orderId);
const providerRefunds = (paymentId: string) => standIn.documents('sandboxRefunds').filter((d) => d.paymentId === paymentId);
const refundActions = (orderId: string) =>
  standIn
    .documents('audit')
    .filter((d) => d.entityId === orderId && String(d.action).startsWith('refund.'))
    .map((d) => d.action);

test('a paid order cancelled: its refund goes through the outbox to the provider once, a redelivery changes nothing', async () => {
  const { orderId, totalFen, paymentId } = await paidOrder('refund-key-0001', 2);
  const cancelled = await entries.orders(asCaller('orders-cancel.json', resident, `/orders/${orderId}/cancel`));
  expect([cancelled.statusCode, bodyOf(cancelled)]).toEqual([200, { orderId, status: 'cancelled', refundedFen: totalFen }]);
  expect(refundsOf(orderId)).toEqual([
    expect.objectContaining({ refundId: `${orderId}-cancel`, amountFen: totalFen, status: 'requested' }),
  ]);
  const [item] = standIn.documents('outbox').filter((d) => d.consumer === 'refunds');
  expect(item).toBeDefined();

  expect(await main(timer, context('sweep-1'))).toEqual({ delivered: 1, failed: 0, dead: 0 });
  expect(refundsOf(orderId)).toEqual([expect.objectContaining({ status: 'succeeded', completedAt: expect.any(String) })]);
  expect(providerRefunds(paymentId)).toEqual([expect.objectContaining({ refundId: `${orderId}-cancel`, amountFen: totalFen })]);
  expect(standIn.documents('sandboxPayments').find((d) => d._id === paymentId)).toMatchObject({
    amountFen: totalFen,
    refundedFen: totalFen,
  });
  // The timer fires again: nothing is left to deliver.
  expect(await main(timer, context('sweep-2'))).toEqual({ delivered: 0, failed: 0, dead: 0 });

  // Delivered again (a sweep killed after the consumer ran, before it removed the item): the money moves once.
  const { _id, ...again } = item!;
  await (await standInDb(standIn)).collection('outbox').doc(String(_id)).set(again);
  expect(await main(timer, context('sweep-3'))).toEqual({ delivered: 1, failed: 0, dead: 0 });
  expect(providerRefunds(paymentId)).toHaveLength(1);
  expect(refundsOf(orderId)).toEqual([expect.objectContaining({ status: 'succeeded' })]);
  expect(refundActions(orderId)).toEqual(['refund.succeeded']);
});

test('a resident’s refund after pickup, asked twice with one Idempotency-Key: one refund of that amount, sent once', async () => {
  const { orderId, totalFen, paymentId } = await paidOrder('refund-key-0002', 3);
  // Collected an hour ago, as the pickups function leaves it.
  const { cloudbaseOrderStore } = await import('../../lib/adapters/cloudbase/orders');
  const store = cloudbaseOrderStore(await standInDb(standIn));
  const paid = (await store.get(orderId))!;
  const at = new Date(Date.now() - 3600_000).toISOString();
  const pickedUp = { ...paid, status: 'picked_up' as const, pickupCode: '204613', pickedUpAt: at, updatedAt: at };
  const audit = { entityId: orderId, entityType: 'order', action: 'order.picked_up', actor: 'u-leader', at };
  expect(await store.change({ before: paid, after: pickedUp, audit })).toBe('changed');

  const ask = () =>
    entries.orders(
      asCaller('orders-refund.json', resident, `/orders/${orderId}/refunds`, { headers: { 'idempotency-key': 'refund-ask-0002' } }),
    );
  const first = await ask();
  expect([first.statusCode, bodyOf(first)]).toEqual([
    201,
    { refundId: expect.any(String), amountFen: 500, status: 'requested', lines: [{ productId: 'apple', amountFen: 500 }] },
  ]);
  const retry = await ask();
  expect([retry.statusCode, bodyOf(retry).refundId]).toEqual([200, bodyOf(first).refundId]);
  // Someone else's order is no one else's to refund.
  const stranger = await entries.orders(asCaller('orders-refund.json', await entries.token('u-stranger'), `/orders/${orderId}/refunds`));
  expect(stranger.statusCode).toBe(404);

  expect(await main(timer, context('sweep-4'))).toEqual({ delivered: 1, failed: 0, dead: 0 });
  expect(refundsOf(orderId)).toEqual([expect.objectContaining({ amountFen: 500, status: 'succeeded' })]);
  expect(providerRefunds(paymentId)).toEqual([expect.objectContaining({ amountFen: 500 })]);
  expect(standIn.documents('orders').find((d) => d._id === orderId)).toMatchObject({
    status: 'picked_up',
    refundedFen: 500,
    totalFen,
  });
});
