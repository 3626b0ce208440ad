// Reviews through HTTP: a resident reviews the pickup point of an order they collected, once, within 15
// days; never before the pickup, never someone else's order; the share page's list is public, newest first,
// masked, with the count and the average in hundredths of a star.
import { activeLeader, dateIn, openGroupBuy, placeOrder, supplierWithProducts, unique } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { backdateOrder, passCutoff } from '../../test/support/time-travel';

const api = useStack();
let operator: string;
beforeAll(async () => {
  operator = await api.login('op-reviews', ['operator']);
});

/** Moves an order's pickup back by `days` (a write of the order: its version moves on). */
const agePickup = (orderId: string, days: number) => backdateOrder(orderId, 'pickedUpAt', days);

test('a resident reviews a collected order once, within 15 days; the share page lists the reviews', async () => {
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api);
  const pickupDate = dateIn(1);
  const gb = await openGroupBuy(api, leader.token, {
    items: [{ productId: products[0]!.productId }],
    cutoffAt: new Date(Date.now() + 3_600_000).toISOString(),
    pickupDate,
  });
  const residents = await Promise.all(
    [0, 1, 2, 3].map(async () => {
      const token = await api.login(unique('resident'));
      const placed = await placeOrder(api, token, gb.shareToken, [{ productId: products[0]!.productId, quantity: 1 }]);
      await api.call('POST', `/dev/pay/${placed.body.orderId}`);
      return { token, orderId: placed.body.orderId as string };
    }),
  );
  const [a, b, c, d] = residents as [(typeof residents)[0], (typeof residents)[0], (typeof residents)[0], (typeof residents)[0]];
  const review = (who: { token: string }, orderId: string, body: unknown) =>
    api.call('POST', `/orders/${orderId}/reviews`, { token: who.token, body });

  // Before the pickup (paid, then ready for pickup): 409.
  expect((await review(a, a.orderId, { rating: 5 })).status).toBe(409);
  await passCutoff(gb.groupBuyId);
  await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }));
  const before = await review(a, a.orderId, { rating: 5 });
  expect(before.status).toBe(409);
  expect(before.body.error.code).toBe('CONFLICT');

  for (const r of residents) {
    const { pickupCode } = (await api.call('GET', `/orders/${r.orderId}`, { token: r.token })).body;
    expect((await api.call('POST', '/pickups', { token: leader.token, body: { pickupCode, date: pickupDate } })).status).toBe(200);
  }
  await api.drain();

  // Someone else's order: unknown to a stranger, refused to its leader and to an operator.
  expect((await review(b, a.orderId, { rating: 1 })).status).toBe(404);
  expect((await review(leader, a.orderId, { rating: 1 })).status).toBe(403);
  expect((await api.call('POST', `/orders/${a.orderId}/reviews`, { token: operator, body: { rating: 1 } })).status).toBe(403);
  expect((await api.call('POST', `/orders/${a.orderId}/reviews`, { body: { rating: 1 } })).status).toBe(401);

  // Bad input names the field and changes nothing.
  for (const [body, path] of [
    [{ rating: 0 }, 'rating'],
    [{ rating: 6 }, 'rating'],
    [{ rating: 4.5 }, 'rating'],
    [{}, 'rating'],
    [{ rating: 5, text: 'x'.repeat(501) }, 'text'],
    [{ rating: 5, text: '好\u202Egnp.exe' }, 'text'],
    [{ rating: 5, text: '第一行\n第二行' }, 'text'],
  ] as const) {
    const bad = await review(a, a.orderId, body);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((x: { path: string }) => x.path)).toContain(path);
  }

  // Once: 201, then 409.
  const first = await review(a, a.orderId, { rating: 5, text: '  草莓很新鲜，<b>团长</b>很热情  ' });
  expect(first.status).toBe(201);
  expect(first.body).toEqual({ reviewId: expect.any(String) });
  expect((await review(a, a.orderId, { rating: 1 })).status).toBe(409);

  // Within 15 days after the pickup, not after: 14 days back still in, 16 days back out.
  await agePickup(b.orderId, 14);
  expect((await review(b, b.orderId, { rating: 4 })).status).toBe(201);
  await agePickup(c.orderId, 16);
  const late = await review(c, c.orderId, { rating: 1 });
  expect(late.status).toBe(409);
  expect(late.body.error.message).toContain('15 days');
  expect((await review(d, d.orderId, { rating: 4, text: 'x'.repeat(500) })).status).toBe(201);

  // Public, newest first, masked; the average of 5, 4 and 4 is 4.33.
  const list = await api.call('GET', `/group-buys/${gb.groupBuyId}/reviews`);
  expect(list.status).toBe(200);
  expect(list.body).toMatchObject({ count: 3, averageRatingX100: 433 });
  expect(list.body.items.map((r: { rating: number }) => r.rating)).toEqual([4, 4, 5]);
  expect(list.body.items[2]).toEqual({
    rating: 5,
    text: '草莓很新鲜，<b>团长</b>很热情',
    contactName: '张*',
    createdAt: expect.stringMatching(/\+08:00$/),
  });
  expect(list.body.items[1].text).toBeUndefined();
  expect(list.text).not.toContain('13812341234');
  const paged = (await api.call('GET', `/group-buys/${gb.groupBuyId}/reviews?limit=2`)).body;
  expect(paged.items).toHaveLength(2);
  expect((await api.call('GET', `/group-buys/${gb.groupBuyId}/reviews?limit=2&cursor=${paged.nextCursor}`)).body.items).toEqual([
    list.body.items[2],
  ]);

  // Another group buy of the same pickup point shows the same reviews; an unknown one is 404.
  const later = await openGroupBuy(api, leader.token, { items: [{ productId: products[0]!.productId }] });
  expect((await api.call('GET', `/group-buys/${later.groupBuyId}/reviews`)).body).toMatchObject({ count: 3, averageRatingX100: 433 });
  expect((await api.call('GET', '/group-buys/no-such-group/reviews')).status).toBe(404);

  // Audited with the order.
  const audit = (await api.call('GET', `/audit/events?entityId=${a.orderId}`, { token: operator })).body.items;
  expect(audit.map((e: { action: string }) => e.action)).toContain('order.reviewed');
});
