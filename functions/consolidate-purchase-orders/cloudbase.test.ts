// The consolidation's CloudBase entry, run as its timer runs it (events/cloudbase/timer.json), on the stand-in: an
// order placed and paid through the HTTP entries, then ready for pickup (its image with a pickup code goes to the
// outbox); the sweep delivers it, and the supplier's purchase order is there, once, however often it is delivered.
import { seedGroupBuyOfApples, standInDb, useFunctionStandIn } from '../../test/cloudbase/function-env';
import { moneyEntries, timerContext, timerEvent } from '../../test/cloudbase/money';
import { purchaseOrderIdOf } from '../../lib/purchase-orders/ids';

const timer = timerEvent();
const context = (id: string) => timerContext('consolidatePurchaseOrders', id);

const standIn = useFunctionStandIn();
let main: typeof import('./cloudbase').main;

beforeAll(async () => {
  ({ main } = await import('./cloudbase'));
});

const consolidationItems = () => standIn.documents('outbox').filter((d) => d.consumer === 'consolidatePurchaseOrders');

test('an order ready for pickup reaches its supplier’s purchase order through the outbox, once', async () => {
  const groupBuy = await seedGroupBuyOfApples(standIn, new Date(), 10);
  const entries = await moneyEntries();
  const resident = await entries.token('u-po-resident');
  const { orderId, totalFen } = await entries.placeOrder(resident, 'po-key-0001', 3);
  expect((await (await entries.pay(orderId, totalFen, 'sbx-po-0001')).deliver()).statusCode).toBe(200);
  // Paid orders carry no pickup code: nothing for the consolidation yet.
  expect(consolidationItems()).toEqual([]);

  // The closing gives it a pickup code (as the closeGroupBuys consumer does through the order store).
  const { cloudbaseOrderStore } = await import('../../lib/adapters/cloudbase/orders');
  const store = cloudbaseOrderStore(await standInDb(standIn));
  const paid = (await store.get(orderId))!;
  const at = new Date().toISOString();
  const ready = { ...paid, status: 'ready_for_pickup' as const, pickupCode: '204613', updatedAt: at };
  const audit = { entityId: orderId, entityType: 'order', action: 'order.ready_for_pickup', actor: 'system', at };
  expect(await store.change({ before: paid, after: ready, audit })).toBe('changed');
  const [item] = consolidationItems();
  expect(item).toBeDefined();

  expect(await main(timer, context('sweep-1'))).toEqual({ delivered: 1, failed: 0, dead: 0 });
  const id = purchaseOrderIdOf('S1', groupBuy.pickupDate, 1);
  const { cloudbasePurchaseOrderStore } = await import('../../lib/adapters/cloudbase/purchase-orders');
  const purchaseOrders = cloudbasePurchaseOrderStore(await standInDb(standIn));
  const po = await purchaseOrders.get('S1', groupBuy.pickupDate, 1);
  expect(po).toMatchObject({ purchaseOrderId: id, status: 'issued', revision: 1, totalFen: 3 * 800, pickupPointCount: 1 });
  expect(po!.lines).toEqual([expect.objectContaining({ productId: 'apple', quantity: 3, supplyPriceFen: 800 })]);
  // Its issue is a change notify reads (the supplier is texted), written with it.
  expect(standIn.documents('outbox').filter((d) => d.consumer === 'notify' && String(d.body).includes(id))).toHaveLength(1);
  expect(await main(timer, context('sweep-2'))).toEqual({ delivered: 0, failed: 0, dead: 0 });

  // Delivered again (a sweep killed after the consumer ran, before it removed the item): counted once, not revised.
  const { _id, ...again } = item!;
  await (await standInDb(standIn)).collection('outbox').doc(String(_id)).set(again);
  expect(await main(timer, context('sweep-3'))).toEqual({ delivered: 1, failed: 0, dead: 0 });
  expect(await purchaseOrders.get('S1', groupBuy.pickupDate, 1)).toMatchObject({ revision: 1, totalFen: 3 * 800 });
  expect(standIn.documents('purchaseOrderRevisions')).toHaveLength(1);
});
