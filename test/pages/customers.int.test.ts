// The leader's private domain in Chromium at 375 px: the leader's customers tab (the window's figures, the
// chart of recent weeks, the masked customer book), a resident reviewing the pickup point after collecting,
// and the share page showing that review with the average.
import { PAGE_PORT } from '../support/page-port';
import type { Browser } from 'playwright-core';
import { activeLeader, openGroupBuy, operatorToken, supplierWithProducts, unique } from '../support/fixtures';
import { devSignIn, launchBrowser, phone, screenshot } from '../support/browser';
import type { TestStack } from '../support/stack';
import { startTestStack } from '../support/stack';
import { passCutoff } from '../support/time-travel';

jest.setTimeout(150_000);

let api: TestStack;
let browser: Browser;

beforeAll(async () => {
  api = await startTestStack({ port: PAGE_PORT });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

const LEADER_PHONE = '13700002222';
const RESIDENT_PHONE = '13812345678';

async function pay(token: string, shareToken: string, productId: string, quantity: number, contact: [string, string]) {
  const placed = await api.call('POST', '/orders', {
    token,
    headers: { 'Idempotency-Key': unique('idem-key') },
    body: { shareToken, items: [{ productId, quantity }], contactName: contact[0], contactPhone: contact[1] },
  });
  expect(placed.status).toBe(201);
  expect((await api.call('POST', `/dev/pay/${placed.body.orderId}`)).status).toBe(200);
  return placed.body.orderId as string;
}

test('the leader reads customers and figures; a resident reviews after pickup; the share page shows it', async () => {
  // The pages sign in through /dev/login as `u-<phone>`: the leader and one resident are those users.
  const leader = await activeLeader(api, `u-${LEADER_PHONE}`);
  const { products } = await supplierWithProducts(api, [{ name: '丹东草莓', unit: '500g/盒', supplyPriceFen: 1800, groupPriceFen: 2590 }]);
  const productId = products[0]!.productId;
  const gb1 = await openGroupBuy(api, leader.token, { title: '周一鲜果团', items: [{ productId }] });
  const gb2 = await openGroupBuy(api, leader.token, { title: '周三鲜果团', items: [{ productId }] });
  const resident = await api.login(`u-${RESIDENT_PHONE}`);
  const neighbour = await api.login(unique('neighbour'));
  const reviewed = await pay(resident, gb1.shareToken, productId, 2, ['张三', RESIDENT_PHONE]); // 51.80
  await pay(resident, gb2.shareToken, productId, 1, ['张三', RESIDENT_PHONE]); // 25.90
  await pay(neighbour, gb1.shareToken, productId, 1, ['李四', '13900009999']); // 25.90
  await passCutoff(gb1.groupBuyId);
  await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: await operatorToken(api) }));
  const { pickupCode, pickupDate } = (await api.call('GET', `/orders/${reviewed}`, { token: resident })).body;
  expect((await api.call('POST', '/pickups', { token: leader.token, body: { pickupCode, date: pickupDate } })).status).toBe(200);
  await api.drain();

  // The leader's customers tab.
  const page = await phone(browser, api.stack.url);
  await page.goto('/leader');
  await devSignIn(page, LEADER_PHONE);
  await page.getByRole('tab', { name: '顾客' }).click();
  const figures = page.getByRole('region', { name: '顾客' });
  await figures.getByTestId('stat-gmv').getByText('¥103.60').waitFor();
  expect(await figures.getByTestId('stat-customers').textContent()).toBe('2');
  expect(await figures.getByTestId('stat-repeat-rate').textContent()).toBe('50.00%');
  const chart = page.getByRole('img', { name: '近8周每周成交额' });
  await chart.waitFor();
  expect(await chart.locator('rect').count()).toBe(8);
  const book = page.getByRole('list', { name: '顾客名单' });
  await expect(book.getByRole('listitem').count()).resolves.toBe(2);
  await expect(book.getByRole('listitem').first().textContent()).resolves.toContain('李* 139****9999');
  await expect(book.getByText('张* 138****5678').isVisible()).resolves.toBe(true);
  await expect(book.getByText('¥77.70').isVisible()).resolves.toBe(true);
  expect(await page.content()).not.toContain(RESIDENT_PHONE);
  await page.getByRole('button', { name: '近7天' }).click();
  await expect(page.getByRole('button', { name: '近7天' }).getAttribute('aria-pressed')).resolves.toBe('true');
  await figures.getByTestId('stat-gmv').getByText('¥103.60').waitFor();
  await screenshot(page, 'leader-customers');
  await page.context().close();

  // The resident reviews the collected order from the order page.
  const mobile = await phone(browser, api.stack.url);
  await mobile.goto(`/resident/orders/${reviewed}`);
  await devSignIn(mobile, RESIDENT_PHONE);
  const form = mobile.getByRole('form', { name: '评价自提点' });
  await form.waitFor();
  await expect(form.getByRole('button', { name: '提交评价' }).isDisabled()).resolves.toBe(true);
  await form.getByRole('radio', { name: '4 星' }).check();
  await form.getByLabel('评价内容').fill('草莓很甜，<b>团长</b>很准时');
  await screenshot(mobile, 'resident-review');
  await form.getByRole('button', { name: '提交评价' }).click();
  await mobile.getByText('评价已提交，谢谢！').waitFor();

  // The share page shows it, escaped, with the average.
  await mobile.goto(gb2.shareUrl);
  const reviews = mobile.getByRole('region', { name: '自提点评价' });
  await reviews.getByText('自提点评价 · 4.00 分（1 条）').waitFor();
  await expect(reviews.getByText('草莓很甜，<b>团长</b>很准时').isVisible()).resolves.toBe(true);
  await expect(reviews.getByText('张*').isVisible()).resolves.toBe(true);
  expect(await reviews.locator('b').count()).toBe(0);
  await mobile.context().close();
});
