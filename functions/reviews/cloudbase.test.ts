// Posting a review on CloudBase: `POST /orders/{orderId}/reviews` is under the prefix the orders function owns
// there, so the orders entry serves it with the reviews route (functions/orders/cloudbase.ts). Called as HTTP
// access calls it; the review, the pickup point's count and the audit record land in the stand-in's database.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudBaseHttpEvent } from '../../lib/runtime/cloudbase-http';
import { seedGroupBuyOfApples, standInDb, useFunctionStandIn } from '../../test/cloudbase/function-env';
import { auditActions, paidOrder } from '../../test/contract/people';

const sample = JSON.parse(readFileSync(join(__dirname, '../../events/cloudbase/reviews-post.json'), 'utf8')) as CloudBaseHttpEvent;

const standIn = useFunctionStandIn();
let main: typeof import('../orders/cloudbase').main;
let token: string;
const { paid, next } = paidOrder({
  orderId: 'O-collected',
  userId: 'u-resident',
  leaderId: 'L1',
  placedAt: new Date(Date.now() - 3 * 86_400_000).toISOString(),
});
const collected = next(paid, { status: 'picked_up', pickupCode: '112233', pickedUpAt: new Date(Date.now() - 86_400_000).toISOString() });

beforeAll(async () => {
  ({ main } = await import('../orders/cloudbase'));
  const { stageIdentity } = await import('../../lib/runtime/auth');
  const { orderDoc } = await import('../../lib/adapters/cloudbase/orders');
  token = await stageIdentity.issue({ userId: 'u-resident', roles: [] });
  await (await standInDb(standIn)).collection('orders').doc(collected.orderId).set(orderDoc(collected));
});

const reviewEvent = (orderId: string, bearer = token): CloudBaseHttpEvent => ({
  ...sample,
  path: `/orders/${orderId}/reviews`,
  headers: { ...sample.headers, authorization: `Bearer ${bearer}` },
});

test('a resident reviews the order they collected once, through the orders function’s HTTP access path', async () => {
  const posted = await main(reviewEvent(collected.orderId), { request_id: 'r1', function_name: 'orders' });
  expect([posted.statusCode, JSON.parse(posted.body!)]).toEqual([201, { reviewId: expect.any(String) }]);
  expect(standIn.documents('reviews')).toEqual([
    expect.objectContaining({ _id: collected.orderId, leaderId: 'L1', rating: 5, text: '苹果很新鲜，团长很热心', contactName: '张*' }),
  ]);
  expect(standIn.documents('reviewSummaries')).toEqual([{ _id: 'L1', leaderId: 'L1', count: 1, ratingSum: 5 }]);
  expect(auditActions(standIn, collected.orderId)).toEqual(['order.reviewed']);

  const again = await main(reviewEvent(collected.orderId));
  expect([again.statusCode, JSON.parse(again.body!)]).toEqual([409, { error: expect.objectContaining({ code: 'CONFLICT' }) }]);
  expect(standIn.documents('reviewSummaries')).toEqual([expect.objectContaining({ count: 1 })]);
});

test('another resident learns nothing of the order', async () => {
  const { stageIdentity } = await import('../../lib/runtime/auth');
  const other = await stageIdentity.issue({ userId: 'u-other', roles: [] });
  const answer = await main(reviewEvent(collected.orderId, other));
  expect([answer.statusCode, JSON.parse(answer.body!)]).toEqual([404, { error: expect.objectContaining({ code: 'NOT_FOUND' }) }]);
});

test('anyone reads the pickup point’s reviews through the group buy, which the groupBuys function serves there', async () => {
  // GET /group-buys/{groupBuyId}/reviews is under /group-buys, the groupBuys function's prefix on CloudBase.
  await seedGroupBuyOfApples(standIn, new Date(), 10);
  const { main: groupBuys } = await import('../group-buys/cloudbase');
  const answer = await groupBuys({ ...sample, httpMethod: 'GET', path: '/group-buys/GB1/reviews', headers: {}, body: null });
  expect(answer.statusCode).toBe(200);
  expect(JSON.parse(answer.body!)).toMatchObject({
    count: 1,
    items: [expect.objectContaining({ rating: 5, text: '苹果很新鲜，团长很热心', contactName: '张*' })],
  });
});
