// The resident's journey through the pages, in Chromium at 375 px: from the share link to the pickup code
// (pick, sign in, contact details, a double tap that orders once, pay, the cutoff, the code), the messages
// for a bad link, a closed group buy and a sold-out item, and what the share page costs to load.
import { PAGE_PORT } from '../support/page-port';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { activeLeader, openGroupBuy, placeOrder, supplierWithProducts, unique } from '../support/fixtures';
import { devSignIn, launchBrowser, phone, screenshot } from '../support/browser';
import type { TestStack } from '../support/stack';
import { startTestStack } from '../support/stack';
import { passCutoff } from '../support/time-travel';

jest.setTimeout(90_000);

let api: TestStack;
let browser: Browser;
let leader: Awaited<ReturnType<typeof activeLeader>>;
let products: { productId: string; name: string }[];

beforeAll(async () => {
  api = await startTestStack({ port: PAGE_PORT });
  browser = await launchBrowser();
  leader = await activeLeader(api);
  ({ products } = await supplierWithProducts(api, [
    { name: '丹东草莓', unit: '500g/盒', supplyPriceFen: 1800, groupPriceFen: 2590 },
    { name: '土鸡蛋', unit: '30枚', supplyPriceFen: 1500, groupPriceFen: 1990 },
    { name: '阳光玫瑰', unit: '斤', supplyPriceFen: 900, groupPriceFen: 1290 },
  ]));
});

afterAll(async () => {
  await browser?.close();
  await api?.stop();
});

const open = (items: { productId: string; stockLimit?: number; perResidentLimit?: number }[], title = '周末鲜果团') =>
  openGroupBuy(api, leader.token, { title, items });

test('from the share link to the pickup code', async () => {
  const group = await open([
    { productId: products[0]!.productId, stockLimit: 50, perResidentLimit: 3 },
    { productId: products[1]!.productId },
    { productId: products[2]!.productId, stockLimit: 1 },
  ]);
  // Someone else takes the last 阳光玫瑰.
  const other = await api.login(unique('neighbour'));
  expect((await placeOrder(api, other, group.shareToken, [{ productId: products[2]!.productId, quantity: 1 }])).status).toBe(201);

  const page = await phone(browser, api.stack.url);
  await page.goto(group.shareUrl);
  await page.getByRole('heading', { name: '周末鲜果团' }).waitFor();
  expect(await page.title()).toBe('周末鲜果团 · 芳芳小卖部');
  const strawberry = page.getByRole('article', { name: '丹东草莓' });
  await expect(strawberry.getByText('¥25.90').isVisible()).resolves.toBe(true);
  await expect(strawberry.getByText('每人限购3').isVisible()).resolves.toBe(true);
  await expect(strawberry.getByText('剩余50').isVisible()).resolves.toBe(true);
  await expect(page.getByRole('article', { name: '土鸡蛋' }).getByText('¥19.90').isVisible()).resolves.toBe(true);
  // Sold out: said so, and it cannot be picked.
  const grapes = page.getByRole('article', { name: '阳光玫瑰' });
  await expect(grapes.getByText('已抢光').isVisible()).resolves.toBe(true);
  await expect(grapes.getByRole('button', { name: '增加 阳光玫瑰' }).isDisabled()).resolves.toBe(true);
  // The cutoff is shown in Beijing time although this phone is in New York.
  await expect(page.getByText(/距截单/).isVisible()).resolves.toBe(true);

  await page.getByRole('button', { name: '增加 丹东草莓' }).click();
  await page.getByRole('button', { name: '增加 丹东草莓' }).click();
  await page.getByRole('button', { name: '增加 土鸡蛋' }).click();
  await expect(page.getByRole('region', { name: '结算' }).getByText('¥71.70').isVisible()).resolves.toBe(true);
  await screenshot(page, 'resident-share');

  await page.getByRole('button', { name: '去下单' }).click();
  await devSignIn(page, '13812345678');
  await page.getByLabel('提货人').fill('张三');
  await page.getByLabel('联系电话').fill('13812345678');
  // A double tap: one order.
  await page.getByRole('button', { name: '提交订单' }).dblclick();
  await page.waitForURL(/\/resident\/orders\//);
  await page.getByRole('button', { name: /立即支付/ }).waitFor();
  const orderId = page.url().split('/resident/orders/')[1]!.split('?')[0]!;
  const token = await page.evaluate(() => JSON.parse(localStorage.getItem('tuangou.session')!).accessToken as string);
  const mine = await api.call('GET', '/me/orders', { token });
  expect(mine.body.items.map((o: { orderId: string }) => o.orderId)).toEqual([orderId]);
  expect(mine.body.items[0].totalFen).toBe(7170);
  await screenshot(page, 'resident-order-unpaid');

  await page.getByRole('button', { name: '立即支付 ¥71.70' }).click();
  await page.getByText('已支付，待截单').waitFor();

  // The cutoff passes and the nightly job runs.
  await passCutoff(group.groupBuyId);
  const operator = await api.login('op-1', ['operator']);
  await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }));
  await page.getByRole('button', { name: '刷新状态' }).click();
  const code = page.getByTestId('pickup-code');
  await code.waitFor();
  expect(await code.textContent()).toBe((await api.call('GET', `/orders/${orderId}`, { token })).body.pickupCode);
  expect(await code.evaluate((el) => parseFloat(getComputedStyle(el).fontSize))).toBeGreaterThanOrEqual(40);
  await screenshot(page, 'resident-pickup-code');

  // "My orders" lists it with its code; the share page now says the group buy is closed.
  await page.getByRole('link', { name: '我的订单' }).click();
  await page.getByText('待提货').waitFor();
  await screenshot(page, 'resident-my-orders');
  await page.goto(group.shareUrl);
  await page.getByText('本团已截单，下次早点来哦').waitFor();
  await expect(page.getByRole('button', { name: '去下单' }).isDisabled()).resolves.toBe(true);
  await page.context().close();
});

test('a bad link says so, in Chinese', async () => {
  const page = await phone(browser, api.stack.url);
  const res = await page.goto('/share/not-a-real-token');
  expect(res?.headers()['content-type']).toContain('text/html');
  await page.getByText('这个团购链接无效或已过期，请向团长要一个新链接').waitFor();
  await page.context().close();
});

test('a resident cancels an order before the cutoff', async () => {
  const group = await open([{ productId: products[1]!.productId }], '鸡蛋团');
  const page = await phone(browser, api.stack.url);
  await page.goto(group.shareUrl);
  await page.getByRole('button', { name: '增加 土鸡蛋' }).click();
  await page.getByRole('button', { name: '去下单' }).click();
  await devSignIn(page, '13900002222');
  await page.getByLabel('提货人').fill('李四');
  await page.getByLabel('联系电话').fill('13900002222');
  await page.getByRole('button', { name: '提交订单' }).click();
  await page.getByRole('button', { name: '取消订单' }).click();
  await page.getByRole('button', { name: '确定取消' }).click();
  await page.getByText('已取消', { exact: true }).waitFor();
  await page.context().close();
});

test('the share page loads at most 150 KB of compressed JS and CSS before it is usable', async () => {
  const group = await open([{ productId: products[0]!.productId }], '测量团');
  const page: Page = await phone(browser, api.stack.url);
  const bodies: Promise<Buffer>[] = [];
  page.on('response', (res) => {
    if (/\.(js|css)$/.test(new URL(res.url()).pathname)) bodies.push(res.body());
  });
  await page.goto(group.shareUrl);
  await page.getByRole('button', { name: '增加 丹东草莓' }).waitFor();
  const compressed = (await Promise.all(bodies)).reduce((sum, body) => sum + gzipSync(body, { level: 9 }).length, 0);
  console.log(`share page: ${bodies.length} JS/CSS files, ${(compressed / 1024).toFixed(1)} KB gzip-compressed`);
  expect(compressed).toBeLessThanOrEqual(150 * 1024);
  await page.context().close();
});
