import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATAHUB_USERS, DEMO_RESOURCES } from '../../src/demo/datahub-demo.ts';
import { DEMO_PASSWORD } from '../../src/demo/prepare.ts';
import { axeSerious, launchBrowser, type Served, serve, shot, signIn, watchedPage } from './harness.ts';

/**
 * The cockpit's data-sharing page (/data) in Chromium against the demo city: the data authority
 * follows the header link, searches the catalogue in Chinese, reads the negative list, sees the
 * flows between departments drawn as a Sankey after exchanges made through the gateway's API
 * (one served, one denied), the denial with its entry and legal basis, and axe-core finds no
 * serious or critical violation.
 */
/** What the calls below read of the answers. */
interface Answer {
  token?: string;
  key?: string;
  error?: { details?: { entries?: { id: string; basis: string }[] } };
}

describe('data-sharing page in Chromium', () => {
  let served: Served;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];

  const url = (path: string) => `${served.baseUrl}${served.cockpitPath.replace(/\/$/, '')}${path}`;
  const call = async (path: string, body: unknown, headers: Record<string, string>) => {
    const res = await fetch(`${served.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Answer };
  };

  /** axe's serious and critical violations on the page as it is now, as readable lines. */
  const audit = (page: Page): Promise<string[]> => axeSerious(page);

  beforeAll(async () => {
    [served, browser] = await Promise.all([serve(), launchBrowser()]);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await served?.close();
  });

  it('browses the catalogue and the negative list, draws the flows after exchanges, and passes axe', async () => {
    const page = await watchedPage(browser, contexts, errors, { viewport: { width: 1440, height: 900 } });
    await page.goto(url('/'));
    await signIn(page, DATAHUB_USERS.authority);
    const link = page.getByRole('link', { name: '数据中台' });
    await link.waitFor({ timeout: 30_000 });
    await link.click();
    await page
      .getByRole('heading', { level: 1, name: '数据中台 · 跨部门数据共享' })
      .waitFor({ timeout: 20_000 });
    expect(new URL(page.url()).pathname).toBe('/data');

    // Catalogue: a Chinese keyword search, with each hit's fields and their classes.
    const catalogue = page.locator('.data-catalogue');
    await catalogue.getByText(/共 [\d,]+ 条/).waitFor({ timeout: 20_000 });
    await catalogue.getByLabel('关键词').fill('排污许可');
    await catalogue.getByRole('button', { name: '搜索' }).click();
    const hits = catalogue.locator('.data-resource');
    await expect
      .poll(async () => (await hits.allTextContents()).every((s) => s.includes('排污许可')))
      .toBe(true);
    expect(await hits.count()).toBeGreaterThan(0);
    await catalogue.getByText(/第 1–\d+ 条，共 [\d,]+ 条/).waitFor();
    await expect(hits.first().locator('.field-class').count()).resolves.toBeGreaterThan(0);
    await catalogue.screenshot({ path: shot('datahub-1-catalogue') });

    // The negative list in force: its version and the demo's entry with its legal basis.
    const list = page.locator('.data-list');
    await list.getByText(/现行第 \d+ 版/).waitFor();
    await list.getByLabel('筛选条目（编号、依据、部门）').fill('NL-DEMO-PS-1');
    const row = list.locator('tbody tr', { hasText: 'NL-DEMO-PS-1' });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('不予共享');
    await list.screenshot({ path: shot('datahub-2-negative-list') });

    // Exchanges through the gateway: the water bureau reads the permits (served), tourism asks for police records (denied).
    const login = await call(
      '/api/v1/auth/login',
      { username: DATAHUB_USERS.authority, password: DEMO_PASSWORD },
      {},
    );
    expect(login.status).toBe(200);
    const authority = { authorization: `Bearer ${login.body.token}` };
    const consumer = async (name: string, departmentCode: string) => {
      const r = await call('/api/v1/datahub/consumers', { name, departmentCode }, authority);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      return { 'x-api-key': r.body.key ?? '' };
    };
    const water = await consumer('水利局河长制应用', '50:water_resources');
    const tourism = await consumer('文化旅游委智慧旅游应用', '50:culture_tourism');
    const served1 = await call(
      '/api/v1/datahub/exchange',
      { resourceId: DEMO_RESOURCES.permits, purpose: 'river_chief_pollution_tracing', filters: [] },
      water,
    );
    expect(served1.status, JSON.stringify(served1.body)).toBe(200);
    const denied = await call(
      '/api/v1/datahub/exchange',
      { resourceId: DEMO_RESOURCES.personal, purpose: 'tourist_flow_analysis' },
      tourism,
    );
    expect(denied.status).toBe(403);

    await page.reload();
    const flows = page.locator('.data-flows');
    const sankey = flows.locator('.chart.sankey');
    await sankey.waitFor({ timeout: 20_000 });
    await flows.locator('canvas').waitFor();
    // ECharts' ARIA description lists every flow drawn.
    await expect.poll(() => sankey.getAttribute('aria-label')).toContain('水利 → 生态环境 1');
    const denials = page.locator('.data-denials tbody tr', { hasText: 'NL-DEMO-PS-1' });
    await denials.waitFor();
    const basis = denied.body.error?.details?.entries?.find((e) => e.id === 'NL-DEMO-PS-1')?.basis;
    expect(basis).toBeTruthy();
    await expect(denials.textContent()).resolves.toContain(basis as string);
    await expect(
      page.locator('.data-kpis .tile', { hasText: '数据交换' }).locator('dd').textContent(),
    ).resolves.toMatch(/^[1-9]/);
    await page.locator('.data-approvals').getByText('等待审批').waitFor();
    await flows.scrollIntoViewIfNeeded();
    await page.screenshot({ path: shot('datahub-3-flows') });

    expect(await audit(page)).toEqual([]);

    // English strings for everything on the page.
    await page.getByRole('button', { name: 'English' }).click();
    await page
      .getByRole('heading', { level: 1, name: 'Data platform · sharing between departments' })
      .waitFor();
    await page.getByRole('heading', { name: 'Data flows between departments' }).waitFor();
    await page.screenshot({ path: shot('datahub-4-english'), fullPage: false });
    expect(errors).toEqual([]);
  }, 180_000);
});
