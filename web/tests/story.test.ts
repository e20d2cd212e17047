import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/prepare.ts';
import { launchBrowser, png, type Served, serve, shot, signIn, watchedPage } from './harness.ts';
import { waitForMap } from './map-check.ts';

const OPEN311_KEY = 'o311-web-story-key-0123456789';
const COMPLAINT = '较场口夜市露天烧烤油烟太大';

/** Orange 32×24 is the "photo" of the result, blue 48×36 the citizen's. */
const RESULT_PHOTO = png(32, 24, [240, 140, 40]);
const CITIZEN_PHOTO = png(48, 36, [40, 90, 200]);

/** Natural widths of the loaded images a locator matches (0 while loading or broken). */
const widths = (page: Page, selector: string) =>
  page.$$eval(selector, (imgs) =>
    imgs.map((i) => ((i as HTMLImageElement).complete ? (i as HTMLImageElement).naturalWidth : 0)),
  );

/**
 * The Jiaochangkou story in the browser, through the same APIs as
 * src/workflows/event-centre.e2e.test.ts: a citizen files a complaint with a photo (Open311) →
 * the street operator sees it and its photo in the live feed → the field officer accepts,
 * uploads a photo, completes → the operator sees the proof photos and verifies → the citizen
 * sees it closed with the proof photo and rates it.
 */
// One story told in numbered steps, each a step of the one before (the citizen's request, then the
// operator's view of it, …): the steps keep their order even when the suite runs shuffled.
describe('Jiaochangkou, citizen to closed, in Chromium', { shuffle: false }, () => {
  let served: Served;
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  const errors: string[] = [];
  let citizen: Page;
  let operator: Page;
  let officer: Page;
  let requestId = '';

  const newPage = (viewport: { width: number; height: number }, geolocation?: boolean) =>
    watchedPage(browser, contexts, errors, {
      viewport,
      ...(geolocation
        ? { geolocation: { longitude: 106.574, latitude: 29.551 }, permissions: ['geolocation'] }
        : {}),
    });

  beforeAll(async () => {
    [served, browser] = await Promise.all([serve({ open311Key: OPEN311_KEY }), launchBrowser()]);
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
    await served?.close();
  });

  it('1. a citizen files the complaint with a photo at Jiaochangkou through Open311 and gets a tracking number', async () => {
    citizen = await newPage({ width: 390, height: 844 }, true);
    // The portal is an Open311 client application: its key is configured per installation.
    await citizen.addInitScript((key) => localStorage.setItem('citybrain.open311Key', key), OPEN311_KEY);
    await citizen.goto(`${served.baseUrl}/citizen`);
    await citizen.getByLabel('问题描述').fill(COMPLAINT);
    await citizen.locator('.pin-map canvas').waitFor();
    await citizen.getByRole('button', { name: '使用我的位置' }).click();
    await expect.poll(() => citizen.locator('.place').textContent()).toMatch(/渝中区 \/ 解放碑街道/);
    await citizen
      .getByLabel('照片（可选，最多 6 张）')
      .setInputFiles({ name: 'smoke.png', mimeType: 'image/png', buffer: CITIZEN_PHOTO });
    await expect.poll(() => widths(citizen, 'form .thumbs img')).toEqual([48]);
    const uploaded = citizen.waitForResponse((r) => r.url().endsWith('/api/v1/citizen/photos'));
    const filed = citizen.waitForResponse((r) => r.url().endsWith('/open311/v2/requests.json'));
    await citizen.getByRole('button', { name: '提交' }).click();
    const upload = await uploaded;
    expect(upload.status()).toBe(201);
    // The Open311 client names the uploaded photo by its URL (media_url).
    expect((await filed).request().postData()).toContain(
      `media_url=${encodeURIComponent((await upload.json()).url)}`,
    );
    expect((await filed).status()).toBe(201);
    await citizen.getByRole('heading', { name: '已提交，感谢您的反映' }).waitFor();
    await citizen.getByText('已随诉求提交 1 张照片').waitFor();
    // The short number people read (CQ-YYYYMMDD-NNNNNN); the request's id is behind it.
    const tracking = (await citizen.locator('strong.tracking').textContent()) ?? '';
    expect(tracking).toMatch(/^CQ-\d{8}-\d{6}$/);
    await citizen.screenshot({ path: shot('story-1-citizen-filed'), fullPage: true });
    await citizen.getByRole('button', { name: '查看办理进度' }).click();
    await expect.poll(() => citizen.locator('.req-status').getAttribute('data-status')).toBe('open');
    await expect.poll(() => citizen.locator('article.request .tracking').textContent()).toBe(tracking);
    requestId = (await citizen.locator('article.request').getAttribute('data-request')) ?? '';
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    // While open: the latest progress in the portal's language, no closing note.
    await expect
      .poll(() => citizen.locator('.progress-note').textContent())
      .toMatch(/^最新进展: (已派遣至\S+|已受理，正在安排处置力量)$/);
    await expect(citizen.locator('.closing-note').count()).resolves.toBe(0);
    await citizen.getByRole('button', { name: 'English' }).click();
    await expect
      .poll(() => citizen.locator('.progress-note').textContent())
      .toMatch(/^Latest update: (Dispatched to \S+|Received; a team is being arranged)$/);
    await citizen.getByRole('button', { name: '中文' }).click();
    await expect.poll(() => citizen.locator('.progress-note').textContent()).toMatch(/^最新进展: /);
    // My own photo, downloaded with my token.
    await expect.poll(() => widths(citizen, 'article.request .thumbs img')).toEqual([48]);
    await citizen.screenshot({ path: shot('story-1b-citizen-tracking'), fullPage: true });
  });

  it('2. the street operator sees it in the live feed and on the map, and opens the event page', async () => {
    operator = await newPage({ width: 1440, height: 900 });
    await operator.goto(`${served.baseUrl}${served.cockpitPath}`);
    await signIn(operator, 'street.jiefangbei');
    await waitForMap(operator, '500103003');
    const item = operator.locator('.feed-item', { hasText: COMPLAINT });
    await item.waitFor({ timeout: 15_000 });
    await expect(item.textContent()).resolves.toContain('已派遣');
    await expect.poll(() => operator.locator('.map').getAttribute('data-events')).not.toBe('0');
    await item.click();
    const page = operator.locator('.event-page');
    await page.getByText('露天烧烤油烟').first().waitFor();
    await expect(page.locator('.task').count()).resolves.toBe(2);
    await page.locator('.why li').first().waitFor();
    // The lead department by its name (the code only in data-code).
    await expect
      .poll(() => page.locator('.task-department[data-code="500103003:urban_management"]').textContent())
      .toBe('解放碑街道城市管理部门');
    for (const text of await page.locator('.task').allTextContents())
      expect(text).not.toMatch(/\d{6,9}:[a-z_]+/);
    // The citizen's photo: fetched with the operator's token, shown from a blob URL, opens large.
    await page.getByText('市民提交的照片（1 张）').waitFor();
    const thumb = page.locator('.photo-thumb[data-kind="report"]');
    await expect.poll(() => thumb.getAttribute('data-loaded')).toBe('true');
    await expect.poll(() => widths(operator, '.event-page .photo-thumb img')).toEqual([48]);
    await operator.waitForTimeout(400);
    await operator.screenshot({ path: shot('story-2-operator-feed-event') });
    await thumb.click();
    const dialog = operator.getByRole('dialog', { name: '照片 1' });
    await expect.poll(() => widths(operator, '.photo-dialog img')).toEqual([48]);
    expect(await dialog.locator('img').getAttribute('src')).toMatch(/^blob:/);
    await operator.screenshot({ path: shot('story-2b-operator-citizen-photo') });
    await operator.keyboard.press('Escape');
    await expect(dialog.count()).resolves.toBe(0);
  });

  it('3. the field officer accepts, uploads a photo and completes (the lead task)', async () => {
    officer = await newPage({ width: 390, height: 844 });
    await officer.goto(`${served.baseUrl}/field`);
    await signIn(officer, 'officer.jiefangbei');
    const card = officer.locator('article.task-card').first();
    await card.waitFor();
    await expect(card.getAttribute('data-status')).resolves.toBe('assigned');
    await expect(card.getByRole('link', { name: '导航前往' }).getAttribute('href')).resolves.toMatch(
      /^geo:29\.55/,
    );
    // What the officer needs on the card: the problem, a readable address, the citizen's photo.
    await expect(card.locator('.description').textContent()).resolves.toBe(COMPLAINT);
    await expect(card.locator('.address').textContent()).resolves.toMatch(/^渝中区 解放碑街道/);
    await expect
      .poll(() => card.locator('.photo-strip.citizen .thumb').getAttribute('data-loaded'), {
        timeout: 20_000,
      })
      .toBe('true');
    await officer.screenshot({ path: shot('story-3a-field-task'), fullPage: true });
    await card.getByRole('button', { name: '接单' }).click();
    await expect.poll(() => card.getAttribute('data-status')).toBe('accepted');
    await expect.poll(() => officer.locator('.queue').allTextContents()).toEqual([]);
    // Offline for a moment: the photo waits in the queue and goes when the network is back.
    await officer.context().setOffline(true);
    await card
      .getByLabel('拍照 / 上传照片')
      .setInputFiles({ name: 'result.png', mimeType: 'image/png', buffer: RESULT_PHOTO });
    await officer.getByText(/^1 个操作待发送/).waitFor();
    await officer.screenshot({ path: shot('story-3b-field-offline-queued'), fullPage: true });
    await officer.context().setOffline(false);
    await officer.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect.poll(() => officer.getByText(/个操作待发送/).count(), { timeout: 20_000 }).toBe(0);
    await card.getByLabel('处置说明 / 原因').fill('已劝导摊主改用无烟炉具，油烟消除');
    await card.getByRole('button', { name: '处置完成' }).click();
    await expect.poll(() => officer.locator('article.task-card').count(), { timeout: 20_000 }).toBe(0);
    // Not gone without a word: a confirmation in its place, and the task under 今日已办.
    await expect
      .poll(() => officer.locator('.done-confirm[data-sent="true"]').textContent(), { timeout: 20_000 })
      .toContain('处置完成已提交');
    await expect
      .poll(() => officer.locator('.done-today li').first().textContent(), { timeout: 20_000 })
      .toContain(COMPLAINT);
    await officer.screenshot({ path: shot('story-3c-field-done'), fullPage: true });
    await expect(officer.locator('.queue[role="alert"]').count()).resolves.toBe(0);
  });

  it('4. the co-responsible district task is completed by its officer; the operator verifies', async () => {
    // The co task (district ecology & environment) has no demo officer: done through the API, as in the server's e2e test.
    const api = async (
      method: string,
      path: string,
      token: string,
      body?: unknown,
      type = 'application/json',
    ) =>
      fetch(`${served.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': type },
        body:
          body === undefined
            ? undefined
            : type === 'application/json'
              ? JSON.stringify(body)
              : (body as BodyInit),
      });
    const admin = await (
      await fetch(`${served.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: 'admin-password-web' }),
      })
    ).json();
    const made = await api('POST', '/api/v1/users', admin.token, {
      username: 'officer.env.yuzhong',
      displayName: '渝中区生态环境执法队员',
      password: DEMO_PASSWORD,
      roles: ['field_officer'],
      jurisdictionCode: '500103',
      departmentCode: '500103:ecology_environment',
    });
    expect(made.status).toBe(201);
    const env = await (
      await fetch(`${served.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'officer.env.yuzhong', password: DEMO_PASSWORD }),
      })
    ).json();
    const mine = (await (await api('GET', '/api/v1/field/tasks', env.token)).json()).items as {
      id: string;
      eventId: string;
    }[];
    const co = mine.find((t) => t.eventId === requestId);
    expect(co).toBeDefined();
    for (const step of ['accept', 'arrive'])
      expect((await api('POST', `/api/v1/field/tasks/${co!.id}/${step}`, env.token, {})).status).toBe(200);
    expect(
      (await api('POST', `/api/v1/field/tasks/${co!.id}/evidence`, env.token, RESULT_PHOTO, 'image/png'))
        .status,
    ).toBe(201);
    expect(
      (await api('POST', `/api/v1/field/tasks/${co!.id}/complete`, env.token, { note: '油烟排放复查合格' }))
        .status,
    ).toBe(200);

    const detail = await (await api('GET', `/api/v1/events/${requestId}`, admin.token)).json();
    expect(detail.status, JSON.stringify(detail.tasks.map((t: { status: string }) => t.status))).toBe(
      'resolved',
    );
    const page = operator.locator('.event-page');
    await page.getByText('待核查').first().waitFor({ timeout: 20_000 });
    await page
      .getByText(/现场照片 1 张/)
      .first()
      .waitFor({ timeout: 20_000 });
    // Both tasks' proof photos (the officer's from the field app and the co task's) as thumbnails.
    await expect
      .poll(() => widths(operator, '.event-page .photo-thumb[data-kind="result"] img'), { timeout: 20_000 })
      .toEqual([32, 32]);
    await operator.screenshot({ path: shot('story-4a-operator-to-verify') });
    await page.getByLabel('核查意见').fill('经核查，油烟问题已整改');
    await page.getByRole('button', { name: '核查通过，办结' }).click();
    await page.locator('.badge.st-closed').first().waitFor();
    await page.getByText('核查通过，已办结').waitFor();
    await operator.waitForTimeout(300);
    await operator.screenshot({ path: shot('story-4b-operator-closed') });
  });

  it('5. the citizen sees it closed with the closing note, and rates it 5', async () => {
    await citizen.reload();
    await expect
      .poll(() => citizen.locator('.req-status').getAttribute('data-status'), { timeout: 20_000 })
      .toBe('closed');
    await expect(citizen.locator('.closing-note').textContent()).resolves.toBe(
      '办结说明: 经核查，油烟问题已整改',
    );
    await expect(citizen.locator('.progress-note').count()).resolves.toBe(0);
    // The closing message in the portal's language only (rendered from its code), not bilingual.
    await expect
      .poll(() => citizen.locator('.notice').first().textContent(), { timeout: 20_000 })
      .toBe('您反映的问题已办结 经核查，油烟问题已整改（请对办理结果评价 1–5 星）');
    // The proof photos of the work (one per task), and still my own.
    await expect.poll(() => widths(citizen, 'img.result-photo'), { timeout: 20_000 }).toEqual([32, 32]);
    await expect.poll(() => widths(citizen, 'article.request .thumbs img')).toEqual([48]);
    await citizen.locator('img.result-photo').first().scrollIntoViewIfNeeded();
    await citizen.screenshot({ path: shot('story-5a-citizen-closing-photo'), fullPage: true });
    await citizen.getByRole('radio', { name: '5 星' }).click();
    await citizen.getByPlaceholder('评价内容（可选）').fill('处理及时');
    const rated = citizen.waitForResponse((r) => r.url().includes('/rating'));
    await citizen.getByRole('button', { name: '提交评价' }).click();
    expect((await rated).status()).toBe(200);
    await citizen.getByText('已评价 5 星，谢谢！').waitFor();
    await citizen.screenshot({ path: shot('story-5-citizen-closed-rated'), fullPage: true });
  });

  it('6. the operator’s KPIs show the closed event and the rating as charts', async () => {
    await operator.locator('.event-page').getByRole('button', { name: '关闭事件详情' }).click();
    await operator.reload();
    await waitForMap(operator, '500103003');
    await expect
      .poll(() => operator.locator('.tile', { hasText: '满意度' }).locator('dd').textContent(), {
        timeout: 40_000,
      })
      .toBe('5.0/5');
    await operator.locator('.chart-figure canvas').first().waitFor();
    await operator.waitForTimeout(500);
    await operator.screenshot({ path: shot('story-6-operator-kpis') });
  });

  it('had no errors in the pages', () => {
    const unexpected = errors.filter(
      (e) => !/ERR_INTERNET_DISCONNECTED|Failed to fetch|net::ERR|NetworkError/.test(e),
    );
    expect(unexpected).toEqual([]);
  });
});
