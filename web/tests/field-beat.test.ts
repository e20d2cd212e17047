import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/prepare.ts';
import { launchBrowser, type Served, serve, shot, signIn } from './harness.ts';

/** The field app shows the officer's patrol beats from the newest plan of the district, as the API gives them. */
describe('field app: my patrol beats, in Chromium', () => {
  let served: Served;
  let browser: Browser;
  const tokens: Record<string, string> = {};
  const call = async (method: string, path: string, user: string, body?: unknown) => {
    const res = await fetch(`${served.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  const login = async (username: string) => {
    const res = await fetch(`${served.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password: DEMO_PASSWORD }),
    });
    tokens[username] = (await res.json()).token;
  };

  beforeAll(async () => {
    [served, browser] = await Promise.all([serve(), launchBrowser()]);
    await login('district.yuzhong');
    await login('officer.jiefangbei');
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await served?.close();
  });

  it('lists the beats of 解放碑 in the district’s plan with their hours', async () => {
    const plan = await call('POST', '/api/v1/patrol/plans', 'district.yuzhong', {
      beats: 12,
      shareCap: 0.25,
    });
    expect(plan.status, JSON.stringify(plan.body)).toBe(200);
    const mine = await call('GET', '/api/v1/patrol/beats/mine', 'officer.jiefangbei');
    expect(mine.body.plan.id).toBe(plan.body.id);
    expect(mine.body.beats.length).toBeGreaterThan(0);

    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${served.baseUrl}/field`);
    await signIn(page, 'officer.jiefangbei');
    const section = page.locator('section.beats');
    await page.getByRole('heading', { name: '我的巡区' }).waitFor({ timeout: 30_000 });
    const items = section.locator('li[data-beat]');
    await expect.poll(() => items.count()).toBe(mine.body.beats.length);
    const first = mine.body.beats[0];
    const text = await section.locator(`li[data-beat="${first.id}"]`).textContent();
    expect(text).toContain(first.streetName);
    expect(text).toContain(`${first.hours} 小时`);
    await page.screenshot({ path: shot('field-beats'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
