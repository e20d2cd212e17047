import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Served, serve, shot } from './harness.ts';

/** The next Saturday (after today) in Chongqing, YYYY-MM-DD: offices share their spaces all day. */
function nextSaturday(): string {
  const local = new Date(Date.now() + 8 * 3_600_000);
  const days = (6 - local.getUTCDay() + 7) % 7 || 7;
  return new Date(local.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * The citizen portal's shared parking on a phone: search near 解放碑 for a Saturday morning, a
 * space someone else booked meanwhile is refused with the reason, the next one is booked, then
 * cancelled; the page also reads in English.
 */
describe('citizen portal shared parking, in Chromium', () => {
  let served: Served;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  const day = nextSaturday();
  const from = new Date(`${day}T10:00:00+08:00`).toISOString();
  const to = new Date(`${day}T12:00:00+08:00`).toISOString();

  beforeAll(async () => {
    [served, browser] = await Promise.all([serve(), launchBrowser()]);
    context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
    });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
  });
  afterEach(() => {
    expect(errors).toEqual([]);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await served?.close();
  });

  it('searches near 解放碑, shows a refusal when the space was just taken, books the next and cancels', async () => {
    await page.goto(`${served.baseUrl}/citizen/parking`);
    await page.getByRole('heading', { name: '错峰共享停车' }).waitFor();
    await page.getByLabel('开始时间').fill(`${day}T10:00`);
    await page.getByLabel('停放时长').selectOption('2');
    await page.getByLabel('车牌号').fill('渝A5P7K2');
    await page.getByRole('button', { name: '查找车位' }).click();
    await page.locator('article.card').first().waitFor();

    // Meanwhile another citizen books the space the page would take (its site's first free one).
    const q = `lon=106.577&lat=29.557&radius=1000&limit=20&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
    const found = await (await fetch(`${served.baseUrl}/api/v1/parking/spaces?${q}`)).json();
    // The nearest site sharing on a Saturday morning (a mall near by shares only at night: its button is off).
    const site = found.items.find((x: { freeSpots: string[] }) => x.freeSpots.length > 0);
    const card = page.getByRole('article', { name: site.name });
    await expect.poll(() => card.textContent()).toMatch(/演示数据.*距目的地 \d+ 米.*空位 40 \/ 40/);
    const other = await fetch(`${served.baseUrl}/api/v1/parking/bookings`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ spotId: site.freeSpots[0], plate: '渝B7H3M9', from, to }),
    });
    expect(other.status).toBe(201);
    await card.getByRole('button', { name: '预约车位' }).click();
    await page.getByRole('alert').getByText('预约未成功：该车位刚被他人预约，请换一个').waitFor();
    await page.screenshot({ path: shot('citizen-parking-taken'), fullPage: true });

    await page.getByRole('button', { name: '查找车位' }).click();
    await expect.poll(() => page.getByRole('alert').count()).toBe(0);
    await expect.poll(() => card.textContent()).toMatch(/空位 39 \/ 40/);
    await card.getByRole('button', { name: '预约车位' }).click();
    await page.getByRole('heading', { name: '预约成功' }).waitFor();
    await page.getByText('已预约，待入位').waitFor();
    await page.getByText('渝A***K2').waitFor();
    await page.screenshot({ path: shot('citizen-parking-booked'), fullPage: true });
    await page.getByRole('button', { name: '取消预约' }).click();
    await page.getByRole('heading', { name: '预约已取消' }).waitFor();
  });

  it('reads in English after the language switch', async () => {
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Shared parking' }).waitFor();
    await page.getByRole('button', { name: 'Find spaces' }).waitFor();
    await page.getByLabel('Licence plate').waitFor();
  });
});
