// The supplier's journey to a shipped purchase order, and the operator's to an approved payout, through
// the pages in Chromium at 375 px (one browser, one stack; the day's orders are made through the API).
import '../support/no-after-sales-window';
import { PAGE_PORT } from '../support/page-port';
import type { Browser } from 'playwright-core';
import { openGroupBuy, operatorToken, pickupPoint, placeOrder, unique } from '../support/fixtures';
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

test('the operator approves a leader, lists a product, runs the jobs and approves a payout; the supplier ships', async () => {
  const op = await phone(browser, api.stack.url);
  await op.goto('/');
  await devSignIn(op, '13600000000', '运营');
  await op.waitForURL('**/operator');

  // A leader applied; the operator approves them.
  const leaderUser = unique('leader');
  const leaderToken = await api.login(leaderUser);
  const applied = await api.call('POST', '/leaders', { token: leaderToken, body: { name: '赵团长', phone: '13911112222', pickupPoint } });
  await op.getByRole('button', { name: '刷新' }).first().click();
  const card = op.getByRole('article', { name: '团长 赵团长' });
  await screenshot(op, 'operator-leaders');
  await card.getByRole('button', { name: '通过' }).click();
  await card.waitFor({ state: 'detached' });
  expect((await api.call('GET', '/leaders/me', { token: leaderToken })).body.status).toBe('active');

  // A supplier and a product, through the console.
  await op.getByRole('tab', { name: '供应商与商品' }).click();
  await op.getByLabel('供应商名称').fill('鲜果供应链');
  await op.getByLabel('联系电话').fill('13700002222');
  await op.getByRole('button', { name: '创建供应商' }).click();
  const supplierId = (await op.getByTestId('supplier-id').textContent())!.trim();
  await op.getByLabel('商品名称').fill('丹东草莓');
  await op.getByLabel('单位').fill('500g/盒');
  await op.getByLabel('供货价（元）').fill('18.00');
  await op.getByLabel('团购价（元）').fill('25.90');
  await op.getByRole('button', { name: '上架商品' }).click();
  await op.getByRole('cell', { name: '丹东草莓（500g/盒）' }).waitFor();
  await screenshot(op, 'operator-catalogue');
  const products = (await api.call('GET', `/products?supplierId=${supplierId}`, { token: leaderToken })).body.items;
  expect(products[0]).toMatchObject({ name: '丹东草莓', groupPriceFen: 2590 });

  // The day: a group buy, an order paid, the cutoff (run from the console), the pickup.
  const group = await openGroupBuy(api, leaderToken, { items: [{ productId: products[0].productId }] });
  const resident = await api.login(unique('resident'));
  const order = await placeOrder(api, resident, group.shareToken, [{ productId: products[0].productId, quantity: 4 }]);
  await api.call('POST', `/dev/pay/${order.body.orderId}`);
  await passCutoff(group.groupBuyId);
  await op.getByRole('tab', { name: '任务' }).click();
  await api.whilePolling(
    (async () => {
      await op.getByRole('button', { name: '立即截单' }).click();
      await op.getByText(/截单完成：成团 1 个/).waitFor({ timeout: 60_000 });
    })(),
  );
  const { pickupCode, pickupDate } = (await api.call('GET', `/orders/${order.body.orderId}`, { token: resident })).body;

  // The supplier sees the purchase order for the pickup date, downloads it, acknowledges and ships.
  const sup = await phone(browser, api.stack.url);
  await sup.goto('/');
  await devSignIn(sup, '13700002222', '供应商', supplierId);
  await sup.waitForURL('**/supplier');
  await sup.getByLabel('送货日期').fill(pickupDate);
  await sup.getByRole('button', { name: '查询' }).click();
  const po = sup.getByRole('article', { name: `采购单 ${pickupDate}` });
  await po.getByRole('cell', { name: '丹东草莓' }).waitFor();
  await expect(po.getByText('¥72.00').first().isVisible()).resolves.toBe(true);
  await po.getByText(/按自提点分货/).click();
  await po.getByText('丹东草莓×4').waitFor();
  const [download] = await Promise.all([sup.waitForEvent('download'), po.getByRole('button', { name: '下载CSV' }).click()]);
  expect(download.suggestedFilename()).toMatch(/^采购单-.*\.csv$/);
  await screenshot(sup, 'supplier-purchase-orders');
  await po.getByRole('button', { name: '确认接单' }).click();
  await po.getByText('已确认，待发货').waitFor();
  await po.getByRole('button', { name: '确认发货' }).click();
  await po.getByText('已发货').waitFor();
  await sup.getByRole('region', { name: '消息通知' }).getByRole('switch', { name: '短信通知' }).waitFor();
  const pos = await api.call('GET', `/purchase-orders?date=${pickupDate}&supplierId=${supplierId}`, { token: await operatorToken(api) });
  expect(pos.body.items[0].status).toBe('shipped');

  // Picked up: the commission is booked (no after-sales window here) and the payout job proposes it.
  expect((await api.call('POST', '/pickups', { token: leaderToken, body: { pickupCode, date: pickupDate } })).status).toBe(200);
  await api.drain();
  await op.getByRole('button', { name: '生成提现' }).click();
  await op.getByText('已生成提现 1 笔，请在“提现”中审批').waitFor();
  await op.getByRole('tab', { name: '提现' }).click();
  const payout = op.getByRole('article', { name: `提现 ${applied.body.leaderId}` });
  await payout.getByText('¥10.36').waitFor();
  await screenshot(op, 'operator-payouts');
  await payout.getByRole('button', { name: '批准打款' }).click();
  await payout.waitFor({ state: 'detached' });
  await api.drain();
  const ledger = await api.call('GET', `/leaders/${applied.body.leaderId}/commissions`, { token: await operatorToken(api) });
  expect(ledger.body.paidFen).toBe(1036);
});
