import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_PASSWORD,
  axeSerious,
  launchBrowser,
  type Served,
  serve,
  shot,
  signIn,
  watchedPage,
} from './harness.ts';
import { waitForMap } from './map-check.ts';

/**
 * Accessibility of every page of the three faces, signed in and out, with axe-core in Debian's
 * Chromium: no violation of impact serious or critical (WCAG 2.1 A/AA rules and axe's best practices).
 */
describe('accessibility of the three faces (axe-core)', () => {
  let served: Served;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  let eventId = '';

  const newPage = (width = 1440, height = 900) =>
    watchedPage(browser, contexts, errors, { viewport: { width, height } });
  const cockpit = (path = '') => `${served.baseUrl}${served.cockpitPath.replace(/\/$/, '')}${path}`;

  /** axe's serious and critical violations on the page as it is now, as readable lines. */
  const audit = async (page: Page, name: string): Promise<string[]> => {
    await page.screenshot({ path: shot(`a11y-${name}`) });
    return (await axeSerious(page)).map((line) => `${name}: ${line}`);
  };

  beforeAll(async () => {
    [served, browser] = await Promise.all([serve(), launchBrowser()]);
    const res = await fetch(`${served.baseUrl}/api/v1/citizen/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        description: '较场口夜市露天烧烤油烟太大',
        location: { lon: 106.574, lat: 29.551 },
      }),
    });
    expect(res.status).toBe(201);
    eventId = ((await res.json()) as { event: { id: string } }).event.id;
  });
  afterEach(() => {
    expect(errors).toEqual([]);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await served?.close();
  });

  it('cockpit: login, the city admin’s signed-in view and an event page', async () => {
    const page = await newPage();
    await page.goto(cockpit('/'));
    await page.getByLabel('用户名').waitFor();
    const found = await audit(page, 'cockpit-login');
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await waitForMap(page, '50');
    found.push(...(await audit(page, 'cockpit-city')));
    await page.goto(cockpit(`/events/${eventId}`));
    await page.getByRole('heading', { name: '事件详情' }).waitFor();
    found.push(...(await audit(page, 'cockpit-event')));
    expect(found).toEqual([]);
  });

  it('citizen portal on a phone: the complaint form', async () => {
    const page = await newPage(390, 844);
    await page.goto(`${served.baseUrl}/citizen`);
    await page.getByRole('button', { name: /提交/ }).first().waitFor();
    expect(await audit(page, 'citizen-form')).toEqual([]);
    // With the place search's results open.
    await page.getByLabel('搜索地点').fill('解放碑');
    await page.locator('.place-results button').first().waitFor();
    expect(await audit(page, 'citizen-form-search')).toEqual([]);
  });

  it('field app on a phone: login and an officer’s task list', async () => {
    const page = await newPage(390, 844);
    await page.goto(`${served.baseUrl}/field`);
    await page.getByLabel('用户名').waitFor();
    const found = await audit(page, 'field-login');
    await signIn(page, 'officer.jiefangbei');
    await page.locator('article.task-card').first().waitFor();
    found.push(...(await audit(page, 'field-tasks')));
    expect(found).toEqual([]);
  });
});
