// The leader's journey through the pages, in Chromium at 375 px: apply, wait for approval, open a group
// buy from the catalogue, share it (link, poster, 接龙 text), and confirm a resident's pickup by code.
import { PAGE_PORT } from '../support/page-port';
import type { Browser } from 'playwright-core';
import { operatorToken, placeOrder, supplierWithProducts, unique } from '../support/fixtures';
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

test('from the application to a confirmed pickup', async () => {
  const { products } = await supplierWithProducts(api, [
    { name: '丹东草莓', unit: '500g/盒', supplyPriceFen: 1800, groupPriceFen: 2590 },
    { name: '土鸡蛋', unit: '30枚', supplyPriceFen: 1500, groupPriceFen: 1990 },
  ]);
  const page = await phone(browser, api.stack.url);
  await page.goto('/leader');
  await devSignIn(page, '13700001111');

  await page.getByLabel('姓名').fill('王芳');
  await page.getByLabel('手机号').fill('13700001111');
  await page.getByLabel('自提点名称').fill('芳芳小卖部');
  await page.getByLabel('小区').fill('幸福小区');
  await page.getByLabel('详细地址').fill('幸福路1号');
  await page.getByLabel('城市').fill('上海');
  await screenshot(page, 'leader-apply');
  await page.getByRole('button', { name: '提交申请' }).click();
  await page.getByText('申请已提交，运营审核通过后即可开团。').waitFor();

  const operator = await operatorToken(api);
  const pending = await api.call('GET', '/leaders?status=pending', { token: operator });
  const leaderId = pending.body.items.find((l: { name: string }) => l.name === '王芳').leaderId as string;
  expect((await api.call('POST', `/leaders/${leaderId}/approve`, { token: operator })).status).toBe(200);
  await page.getByRole('button', { name: '刷新' }).click();
  await page.getByRole('tab', { name: '开团' }).waitFor();

  await page.getByLabel('团购标题').fill('周末鲜果团');
  // The cutoff defaults to 23:00 Beijing time.
  expect(await page.getByLabel('截单时间').inputValue()).toBe('23:00');
  await page.getByRole('checkbox', { name: /丹东草莓/ }).click();
  await page.getByLabel('丹东草莓 库存').fill('100');
  await page.getByLabel('丹东草莓 每人限购').fill('5');
  await page.getByRole('checkbox', { name: /土鸡蛋/ }).click();
  await screenshot(page, 'leader-new-group-buy');
  await page.getByRole('button', { name: '发布团购' }).click();

  const shareUrl = (await page.getByTestId('share-url').textContent({ timeout: 60_000 }))!.trim();
  expect(shareUrl).toMatch(new RegExp(`^http://localhost:${PAGE_PORT}/share/`));
  const poster = page.getByRole('img', { name: '周末鲜果团 团购海报' });
  await poster.waitFor();
  await page.waitForFunction(() => document.querySelector<HTMLImageElement>('img.poster')?.naturalWidth === 750);
  await page.getByRole('button', { name: '生成接龙文案' }).click();
  const text = await page.getByLabel('接龙文案').inputValue();
  expect(text).toContain('【接龙】周末鲜果团');
  expect(text).toContain('丹东草莓 ¥25.90/500g/盒，每人限购5份');
  expect(text).toContain(shareUrl);
  await screenshot(page, 'leader-share');

  // A resident orders through the link and pays; the cutoff passes.
  const shareToken = shareUrl.split('/share/')[1]!;
  const resident = await api.login(unique('resident'));
  const order = await placeOrder(api, resident, shareToken, [{ productId: products[0]!.productId, quantity: 2 }]);
  expect(order.status).toBe(201);
  await api.call('POST', `/dev/pay/${order.body.orderId}`);
  const groupBuyId = (await api.call('GET', `/orders/${order.body.orderId}`, { token: resident })).body.groupBuyId;
  await passCutoff(groupBuyId);
  await api.whilePolling(api.call('POST', '/jobs/cutoff', { token: operator }));
  const { pickupCode, pickupDate } = (await api.call('GET', `/orders/${order.body.orderId}`, { token: resident })).body;

  await page.getByRole('tab', { name: '提货核销' }).click();
  const desk = page.getByRole('region', { name: '提货核销' });
  await desk.getByLabel('提货日期').fill(pickupDate);
  await desk.getByRole('button', { name: '查看' }).click();
  await page.getByRole('cell', { name: pickupCode }).waitFor();
  // 到货: the resident is told once, with the code; a second press tells nobody again.
  await desk.getByRole('button', { name: '商品已到货，通知居民取货' }).click();
  await desk.getByText('已通知 1 位居民取货').waitFor();
  await desk.getByRole('button', { name: '商品已到货，通知居民取货' }).click();
  await desk.getByText('居民都已收到过到货通知').waitFor();
  await api.drain();
  const told = (await api.call('GET', '/dev/messages?to=13812341234')).body.items;
  expect(told.map((m: { template: string; text: string }) => [m.template, m.text])).toEqual([
    ['pickup_ready', `您在芳芳小卖部的团购商品已到货，取货码${pickupCode}，请凭码到自提点领取。`],
  ]);
  await desk.getByLabel('提货码').fill(pickupCode);
  await desk.getByRole('button', { name: '确认提货' }).click();
  await page.getByText(`提货码 ${pickupCode} 已核销`).waitFor();
  // The list beside it already says so.
  expect(await desk.getByRole('row', { name: new RegExp(pickupCode) }).textContent()).toContain('已提货');
  await screenshot(page, 'leader-pickup');
  expect((await api.call('GET', `/orders/${order.body.orderId}`, { token: resident })).body.status).toBe('picked_up');

  await page.getByRole('tab', { name: '收益' }).click();
  await page.getByText('待结算').waitFor();

  // Notification settings: WeChat off, kept.
  const settings = page.getByRole('region', { name: '消息通知' });
  await settings.getByRole('switch', { name: '微信通知' }).click();
  await page.getByText('已保存').waitFor();
  await expect(settings.getByRole('switch', { name: '微信通知' }).getAttribute('aria-checked')).resolves.toBe('false');
  await page.context().close();
});
