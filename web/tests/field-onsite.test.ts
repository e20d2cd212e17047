import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOINT_STORY } from '../../src/demo/enforcement-demo.ts';
import { DEMO_PASSWORD } from '../../src/demo/prepare.ts';
import { axeSerious, launchBrowser, type Served, serve, shot, signIn } from './harness.ts';

const P = '/api/v1/enforcement';
const DAY = 86_400_000;
/** The city's date (UTC+8), as the server's "today". */
const cityDate = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);

/**
 * The field app on site (issue 15) in Chromium at 390 px against the demo city: the Liangping food
 * plant's four departments' inspections planned for today become one joint visit on the fire
 * inspector's list; opening it shows the enterprise, the combined published checklist and the
 * officer's own 执法码 (QR, verified on the phone); with the network off the 企业码 is verified from a
 * photo (a PNG of its QR, the camera fallback) and a tampered one typed in is refused; the checklist
 * offers only published checks; the record is frozen, countersigned with a one-time code and
 * submitted — refused by the server when the 企业码 was revoked after the phone cached its list (the
 * refusal is shown, the list refetched, the code now shown revoked), then filed with a fresh code.
 * axe: no serious or critical violation on the list and the visit.
 */
describe('field app on site: joint inspection, codes verified offline, countersigned record', () => {
  let served: Served;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];
  let token = '';
  const call = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${served.baseUrl}${path}`, {
      method,
      headers: {
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...(token && !path.endsWith('/login') ? { authorization: `Bearer ${token}` } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as T };
  };
  const audit = async (what: string) => {
    expect(await axeSerious(page), what).toEqual([]);
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
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) errors.push(m.text());
    });
  }, 300_000);
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await served?.close();
  });

  it('walks the on-site flow with the photo and typed fallbacks, offline verification and the server refusing a revoked code', async () => {
    const plant = JOINT_STORY.foodPlant;
    const today = cityDate(Date.now());
    for (const department of JOINT_STORY.departments) {
      const placed = await call('POST', `${P}/inspections`, {
        enterpriseCode: plant,
        department,
        start: today,
        end: cityDate(Date.now() + 10 * DAY),
      });
      expect(placed.status, JSON.stringify(placed.body)).toBe(201);
    }
    const before = (await call<{ creditScore: number }>('GET', `${P}/enterprises/${plant}`)).body;
    const entCode = (await call('GET', `${P}/codes/enterprises/${plant}`)).body as {
      qr: string;
      statusIndex: number;
    };
    const otc = (await call<{ code: string }>('POST', `${P}/enterprises/${plant}/one-time-code`)).body;
    expect(otc.code).toMatch(/^\d{6}$/);
    const inspector = JOINT_STORY.inspector('fire_rescue');

    // The list: today's joint visit of the fire inspector.
    await page.goto(`${served.baseUrl}/field`);
    await signIn(page, inspector);
    const list = page.getByRole('region', { name: '今日联合检查' });
    const link = list.getByRole('link', { name: /渝梁食品加工厂/ });
    await link.waitFor();
    expect(await link.textContent()).toContain('联合检查');
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, null, { timeout: 20_000 });
    await page.screenshot({ path: shot('field-onsite-1-list'), fullPage: true });
    await audit('list');

    // The visit: enterprise, my code (QR, verified on the phone), the combined checklist.
    await link.click();
    await expect.poll(() => page.url()).toMatch(/\/field\?visit=/);
    await page.getByRole('heading', { name: '渝梁食品加工厂（合成）' }).waitFor();
    expect(await page.locator('.onsite-enterprise').textContent()).toContain(plant);
    const mine = page.locator('.onsite-mycode');
    await mine.getByRole('img', { name: '我的执法码二维码' }).waitFor();
    await expect.poll(() => mine.getByRole('status').textContent()).toContain('执法码有效');
    await page.getByText(/离线核验依据：1 个公钥/).waitFor();
    const inspectorToken = String(
      (await call('POST', '/api/v1/auth/login', { username: inspector, password: DEMO_PASSWORD })).body.token,
    );
    const mineApi = (
      await (
        await fetch(`${served.baseUrl}${P}/visits/mine`, {
          headers: { authorization: `Bearer ${inspectorToken}` },
        })
      ).json()
    ).visits as { visit: { id: string }; checklist: { checks: unknown[] }[] }[];
    // Only published checks can be answered: one radio pair per check of the combined checklist, no free item.
    const checks = page.locator('.onsite-check');
    const published = mineApi[0]?.checklist.reduce((n, c) => n + c.checks.length, 0) ?? -1;
    if (mineApi.length === 1) expect(await checks.count()).toBe(published);
    expect(await checks.count()).toBeGreaterThanOrEqual(4);
    expect(
      await page.locator('.onsite-checklist input[type="text"], .onsite-checklist textarea').count(),
    ).toBe(0);
    await page.screenshot({ path: shot('field-onsite-2-visit'), fullPage: true });
    await page.screenshot({ path: shot('field-onsite-2a-visit-top') });
    await page
      .locator('.onsite-item')
      .first()
      .screenshot({ path: shot('field-onsite-2b-checklist-item') });
    await audit('visit');

    // Offline: a tampered code typed in is refused; the real one, from a photo of its QR, verifies.
    await context.setOffline(true);
    await page.reload();
    await page.getByRole('heading', { name: '渝梁食品加工厂（合成）' }).waitFor();
    const scan = page.locator('.onsite-scan');
    const i = Math.floor(entCode.qr.length / 2);
    const tampered = entCode.qr.slice(0, i) + (entCode.qr[i] === '7' ? '8' : '7') + entCode.qr.slice(i + 1);
    await scan.getByLabel('手动输入企业码码文').fill(tampered);
    await scan.getByRole('button', { name: '核验输入的码文' }).click();
    await expect
      .poll(() => scan.getByRole('status').textContent())
      .toMatch(/企业码无效：(签名校验失败|不是有效的码)/);
    const photo = path.join(os.tmpdir(), `cb-onsite-qr-${process.pid}.png`);
    fs.writeFileSync(photo, await QRCode.toBuffer(entCode.qr, { type: 'png', margin: 4, scale: 6 }));
    await scan.getByLabel('拍照或选择企业码图片').setInputFiles(photo);
    await expect.poll(() => scan.getByRole('status').textContent()).toContain('企业码有效');
    const ms = Number((await scan.getByRole('status').textContent())?.match(/本机核验 ([\d.]+) 毫秒/)?.[1]);
    console.log(`offline verification in Chromium (390 px, desktop CPU): ${ms} ms`);

    // The checklist: all compliant but one; frozen; the one-time code; submitting offline keeps it.
    const n = await checks.count();
    for (let k = 0; k < n; k++)
      await checks
        .nth(k)
        .getByLabel(k === 1 ? '不符合' : '符合', { exact: true })
        .check();
    await checks.nth(1).getByLabel('问题说明').fill('污水处理设施未正常运行');
    const sign = page.locator('.onsite-sign');
    await sign.getByRole('button', { name: '确认记录并生成摘要' }).click();
    await sign.getByText(/记录摘要（SHA-256）：\s*[0-9a-f]{64}/).waitFor();
    await sign.getByLabel('企业收到的 6 位一次性验证码').fill(otc.code);
    await sign.getByRole('button', { name: '签署并提交检查记录' }).click();
    await sign.getByText(/现在离线，记录未提交/).waitFor();
    await page.screenshot({ path: shot('field-onsite-3-offline-verified'), fullPage: true });
    await scan.screenshot({ path: shot('field-onsite-3a-scan-card') });
    await page.locator('.onsite-mycode').screenshot({ path: shot('field-onsite-3b-my-code') });
    await sign.screenshot({ path: shot('field-onsite-3c-sign-card') });

    // Revoked after the phone cached its list: offline it still verifies; the server refuses it.
    expect(
      (await call('POST', `${P}/codes/${entCode.statusIndex}/revoke`, { reason: 'web test' })).status,
    ).toBe(200);
    await context.setOffline(false);
    await sign.getByRole('button', { name: '签署并提交检查记录' }).click();
    const refusal = sign.getByRole('alert');
    await expect.poll(() => refusal.textContent()).toContain('企业码未通过服务器核验：已被吊销');
    // The list was fetched again: the code now shows revoked, and submitting is blocked.
    await expect.poll(() => scan.getByRole('status').textContent()).toContain('企业码无效：已被吊销');
    expect(await sign.getByRole('button', { name: '签署并提交检查记录' }).isDisabled()).toBe(true);
    expect(await sign.textContent()).toContain('未经双方核验的检查不计入，服务器会拒收');
    await page.screenshot({ path: shot('field-onsite-4-refused'), fullPage: true });
    await sign.screenshot({ path: shot('field-onsite-4a-refused-sign-card') });
    await audit('refused');

    // A fresh code, typed in: verifies, and the record is filed.
    const fresh = (await call('GET', `${P}/codes/enterprises/${plant}`)).body as {
      qr: string;
      statusIndex: number;
    };
    expect(fresh.statusIndex).not.toBe(entCode.statusIndex);
    await scan.getByLabel('手动输入企业码码文').fill(fresh.qr);
    await scan.getByRole('button', { name: '核验输入的码文' }).click();
    await expect.poll(() => scan.getByRole('status').textContent()).toContain('企业码有效');
    await sign.getByRole('button', { name: '签署并提交检查记录' }).click();
    const filed = page.locator('[data-record]');
    await filed.waitFor();
    expect(await filed.textContent()).toContain('检查记录已双方签署并提交');
    const after = (await call<{ creditScore: number }>('GET', `${P}/enterprises/${plant}`)).body;
    expect(after.creditScore).toBe(before.creditScore - 6);
    expect(await filed.textContent()).toContain(`${before.creditScore} → ${after.creditScore}`);
    const recordId = await filed.getAttribute('data-record');
    expect((await call('GET', `${P}/records/${recordId}/verify`)).body).toMatchObject({ valid: true });
    await page.screenshot({ path: shot('field-onsite-5-filed'), fullPage: true });
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => filed.textContent()).toContain('Record countersigned and submitted');
    await page.screenshot({ path: shot('field-onsite-6-filed-en'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('reads the 企业码 from the camera (Chromium’s fake camera playing a video of its QR) and verifies it', async () => {
    // Another enterprise of Liangping with a fire inspection today, for the fire inspector.
    const retail = await call<{ items: { creditCode: string; name: string }[] }>(
      'GET',
      `${P}/enterprises?districtCode=500155&industry=retail&limit=20`,
    );
    let target: { creditCode: string; name: string } | undefined;
    for (const e of retail.body.items) {
      const placed = await call('POST', `${P}/inspections`, {
        enterpriseCode: e.creditCode,
        department: 'fire_rescue',
        start: cityDate(Date.now()),
        end: cityDate(Date.now() + 5 * DAY),
      });
      if (placed.status === 201) {
        target = e;
        break;
      }
    }
    if (!target) throw new Error('no retail enterprise could be planned');
    const code = (await call<{ qr: string }>('GET', `${P}/codes/enterprises/${target.creditCode}`)).body;
    const video = path.join(os.tmpdir(), `cb-onsite-qr-${process.pid}.y4m`);
    fs.writeFileSync(video, qrVideo(code.qr));
    const camera = await chromium.launch({
      executablePath: process.env.CITYBRAIN_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--use-fake-device-for-media-stream',
        '--use-fake-ui-for-media-stream',
        `--use-file-for-fake-video-capture=${video}`,
      ],
    });
    try {
      const ctx = await camera.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
      await ctx.grantPermissions(['camera'], { origin: served.baseUrl });
      const phone = await ctx.newPage();
      phone.on('pageerror', (e) => errors.push(e.message));
      await phone.goto(`${served.baseUrl}/field`);
      await signIn(phone, JOINT_STORY.inspector('fire_rescue'));
      await phone.getByRole('link', { name: new RegExp(target.name.slice(0, 6)) }).click();
      const scan = phone.locator('.onsite-scan');
      await scan.getByRole('button', { name: '用摄像头扫码' }).click();
      await expect
        .poll(() => scan.getByRole('status').textContent(), { timeout: 20_000 })
        .toContain('企业码有效');
      expect(await scan.textContent()).toContain(target.creditCode);
      // The camera is released once the code is read.
      expect(await scan.locator('video').count()).toBe(0);
      await scan.screenshot({ path: shot('field-onsite-7-camera') });
      await ctx.close();
    } finally {
      await camera.close();
    }
    expect(errors).toEqual([]);
  });
});

/** A Y4M video (I420, 640×480, 10 frames) of the QR code of `text`, black on white, for Chromium's fake camera. */
function qrVideo(text: string): Buffer {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const w = 640;
  const h = 480;
  const scale = Math.floor((h - 40) / (size + 8));
  const left = Math.floor((w - size * scale) / 2);
  const top = Math.floor((h - size * scale) / 2);
  const y = Buffer.alloc(w * h, 235);
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++)
      if (qr.modules.get(r, c))
        for (let dy = 0; dy < scale; dy++)
          y.fill(
            16,
            (top + r * scale + dy) * w + left + c * scale,
            (top + r * scale + dy) * w + left + (c + 1) * scale,
          );
  const chroma = Buffer.alloc((w / 2) * (h / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, chroma]);
  return Buffer.concat([
    Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\n`),
    ...Array(10).fill(frame),
  ]);
}
