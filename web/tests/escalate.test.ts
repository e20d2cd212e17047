import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/prepare.ts';
import { operatorFor } from '../../src/demo/story-staffing.ts';
import { launchBrowser, type Served, serve, shot, signIn, watchedPage } from './harness.ts';
import { waitForMap } from './map-check.ts';

/**
 * The event page as a URL (/events/:id) and manual escalation, in Chromium against the real
 * server with the demo city: the Jiefangbei street operator opens an event by its URL, escalates
 * its street task to the district with a reason (keyboard only), reloads and is still on the page;
 * the feed opens events by navigating and closing returns to the map; unknown and out-of-scope
 * events are a not-found view.
 */
describe('event page URL and manual escalation in Chromium', () => {
  let served: Served;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];

  const newPage = () => watchedPage(browser, contexts, errors, { viewport: { width: 1440, height: 900 } });
  const url = (path: string) => `${served.baseUrl}${served.cockpitPath.replace(/\/$/, '')}${path}`;
  const call = async (method: 'GET' | 'POST', path: string, body?: unknown, token?: string) => {
    const res = await fetch(`${served.baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  };
  const file = async (description: string, lon: number, lat: number) => {
    const res = await call('POST', '/api/v1/citizen/requests', { description, location: { lon, lat } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as {
      event: { id: string };
      tasks: { id: string; role: string; level: string; centreCode: string }[];
    };
  };

  beforeAll(async () => {
    [served, browser] = await Promise.all([serve(), launchBrowser()]);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await served?.close();
  });

  it('opens an event by its URL, escalates its street task to the district with a reason, and survives a reload', async () => {
    const filed = await file('较场口夜市露天烧烤油烟太大，熏得睁不开眼', 106.574, 29.551);
    const lead = filed.tasks.find((t) => t.role === 'lead')!;
    expect(lead).toMatchObject({ level: 'street', centreCode: '500103003' });
    const eventUrl = url(`/events/${filed.event.id}`);

    const page = await newPage();
    await page.goto(eventUrl);
    await signIn(page, 'street.jiefangbei');
    const event = page.locator('.event-page');
    await event.getByRole('heading', { name: '事件详情' }).waitFor({ timeout: 20_000 });
    await event.getByText('较场口夜市露天烧烤油烟太大').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/events/${filed.event.id}`);
    const card = event.locator('.task:has(.task-department[data-code="500103003:urban_management"])');
    // Departments by name in the page's language, never by code.
    await expect.poll(() => card.locator('.task-department').textContent()).toBe('解放碑街道城市管理部门');
    await expect(event.locator('.task').first().textContent()).resolves.not.toMatch(/\d{6,9}:[a-z_]+/);
    await expect.poll(() => card.locator('.task-level').getAttribute('data-level')).toBe('street');
    await expect(card.locator('.task-level').textContent()).resolves.toContain('跟踪中心: 街道');
    // Why this team: rendered from the server's reason code in the page's language (no English, no codes).
    const why = card.locator('.task-reason');
    await expect(why.textContent()).resolves.toMatch(
      /^就近选派 .+：距离 \d+ 米，在岗，具备“油烟治理”技能，在办 \d+\/\d+；/,
    );
    await expect(why.textContent()).resolves.not.toMatch(/chosen|skill|[a-z]+_[a-z]+|\d{9}:/);
    // The "why" panel too: the nearest-team decision from its code, nothing in English.
    await expect
      .poll(() => event.locator('.why-text').allTextContents(), { timeout: 20_000 })
      .toContainEqual(expect.stringMatching(/^就近选派 .+：距离 \d+ 米/));
    for (const text of await event.locator('.why-text').allTextContents())
      expect(text).not.toMatch(/chosen:/);
    await page.screenshot({ path: shot('escalate-1-event-by-url') });

    // Keyboard only: focus the labelled reason field, type, Enter submits.
    const reason = card.getByLabel('上报原因（必填）');
    await reason.focus();
    await page.keyboard.type('夜市摊点多，街道执法力量不足，请区里协调');
    await expect(card.getByRole('button', { name: '上报上级' }).isEnabled()).resolves.toBe(true);
    const answered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/tasks/${lead.id}/escalate`));
    await page.keyboard.press('Enter');
    expect((await answered).status()).toBe(200);
    await card.getByRole('status').getByText('已上报至区级中心，累计升级 1 次').waitFor();
    await expect.poll(() => card.locator('.task-level').getAttribute('data-level')).toBe('district');
    await expect(card.locator('.task-level').getAttribute('data-escalations')).resolves.toBe('1');
    await expect(card.locator('.task-level').textContent()).resolves.toMatch(/跟踪中心: 区.*已升级 1 次/);
    // The street centre no longer follows it: no second escalation, no reassign or cancel offered
    // (as for the co task the district follows from the start).
    for (const name of ['上报上级', '重新派遣', '取消任务'])
      await expect(card.getByRole('button', { name }).count()).resolves.toBe(0);
    const co = event.locator('.task:has(.task-department[data-code="500103:ecology_environment"])');
    await expect(co.locator('.task-department').textContent()).resolves.toBe('渝中区生态环境部门');
    await expect(co.getByRole('button').count()).resolves.toBe(0);
    await page.waitForTimeout(300);
    await page.screenshot({ path: shot('escalate-2-escalated-to-district') });

    // The server agrees (the district operator sees the task at its centre).
    const district = (
      await call('POST', '/api/v1/auth/login', { username: 'district.yuzhong', password: DEMO_PASSWORD })
    ).body as { token: string };
    const task = await call('GET', `/api/v1/tasks/${lead.id}`, undefined, district.token);
    expect(task.body).toMatchObject({ level: 'district', centreCode: '500103', escalations: 1 });

    // The URL is the page: a reload shows it again, task still at the district.
    await page.reload();
    await event.getByText('较场口夜市露天烧烤油烟太大').waitFor({ timeout: 20_000 });
    await expect.poll(() => card.locator('.task-level').getAttribute('data-level')).toBe('district');
    expect(new URL(page.url()).pathname).toBe(`/events/${filed.event.id}`);
    await page.screenshot({ path: shot('escalate-3-after-reload') });
    // In English, the same reason in English.
    await page.getByRole('button', { name: 'English' }).click();
    await expect
      .poll(() => why.textContent())
      .toMatch(/^Nearest team .+ chosen: \d+ m away, on duty, skill “cooking smoke”, \d+\/\d+ tasks; /);
    await expect(co.locator('.task-department').textContent()).resolves.toBe(
      'Ecology & environment (Yuzhong District)',
    );
    await expect
      .poll(() => event.locator('.why-text').allTextContents())
      .toContainEqual(expect.stringMatching(/^Nearest team .+ chosen: \d+ m away/));
    await page.getByRole('button', { name: '中文' }).click();

    // Opened by URL (no cockpit history): closing goes to the map, replacing the entry.
    await event.getByRole('button', { name: '关闭事件详情' }).click();
    await waitForMap(page, '500103003');
    expect(new URL(page.url()).pathname).toBe('/');
    await expect(page.locator('.event-page').count()).resolves.toBe(0);
  });

  it('the feed opens an event by navigating; back returns to the same map; unknown and other streets’ events are not found', async () => {
    const mine = await file('解放碑步行街有流动摊贩占道经营', 106.578, 29.556);
    const page = await newPage();
    await page.goto(url('/'));
    await signIn(page, 'district.yuzhong');
    await waitForMap(page, '500103');
    // Drill down to 解放碑街道 (?at=), then open the event from the feed.
    await page.goto(url('/?at=500103003'));
    await waitForMap(page, '500103003');
    const item = page.locator('.feed-item', { hasText: '解放碑步行街有流动摊贩占道经营' });
    await item.waitFor({ timeout: 20_000 });
    await expect(item.getAttribute('href')).resolves.toBe(`/events/${mine.event.id}?at=500103003`);
    await item.click();
    await page.waitForURL(`**/events/${mine.event.id}?at=500103003`);
    await page.locator('.event-page').getByText('解放碑步行街有流动摊贩占道经营').first().waitFor();
    await expect(item.getAttribute('aria-current')).resolves.toBe('page');
    // Browser back: the same drilled-down map, no event page.
    await page.goBack();
    await page.waitForURL(/\/\?at=500103003$/);
    await waitForMap(page, '500103003');
    await expect(page.locator('.event-page').count()).resolves.toBe(0);
    // Forward, then the close button: back to the same map too.
    await page.goForward();
    await page.locator('.event-page').getByRole('button', { name: '关闭事件详情' }).click();
    await page.waitForURL(/\/\?at=500103003$/);
    await expect(page.locator('.event-page').count()).resolves.toBe(0);

    // Not found: an unknown id; and, for the Jiefangbei street operator, an event of 七星岗.
    await page.goto(url('/events/no-such-event'));
    await page.getByRole('heading', { name: '未找到该事件' }).waitFor({ timeout: 20_000 });
    await page.screenshot({ path: shot('escalate-4-not-found') });
    const qixinggang = await file('七星岗路口有流动摊贩占道经营', 106.56, 29.553);
    const street = await newPage();
    await street.goto(url(`/events/${qixinggang.event.id}`));
    await signIn(street, 'street.jiefangbei');
    await street.getByRole('heading', { name: '未找到该事件' }).waitFor({ timeout: 20_000 });
    await street.getByRole('button', { name: '返回地图' }).click();
    await waitForMap(street, '500103003');
    expect(new URL(street.url()).pathname).toBe('/');
    expect(errors).toEqual([]);
  });

  it('the plan page links to the event page of the event it covers', async () => {
    // Liangping: an oil slick on the Ruxi starts a response plan (as in live.test.ts).
    const op = operatorFor('500155');
    const token = (
      (await call('POST', '/api/v1/auth/login', { username: op, password: DEMO_PASSWORD })).body as {
        token: string;
      }
    ).token;
    const spill = await call(
      'POST',
      '/api/v1/scenarios/water/spills',
      {
        lon: 107.8,
        lat: 30.6,
        areaM2: 300,
        substance: 'oil',
        observedAt: new Date(Date.now() - 10 * 60_000).toISOString(),
      },
      token,
    );
    expect(spill.status, JSON.stringify(spill.body)).toBe(201);
    const plan = (spill.body as { plan: { id: string; eventId: string; name: string } }).plan;
    const page = await newPage();
    await page.goto(url(`/plans/${plan.id}`));
    await signIn(page, op);
    await page.getByRole('heading', { level: 1, name: plan.name }).waitFor({ timeout: 20_000 });
    // The template and the steps' departments by name, not by id or code.
    await expect(page.locator('.plan-template').textContent()).resolves.toBe(
      '突发水污染事件应急处置预案（第 2 版）',
    );
    await expect
      .poll(async () => (await page.locator('.plan-step .task-department').allTextContents()).join('|'))
      .toMatch(/部门/);
    await expect(page.locator('.plan-page').textContent()).resolves.not.toMatch(
      /\d{6,9}:[a-z_]+|water\.spill v2/,
    );
    // In English: the plan and its template by their English names.
    await page.getByRole('button', { name: 'English' }).click();
    await page
      .getByRole('heading', { level: 1, name: 'Spill threatening a drinking-water intake' })
      .waitFor({ timeout: 10_000 });
    await expect(page.locator('.plan-template').textContent()).resolves.toBe(
      'Spill threatening a drinking-water intake (version 2)',
    );
    await page.getByRole('button', { name: '中文' }).click();
    await page.getByRole('heading', { level: 1, name: plan.name }).waitFor();
    await page.getByRole('link', { name: '打开事件详情' }).click();
    await page.waitForURL(`**/events/${plan.eventId}`);
    await page.locator('.event-page').getByRole('heading', { name: '事件详情' }).waitFor();
    await page.locator('.event-page .task').first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: shot('escalate-5-event-from-plan') });
    // Its close button goes back to the plan it was opened from.
    await page.locator('.event-page').getByRole('button', { name: '关闭事件详情' }).click();
    await page.waitForURL(`**/plans/${plan.id}`);
    await page.getByRole('heading', { level: 1, name: plan.name }).waitFor();
    expect(errors).toEqual([]);
  });
});
