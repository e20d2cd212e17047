import { createHash } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOINT_STORY } from '../../src/demo/enforcement-demo.ts';
import { DEMO_PASSWORD } from '../../src/demo/prepare.ts';
import { axeSerious, launchBrowser, type Served, serve, shot } from './harness.ts';

/**
 * The citizen portal's 双随机 page (/citizen/draws) in Chromium against the demo city: a Liangping
 * draw committed and revealed through the API shows its commitment, seed and drawn enterprises per
 * department; "复算核验" re-runs it and says it matches; a committed draw waits for its seed; axe
 * finds no serious or critical violation.
 */
describe('published draws on the citizen portal, in Chromium', () => {
  let served: Served;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  let token = '';
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${served.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    [served, browser] = await Promise.all([serve(), launchBrowser()]);
    token = String(
      (
        await call('POST', '/api/v1/auth/login', {
          username: JOINT_STORY.coordinator,
          password: DEMO_PASSWORD,
        })
      ).body.token,
    );
    context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
  }, 300_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await served?.close();
  });

  it('shows a revealed draw with its seed and result, re-runs it, and a committed one waiting', async () => {
    const seed = 'web-test-seed-5f2c1e9a7b3d4c6e';
    const commitment = createHash('sha256').update(seed).digest('hex');
    const revealed = await call('POST', '/api/v1/enforcement/draws', {
      districtCode: '500155',
      month: '2027-02',
      commitment,
    });
    expect(revealed.status).toBe(201);
    expect(
      (await call('POST', `/api/v1/enforcement/draws/${revealed.body.id}/reveal`, { seed })).status,
    ).toBe(200);
    const waiting = await call('POST', '/api/v1/enforcement/draws', {
      districtCode: '500155',
      month: '2027-03',
      commitment: createHash('sha256').update(`${seed}-next`).digest('hex'),
    });
    expect(waiting.status).toBe(201);

    await page.goto(`${served.baseUrl}/citizen`);
    await page.getByRole('link', { name: '抽查公示' }).click();
    await expect.poll(() => page.url()).toMatch(/\/citizen\/draws$/);
    const card = page.getByRole('article', { name: '500155 2027-02 抽查' });
    await card.waitFor();
    await expect.poll(() => card.textContent()).toContain(seed);
    expect(await card.textContent()).toContain(commitment);
    expect(await card.textContent()).toMatch(/抽中 \d+ 户次/);
    await card.getByRole('button', { name: '复算核验' }).click();
    await expect.poll(() => card.getByRole('status').textContent()).toBe('复算结果与公示一致');
    const pending = page.getByRole('article', { name: '500155 2027-03 抽查' });
    expect(await pending.textContent()).toContain('种子揭示后公布抽查结果');
    await page.screenshot({ path: shot('citizen-draws'), fullPage: true });

    expect(await axeSerious(page)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
