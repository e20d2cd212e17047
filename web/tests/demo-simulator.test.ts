import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoSimulator } from '../../src/demo/simulator/index.ts';
import { startDemoSimulator } from '../../src/demo/simulator/index.ts';
import { SYSTEM_PRINCIPAL } from '../../src/platform/access.ts';
import { ADMIN_PASSWORD, launchBrowser, type Served, serve, shot, signIn, watchedPage } from './harness.ts';
import { waitForMap } from './map-check.ts';

/** The living demo in Chromium: with the simulator running, the cockpit's legend counts devices online. */
describe('living demo in Chromium', () => {
  let served: Served;
  let browser: Browser;
  let simulator: DemoSimulator | undefined;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];

  beforeAll(async () => {
    [served, browser] = await Promise.all([serve(), launchBrowser()]);
  }, 240_000);
  afterAll(async () => {
    await simulator?.stop();
    for (const c of contexts) await c.close();
    await browser?.close();
    await served?.close();
  });

  it('shows devices online in the cockpit legend once the simulator has run', async () => {
    // The simulator's clock runs 10× fast from 70 s ago: a minute of reports in ~7 s, none in the future.
    const realStart = Date.now();
    const now = () => Math.min(Date.now(), realStart - 70_000 + (Date.now() - realStart) * 10);
    const started = await startDemoSimulator(served.app, { rate: 0.02, now });
    simulator = started.simulator;
    expect(simulator).toBeDefined();
    const simulated = simulator!.stats.devices;
    const sensing = served.app.services.sensing;
    // Online once a sensing tick has written the last-seen times.
    await expect
      .poll(
        async () => {
          await sensing.evaluateTimers();
          return (await sensing.devices.list(SYSTEM_PRINCIPAL, { status: 'online', limit: 5000 })).length;
        },
        { timeout: 60_000, interval: 2000 },
      )
      .toBeGreaterThanOrEqual(simulated - (simulator!.stats.byType.WaterQualityObserved ?? 0));

    const page = await watchedPage(browser, contexts, errors, { viewport: { width: 1440, height: 900 } });
    await page.goto(`${served.baseUrl}${served.cockpitPath}`);
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await waitForMap(page, '50');
    const online = page.getByTestId('device-status-online');
    await online.waitFor({ timeout: 30_000 });
    const count = Number(await online.getAttribute('data-count'));
    console.log(`cockpit legend: ${count} devices online of ${simulated} simulated`);
    expect(count).toBeGreaterThan(0);
    expect(count).toBeGreaterThanOrEqual(simulated - (simulator!.stats.byType.WaterQualityObserved ?? 0));
    await page.screenshot({ path: shot('cockpit-living-demo') });
    expect(errors).toEqual([]);
  }, 180_000);
});
