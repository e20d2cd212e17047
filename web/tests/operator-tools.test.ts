import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type Served, serve, shot, signIn, watchedPage } from './harness.ts';
import { waitForMap } from './map-check.ts';

/**
 * The operator's tools in Chromium against the demo city: a banner for a new urgent event, the
 * feed's search and filters (sent to the server), CSV export of the feed and the KPIs.
 */
describe('operator tools in Chromium', () => {
  let served: Served;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  let page: Page;
  const tag = String(Date.now() % 100_000);

  const file = async (description: string, priority?: string) => {
    const res = await fetch(`${served.baseUrl}/api/v1/citizen/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        description,
        location: { lon: 106.577, lat: 29.557 },
        ...(priority ? { priority } : {}),
      }),
    });
    expect(res.status).toBe(201);
  };

  beforeAll(async () => {
    [served, browser] = await Promise.all([serve(), launchBrowser()]);
    page = await watchedPage(browser, contexts, errors, {
      viewport: { width: 1440, height: 900 },
      acceptDownloads: true,
    });
    await page.goto(`${served.baseUrl}${served.cockpitPath}`);
    await signIn(page, 'district.yuzhong');
    await waitForMap(page, '500103');
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await served?.close();
  });

  it('announces a new urgent event in scope once, and opens it from the banner', async () => {
    const feed = page.locator('section.event-feed');
    await expect.poll(() => feed.getByRole('status').textContent()).toContain('实时');
    await file(`解放碑地下通道井盖缺失有人受伤 ${tag}`, 'urgent');
    await file(`解放碑步行街路灯不亮 ${tag}`);
    const banner = page.locator('.urgent-alerts .urgent');
    await banner.first().waitFor({ timeout: 10_000 });
    await expect(banner.count()).resolves.toBe(1);
    await expect(banner.first().textContent()).resolves.toContain('井盖缺失');
    await page.screenshot({ path: shot('operator-urgent-banner') });
    await banner
      .first()
      .getByRole('button', { name: /井盖缺失/ })
      .click();
    await page.waitForURL('**/events/**');
    await page
      .getByRole('button', { name: /关闭|返回/ })
      .first()
      .click();
    await page.locator('.urgent-alerts .urgent').first().getByRole('button', { name: '关闭提醒' }).click();
    await expect(page.locator('.urgent-alerts .urgent').count()).resolves.toBe(0);
  });

  it('searches and filters the feed on the server, and says when nothing matches', async () => {
    const items = page.locator('section.event-feed .feed-item');
    await page.getByLabel('搜索描述、地址或编号').fill(tag);
    await expect.poll(() => items.count(), { timeout: 10_000 }).toBe(2);
    await page.getByLabel('优先级').selectOption('urgent');
    await expect.poll(() => items.count(), { timeout: 10_000 }).toBe(1);
    await expect(items.first().textContent()).resolves.toContain('井盖缺失');
    await page.getByLabel('来源').selectOption('sensor_alert');
    await page.getByText('没有符合筛选条件的事件').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: shot('operator-filters') });
    await page.getByRole('button', { name: '清除筛选' }).click();
    await expect.poll(() => items.count(), { timeout: 10_000 }).toBeGreaterThan(1);
    await page.getByLabel('搜索描述、地址或编号').fill(tag);
    await expect.poll(() => items.count(), { timeout: 10_000 }).toBe(2);
    // The tracking number a caller quotes (any case) finds their event.
    const number = (await items.first().locator('.feed-meta').textContent())?.match(/CQ-\d{8}-\d{6}/)?.[0];
    expect(number).toBeDefined();
    await page.getByLabel('搜索描述、地址或编号').fill(number!.toLowerCase());
    await expect.poll(() => items.count(), { timeout: 10_000 }).toBe(1);
    await expect(items.first().textContent()).resolves.toContain(number!);
    await page.getByLabel('搜索描述、地址或编号').fill(tag);
    await expect.poll(() => items.count(), { timeout: 10_000 }).toBe(2);
  });

  it('exports the filtered feed and the KPIs as CSV a spreadsheet reads', async () => {
    const [feedCsv] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('.feed-filters').getByRole('button', { name: '导出 CSV' }).click(),
    ]);
    const text = await readFile((await feedCsv.path())!, 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    const lines = text.slice(1).trim().split('\r\n');
    expect(lines[0]).toBe('编号,事件 ID,上报时间,状态,优先级,类别,来源,区域,描述,地址,办结时间');
    // The first column is the tracking number people quote.
    expect(lines.slice(1).every((l) => /^CQ-\d{8}-\d{6},/.test(l))).toBe(true);
    expect(lines).toHaveLength(3);
    expect(lines.some((l) => l.includes(`井盖缺失有人受伤 ${tag}`) && l.includes('紧急'))).toBe(true);

    const [kpiCsv] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('section.kpis > p').getByRole('button', { name: '导出 CSV' }).click(),
    ]);
    const kpis = (await readFile((await kpiCsv.path())!, 'utf8')).slice(1).trim().split('\r\n');
    expect(kpis[0]).toBe('指标,数值');
    expect(kpis.some((l) => l.startsWith('未结事件,'))).toBe(true);
    expect(errors).toEqual([]);
  });

  it('switches the events and teams layers off and on, folds the legend, zooms and returns to the area', async () => {
    const map = page.locator('.map');
    const switchOf = (text: string) =>
      page.locator('details.legend label', { hasText: text }).locator('input[type=checkbox]');
    const events = switchOf('事件（');
    await file(`解放碑轻轨站口共享单车堆放 ${tag}`);
    await expect.poll(() => map.getAttribute('data-events')).not.toBe('0');
    await events.uncheck();
    await expect.poll(() => map.getAttribute('data-events')).toBe('0');
    await events.check();
    await expect.poll(() => map.getAttribute('data-events')).not.toBe('0');
    await switchOf('在岗队伍（').uncheck();
    await page.screenshot({ path: shot('operator-map-no-teams') });
    await switchOf('在岗队伍（').check();

    const legend = page.locator('details.legend');
    await legend.locator('summary').click();
    await expect(legend.evaluate((d) => (d as HTMLDetailsElement).open)).resolves.toBe(false);
    await expect(events.isVisible()).resolves.toBe(false);
    await legend.locator('summary').click();
    await expect(events.isVisible()).resolves.toBe(true);

    await expect(page.locator('.maplibregl-ctrl-scale').textContent()).resolves.toMatch(/\d+\s*k?m/);
    await page.locator('.maplibregl-ctrl-zoom-in').click();
    await expect.poll(() => map.getAttribute('data-idle')).toBe('true');
    await page.getByRole('button', { name: '回到当前区域' }).click();
    await expect.poll(() => map.getAttribute('data-idle')).toBe('true');
    await page.screenshot({ path: shot('operator-map-controls') });
    expect(errors).toEqual([]);
  });
});
