// Signing in on the pages with a texted code, against the real `/auth/*` routes in Chromium at 375 px:
// the code is read from the sandbox's outbox as a person would read their phone. An operator phone
// lands on the operator's pages; signing out ends the sign-in on the server too.
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, phone } from '../support/browser';
import type { TestStack } from '../support/stack';
import { startTestStack } from '../support/stack';

const OPERATOR_PHONE = '13600009999';
process.env.OPERATOR_PHONES = OPERATOR_PHONE;

jest.setTimeout(90_000);

let api: TestStack;
let browser: Browser;
beforeAll(async () => {
  api = await startTestStack();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await api?.stop();
  delete process.env.OPERATOR_PHONES;
});

async function signInWithCode(page: Page, phoneNumber: string) {
  await page.goto('/');
  await page.getByLabel('手机号').first().fill(phoneNumber);
  await page.getByRole('button', { name: '获取验证码' }).click();
  await page.getByRole('status').filter({ hasText: '验证码已发送' }).waitFor();
  const { code } = (await api.call('GET', `/dev/sms?phone=${phoneNumber}`)).body;
  await page.getByLabel('验证码').fill(code);
  await page.getByRole('button', { name: '登录', exact: true }).click();
}

test('a resident signs in with the texted code; signing out ends that sign-in on the server', async () => {
  const page = await phone(browser, api.stack.url);
  await signInWithCode(page, '13600000001');
  await page.waitForURL('**/resident/orders');
  const kept = await page.evaluate(() => JSON.parse(localStorage.getItem('tuangou.session') ?? 'null'));
  expect(kept).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), user: { roles: [] } });

  await page.goto('/');
  const loggedOut = page.waitForResponse((res) => res.url().endsWith('/auth/logout'));
  await page.getByRole('button', { name: '退出登录' }).click();
  expect((await loggedOut).status()).toBe(204);
  await page.getByRole('button', { name: '获取验证码' }).waitFor();
  expect((await api.call('POST', '/auth/refresh', { body: { refreshToken: kept.refreshToken } })).status).toBe(401);
});

test('a phone of OPERATOR_PHONES lands on the operator pages', async () => {
  const page = await phone(browser, api.stack.url);
  await signInWithCode(page, OPERATOR_PHONE);
  await page.waitForURL('**/operator');
});
