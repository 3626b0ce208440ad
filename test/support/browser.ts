// Debian's Chromium driven by playwright-core (its own browser download cannot work here), at a phone's
// width, in a time zone far from Beijing so that the pages must show Beijing time themselves.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { tmpdir } from 'node:os';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/**
 * Where the page tests put their screenshots: the README's (docs/screenshots) with `npm run screenshots`,
 * otherwise a scratch folder, so that a test run leaves the working tree as it found it.
 */
export const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS
  ? resolve(__dirname, '..', '..', 'docs', 'screenshots')
  : resolve(tmpdir(), 'tuangou-screenshots');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // Without the background-networking flags Chromium keeps dialling out, which this machine refuses.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh phone (375 px wide): its own storage, so each user signs in on their own device. */
export async function phone(browser: Browser, baseURL: string): Promise<Page> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: 375, height: 760 },
    deviceScaleFactor: 1,
    locale: 'zh-CN',
    timezoneId: 'America/New_York',
    acceptDownloads: true,
  });
  return context.newPage();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // From the top, as a person scrolls a page: a sticky bar (the leader's tabs) then sits where it belongs.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.waitForFunction(() => window.scrollY === 0);
  await page.screenshot({ path: resolve(SCREENSHOTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** Signs in on the page's sign-in panel with the local stage's development sign-in (/dev/login): whichever roles are asked for, no code. */
export async function devSignIn(page: Page, phoneNumber: string, role?: '供应商' | '运营', supplierId?: string): Promise<void> {
  await page.getByLabel('手机号').first().fill(phoneNumber);
  if (role) await page.getByRole('radio', { name: role }).click();
  if (supplierId) await page.getByLabel('供应商编号').fill(supplierId);
  await page.getByRole('button', { name: '开发登录' }).click();
}
