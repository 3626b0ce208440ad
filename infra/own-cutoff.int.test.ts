// Each group buy closes at its own cutoff (SPEC.md, issue 9): in the local stack, with the real scheduler
// (the every-minute cutoff schedule of serverless.yml), the stream router and the consumers' queues all
// running in the background, and nobody calling a job.
import { activeLeader, openGroupBuy, placeOrder, shanghaiDate, supplierWithProducts, unique } from '../test/support/fixtures';
import type { TestStack } from '../test/support/stack';
import { startTestStack } from '../test/support/stack';

let api: TestStack;
beforeAll(async () => {
  api = await startTestStack({ background: true });
});
afterAll(() => api.stop());

test('a group buy with a cutoff 10 s ahead is closed within 60 s of it, with no job called', async () => {
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api, [{ name: '青菜', unit: '把' }]);
  const cutoffAt = new Date(Date.now() + 10_000);
  const gb = await openGroupBuy(api, leader.token, {
    items: [{ productId: products[0]!.productId }],
    cutoffAt: cutoffAt.toISOString(),
    pickupDate: shanghaiDate(new Date(Date.now() + 86_400_000).toISOString()),
  });
  const resident = await api.login(unique('resident'));
  const placed = await placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity: 1 }]);
  expect(placed.status).toBe(201);
  expect((await api.call('POST', `/dev/pay/${placed.body.orderId}`)).status).toBe(200);

  // The scheduler as `npm start` runs it: its every-minute cutoff runs now, and waits for this cutoff.
  api.stack.scheduler.start();
  let order: { status: string; pickupCode?: string } = { status: 'paid' };
  let groupBuy: { status: string } = { status: 'open' };
  while (Date.now() < cutoffAt.getTime() + 60_000) {
    order = (await api.call('GET', `/orders/${placed.body.orderId}`, { token: resident })).body;
    groupBuy = (await api.call('GET', `/group-buys/${gb.groupBuyId}`)).body;
    if (order.status === 'ready_for_pickup' && groupBuy.status === 'closed') break;
    await new Promise((r) => setTimeout(r, 500));
  }
  const closedAfterMs = Date.now() - cutoffAt.getTime();
  expect({ groupBuy: groupBuy.status, order: order.status, pickupCode: order.pickupCode }).toEqual({
    groupBuy: 'closed',
    order: 'ready_for_pickup',
    pickupCode: expect.stringMatching(/^\d{6}$/),
  });
  expect(closedAfterMs).toBeLessThan(60_000);
  // An order after the cutoff was refused all along (the cutoff is the deadline, whatever the job does).
  expect((await placeOrder(api, resident, gb.shareToken, [{ productId: products[0]!.productId, quantity: 1 }])).status).toBe(409);
}, 120_000);
