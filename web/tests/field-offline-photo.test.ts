import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/demo/prepare.ts';
import { launchBrowser, png, type Served, serve, shot, signIn } from './harness.ts';

const PROOF = png(40, 30, [30, 160, 90]);
const LEGACY_PROOF = png(20, 20, [160, 40, 160]);
const CITIZEN_PHOTO = png(48, 36, [200, 120, 40]);

/** What the field app's IndexedDB queue holds (read in the page). */
const stored = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<{ action: string; taskId: string; photo: { type: string; size: number } | null }[]>(
        (resolve, reject) => {
          const open = indexedDB.open('citybrain-field');
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const all = db.transaction('actions').objectStore('actions').getAll();
            all.onsuccess = () => {
              resolve(
                all.result.map((a) => ({
                  action: a.action,
                  taskId: a.taskId,
                  photo: a.photo instanceof Blob ? { type: a.photo.type, size: a.photo.size } : null,
                })),
              );
              db.close();
            };
          };
        },
      ),
  );

/**
 * The field app on a flaky network: a photo and the completion are queued in IndexedDB while
 * offline, survive a reload of the page while still offline, and are sent when the network is
 * back; a queue left in localStorage by the older version is moved over and sent once.
 */
describe('field app: offline photo queue in IndexedDB, in Chromium', () => {
  let served: Served;
  let browser: Browser;
  let context: BrowserContext;
  let officer: Page;
  const errors: string[] = [];
  const tokens: Record<string, string> = {};

  const call = async (method: string, path: string, user: string, body?: unknown) => {
    const res = await fetch(`${served.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: res.status,
      body: res.headers.get('content-type')?.includes('json') ? await res.json() : await res.arrayBuffer(),
    };
  };
  const login = async (username: string, password = DEMO_PASSWORD) => {
    const res = await fetch(`${served.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    tokens[username] = (await res.json()).token;
  };
  /** A barbecue complaint at a place in 解放碑; answers its lead task (the officer's squad). */
  const complaint = async (lon: number, lat: number, description: string) => {
    const res = await fetch(`${served.baseUrl}/api/v1/citizen/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ description, location: { lon, lat }, category: 'barbecue_smoke' }),
    });
    expect(res.status).toBe(201);
    const { tasks } = await res.json();
    return tasks.find((t: { role: string }) => t.role === 'lead') as { id: string; eventId: string };
  };

  // The officer's phone is shared by the tests, opened here so that each test stands alone and they
  // can run in any order (each one files its own complaint and leaves the phone online).
  beforeAll(async () => {
    [served, browser] = await Promise.all([serve(), launchBrowser()]);
    await login('officer.jiefangbei');
    await login('street.jiefangbei');
    context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    officer = await context.newPage();
    officer.on('pageerror', (e) => errors.push(e.message));
    await officer.goto(`${served.baseUrl}/field`);
    await signIn(officer, 'officer.jiefangbei');
    await officer.getByRole('heading', { name: '我的任务' }).waitFor();
    // The service worker keeps the app shell, so /field opens without a network.
    await officer.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, {
      timeout: 20_000,
    });
  });
  afterEach(() => {
    expect(errors).toEqual([]);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await served?.close();
  });

  it('queues a photo and the completion offline, keeps them across an offline reload, sends them online', async () => {
    const task = await complaint(106.574, 29.551, '较场口夜市露天烧烤油烟太大');
    await officer.reload();
    const card = officer.locator(`article.task-card[data-task="${task.id}"]`);
    await card.waitFor({ timeout: 20_000 });
    await card.getByRole('button', { name: '接单' }).click();
    await expect.poll(() => card.getAttribute('data-status')).toBe('accepted');
    await expect.poll(() => officer.getByText(/个操作待发送/).count()).toBe(0);

    await context.setOffline(true);
    await card
      .getByLabel('拍照 / 上传照片')
      .setInputFiles({ name: 'proof.png', mimeType: 'image/png', buffer: PROOF });
    await officer.getByText(/^1 个操作待发送/).waitFor();
    await card.getByLabel('处置说明 / 原因').fill('已劝导摊主改用无烟炉具');
    await card.getByRole('button', { name: '处置完成' }).click();
    await officer.getByText(/^2 个操作待发送/).waitFor();
    await expect(card.getAttribute('data-status')).resolves.toBe('completed');
    // Kept as a Blob in IndexedDB, not as base64 in localStorage.
    expect(await stored(officer)).toEqual([
      { action: 'evidence', taskId: task.id, photo: { type: 'image/png', size: PROOF.length } },
      { action: 'complete', taskId: task.id, photo: null },
    ]);
    expect(await officer.evaluate(() => localStorage.getItem('citybrain.field.queue'))).toBeNull();
    await officer.screenshot({ path: shot('field-offline-1-queued'), fullPage: true });

    // Reload while offline: the shell comes from the service worker, the queue from IndexedDB.
    await officer.reload();
    await officer.getByText(/^2 个操作待发送/).waitFor({ timeout: 20_000 });
    await expect(officer.locator('.status.offline').count()).resolves.toBe(1);
    expect((await stored(officer)).map((a) => a.action)).toEqual(['evidence', 'complete']);
    expect((await call('GET', `/api/v1/tasks/${task.id}`, 'street.jiefangbei')).body.status).toBe('accepted');
    await officer.screenshot({ path: shot('field-offline-2-reloaded-offline'), fullPage: true });

    await context.setOffline(false);
    await officer.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect.poll(() => officer.getByText(/个操作待发送/).count(), { timeout: 30_000 }).toBe(0);
    expect(await stored(officer)).toEqual([]);
    await expect(officer.locator('.queue[role="alert"]').count()).resolves.toBe(0);
    const done = (await call('GET', `/api/v1/tasks/${task.id}`, 'street.jiefangbei')).body;
    expect(done).toMatchObject({ status: 'completed', note: '已劝导摊主改用无烟炉具' });
    const photos = (await call('GET', `/api/v1/tasks/${task.id}/evidence`, 'street.jiefangbei')).body.items;
    expect(photos.map((p: { mime: string; bytes: number }) => [p.mime, p.bytes])).toEqual([
      ['image/png', PROOF.length],
    ]);
    const bytes = (
      await call('GET', `/api/v1/tasks/${task.id}/evidence/${photos[0].id}`, 'street.jiefangbei')
    ).body as ArrayBuffer;
    expect(Buffer.from(bytes).equals(PROOF)).toBe(true);
    // Sent: the card gives way to a confirmation, and the task is listed as done today.
    await officer
      .locator(`.done-confirm[data-task="${task.id}"][data-sent="true"]`)
      .waitFor({ timeout: 20_000 });
    await officer.locator(`.done-today li[data-task="${task.id}"]`).waitFor({ timeout: 20_000 });
    await officer.screenshot({ path: shot('field-offline-3-sent'), fullPage: true });
  });

  it('shows what the officer needs on the card (problem, address, citizen photo, own photo), then confirms completion and lists it as done today', async () => {
    const upload = await fetch(`${served.baseUrl}/api/v1/citizen/photos`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: new Uint8Array(CITIZEN_PHOTO),
    });
    expect(upload.status).toBe(201);
    const photoId = (await upload.json()).id as string;
    const res = await fetch(`${served.baseUrl}/api/v1/citizen/requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        description: '解放碑八一路烧烤摊油烟扰民，附照片',
        location: { lon: 106.5772, lat: 29.5572 },
        category: 'barbecue_smoke',
        photos: [photoId],
      }),
    });
    expect(res.status).toBe(201);
    const task = ((await res.json()).tasks as { id: string; role: string }[]).find((t) => t.role === 'lead')!;
    await officer.reload();
    const card = officer.locator(`article.task-card[data-task="${task.id}"]`);
    await card.waitFor({ timeout: 20_000 });
    await expect(card.locator('.description').textContent()).resolves.toBe(
      '解放碑八一路烧烤摊油烟扰民，附照片',
    );
    const address = (await card.locator('.address').textContent()) ?? '';
    expect(address).toContain('渝中区');
    expect(address).toContain('解放碑街道');
    const citizen = card.locator('.photo-strip.citizen .thumb');
    await expect.poll(() => citizen.getAttribute('data-loaded'), { timeout: 20_000 }).toBe('true');
    await expect(citizen.locator('img').getAttribute('alt')).resolves.toBe('照片 1');

    await card.getByRole('button', { name: '接单' }).click();
    await expect.poll(() => card.getAttribute('data-status')).toBe('accepted');
    await card
      .getByLabel('拍照 / 上传照片')
      .setInputFiles({ name: 'proof.png', mimeType: 'image/png', buffer: PROOF });
    // Sent at once (online): the thumbnail comes back from the server's list.
    await expect
      .poll(() => card.locator('.photo-strip.mine .thumb:not(.queued)').getAttribute('data-loaded'), {
        timeout: 20_000,
      })
      .toBe('true');
    await officer.screenshot({ path: shot('field-card-1-detail'), fullPage: true });

    await card.getByRole('button', { name: '处置完成' }).click();
    const confirmation = officer.locator(`.done-confirm[data-task="${task.id}"]`);
    await confirmation.waitFor({ timeout: 20_000 });
    await expect.poll(() => confirmation.getAttribute('data-sent'), { timeout: 20_000 }).toBe('true');
    await expect(confirmation.textContent()).resolves.toContain('处置完成已提交');
    const entry = officer.locator(`.done-today li[data-task="${task.id}"]`);
    await entry.waitFor({ timeout: 20_000 });
    await expect(entry.textContent()).resolves.toContain('解放碑八一路烧烤摊油烟扰民');
    await expect(officer.getByRole('heading', { name: /今日已办/ }).count()).resolves.toBe(1);
    await officer.screenshot({ path: shot('field-card-2-done'), fullPage: true });
    expect((await call('GET', `/api/v1/tasks/${task.id}`, 'street.jiefangbei')).body.status).toBe(
      'completed',
    );
  });

  it('moves a queue left in localStorage by the older version into IndexedDB once, and sends it', async () => {
    const task = await complaint(106.5805, 29.5585, '解放碑步行街烧烤摊油烟很大');
    expect(
      (await call('POST', `/api/v1/field/tasks/${task.id}/accept`, 'officer.jiefangbei', {})).status,
    ).toBe(200);
    // Offline, so nothing is sent before the legacy queue is written; then a reload migrates it.
    await context.setOffline(true);
    await officer.evaluate(
      ({ taskId, base64 }) =>
        localStorage.setItem(
          'citybrain.field.queue',
          JSON.stringify([
            {
              id: 'legacy-1',
              taskId,
              action: 'evidence',
              photo: { mime: 'image/png', base64 },
              queuedAt: new Date().toISOString(),
              tries: 2,
            },
            {
              id: 'legacy-2',
              taskId,
              action: 'complete',
              body: { note: '旧版离线队列' },
              queuedAt: new Date().toISOString(),
              tries: 2,
            },
          ]),
        ),
      { taskId: task.id, base64: LEGACY_PROOF.toString('base64') },
    );
    await officer.reload();
    await officer.getByText(/^2 个操作待发送/).waitFor({ timeout: 20_000 });
    expect(await officer.evaluate(() => localStorage.getItem('citybrain.field.queue'))).toBeNull();
    expect(await stored(officer)).toEqual([
      { action: 'evidence', taskId: task.id, photo: { type: 'image/png', size: LEGACY_PROOF.length } },
      { action: 'complete', taskId: task.id, photo: null },
    ]);
    await context.setOffline(false);
    await officer.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect.poll(() => officer.getByText(/个操作待发送/).count(), { timeout: 30_000 }).toBe(0);
    expect((await call('GET', `/api/v1/tasks/${task.id}`, 'street.jiefangbei')).body.status).toBe(
      'completed',
    );
    const photos = (await call('GET', `/api/v1/tasks/${task.id}/evidence`, 'street.jiefangbei')).body.items;
    expect(photos.map((p: { bytes: number }) => p.bytes)).toEqual([LEGACY_PROOF.length]);
  });

  it('keeps a dozen 12-megapixel photos queued offline (shrunk, as Blobs, past the old 5 MB localStorage ceiling), then sends them', async () => {
    const task = await complaint(106.5735, 29.5545, '较场口烧烤摊油烟熏人');
    expect(
      (await call('POST', `/api/v1/field/tasks/${task.id}/accept`, 'officer.jiefangbei', {})).status,
    ).toBe(200);
    await officer.reload();
    const card = officer.locator(`article.task-card[data-task="${task.id}"]`);
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 20_000 }).toBe('accepted');
    await context.setOffline(true);
    const COUNT = 12;
    // A 4000×3000 camera-like photo (noise, so it does not compress away), chosen 12 times, one by one.
    const measured = await officer.evaluate(
      async ({ taskId, count }) => {
        const canvas = document.createElement('canvas');
        canvas.width = 4000;
        canvas.height = 3000;
        const ctx = canvas.getContext('2d')!;
        const image = ctx.createImageData(4000, 3000);
        for (let i = 0; i < image.data.length; i += 4) {
          const v = (i * 2654435761) >>> 24;
          image.data[i] = v;
          image.data[i + 1] = (v * 7) & 255;
          image.data[i + 2] = (i >>> 10) & 255;
          image.data[i + 3] = 255;
        }
        ctx.putImageData(image, 0, 0);
        const original = await new Promise<Blob>((r) => canvas.toBlob((b) => r(b!), 'image/jpeg', 0.92));
        // Counts the workers the page starts: each photo is shrunk in one, off the main thread.
        let workers = 0;
        const PageWorker = window.Worker;
        window.Worker = class extends PageWorker {
          constructor(...args: ConstructorParameters<typeof Worker>) {
            super(...args);
            workers++;
          }
        };
        const longTasks: number[] = [];
        const observer = new PerformanceObserver((list) => {
          for (const e of list.getEntries()) longTasks.push(e.duration);
        });
        observer.observe({ type: 'longtask' });
        const input = document.querySelector<HTMLInputElement>(
          `article.task-card[data-task="${taskId}"] input[type=file]`,
        )!;
        const started = performance.now();
        const each: number[] = [];
        for (let n = 1; n <= count; n++) {
          const t0 = performance.now();
          const dt = new DataTransfer();
          dt.items.add(new File([original], `IMG_${n}.jpg`, { type: 'image/jpeg' }));
          input.files = dt.files;
          input.dispatchEvent(new Event('change', { bubbles: true }));
          while (!document.body.textContent?.includes(`已添加 ${n} 张照片`))
            await new Promise((r) => setTimeout(r, 10));
          each.push(performance.now() - t0);
        }
        const total = performance.now() - started;
        await new Promise((r) => setTimeout(r, 100));
        observer.disconnect();
        window.Worker = PageWorker;
        return { originalBytes: original.size, each, total, longestTask: Math.max(0, ...longTasks), workers };
      },
      { taskId: task.id, count: COUNT },
    );
    const queued = (await stored(officer)).filter((a) => a.taskId === task.id);
    expect(queued).toHaveLength(COUNT);
    const bytes = queued.map((a) => a.photo?.size ?? 0);
    const base64Total = bytes.reduce((a, b) => a + Math.ceil(b / 3) * 4, 0);
    // Shrunk: a JPEG of at most 1600 px on its longest side, far smaller than the original.
    const dims = await officer.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve) => {
        const open = indexedDB.open('citybrain-field');
        open.onsuccess = () => resolve(open.result);
      });
      const all = await new Promise<{ photo?: Blob }[]>((resolve) => {
        const req = db.transaction('actions').objectStore('actions').getAll();
        req.onsuccess = () => resolve(req.result);
      });
      db.close();
      const photo = all.find((a) => a.photo)?.photo;
      const bitmap = await createImageBitmap(photo!);
      return { width: bitmap.width, height: bitmap.height, type: photo!.type };
    });
    expect(dims).toEqual({ width: 1600, height: 1200, type: 'image/jpeg' });
    expect(Math.max(...bytes)).toBeLessThan(measured.originalBytes / 2);
    // The old queue kept base64 in localStorage (about 5 MB per origin): these would not have fitted.
    expect(base64Total).toBeGreaterThan(5 * 1024 * 1024);
    // Shrinking runs in a worker, one per photo: the page does not freeze (on the page it was ≈ 0.5 s
    // per photo). The longest main-thread task is printed below, not asserted: it is a timing.
    expect(measured.workers).toBe(COUNT);
    const median = [...measured.each].sort((a, b) => a - b)[Math.floor(COUNT / 2)]!;
    console.log(
      `photo queue: ${COUNT} photos of ${(measured.originalBytes / 1048576).toFixed(1)} MiB (4000×3000) → ` +
        `${(bytes.reduce((a, b) => a + b, 0) / 1048576).toFixed(1)} MiB of Blobs in IndexedDB ` +
        `(${(base64Total / 1048576).toFixed(1)} MiB as base64); per photo median ${median.toFixed(0)} ms, ` +
        `total ${(measured.total / 1000).toFixed(1)} s; longest main-thread task ${measured.longestTask.toFixed(0)} ms`,
    );
    await officer.screenshot({ path: shot('field-offline-4-many-photos'), fullPage: true });
    await context.setOffline(false);
    await officer.evaluate(() => window.dispatchEvent(new Event('online')));
    await expect.poll(() => officer.getByText(/个操作待发送/).count(), { timeout: 60_000 }).toBe(0);
    const photos = (await call('GET', `/api/v1/tasks/${task.id}/evidence`, 'street.jiefangbei')).body.items;
    expect(photos.map((p: { bytes: number }) => p.bytes)).toEqual(bytes);
  }, 180_000);
});
