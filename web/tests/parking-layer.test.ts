import fs from 'node:fs';
import { sql } from 'kysely';
import mqtt from 'mqtt';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, demoSecretsFile } from '../../src/demo/prepare.ts';
import { observationTopic } from '../../src/platform/mqtt/topics.ts';
import { PARKING_BINS, type ParkingSite, parkingCounts, windowsText } from '../src/map/parking.ts';
import { launchBrowser, type Served, serve, shot, signIn, watchedPage } from './harness.ts';
import { waitForMap } from './map-check.ts';

type Sites = {
  totals: { sites: number; total: number; free: number; occupied: number };
  items: ParkingSite[];
};

/**
 * The cockpit's shared parking layer in Chromium against the real app with the demo city: switched
 * on, one dot per site of the area in focus, coloured by its share of free spaces; the legend's
 * counts equal the API's; a space's sensor reporting over MQTT (the embedded broker, as a device
 * does) moves the legend within seconds, through the live stream, not the 30 s refresh.
 */
describe('cockpit parking layer in Chromium', () => {
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

  const tokenOf = async (username: string) => {
    const res = await fetch(`${served.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: DEMO_PASSWORD }),
    });
    return ((await res.json()) as { token: string }).token;
  };
  const sites = async (token: string, query = '') =>
    (await (
      await fetch(`${served.baseUrl}/api/v1/parking/sites${query}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as Sites;

  it('draws Yuzhong’s shared parking sites by free share; legend equals the API; a sensor report shows live; narrowed on drill-down', async () => {
    const { app, baseUrl } = served;
    const token = await tokenOf('district.yuzhong');
    const api = await sites(token);
    expect(api.items.length).toBeGreaterThan(10);
    expect(api.totals.total).toBe(api.items.length * 40);
    expect((await fetch(`${baseUrl}/api/v1/parking/sites`)).status).toBe(401);
    const bad = await fetch(`${baseUrl}/api/v1/parking/sites?area=`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_request');

    const page = await watchedPage(browser, contexts, errors, { viewport: { width: 1440, height: 900 } });
    await page.goto(`${baseUrl}${served.cockpitPath}`);
    await signIn(page, 'district.yuzhong', DEMO_PASSWORD);
    await waitForMap(page, '500103');
    await page.getByRole('checkbox', { name: /共享停车/ }).check();
    const legend = page.getByTestId('parking-legend');
    await legend.waitFor();
    const counts = [];
    for (let k = 0; k < PARKING_BINS.length; k++)
      counts.push(Number(await page.getByTestId(`parking-bin-${k}`).getAttribute('data-count')));
    counts.push(Number(await page.getByTestId('parking-bin-closed').getAttribute('data-count')));
    expect(counts).toEqual(parkingCounts(api.items));
    expect(Number(await legend.getAttribute('data-total'))).toBe(api.totals.total);
    await expect
      .poll(() => page.locator('.map').getAttribute('data-parking-sites'))
      .toBe(String(api.items.length));
    expect(await legend.textContent()).toContain('共享车位');
    // The tooltip text's sharing window, in Chinese weekday names.
    expect(
      windowsText(api.items[0]!.windows, ['周一', '周二', '周三', '周四', '周五', '周六', '周日']),
    ).toMatch(/周[一二三四五六日].* \d\d:\d\d–\d\d:\d\d/);
    await page.waitForTimeout(800);
    await page.locator('.map-wrap > .map').screenshot({ path: shot('layers-parking-yuzhong') });

    // A free space with a sensor, of a site in 渝中, reports occupied over MQTT.
    const spot = (
      await sql<{ id: string; site_id: string; sensor_id: string }>`
        select s.id, s.site_id, s.sensor_id from pk_spot s join pk_site p on p.id = s.site_id
        where s.sensor_id is not null and s.status <> 'occupied' and p.jurisdiction_path like '%/500103%'
        order by s.id limit 1`.execute(app.database.db)
    ).rows[0]!;
    const secrets = JSON.parse(fs.readFileSync(demoSecretsFile(app.config.dataDir), 'utf8')) as {
      deviceId: string;
      secret: string;
    }[];
    const secret = secrets.find((c) => c.deviceId === spot.sensor_id)!.secret;
    const before = api.items.find((s) => s.id === spot.site_id)!;
    const device = await mqtt.connectAsync(app.mqtt!.url, {
      clientId: spot.sensor_id,
      username: spot.sensor_id,
      password: secret,
      reconnectPeriod: 0,
    });
    const sent = Date.now();
    await device.publishAsync(
      observationTopic(spot.sensor_id),
      JSON.stringify({ observedAt: new Date().toISOString(), status: 'occupied' }),
      { qos: 1 },
    );
    await device.endAsync();
    const after = (await sites(token)).items.find((s) => s.id === spot.site_id)!;
    expect(after.occupied).toBe(before.occupied + 1);
    expect(after.free).toBe(before.sharedNow ? before.free - 1 : before.free);
    await expect
      .poll(() => legend.getAttribute('data-occupied'), { timeout: 10_000 })
      .toBe(String(api.totals.occupied + 1));
    const shownMs = Date.now() - sent;
    console.log(
      `parking: ${api.items.length} sites in 渝中, bins`,
      counts,
      `sensor report shown in ${shownMs} ms`,
    );
    expect(shownMs).toBeLessThan(10_000);

    // Drilled into a street: only the street's sites (the API's answer for that area).
    const street = api.items.length
      ? (
          await sql<{ code: string }>`
            select split_part(jurisdiction_path, '/', 3) as code from pk_site
            where jurisdiction_path like '%/500103/%' group by 1 order by count(*) desc limit 1`.execute(
            app.database.db,
          )
        ).rows[0]!.code
      : '';
    const narrowed = await sites(token, `?area=${street}`);
    expect(narrowed.items.length).toBeGreaterThan(0);
    expect(narrowed.items.length).toBeLessThan(api.items.length);
    await page.goto(`${baseUrl}${served.cockpitPath.replace(/\/$/, '')}/?at=${street}`);
    await waitForMap(page, street);
    await page.getByRole('checkbox', { name: /共享停车/ }).check();
    await expect
      .poll(() => page.locator('.map').getAttribute('data-parking-sites'))
      .toBe(String(narrowed.items.length));
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => legend.textContent()).toContain('shared spaces');
    expect(errors).toEqual([]);
  });
});
