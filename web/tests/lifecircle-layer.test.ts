import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/prepare.ts';
import { binCounts, LIFECIRCLE_BINS, type LifeCircleStreet, meanShare } from '../src/map/lifecircle.ts';
import { launchBrowser, type Served, serve, shot, signIn, watchedPage } from './harness.ts';
import { waitForMap } from './map-check.ts';

/**
 * The cockpit's 15-minute life circle layer in Chromium against the real app with the demo city:
 * switched on, it draws one dot per street in scope coloured by mean coverage, and the legend's
 * counts per bin equal those of the API's answer.
 */
describe('cockpit life circle layer in Chromium', () => {
  let served: Served;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    [served, browser] = await Promise.all([serve(), launchBrowser()]);
  }, 300_000);
  afterEach(async () => {
    for (const ctx of contexts.splice(0)) await ctx.close().catch(() => undefined);
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it('draws Yuzhong’s streets by mean 15-minute coverage, legend counts equal the API; opens the weakest street’s report', async () => {
    const { baseUrl } = served;
    const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'district.yuzhong', password: DEMO_PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const res = await fetch(`${baseUrl}/api/v1/lifecircle/coverage`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const api = (await res.json()) as { streets: LifeCircleStreet[] };
    expect(api.streets.length).toBeGreaterThan(5);
    expect(api.streets.every((s) => s.path.startsWith('50/500103/'))).toBe(true);

    const page = await watchedPage(browser, contexts, errors, { viewport: { width: 1440, height: 900 } });
    await page.goto(`${baseUrl}${served.cockpitPath}`);
    await signIn(page, 'district.yuzhong', DEMO_PASSWORD);
    await waitForMap(page, '500103');
    await page.getByRole('checkbox', { name: /15 分钟生活圈/ }).check();
    await page.getByTestId('lifecircle-legend').waitFor();
    const legend = [];
    for (let k = 0; k < LIFECIRCLE_BINS.length; k++)
      legend.push(Number(await page.getByTestId(`lifecircle-bin-${k}`).getAttribute('data-count')));
    expect(legend).toEqual(binCounts(api.streets));
    await expect
      .poll(() => page.locator('.map').getAttribute('data-lifecircle-streets'))
      .toBe(String(api.streets.length));
    expect(await page.getByTestId('lifecircle-legend').textContent()).toContain('合成');
    await page.waitForTimeout(800);
    await page.locator('.map-wrap > .map').screenshot({ path: shot('layers-lifecircle-yuzhong') });

    // The legend opens the report of the street with the lowest mean coverage.
    const worst = api.streets.reduce((w, s) => (meanShare(s) < meanShare(w) ? s : w));
    await page.getByTestId('lifecircle-worst').click();
    await page.waitForURL(`**/lifecircle/${worst.code}`);
    await page.getByRole('heading', { name: new RegExp(worst.name) }).waitFor();
    const rows = page.getByTestId('lifecircle-table').locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(8);
    const shares: Record<string, number> = {};
    for (const row of await rows.all())
      shares[(await row.getAttribute('data-category'))!] = Number(await row.getAttribute('data-share'));
    expect(shares).toEqual(worst.share);
    await page.getByTestId('lifecircle-sites').locator('li').first().waitFor();
    expect(await page.locator('main').textContent()).toContain('合成');
    await page.screenshot({ path: shot('lifecircle-report') });
    expect(errors).toEqual([]);
  });
});
