import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/prepare.ts';
import { ADMIN_PASSWORD, launchBrowser, type Served, serve, shot, watchedPage } from './harness.ts';
import { devicePaint, mapPaint, waitForMap } from './map-check.ts';

/**
 * The three faces in Debian's Chromium against the real server with the demo city:
 * scoped login, drill-down by map and by list, language switch, keyboard-only login,
 * the citizen form, the installable field app, and first-load timings.
 */
describe('citybrain web in Chromium', () => {
  let served: Served;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];

  // Expected 4xx answers (a wrong password, probing for Open311) log "Failed to load resource";
  // server errors are caught from the responses instead (see watchedPage).
  const newPage = (viewport = { width: 1440, height: 900 }): Promise<Page> =>
    watchedPage(browser, contexts, errors, { viewport, serviceWorkers: 'allow' });
  const cockpit = (query = '') => `${served.baseUrl}${served.cockpitPath}${query}`;
  const login = async (page: Page, username: string, password: string) => {
    await page.getByLabel('用户名').fill(username);
    await page.getByLabel('密码').fill(password);
    await page.getByRole('button', { name: '登录' }).click();
  };
  const crumbs = (page: Page) => page.getByRole('navigation', { name: '当前辖区' }).getByRole('listitem');

  beforeAll(async () => {
    [served, browser] = await Promise.all([serve(), launchBrowser()]);
  });
  // Checked after every test (not as a last test, which a shuffled run may put first). Offline
  // reloads legitimately fail API calls; everything else must be clean.
  afterEach(() => {
    const unexpected = errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|net::ERR/.test(e));
    expect(unexpected).toEqual([]);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await served?.close();
  });

  it('measures first load of the cockpit on localhost', async () => {
    const page = await newPage();
    const started = Date.now();
    await page.goto(cockpit());
    await page.getByLabel('用户名').waitFor();
    const visibleMs = Date.now() - started;
    const nav = await page.evaluate(() => {
      const n = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      const bytes = performance
        .getEntriesByType('resource')
        .reduce((sum, r) => sum + ((r as PerformanceResourceTiming).transferSize || 0), n.transferSize);
      return {
        domContentLoaded: Math.round(n.domContentLoadedEventEnd),
        load: Math.round(n.loadEventEnd),
        firstContentfulPaint: Math.round(fcp?.startTime ?? -1),
        transferredKiB: Math.round(bytes / 1024),
      };
    });
    await login(page, 'district.yuzhong', DEMO_PASSWORD);
    const signedIn = Date.now();
    await waitForMap(page, '500103');
    const mapMs = Date.now() - signedIn;
    console.log(
      `first load (localhost, cold cache): DOMContentLoaded ${nav.domContentLoaded} ms, load ${nav.load} ms, ` +
        `first contentful paint ${nav.firstContentfulPaint} ms, login form visible ${visibleMs} ms, ` +
        `${nav.transferredKiB} KiB transferred; after sign-in, district map drawn in ${mapMs} ms`,
    );
    expect(nav.load).toBeGreaterThan(0);
  });

  it('measures the weight of the signed-in city view and of a drill-down (issue 18: ≤ 600 KiB, ≤ 1 s)', async () => {
    const page = await newPage();
    await page.goto(cockpit());
    const weight = () =>
      page.evaluate(() => {
        const rs = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
        const api = rs.filter((r) => r.name.includes('/api/'));
        const kib = (xs: PerformanceResourceTiming[], k: 'transferSize' | 'decodedBodySize') =>
          Math.round(xs.reduce((n, r) => n + (r[k] || 0), 0) / 1024);
        return {
          requests: rs.length,
          transferredKiB: kib(rs, 'transferSize'),
          decodedKiB: kib(rs, 'decodedBodySize'),
          apiTransferredKiB: kib(api, 'transferSize'),
          biggest: api
            .sort((a, b) => b.transferSize - a.transferSize)
            .slice(0, 4)
            .map((r) => `${new URL(r.name).pathname} ${Math.round(r.transferSize / 1024)} KiB`),
          allFiles: rs.filter((r) => !r.name.includes('/api/')).map((r) => new URL(r.name).pathname),
          files: rs
            .filter((r) => !r.name.includes('/api/'))
            .sort((a, b) => b.transferSize - a.transferSize)
            .slice(0, 8)
            .map(
              (r) =>
                `${new URL(r.name).pathname.replace('/assets/', '')} ${Math.round(r.transferSize / 1024)}`,
            ),
        };
      });
    await login(page, 'admin', ADMIN_PASSWORD);
    const signedIn = Date.now();
    await waitForMap(page, '50');
    await page.getByTestId('device-count').waitFor({ timeout: 30_000 });
    const cityMs = Date.now() - signedIn;
    const city = await weight();
    await page.evaluate(() => performance.clearResourceTimings());
    const drilled = Date.now();
    await page.getByRole('button', { name: /^渝中区/ }).click();
    await waitForMap(page, '500103');
    const drillMs = Date.now() - drilled;
    const drill = await weight();
    // Again, the data cached (and reduced motion, which MapLibre honours; the drill is a cut anyway).
    await page.getByRole('link', { name: '重庆市' }).click();
    await waitForMap(page, '50');
    await page.emulateMedia({ reducedMotion: 'reduce' });
    const jumped = Date.now();
    await page.getByRole('button', { name: /^渝中区/ }).click();
    await waitForMap(page, '500103');
    const jumpMs = Date.now() - jumped;
    console.log(
      `signed in as the city admin: map with devices in ${cityMs} ms, ${city.requests} requests, ` +
        `${city.transferredKiB} KiB over the wire (${city.apiTransferredKiB} KiB API), ${city.decodedKiB} KiB decoded; ` +
        `largest: ${city.biggest.join(', ')}; files (KiB): ${city.files.join(', ')}. Drill-down to 渝中区: ${drillMs} ms, ${drill.transferredKiB} KiB; ` +
        `again with the data cached: ${jumpMs} ms`,
    );
    // Issue 18's 600 KiB and 1 s are not met yet (web/README.md): what is asserted is what was won.
    // The first view loads no deck.gl (devices and teams are MapLibre layers) and no ECharts.
    expect(city.allFiles.filter((f) => /deckgl|luma|echarts/.test(f))).toEqual([]);
    expect(city.transferredKiB).toBeLessThan(700);
    expect(city.apiTransferredKiB).toBeLessThan(180);
  });

  it('logs in with the keyboard only, announces a wrong password, and scopes a street operator', async () => {
    const page = await newPage();
    await page.goto(cockpit());
    // Labels exist and point at their inputs.
    await expect(page.getByLabel('用户名').getAttribute('autocomplete')).resolves.toBe('username');
    await expect(page.getByLabel('密码').getAttribute('type')).resolves.toBe('password');
    // Focus order: language switch, username, password, sign-in button.
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      order.push(
        await page.evaluate(
          () => document.activeElement?.getAttribute('name') ?? document.activeElement?.textContent ?? '',
        ),
      );
    }
    expect(order).toEqual(['English', 'username', 'password', '登录']);
    // Wrong password: the error is announced (role=alert) and the user stays on the form.
    await page.getByLabel('用户名').focus();
    await page.keyboard.type('street.jiefangbei');
    await page.keyboard.press('Tab');
    await page.keyboard.type('wrong-password');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('用户名或密码错误');
    await page.screenshot({ path: shot('login-error') });
    // Right password, keyboard only.
    await page.getByLabel('密码').focus();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(DEMO_PASSWORD);
    await page.keyboard.press('Enter');
    await waitForMap(page, '500103003');
    await expect.poll(() => crumbs(page).allTextContents()).toEqual(['重庆市', '渝中区', '解放碑街道']);
    const current = page.getByRole('navigation', { name: '当前辖区' }).locator('[aria-current="page"]');
    await expect(current.textContent()).resolves.toBe('解放碑街道');
    // Above the scope the breadcrumb is text, not a link: a street cannot look at its district.
    await expect(page.getByRole('navigation', { name: '当前辖区' }).getByRole('link').count()).resolves.toBe(
      0,
    );
    // Neighbouring streets are listed but not selectable.
    await expect(page.getByRole('button', { name: /^七星岗街道/ }).isDisabled()).resolves.toBe(true);
    const paint = await mapPaint(page);
    expect(paint.areaPixels).toBeGreaterThan(1000);
    await page.screenshot({ path: shot('cockpit-street-jiefangbei') });
    // Out-of-scope focus in the URL falls back to the user's own street.
    await page.goto(cockpit('?at=500103001'));
    await waitForMap(page, '500103003');
    await expect(current.textContent()).resolves.toBe('解放碑街道');
  });

  it('lets a district operator drill into a street by clicking the map, and back by the breadcrumb', async () => {
    const page = await newPage();
    await page.goto(cockpit());
    await login(page, 'district.yuzhong', DEMO_PASSWORD);
    await waitForMap(page, '500103');
    await expect.poll(() => crumbs(page).allTextContents()).toEqual(['重庆市', '渝中区']);
    const streets = await page.locator('.area-list button').count();
    expect(streets).toBeGreaterThanOrEqual(10);
    await page.screenshot({ path: shot('cockpit-district-yuzhong') });
    // Click the map where 解放碑街道's label sits (labels let clicks through to the map).
    const box = await page.locator('.map-label', { hasText: '解放碑街道' }).boundingBox();
    expect(box).not.toBeNull();
    await page.mouse.click(box!.x + box!.width / 2, box!.y + box!.height / 2);
    await waitForMap(page, '500103003');
    await expect.poll(() => crumbs(page).allTextContents()).toEqual(['重庆市', '渝中区', '解放碑街道']);
    await page.screenshot({ path: shot('cockpit-district-drilled-jiefangbei') });
    await page.getByRole('link', { name: '渝中区' }).click();
    await waitForMap(page, '500103');
    await expect.poll(() => crumbs(page).allTextContents()).toEqual(['重庆市', '渝中区']);
    // Browser back returns to the street.
    await page.goBack();
    await waitForMap(page, '500103003');
  });

  it('lets the city admin drill city → 渝中区 → back, and switch to English (remembered)', async () => {
    const page = await newPage();
    await page.goto(cockpit());
    await login(page, 'admin', ADMIN_PASSWORD);
    await waitForMap(page, '50');
    await expect.poll(() => crumbs(page).allTextContents()).toEqual(['重庆市']);
    await expect(page.locator('.area-list button').count()).resolves.toBe(38);
    const paint = await mapPaint(page);
    expect(paint.areaPixels).toBeGreaterThan(20_000);
    expect(paint.riverPixels).toBeGreaterThan(50);
    // The teams chart is drawn from real /api/v1/teams data.
    await expect(page.locator('.kpis .tile').first().locator('dd').textContent()).resolves.toMatch(
      /^[1-9][\d,]*$/,
    );
    await page.locator('.chart canvas').first().waitFor();
    await page.screenshot({ path: shot('cockpit-city-admin') });
    await page.getByRole('button', { name: /^渝中区/ }).click();
    await waitForMap(page, '500103');
    await expect.poll(() => crumbs(page).allTextContents()).toEqual(['重庆市', '渝中区']);
    await page.screenshot({ path: shot('cockpit-city-drilled-yuzhong') });
    await page.getByRole('link', { name: '重庆市' }).click();
    await waitForMap(page, '50');
    await expect.poll(() => crumbs(page).allTextContents()).toEqual(['重庆市']);

    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.lang)).toBe('en');
    await page.getByRole('heading', { name: 'Live events' }).waitFor();
    await expect(page.getByText('No events yet').count()).resolves.toBe(1);
    await page.reload();
    await page.getByRole('heading', { name: 'Indicators' }).waitFor();
    await waitForMap(page, '50');
    await expect(
      page.getByRole('navigation', { name: 'Current jurisdiction' }).textContent(),
    ).resolves.toContain('Chongqing');
    await page.screenshot({ path: shot('cockpit-city-admin-en') });
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { name: '实时事件' }).waitFor();
  });

  it('draws every device in the admin scope as one map layer, toggled in the legend; plans are honestly empty', async () => {
    // What the API says: all devices (keyset pages of 5,000) and the plans.
    const { token } = (await (
      await fetch(`${served.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
      })
    ).json()) as { token: string };
    const get = async (url: string) =>
      (await fetch(`${served.baseUrl}${url}`, { headers: { authorization: `Bearer ${token}` } })).json();
    let total = 0;
    let afterId = '';
    for (;;) {
      const { items } = (await get(`/api/v1/devices?limit=5000${afterId ? `&afterId=${afterId}` : ''}`)) as {
        items: { id: string }[];
      };
      total += items.length;
      if (items.length < 5000) break;
      afterId = items.at(-1)!.id;
    }
    expect(total).toBeGreaterThan(1000);
    const plans = (await get('/api/v1/plans')) as { items: { status: string }[] };
    expect(plans.items.filter((p) => p.status === 'active')).toEqual([]);

    const page = await newPage();
    await page.goto(cockpit());
    await login(page, 'admin', ADMIN_PASSWORD);
    await waitForMap(page, '50');
    const count = page.getByTestId('device-count');
    await count.waitFor({ timeout: 30_000 });
    await expect(count.getAttribute('data-count')).resolves.toBe(String(total));
    await expect(count.textContent()).resolves.toBe(`设备 (${total.toLocaleString()})`);
    await expect.poll(() => page.locator('.map').getAttribute('data-devices')).toBe(String(total));
    await page.waitForTimeout(500);
    await page.locator('.map-wrap > .map').screenshot({ path: shot('cockpit-devices-map') });
    const shown = await devicePaint(page);
    const plansPanel = page.getByRole('region', { name: '进行中的预案' });
    await expect(plansPanel.getByText('暂无进行中的预案').count()).resolves.toBe(1);
    await page.screenshot({ path: shot('cockpit-devices-admin') });

    // The legend toggle hides the layer: the device pixels go.
    await page.getByRole('checkbox', { name: /^设备/ }).uncheck();
    await expect.poll(() => page.locator('.map').getAttribute('data-devices')).toBe('0');
    await page.waitForTimeout(500);
    await page.locator('.map-wrap > .map').screenshot({ path: shot('cockpit-devices-hidden') });
    const hidden = await devicePaint(page);
    console.log(`devices: ${total} in the legend and on the map; pixels shown`, shown, 'hidden', hidden);
    const painted = (p: typeof shown) => p.online + p.offline + p.alerted;
    expect(painted(shown) - painted(hidden)).toBeGreaterThan(1000);
    await page.getByRole('checkbox', { name: /^设备/ }).check();
    await expect.poll(() => page.locator('.map').getAttribute('data-devices')).toBe(String(total));

    // Drilled into a district, the layer holds that district's devices only.
    const yuzhong = (await get('/api/v1/devices/points?area=500103')) as { count: number };
    expect(yuzhong.count).toBeGreaterThan(0);
    expect(yuzhong.count).toBeLessThan(total);
    await page.goto(cockpit('?at=500103'));
    await waitForMap(page, '500103');
    await expect.poll(() => count.getAttribute('data-count')).toBe(String(yuzhong.count));
    await expect.poll(() => page.locator('.map').getAttribute('data-devices')).toBe(String(yuzhong.count));
    await page.locator('.map-wrap > .map').screenshot({ path: shot('cockpit-devices-yuzhong') });
    // A device's tooltip (MapLibre layer, queryRenderedFeatures): type and status at once, then its
    // name and last report once read. Searched for around the middle of the map, where the district is.
    const box = (await page.locator('.map-wrap > .map').boundingBox())!;
    const tip = page.locator('.map-tooltip:not([hidden])');
    let at: [number, number] | undefined;
    for (let r = 0; r <= 120 && !at; r += 8) {
      for (let a = 0; a < 360 && !at; a += r ? 30 : 360) {
        const xy: [number, number] = [
          box.x + box.width * 0.6 + r * Math.cos((a * Math.PI) / 180),
          box.y + box.height * 0.45 + r * Math.sin((a * Math.PI) / 180),
        ];
        await page.mouse.move(...xy);
        if ((await tip.count()) && /在线|离线|故障/.test((await tip.textContent()) ?? '')) at = xy;
      }
    }
    expect(at).toBeDefined();
    await expect
      .poll(async () => {
        await page.mouse.move(at![0] + 1, at![1]);
        await page.mouse.move(...at!);
        return tip.textContent();
      })
      .toMatch(/\(.+\)[\s\S]*(在线|离线|故障)[\s\S]*(最后上报|从未上报)/);
    await page.locator('.map-wrap > .map').screenshot({ path: shot('cockpit-device-tooltip') });
    // The map's points are columns: a fraction of the device list's bytes.
    const size = async (url: string) =>
      (
        await (
          await fetch(`${served.baseUrl}${url}`, { headers: { authorization: `Bearer ${token}` } })
        ).text()
      ).length;
    const [pointsBytes, listBytes] = [
      await size('/api/v1/devices/points'),
      await size('/api/v1/devices?limit=5000'),
    ];
    console.log(
      `device points: ${pointsBytes} bytes for ${total} devices; the list: ${listBytes} bytes per 5,000`,
    );
    expect(pointsBytes).toBeLessThan(listBytes);
  });

  it('shows the citizen form, locates a pin and stays honest about intake', async () => {
    const page = await newPage({ width: 390, height: 844 });
    const tiles: number[] = [];
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.startsWith('/api/v1/basemap/tiles/')) tiles.push(r.status());
    });
    await page.goto(`${served.baseUrl}/citizen`);
    await page.getByLabel('问题描述').fill('解放碑步行街井盖缺失');
    await expect(page.getByLabel('照片（可选，最多 6 张）').getAttribute('accept')).resolves.toBe('image/*');
    await page.locator('.pin-map canvas').waitFor();
    // On a phone the map is below the fold (description, photos and the place search come first).
    await page.locator('.pin-map').scrollIntoViewIfNeeded();
    await page.waitForTimeout(500);
    // The street base map: the platform's own vector tiles, district names as HTML labels in Chinese.
    await expect.poll(() => tiles.filter((s) => s === 200).length).toBeGreaterThan(0);
    expect(tiles.every((s) => s === 200 || s === 204)).toBe(true);
    await page.locator('.pin-map .map-label', { hasText: '渝中区' }).waitFor({ state: 'attached' });
    await page.locator('.pin-map').screenshot({ path: shot('citizen-pin-map') });
    const map = await page.locator('.pin-map').boundingBox();
    await page.mouse.click(map!.x + map!.width * 0.62, map!.y + map!.height * 0.45);
    await expect.poll(() => page.locator('.place').textContent()).toMatch(/^重庆市 \/ .+区 \/ .+/);
    const open311 = (await fetch(`${served.baseUrl}/open311/v2/services.json`)).ok;
    const submit = page.getByRole('button', { name: '提交' });
    if (!open311) {
      await expect(submit.isDisabled()).resolves.toBe(true);
      await expect(page.getByRole('note').first().textContent()).resolves.toContain('尚未开通');
    }
    await page.screenshot({ path: shot('citizen-form'), fullPage: true });
    // At street level the street names come in (from zoom 12), and follow the UI language.
    await page.locator('.pin-map canvas').focus();
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Equal');
      await page.waitForTimeout(400);
    }
    await expect
      .poll(async () => Number(await page.locator('.pin-map .map').getAttribute('data-zoom')))
      .toBeGreaterThanOrEqual(12);
    await page.locator('.pin-map .map-label', { hasText: /街道$/ }).first().waitFor({ state: 'attached' });
    await page.locator('.pin-map').screenshot({ path: shot('citizen-pin-map-streets') });
    await page.getByRole('button', { name: 'English' }).click();
    await page.locator('.pin-map .map-label', { hasText: 'Yuzhong' }).first().waitFor({ state: 'attached' });
    await page.locator('.pin-map').screenshot({ path: shot('citizen-pin-map-en') });
  });

  it('installs the field app shell, signs in an officer and opens offline', async () => {
    const page = await newPage({ width: 390, height: 844 });
    await page.goto(`${served.baseUrl}/field`);
    await expect(page.locator('link[rel="manifest"]').getAttribute('href')).resolves.toBe(
      '/field.webmanifest',
    );
    const manifest = await (await fetch(`${served.baseUrl}/field.webmanifest`)).json();
    expect(manifest).toMatchObject({ start_url: '/field', display: 'standalone' });
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    expect(scope).toBe(`${served.baseUrl}/field`);
    await login(page, 'officer.jiefangbei', DEMO_PASSWORD);
    await page.getByRole('heading', { name: '我的任务' }).waitFor();
    // The list loads after the heading: wait for it rather than count at once.
    await page.getByText('暂无任务').waitFor();
    await expect(page.getByText('暂无任务').count()).resolves.toBe(1);
    await page.screenshot({ path: shot('field-tasks') });
    // Offline: the shell comes from the service worker's cache.
    await page.context().setOffline(true);
    await page.reload();
    await page.getByRole('heading', { name: '我的任务' }).waitFor();
    await expect(page.getByRole('status').first().textContent()).resolves.toBe('离线');
    await page.screenshot({ path: shot('field-offline') });
    await page.context().setOffline(false);
  });
});
