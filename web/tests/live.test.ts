import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/prepare.ts';
import { officerFor, operatorFor } from '../../src/demo/story-staffing.ts';
import { launchBrowser, type Served, serve, shot, signIn, watchedPage } from './harness.ts';
import { waitForMap } from './map-check.ts';

/** What the feed polled at before events were on the live stream (web/src/api/events.ts, was EVENT_POLL_MS). */
const OLD_POLL_MS = 4000;

/**
 * The live stream in Chromium against the real server with the demo city: a complaint filed
 * through the citizen API appears in an open cockpit without reload; a response plan's page
 * (/plans/:id) shows its steps and follows a task's acknowledgement live; the cockpit's
 * first-load transfer with and without compression.
 */
describe('live cockpit in Chromium', () => {
  let served: Served;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];

  const newPage = (headers: Record<string, string> = {}) =>
    watchedPage(browser, contexts, errors, {
      viewport: { width: 1440, height: 900 },
      extraHTTPHeaders: headers,
    });
  const cockpit = (path = '') => `${served.baseUrl}${served.cockpitPath.replace(/\/$/, '')}${path || '/'}`;
  const api = async (method: 'GET' | 'POST', url: string, user?: string, body?: unknown) => {
    const token = user ? await tokenOf(user) : undefined;
    const res = await fetch(`${served.baseUrl}${url}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const tokens = new Map<string, string>();
  const tokenOf = async (user: string) => {
    if (!tokens.has(user)) {
      const res = await api('POST', '/api/v1/auth/login', undefined, {
        username: user,
        password: DEMO_PASSWORD,
      });
      expect(res.status, user).toBe(200);
      tokens.set(user, res.body.token as string);
    }
    return tokens.get(user)!;
  };
  /** Bytes the page transferred so far (navigation + every resource, headers included). */
  const transferred = (page: Page) =>
    page.evaluate(() => {
      const entries = [
        ...performance.getEntriesByType('navigation'),
        ...performance.getEntriesByType('resource'),
      ] as PerformanceResourceTiming[];
      return {
        bytes: entries.reduce((sum, e) => sum + (e.transferSize || 0), 0),
        decoded: entries.reduce((sum, e) => sum + (e.decodedBodySize || 0), 0),
      };
    });

  beforeAll(async () => {
    [served, browser] = await Promise.all([serve(), launchBrowser()]);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await served?.close();
  });

  it('measures the cockpit’s first-load transfer with compression and without (accept-encoding: identity)', async () => {
    const measure = async (headers: Record<string, string>) => {
      const page = await newPage(headers);
      await page.goto(cockpit());
      await page.getByLabel('用户名').waitFor();
      await page.waitForLoadState('load');
      const loginPage = await transferred(page);
      await signIn(page, 'district.yuzhong');
      await waitForMap(page, '500103');
      // Not 'networkidle': the live stream stays open. Until the total holds still for 1 s.
      let signedIn = await transferred(page);
      for (let still = 0; still < 2; ) {
        await page.waitForTimeout(500);
        const next = await transferred(page);
        still = next.bytes === signedIn.bytes ? still + 1 : 0;
        signedIn = next;
      }
      await page.context().close();
      return { loginPage, signedIn };
    };
    const compressed = await measure({});
    const identity = await measure({ 'accept-encoding': 'identity' });
    const kib = (n: number) => `${Math.round(n / 1024)} KiB`;
    console.log(
      `cockpit first load, transferred (decoded): login page ${kib(compressed.loginPage.bytes)} compressed vs ` +
        `${kib(identity.loginPage.bytes)} identity (${kib(compressed.loginPage.decoded)}); signed in with the ` +
        `district map drawn ${kib(compressed.signedIn.bytes)} compressed vs ${kib(identity.signedIn.bytes)} identity ` +
        `(${kib(compressed.signedIn.decoded)})`,
    );
    expect(compressed.loginPage.bytes).toBeLessThan(identity.loginPage.bytes / 2);
    expect(compressed.signedIn.bytes).toBeLessThan(identity.signedIn.bytes / 2);
  });

  it('shows a complaint filed through the citizen API in the open cockpit feed without reload', async () => {
    const page = await newPage();
    await page.goto(cockpit());
    await signIn(page, 'district.yuzhong');
    await waitForMap(page, '500103');
    const feed = page.locator('section.event-feed');
    await expect.poll(() => feed.getByRole('status').textContent()).toContain('实时');
    const description = `解放碑步行街共享单车乱停放 ${Date.now() % 100_000}`;
    const started = Date.now();
    const filed = await api('POST', '/api/v1/citizen/requests', undefined, {
      description,
      location: { lon: 106.577, lat: 29.557 },
    });
    expect(filed.status).toBe(201);
    await feed.getByText(description).waitFor({ timeout: OLD_POLL_MS });
    const ms = Date.now() - started;
    console.log(
      `complaint filed → shown in the cockpit feed in ${ms} ms (was polled every ${OLD_POLL_MS} ms)`,
    );
    expect(ms).toBeLessThan(OLD_POLL_MS / 2);
    await page.screenshot({ path: shot('live-feed') });
  });

  it('opens a response plan’s page from the plans panel: steps per department, event, timeline, live task status', async () => {
    // Liangping: a 300 m² oil slick on the Ruxi → checklist plan to five departments.
    const op = operatorFor('500155');
    const spill = await api('POST', '/api/v1/scenarios/water/spills', op, {
      lon: 107.8,
      lat: 30.6,
      areaM2: 300,
      substance: 'oil',
      observedAt: new Date(Date.now() - 10 * 60_000).toISOString(),
    });
    expect(spill.status, JSON.stringify(spill.body)).toBe(201);
    const plan = spill.body.plan as {
      id: string;
      name: string;
      tasks: { taskId: string; title: string; departmentType: string; status: string }[];
    };
    expect(plan.tasks.length).toBeGreaterThan(1);
    // The plan belongs to 梁平区: another district cannot read it (and is not told it exists).
    const outside = await api('GET', `/api/v1/plans/${plan.id}`, 'district.yuzhong');
    expect(outside.status).toBe(404);
    expect((outside.body.error as { code: string }).code).toBe('not_found');

    const page = await newPage();
    await page.goto(cockpit());
    await signIn(page, op);
    const link = page.locator('section.plans').getByRole('link', { name: plan.name });
    await link.waitFor({ timeout: 20_000 });
    await link.click();
    await page.waitForURL(`**/plans/${plan.id}`);
    await page.getByRole('heading', { level: 1, name: plan.name }).waitFor();
    const steps = page.locator('.plan-step');
    await expect.poll(() => steps.count()).toBe(plan.tasks.length);
    for (const task of plan.tasks)
      await expect(page.getByText(task.title, { exact: true }).count()).resolves.toBe(1);
    // One group per department type, with the plan's departments.
    const departments = new Set(plan.tasks.map((t) => t.departmentType));
    await expect(page.locator('.plan-dept').count()).resolves.toBe(departments.size);
    await expect(page.getByRole('heading', { name: '覆盖的事件' }).isVisible()).resolves.toBe(true);
    await expect(page.locator('.plan-moments li').first().textContent()).resolves.toMatch(
      /事件受理|启动预案/,
    );
    // The page scrolls inside its own pane: a tall viewport shows all of it.
    await page.setViewportSize({ width: 1440, height: 2000 });
    await page.screenshot({ path: shot('plan-page') });

    // A department acknowledges its task through the field API: the page follows from the stream.
    const task = plan.tasks.find((t) => t.status === 'assigned') ?? plan.tasks[0]!;
    const detail = await api('GET', `/api/v1/tasks/${task.taskId}`, op);
    const team = detail.body.team as { departmentCode: string } | null;
    // The department's demo officer when it has one, otherwise the district operator (as the stories do).
    const officerLogin = team
      ? await api('POST', '/api/v1/auth/login', undefined, {
          username: officerFor(team.departmentCode),
          password: DEMO_PASSWORD,
        })
      : undefined;
    const officer = officerLogin?.status === 200 && team ? officerFor(team.departmentCode) : op;
    const card = page.locator('.plan-step', { hasText: task.title });
    await expect(card.locator('.badge').first().textContent()).resolves.not.toBe('已接单');
    const started = Date.now();
    const accepted = await api('POST', `/api/v1/field/tasks/${task.taskId}/accept`, officer, {});
    expect(accepted.status, JSON.stringify(accepted.body)).toBeLessThan(300);
    await card.locator('.badge', { hasText: '已接单' }).waitFor({ timeout: OLD_POLL_MS });
    console.log(`plan page: task accepted → shown in ${Date.now() - started} ms`);
    await expect(page.locator('.plan-moments').textContent()).resolves.toContain('签收');
    await page.screenshot({ path: shot('plan-page-acknowledged') });
    await page.setViewportSize({ width: 1440, height: 900 });

    // Back to the cockpit; an unknown plan says so.
    await page.getByRole('button', { name: /返回驾驶舱/ }).click();
    await page.locator('section.plans').waitFor();
    await page.goto(cockpit('/plans/no-such-plan'));
    await page.getByText('预案不存在，或不在您的辖区内。').waitFor();
    expect(errors).toEqual([]);
  });
});
