import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { DEMO_PASSWORD, prepareCity } from '../../src/demo/prepare.ts';
import { SYSTEM_PRINCIPAL } from '../../src/platform/access.ts';
import { ManualClock } from '../../src/platform/clock.ts';
import { openTestDatabase } from '../../src/platform/db/testing.ts';
import { registerWebRoutes } from '../../src/platform/http/web.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { ADMIN_PASSWORD, DIST_DIR, launchBrowser, shot, signIn, watchedPage } from './harness.ts';
import { colourPaint, waitForMap } from './map-check.ts';

const LEVELS = ['free', 'basic', 'light', 'moderate', 'severe', 'none'] as const;
type Counts = Record<(typeof LEVELS)[number], number>;
const SEVERE: [number, number, number] = [160, 20, 30];
const FREE: [number, number, number] = [34, 170, 80];

/**
 * The cockpit's traffic layer in Chromium against the real app with the demo city and its road
 * network: every detector reports, the arterials within 800 m of Jiefangbei at a crawl; the
 * links are drawn coloured by level and the legend's counts equal the API's.
 */
describe('cockpit traffic layer in Chromium', () => {
  let app: App;
  let baseUrl: string;
  let dataDir: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  const clock = new ManualClock(new Date());

  const tokenOf = async (username: string, password: string) =>
    (
      (await (
        await fetch(`${baseUrl}/api/v1/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password }),
        })
      ).json()) as { token: string }
    ).token;

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DIST_DIR, 'index.html'))) throw new Error('run `npm run build:web` first');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-traffic-layer-'));
    const config = loadConfig(
      {},
      { dataDir, port: 0, host: '127.0.0.1', adminPassword: ADMIN_PASSWORD, tokenSecret: 'r'.repeat(40) },
    );
    app = await createApp({
      config,
      clock,
      logger: createLogger('silent'),
      database: await openTestDatabase('pglite'),
      scenarios: { crowdIntervalMs: 0 },
      traffic: { intervalMs: 0 },
    });
    await prepareCity(app, { demo: true });
    if (!app.http.hasRoute({ method: 'GET', url: '/*' }))
      await registerWebRoutes(app.http, { distDir: DIST_DIR });
    [baseUrl, browser] = await Promise.all([app.listen(), launchBrowser()]);
    // Every mapped detector reports twice in the last closed 5-minute slot.
    const links = await app.services.traffic.queries.links(SYSTEM_PRINCIPAL, {});
    const slot = Math.floor(clock.now().getTime() / 300_000) * 300_000 - 300_000;
    const readings = links.items.flatMap((l) => {
      const jfb =
        l.class === 'arterial' &&
        l.coordinates.some(
          ([lon, lat]) => Math.hypot((lon! - 106.577) * 96_900, (lat! - 29.557) * 110_900) < 800,
        );
      return l.detectors.flatMap((deviceId) =>
        [60_000, 180_000].map((dt) => ({
          deviceId,
          payload: {
            observedAt: new Date(slot + dt).toISOString(),
            averageVehicleSpeed: jfb ? 12 : 45,
            intensity: 10,
          },
          receivedAt: clock.now(),
        })),
      );
    });
    for (let i = 0; i < readings.length; i += 2000) {
      const r = await app.services.sensing.ingest(readings.slice(i, i + 2000));
      expect(r.deadLettered).toBe(0);
    }
  }, 300_000);
  afterEach(async () => {
    for (const ctx of contexts.splice(0)) await ctx.close().catch(() => undefined);
  });
  afterAll(async () => {
    for (const ctx of contexts) await ctx.close();
    await browser?.close();
    await app?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('draws Yuzhong’s links coloured by congestion level; the legend counts equal the API; zh-CN legend', async () => {
    const token = await tokenOf('district.yuzhong', DEMO_PASSWORD);
    const res = await fetch(`${baseUrl}/api/v1/traffic/links`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const api = (await res.json()) as { counts: Counts; items: { level: string | null }[] };
    expect(api.counts.severe).toBeGreaterThanOrEqual(6);
    expect(api.counts.free).toBeGreaterThan(20);

    const page = await watchedPage(browser, contexts, errors, { viewport: { width: 1440, height: 900 } });
    await page.goto(`${baseUrl}/`);
    await signIn(page, 'district.yuzhong', DEMO_PASSWORD);
    await waitForMap(page, '500103');
    const off = await colourPaint(page, [SEVERE, FREE]);
    await page.getByRole('checkbox', { name: /道路交通/ }).check();
    await page.getByTestId('traffic-legend').waitFor();
    const legend = {} as Counts;
    for (const level of LEVELS)
      legend[level] = Number(await page.getByTestId(`traffic-count-${level}`).getAttribute('data-count'));
    expect(legend).toEqual(api.counts);
    await expect
      .poll(() => page.locator('.map').getAttribute('data-traffic-links'))
      .toBe(String(api.items.length));
    expect(await page.getByTestId('traffic-legend').textContent()).toContain('严重拥堵');

    // Live: a detector on a free-flowing link reports a crawl; the layer refetches only the levels
    // (not the links with their geometry) and the legend counts the link severe.
    const linkFetches: string[] = [];
    page.on('request', (r) => {
      const p = new URL(r.url()).pathname;
      if (p.startsWith('/api/v1/traffic/')) linkFetches.push(p);
    });
    const probe = (await app.services.traffic.queries.links(SYSTEM_PRINCIPAL, { area: '500103' })).items.find(
      (l) => l.level === 'free' && l.detectors.length > 0,
    )!;
    const now = clock.now().getTime();
    const batch = [0, 1].map((i) => ({
      deviceId: probe.detectors[0]!,
      payload: { observedAt: new Date(now - i * 1000).toISOString(), averageVehicleSpeed: 3, intensity: 10 },
      receivedAt: clock.now(),
    }));
    expect((await app.services.sensing.ingest(batch)).deadLettered).toBe(0);
    await app.live.readings(batch);
    await expect
      .poll(async () => Number(await page.getByTestId('traffic-count-severe').getAttribute('data-count')), {
        timeout: 15_000,
      })
      .toBe(api.counts.severe + 1);
    expect(linkFetches).toContain('/api/v1/traffic/levels');
    expect(linkFetches).not.toContain('/api/v1/traffic/links');
    await page.waitForTimeout(800);
    await page.locator('.map-wrap > .map').screenshot({ path: shot('layers-traffic-yuzhong') });
    const on = await colourPaint(page, [SEVERE, FREE]);
    console.log(`traffic: ${api.items.length} links in 渝中`, api.counts, 'pixels off', off, 'on', on);
    expect(on[0]! - off[0]!).toBeGreaterThan(100);
    expect(on[1]! - off[1]!).toBeGreaterThan(500);
    expect(errors).toEqual([]);
  });

  it('opens the traffic index page from the legend: figures equal the API, curves drawn, districts ranked; English too', async () => {
    const token = await tokenOf('operator.500103', DEMO_PASSWORD);
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(clock.now());
    const api = (await (
      await fetch(`${baseUrl}/api/v1/traffic/index?day=${day}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as { figures: { tti: number; arterialSpeedKmh: number; links: number }; districts: unknown[] };
    expect(api.figures.links).toBeGreaterThan(100);

    const page = await watchedPage(browser, contexts, errors, { viewport: { width: 1440, height: 900 } });
    await page.goto(`${baseUrl}/`);
    await signIn(page, 'operator.500103', DEMO_PASSWORD);
    await page.getByRole('checkbox', { name: /道路交通/ }).check();
    await page.getByTestId('traffic-index-link').click();
    await page.getByRole('heading', { name: '交通运行指数' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/traffic');
    const figure = page.getByTestId('traffic-figures');
    await expect
      .poll(() => figure.locator('[data-figure="tti"]').textContent())
      .toContain(api.figures.tti.toFixed(2));
    expect(await figure.locator('[data-figure="arterialSpeedKmh"]').textContent()).toContain(
      `${api.figures.arterialSpeedKmh.toFixed(1)} km/h`,
    );
    expect(await figure.locator('[data-figure="links"]').textContent()).toBe(String(api.figures.links));
    // Two charts (index with the comparison day, arterial speed), each a canvas with its ARIA description.
    await expect.poll(() => page.locator('.chart canvas').count()).toBe(2);
    expect(await page.locator('.chart').first().getAttribute('aria-label')).toContain(
      api.figures.tti.toFixed(2),
    );
    await expect
      .poll(() => page.getByTestId('traffic-districts').locator('tbody tr').count())
      .toBe(api.districts.length);
    expect(await page.getByTestId('traffic-districts').textContent()).toContain('渝中区');
    await page.waitForTimeout(500);
    await page.screenshot({ path: shot('traffic-index-page') });
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Traffic congestion index' }).waitFor();
    expect(errors).toEqual([]);
  });
});
