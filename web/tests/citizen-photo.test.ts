import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, png, type Served, serve, shot } from './harness.ts';

const SMALL = png(60, 40, [200, 60, 60]);
// 2400×1800 of noise: about 12 MB as PNG, so the portal shrinks it (≤ 1600 px JPEG) before upload.
const BIG = png(2400, 1800, (x, y) => {
  const v = ((x * 73856093) ^ (y * 19349663)) >>> 0;
  return [v & 255, (v >>> 8) & 255, (v >>> 16) & 255];
});

/**
 * The citizen portal without an Open311 key files through the keyless citizen API: photos are
 * uploaded first (a big one shrunk in the browser), named as `photos`, and shown back; a file
 * that is not an image is refused with the server's reason and nothing is filed.
 */
describe('citizen portal photos through the citizen API, in Chromium', () => {
  let served: Served;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    [served, browser] = await Promise.all([serve(), launchBrowser()]);
    context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      locale: 'zh-CN',
      geolocation: { longitude: 106.574, latitude: 29.551 },
      permissions: ['geolocation', 'clipboard-read', 'clipboard-write'],
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
  });
  // Checked after every test (not as a last test, which a shuffled run may put first).
  afterEach(() => {
    expect(errors).toEqual([]);
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await served?.close();
  });

  const fillForm = async (description: string) => {
    await page.goto(`${served.baseUrl}/citizen`);
    await page.getByLabel('问题描述').fill(description);
    await page.locator('.pin-map canvas').waitFor();
    await page.getByRole('button', { name: '使用我的位置' }).click();
    await expect.poll(() => page.locator('.place').textContent()).toMatch(/渝中区 \/ 解放碑街道/);
  };

  it('refuses a file that is not an image with the server’s reason, and files nothing', async () => {
    await fillForm('解放碑路边垃圾没人清理');
    await page
      .getByLabel('照片（可选，最多 6 张）')
      .setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('not really a photo') });
    let filed = 0;
    page.on('request', (r) => r.url().endsWith('/api/v1/citizen/requests') && filed++);
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByRole('alert').getByText('提交失败：照片须为 JPEG、PNG 或 WebP 图片').waitFor();
    expect(filed).toBe(0);
    await page.screenshot({ path: shot('citizen-photo-refused'), fullPage: true });
  });

  it('uploads two photos (the big one shrunk), names them in the request and shows them back', async () => {
    await fillForm('较场口夜市露天烧烤油烟太大');
    await page.getByLabel('照片（可选，最多 6 张）').setInputFiles([
      { name: 'small.png', mimeType: 'image/png', buffer: SMALL },
      { name: 'big.png', mimeType: 'image/png', buffer: BIG },
    ]);
    const uploads: Request[] = [];
    page.on('request', (r) => r.url().endsWith('/api/v1/citizen/photos') && uploads.push(r));
    const filed = page.waitForRequest((r) => r.url().endsWith('/api/v1/citizen/requests'));
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByRole('heading', { name: '已提交，感谢您的反映' }).waitFor({ timeout: 30_000 });
    await page.getByText('已随诉求提交 2 张照片').waitFor();
    expect(uploads.map((r) => r.headers()['content-type'])).toEqual(['image/png', 'image/jpeg']);
    const answers = await Promise.all(uploads.map(async (r) => (await r.response())!));
    expect(answers.map((a) => a.status())).toEqual([201, 201]);
    const stored = await Promise.all(
      answers.map(async (a) => (await a.json()) as { id: string; bytes: number; mime: string }),
    );
    const ids = stored.map((p) => p.id);
    // What the server stored: the small one as it was, the big one (≈ 12 MB) shrunk below 1 MiB.
    expect(BIG.length).toBeGreaterThan(10 * 1024 * 1024);
    expect(stored.map((p) => p.mime)).toEqual(['image/png', 'image/jpeg']);
    expect(stored[0]!.bytes).toBe(SMALL.length);
    expect(stored[1]!.bytes).toBeLessThan(1024 * 1024);
    expect((await filed).postDataJSON()).toMatchObject({ photos: ids });

    await page.getByRole('button', { name: '查看办理进度' }).click();
    // The shrunk one is 1600 px wide; both are downloaded with the request's token.
    await expect
      .poll(() =>
        page.$$eval('article.request .thumbs img', (imgs) =>
          imgs.map((i) => ((i as HTMLImageElement).complete ? (i as HTMLImageElement).naturalWidth : 0)),
        ),
      )
      .toEqual([60, 1600]);
    expect(await page.locator('article.request .thumbs img').first().getAttribute('src')).toMatch(
      new RegExp(`^/api/v1/citizen/photos/${ids[0]}\\?token=`),
    );
    await page.screenshot({ path: shot('citizen-photo-filed'), fullPage: true });
  });

  it('adds photos from the camera and the gallery, removes one; gives a short tracking number and a token to copy or save', async () => {
    await fillForm('解放碑步行街路灯不亮');
    // The place by name instead: the city's gazetteer, the pin and the map follow.
    await page.getByLabel('搜索地点').fill('较场口');
    const result = page.locator('.place-results button').first();
    await result.waitFor();
    expect(await page.locator('.place-results button').allTextContents()).toContainEqual(
      expect.stringMatching(/^较场口/),
    );
    await result.click();
    await expect.poll(() => page.locator('.place').textContent()).toMatch(/渝中区 \/ \S+街道/);
    await expect.poll(() => page.locator('.place-results').count()).toBe(0);
    await page.screenshot({ path: shot('citizen-address-search'), fullPage: true });
    const camera = page.getByLabel('拍照');
    expect(await camera.getAttribute('capture')).toBe('environment');
    await camera.setInputFiles({ name: 'camera.png', mimeType: 'image/png', buffer: SMALL });
    await page.getByLabel('照片（可选，最多 6 张）').setInputFiles([
      { name: 'a.png', mimeType: 'image/png', buffer: png(30, 30, [20, 120, 20]) },
      { name: 'b.png', mimeType: 'image/png', buffer: png(40, 30, [20, 20, 160]) },
    ]);
    await expect.poll(() => page.locator('form .thumbs img').count()).toBe(3);
    await page.getByRole('button', { name: '移除照片 2' }).click();
    await expect
      .poll(() =>
        page.$$eval('form .thumbs img', (imgs) => imgs.map((i) => (i as HTMLImageElement).naturalWidth)),
      )
      .toEqual([60, 40]);
    await page.screenshot({ path: shot('citizen-photo-pick'), fullPage: true });
    await page.getByRole('button', { name: '提交' }).click();
    await page.getByRole('heading', { name: '已提交，感谢您的反映' }).waitFor({ timeout: 30_000 });
    await page.getByText('已随诉求提交 2 张照片').waitFor();
    const tracking = (await page.locator('strong.tracking').textContent()) ?? '';
    expect(tracking).toMatch(/^CQ-\d{8}-\d{6}$/);
    const token = (await page.locator('code.token').textContent()) ?? '';
    await page.getByRole('button', { name: '复制凭证' }).click();
    await page.getByRole('button', { name: '已复制' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
    const saved = page.waitForEvent('download');
    await page.getByRole('button', { name: '保存为文件' }).click();
    const file = await saved;
    expect(file.suggestedFilename()).toBe(`${tracking}.txt`);
    const chunks: Buffer[] = [];
    for await (const c of (await file.createReadStream())!) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text).toContain(`查询编号: ${tracking}`);
    expect(text).toContain(token);
    await page.screenshot({ path: shot('citizen-tracking-number'), fullPage: true });
    // The number is what the citizen quotes on the phone: the operator's event page finds it too.
    const res = await fetch(`${served.baseUrl}/open311/v2/requests/${tracking}.json`);
    expect(((await res.json()) as { tracking_number: string }[])[0]?.tracking_number).toBe(tracking);
  });
});
