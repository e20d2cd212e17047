import { createHash } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOINT_STORY } from '../../src/demo/enforcement-demo.ts';
import { DEMO_PASSWORD } from '../../src/demo/prepare.ts';
import { axeSerious, launchBrowser, type Served, serve, shot, signIn } from './harness.ts';

/**
 * The cockpit's joint-enforcement page (/enforcement) in Chromium against the demo city: after a
 * Liangping draw is committed and revealed (its inspections merged into joint visits), the page's
 * figures — planned inspections, visits, the visits cut, the joint share, visits per enterprise
 * against the unmerged plan — equal the KPIs API's, per district and per department; so do the
 * complaints about repeated inspections (one recorded through the API, the rest the demo's synthetic
 * ones) against the previous year, in total and per district; English too; axe finds no serious or
 * critical violation.
 */
describe('joint enforcement in the cockpit, in Chromium', () => {
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
  type ComplaintTotals = {
    repeatComplaints: number;
    substantiatedComplaints: number;
    complaintsPerThousandEnterprises: number;
    previousRepeatComplaints: number;
    repeatComplaintsChange: number | null;
  };
  const change = (x: number | null) => (x === null ? '—' : `${x > 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);
  /** The complaint figures on the page equal the API's total. */
  const expectComplaints = async (total: ComplaintTotals) => {
    const figures = page.getByTestId('enforcement-complaints');
    const figure = (name: string) => figures.locator(`[data-figure="${name}"]`).textContent();
    await expect.poll(() => figure('repeatComplaints')).toBe(total.repeatComplaints.toLocaleString('zh-CN'));
    expect(await figure('substantiatedComplaints')).toBe(
      total.substantiatedComplaints.toLocaleString('zh-CN'),
    );
    expect(await figure('complaintsPerThousandEnterprises')).toBe(
      total.complaintsPerThousandEnterprises.toFixed(2),
    );
    expect(await figure('previousRepeatComplaints')).toBe(
      total.previousRepeatComplaints.toLocaleString('zh-CN'),
    );
    expect(await figure('repeatComplaintsChange')).toBe(change(total.repeatComplaintsChange));
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
    context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
  }, 300_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await served?.close();
  });

  it('shows the visits cut and the joint share as the API computes them, per district and department', async () => {
    const year = new Date().getFullYear() + 1;
    // A 12345 operator records a caller's complaint about the plant (this year's figures count it).
    const complaint = await call('POST', '/api/v1/enforcement/complaints', {
      enterpriseCode: JOINT_STORY.foodPlant,
      department: 'market_regulation',
      source: 'hotline',
      text: '本月已是第二次上门检查，影响生产。',
    });
    expect(complaint.status).toBe(201);
    const seed = 'cockpit-enforcement-seed-3a9d';
    const draw = await call('POST', '/api/v1/enforcement/draws', {
      districtCode: '500155',
      month: `${year}-02`,
      commitment: createHash('sha256').update(seed).digest('hex'),
    });
    expect(draw.status).toBe(201);
    expect((await call('POST', `/api/v1/enforcement/draws/${draw.body.id}/reveal`, { seed })).status).toBe(
      200,
    );
    const kpis = await call('GET', `/api/v1/enforcement/kpis?from=${year}-01-01&to=${year}-12-31`);
    expect(kpis.status).toBe(200);
    const total = kpis.body.total as {
      inspectionsPlanned: number;
      visits: number;
      visitCut: number;
      jointShare: number;
      creditRepairs: number;
    };
    expect(total.inspectionsPlanned).toBeGreaterThan(total.visits);
    const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

    await page.goto(`${served.baseUrl}/`);
    await signIn(page, JOINT_STORY.coordinator, DEMO_PASSWORD);
    await page.getByRole('link', { name: '联合执法' }).click();
    await page.getByRole('heading', { name: /联合执法/ }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/enforcement');
    await page.getByTestId('enforcement-year').selectOption(String(year));
    const figures = page.getByTestId('enforcement-figures');
    await expect
      .poll(() => figures.locator('[data-figure="inspectionsPlanned"]').textContent())
      .toBe(total.inspectionsPlanned.toLocaleString('zh-CN'));
    expect(await figures.locator('[data-figure="visits"]').textContent()).toBe(
      total.visits.toLocaleString('zh-CN'),
    );
    expect(await figures.locator('[data-figure="visitCut"]').textContent()).toBe(pct(total.visitCut));
    expect(await figures.locator('[data-figure="jointShare"]').textContent()).toBe(pct(total.jointShare));
    expect(await figures.locator('[data-figure="creditRepairs"]').textContent()).toBe(
      String(total.creditRepairs),
    );
    const districts = kpis.body.byDistrict as { districtCode: string }[];
    await expect
      .poll(() => page.getByTestId('enforcement-districts').locator('tbody tr').count())
      .toBe(districts.length);
    expect(await page.getByTestId('enforcement-districts').textContent()).toContain('梁平区');
    const departments = kpis.body.byDepartment as { department: string }[];
    expect(await page.getByTestId('enforcement-departments').locator('tbody tr').count()).toBe(
      departments.length,
    );
    expect(await page.getByTestId('enforcement-departments').textContent()).toContain('市场监管');
    // Next year has no complaints yet; the previous period is this year.
    await expectComplaints(kpis.body.total as ComplaintTotals);
    // This year against last year: the demo's synthetic complaints, last year's from the unmerged plan.
    const thisYear = await call(
      'GET',
      `/api/v1/enforcement/kpis?from=${year - 1}-01-01&to=${year - 1}-12-31`,
    );
    const now = thisYear.body.total as ComplaintTotals;
    expect(now.repeatComplaints).toBeGreaterThanOrEqual(1);
    expect(now.previousRepeatComplaints).toBeGreaterThan(now.repeatComplaints);
    expect(now.repeatComplaintsChange).toBeLessThan(0);
    await page.getByTestId('enforcement-year').selectOption(String(year - 1));
    await expectComplaints(now);
    const liangping = (thisYear.body.byDistrict as ({ districtCode: string } & ComplaintTotals)[]).find(
      (d) => d.districtCode === JOINT_STORY.district,
    );
    const row = page.getByTestId('enforcement-districts').locator(`tr[data-code="${JOINT_STORY.district}"]`);
    expect(await row.locator('[data-figure="repeatComplaints"]').textContent()).toBe(
      String(liangping?.repeatComplaints),
    );
    expect(await row.locator('[data-figure="substantiatedComplaints"]').textContent()).toBe(
      String(liangping?.substantiatedComplaints),
    );
    await page.screenshot({ path: shot('cockpit-enforcement'), fullPage: true });

    expect(await axeSerious(page)).toEqual([]);

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: /Joint enforcement/ }).waitFor();
    expect(await page.getByTestId('enforcement-districts').textContent()).toContain('Liangping District');
    expect(errors).toEqual([]);
  });
});
