// The cutoff job begins closing every due group buy, not only the first page of them (issue 9), and a
// group buy can't be opened with a cutoff after its pickup.
import { runCutoff } from '../../lib/cutoff/cutoff';
import { cutoffDeps } from '../../lib/cutoff/wiring';
import { activeLeader, hoursFromNow, openGroupBuy, shanghaiDate, supplierWithProducts } from '../../test/support/fixtures';
import { useStack } from '../../test/support/stack';
import { passCutoff } from '../../test/support/time-travel';

const api = useStack();

test('every due group buy begins closing, page after page of the index', async () => {
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api);
  const ids: string[] = [];
  for (let i = 0; i < 23; i++) {
    ids.push((await openGroupBuy(api, leader.token, { items: [{ productId: products[0]!.productId }], title: `团 ${i}` })).groupBuyId);
  }
  await passCutoff(ids);
  // Pages of 5: the old job took the first page (of 500) and left the rest for the next night.
  const { begun } = await runCutoff(cutoffDeps(), { pageSize: 5 });
  expect([...begun].sort()).toEqual([...ids].sort());
  for (const id of ids) expect((await api.call('GET', `/group-buys/${id}`)).body.status).toBe('closed');
});

test('a cutoff after the pickup date is refused when the group buy is opened', async () => {
  const leader = await activeLeader(api);
  const { products } = await supplierWithProducts(api);
  const cutoffAt = hoursFromNow(30);
  const res = await api.call('POST', '/group-buys', {
    token: leader.token,
    body: { title: '晚了', cutoffAt, pickupDate: shanghaiDate(hoursFromNow(2)), items: [{ productId: products[0]!.productId }] },
  });
  expect(res.status).toBe(400);
  expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [expect.objectContaining({ path: 'pickupDate' })] });
});
