import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
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

type Counts = Record<'I' | 'II' | 'III' | 'IV' | 'V' | '劣V' | 'none', number>;
const GRADES = ['I', 'II', 'III', 'IV', 'V', '劣V', 'none'] as const;
const PUHE = '蒲河寨溪大桥断面';

/**
 * The cockpit's thematic layers in Chromium against the real app with the demo city, on a
 * manual clock (so task time limits can pass): water class per monitoring section from real
 * readings, crowd density hexagons from real counts, and the choropleth by open events or
 * overdue tasks — each checked against what the API answers.
 */
describe('cockpit map layers in Chromium', () => {
  let app: App;
  let baseUrl: string;
  let dataDir: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  const clock = new ManualClock(new Date());
  let adminToken = '';
  let devices: Awaited<ReturnType<App['services']['sensing']['devices']['list']>> = [];

  const api = async (url: string, token = adminToken, init: RequestInit = {}) => {
    const res = await fetch(`${baseUrl}${url}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { items: never[] } };
  };
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
  /** Stores readings as the devices would send them, then folds them into the rollups (the timer's job). */
  const publish = async (readings: { deviceId: string; payload: Record<string, unknown> }[]) => {
    const sensing = app.services.sensing;
    for (let i = 0; i < readings.length; i += 2000) {
      const r = await sensing.ingest(
        readings.slice(i, i + 2000).map((x) => ({ ...x, receivedAt: clock.now() })),
      );
      expect(r.deadLettered).toBe(0);
    }
    await sensing.evaluateTimers(clock.now());
  };
  const newPage = () => watchedPage(browser, contexts, errors, { viewport: { width: 1440, height: 900 } });
  const login = async (page: Page, username: string, password: string, query = '') => {
    await page.goto(`${baseUrl}/${query}`);
    await signIn(page, username, password);
  };
  const legendCounts = async (page: Page): Promise<Counts> => {
    const out = {} as Counts;
    for (const g of GRADES)
      out[g] = Number(await page.getByTestId(`water-count-${g}`).getAttribute('data-count'));
    return out;
  };

  beforeAll(async () => {
    if (!fs.existsSync(path.join(DIST_DIR, 'index.html'))) throw new Error('run `npm run build:web` first');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-layers-'));
    const config = loadConfig(
      {},
      { dataDir, port: 0, host: '127.0.0.1', adminPassword: ADMIN_PASSWORD, tokenSecret: 'l'.repeat(40) },
    );
    app = await createApp({
      config,
      clock,
      logger: createLogger('silent'),
      database: await openTestDatabase('pglite'),
      scenarios: { crowdIntervalMs: 0 },
    });
    await prepareCity(app, { demo: true });
    if (!app.http.hasRoute({ method: 'GET', url: '/*' }))
      await registerWebRoutes(app.http, { distDir: DIST_DIR });
    [baseUrl, browser] = await Promise.all([app.listen(), launchBrowser()]);
    adminToken = await tokenOf('admin', ADMIN_PASSWORD);

    devices = await app.services.sensing.devices.list(SYSTEM_PRINCIPAL, { limit: 20_000 });
  }, 300_000);
  // Each test feeds the devices it looks at itself, at the clock's time of that test, so the tests
  // hold in any order (the workload test moves the clock two hours on).
  const minutesAgo = (m: number) => new Date(clock.now().getTime() - m * 60_000).toISOString();
  /** An hour of readings from every water-quality station: DO and ammonia give a spread of classes (most sections good, some polluted). */
  const feedWaterStations = async () => {
    const DO = [7.8, 6.4, 6.2, 5.4, 5.6, 5.2, 4.2, 2.6, 1.4, 6.8];
    const readings: { deviceId: string; payload: Record<string, unknown> }[] = [];
    let w = 0;
    for (const d of devices) {
      if (d.type !== 'WaterQualityObserved' || !d.metrics.includes('O2')) continue;
      // Puhe starts good (class II) so that its drop below is seen.
      const o2 = d.sectionName === PUHE ? 6.2 : DO[w++ % DO.length]!;
      for (const m of [50, 20])
        readings.push({
          deviceId: d.id,
          payload: { observedAt: minutesAgo(m), O2: o2, ...(d.metrics.includes('NH4') ? { NH4: 0.4 } : {}) },
        });
    }
    await publish(readings);
  };
  /** Every crowd counter's latest count: Jiefangbei's counters see crowds, the rest of the city a few dozen people each. */
  const feedCrowdCounters = async () => {
    const readings: { deviceId: string; payload: Record<string, unknown> }[] = [];
    let c = 0;
    for (const d of devices) {
      if (d.type !== 'CrowdFlowObserved' || !d.metrics.includes('peopleCount')) continue;
      const near = Math.abs(d.lon - 106.577) < 0.01 && Math.abs(d.lat - 29.557) < 0.01;
      readings.push({
        deviceId: d.id,
        payload: { observedAt: minutesAgo(5), peopleCount: near ? 900 : 10 + (c++ % 40) },
      });
    }
    await publish(readings);
  };
  // A page left open keeps polling and rendering on the 2 shared cores: close each test's pages.
  afterEach(async () => {
    for (const ctx of contexts.splice(0)) await ctx.close().catch(() => undefined);
  });
  afterAll(async () => {
    for (const ctx of contexts) await ctx.close();
    await browser?.close();
    await app?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('colours sections and reaches by GB 3838 class; legend counts equal the API; low DO turns a section 劣V', async () => {
    await feedWaterStations();
    const before = (await api('/api/v1/water/sections')).body as unknown as {
      counts: Counts;
      items: { section: string; class: string | null; stations: unknown[] }[];
    };
    const stations = before.items.reduce((n, s) => n + s.stations.length, 0);
    expect(before.counts.none).toBeLessThan(before.items.length);
    const puhe = before.items.find((s) => s.section === PUHE)!;
    expect(puhe.class).not.toBe('劣V');

    const page = await newPage();
    await login(page, 'admin', ADMIN_PASSWORD);
    await waitForMap(page, '50');
    const red: [number, number, number] = [230, 30, 30];
    const blue: [number, number, number] = [30, 120, 235];
    const green: [number, number, number] = [40, 185, 90];
    const off = await colourPaint(page, [red, blue, green]);
    await page.getByRole('checkbox', { name: /水质类别/ }).check();
    await page.getByTestId('water-legend').waitFor();
    expect(await legendCounts(page)).toEqual(before.counts);
    await expect.poll(() => page.locator('.map').getAttribute('data-water-stations')).toBe(String(stations));
    const reaches = Number(await page.locator('.map').getAttribute('data-water-reaches'));
    expect(reaches).toBeGreaterThan(50);
    await page.waitForTimeout(800);
    await page.locator('.map-wrap > .map').screenshot({ path: shot('layers-water-city') });
    const on = await colourPaint(page, [red, blue, green]);
    console.log(
      `water: ${before.items.length} sections, ${stations} stations, ${reaches} reaches; legend`,
      before.counts,
      'pixels off',
      off,
      'on',
      on,
    );
    expect(on[0]! - off[0]!).toBeGreaterThan(50);
    expect(on[1]! - off[1]!).toBeGreaterThan(200);
    expect(on[2]! - off[2]!).toBeGreaterThan(200);

    // The Puhe station reports dissolved oxygen of 0.2 mg/L every minute for ten minutes: today's
    // mean falls to (2 × 6.2 + 10 × 0.2) / 12 = 1.2 < 2 → 劣V, worse than its target III.
    const station = devices.find((d) => d.sectionName === PUHE)!;
    clock.advance(5 * 60_000);
    await publish(
      [10, 9, 8, 7, 6, 5, 4, 3, 2, 1].flatMap((m) => [
        {
          deviceId: station.id,
          payload: { observedAt: new Date(clock.now().getTime() - m * 60_000).toISOString(), O2: 0.2 },
        },
      ]),
    );
    const after = (await api('/api/v1/water/sections')).body as unknown as typeof before;
    const puheAfter = after.items.find((s) => s.section === PUHE)!;
    expect(puheAfter).toMatchObject({ class: '劣V', meetsTarget: false });
    expect(after.counts.劣V).toBe(before.counts.劣V + 1);
    // The layer refetches when switched on again.
    await page.getByRole('checkbox', { name: /水质类别/ }).uncheck();
    await page.getByRole('checkbox', { name: /水质类别/ }).check();
    await expect.poll(() => legendCounts(page), { timeout: 30_000 }).toEqual(after.counts);

    // In Qijiang the section's station and reach are drawn red.
    await page.goto(`${baseUrl}/?at=500110`);
    await waitForMap(page, '500110');
    await page.getByRole('checkbox', { name: /水质类别/ }).check();
    await page.getByTestId('water-legend').waitFor();
    await page.waitForTimeout(1000);
    await page.locator('.map-wrap > .map').screenshot({ path: shot('layers-water-qijiang') });
    const [qjRed] = await colourPaint(page, [red]);
    expect(qjRed).toBeGreaterThan(30);
    await page.screenshot({ path: shot('layers-water-qijiang-page') });
  }, 180_000);

  it('draws crowd hexagons where the counters report, with the legend from the API', async () => {
    await feedCrowdCounters();
    const density = (await api('/api/v1/crowd/density')).body as unknown as {
      reporting: number;
      people: number;
    };
    expect(density.reporting).toBeGreaterThan(1000);
    const page = await newPage();
    await login(page, 'district.yuzhong', DEMO_PASSWORD);
    await waitForMap(page, '500103');
    const yz = (await api('/api/v1/crowd/density', await tokenOf('district.yuzhong', DEMO_PASSWORD)))
      .body as unknown as {
      reporting: number;
    };
    await page.getByRole('checkbox', { name: /人流密度/ }).check();
    await page.getByTestId('crowd-legend').waitFor();
    await expect(page.getByTestId('crowd-legend').getAttribute('data-reporting')).resolves.toBe(
      String(yz.reporting),
    );
    await expect.poll(() => page.locator('.map').getAttribute('data-crowd')).toBe(String(yz.reporting));
    // The busiest hexagon holds Jiefangbei's counters (900 people each).
    await expect
      .poll(async () => Number((await page.getByTestId('crowd-max').textContent())?.replace(/,/g, '')))
      .toBeGreaterThanOrEqual(1800);
    await page.waitForTimeout(800);
    await page.locator('.map-wrap > .map').screenshot({ path: shot('layers-crowd-yuzhong') });
    const dark: [number, number, number] = [129, 15, 124];
    const light: [number, number, number] = [158, 188, 218];
    const on = await colourPaint(page, [dark, light], 40);
    await page.getByRole('checkbox', { name: /人流密度/ }).uncheck();
    await expect.poll(() => page.locator('.map').getAttribute('data-crowd')).toBe('0');
    await page.waitForTimeout(500);
    const off = await colourPaint(page, [dark, light], 40);
    console.log(`crowd: ${yz.reporting} counters in Yuzhong; hexagon pixels on`, on, 'off', off);
    expect(on[0]! + on[1]! - off[0]! - off[1]!).toBeGreaterThan(100);
  }, 120_000);

  it('colours areas by open events or by overdue tasks, as the legend switch says', async () => {
    // Signed in first: the session's token is issued before the clock jumps.
    const page = await newPage();
    // Every workload answer the page receives, with whether it was asked for after the jump. The
    // city does not stand still while the test looks: two hours without readings set off the
    // no-data rule on every device the earlier tests fed (hundreds of 设备离线 events arrive over
    // the next seconds), so the page is held to the answer it was given, not to an earlier one.
    type Row = { code: string; openEvents: number; overdueTasks: number };
    const answers: { afterJump: boolean; items?: Row[] }[] = [];
    let jumped = false;
    page.on('request', (req) => {
      if (!req.url().includes('/api/v1/areas/workload')) return;
      const answer: (typeof answers)[number] = { afterJump: jumped };
      answers.push(answer);
      void req
        .response()
        .then((res) => res?.json())
        .then((body: { items: Row[] } | undefined) => {
          answer.items = body?.items;
        })
        .catch(() => undefined);
    });
    /** The latest answer the page has, if it was asked for after the jump. */
    const latest = () => {
      const last = answers.findLast((a) => a.items);
      return last?.afterJump ? last.items : undefined;
    };
    await login(page, 'admin', ADMIN_PASSWORD);
    await waitForMap(page, '50');
    const op = await tokenOf('district.yuzhong', DEMO_PASSWORD);
    const report = await api('/api/v1/events', op, {
      method: 'POST',
      body: JSON.stringify({
        description: '解放碑八一路有人露天烧烤，油烟很大',
        location: { lon: 106.5765, lat: 29.5555 },
      }),
    });
    expect(report.status).toBe(201);
    // Two hours later nobody has accepted: every task of it has missed its accept limit.
    clock.advance(2 * 3_600_000);
    jumped = true;
    const workload = (await api('/api/v1/areas/workload')).body as unknown as { items: Row[] };
    const yuzhong = workload.items.find((r) => r.code === '500103')!;
    console.log('workload 500103 right after the jump', yuzhong);
    expect(yuzhong.openEvents).toBeGreaterThan(0);
    expect(yuzhong.overdueTasks).toBeGreaterThan(0);

    const value = page.getByRole('button', { name: /^渝中区/ }).locator('.area-value');
    /** What the page shows for 渝中区 and what its latest answer says, once it has one from after the jump. */
    const shownAndAnswered = async (measure: 'openEvents' | 'overdueTasks') => {
      const row = latest()?.find((r) => r.code === '500103');
      return { shown: await value.textContent(), answered: row ? String(row[measure]) : undefined };
    };
    const same = (x: { shown: string | null; answered?: string }) =>
      x.answered !== undefined && x.shown === x.answered;
    // The workload is polled every 15 s (an answer can take a while on a loaded machine).
    await expect.poll(() => shownAndAnswered('openEvents'), { timeout: 45_000 }).toSatisfy(same);
    // Events are only added after the jump (nothing closes them), so the answer shown holds the report.
    const shownEvents = Number(await value.textContent());
    expect(shownEvents).toBeGreaterThanOrEqual(yuzhong.openEvents);
    await page.getByRole('radio', { name: '超期任务数' }).check();
    await expect.poll(() => shownAndAnswered('overdueTasks'), { timeout: 45_000 }).toSatisfy(same);
    expect(Number(await value.textContent())).toBeGreaterThanOrEqual(yuzhong.overdueTasks);
    // The ramp's top is the busiest district of the same answer (the page's own).
    await expect
      .poll(async () => {
        const items = latest() ?? [];
        const max = Math.max(...items.filter((r) => r.code.length === 6).map((r) => r.overdueTasks));
        return { shown: await page.getByTestId('area-ramp').getAttribute('data-max'), answered: String(max) };
      })
      .toSatisfy(same);
    console.log(
      `渝中区 shown: ${shownEvents} open events (${yuzhong.openEvents} right after the jump), ` +
        `${await value.textContent()} overdue tasks; ${answers.length} workload answers seen`,
    );
    await expect(page.getByText('数字为辖区内超期任务数').count()).resolves.toBe(1);
    await page.waitForTimeout(600);
    await page.screenshot({ path: shot('layers-overdue-city') });
    expect(errors).toEqual([]);
  }, 180_000);
});
