import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import axe from 'axe-core';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';
import { inject } from 'vitest';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { DEMO_PASSWORD, prepareCity } from '../../src/demo/prepare.ts';
import { openPglite } from '../../src/platform/db/database.ts';
import { registerWebRoutes } from '../../src/platform/http/web.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { SERVER_SETTINGS } from './demo-template.ts';

/** The built web app. */
export const DIST_DIR = path.resolve(import.meta.dirname, '../dist');
/** Where screenshots go (a CI artefact; ignored by git). */
export const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/web');
/** Password of admin in these tests. */
export const ADMIN_PASSWORD = SERVER_SETTINGS.adminPassword;

/** Debian's Chromium; never a downloaded browser. */
const CHROMIUM = process.env.CITYBRAIN_CHROMIUM ?? '/usr/bin/chromium';

/** A running demo server with the web app, and where the cockpit lives on it. */
export interface Served {
  app: App;
  baseUrl: string;
  /** Path of the cockpit: `/`, or `/cockpit` while src/app.ts still serves the placeholder at `/`. */
  cockpitPath: string;
  close(): Promise<void>;
}

/**
 * Boots the real app in-process on a free port with the Chongqing demo city, serving web/dist.
 * The city comes from the template the global setup prepared (demo-template.ts), copied into this
 * server's own data directory (embedded PGlite on files, as `citybrain demo` runs); without the
 * template (another config) it is prepared here. Until src/app.ts registers the web routes itself,
 * they are added here (the placeholder keeps `/`, so the cockpit is reached at /cockpit).
 */
export async function serve(options: { open311Key?: string } = {}): Promise<Served> {
  if (!fs.existsSync(path.join(DIST_DIR, 'index.html'))) {
    throw new Error('web/dist is missing: run `npm run build:web` first (npm run test:web does)');
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-web-'));
  const template = inject('demoTemplate');
  if (template) fs.cpSync(template, dataDir, { recursive: true });
  const config = loadConfig(
    {},
    {
      ...SERVER_SETTINGS,
      dataDir,
      port: 0,
      ...(options.open311Key ? { open311Key: options.open311Key } : {}),
    },
  );
  const app = await createApp({
    config,
    logger: createLogger('silent'),
    database: await openPglite(path.join(dataDir, 'pgdata')),
  });
  await prepareCity(app, { demo: true });
  if (!app.http.hasRoute({ method: 'GET', url: '/*' }))
    await registerWebRoutes(app.http, { distDir: DIST_DIR });
  const baseUrl = await app.listen();
  const home = await (await fetch(`${baseUrl}/`)).text();
  const cockpitPath = home.includes('id="root"') ? '/' : '/cockpit';
  if (cockpitPath !== '/') {
    console.warn('NOTE: src/app.ts still serves the placeholder at /; the cockpit is tested at /cockpit');
  }
  return {
    app,
    baseUrl,
    cockpitPath,
    async close() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Launches Debian's Chromium headless (software WebGL through SwiftShader). */
export async function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (never download a browser)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** The path of a screenshot file (the folder is created). */
export function shot(name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, `${name}.png`);
}

/**
 * A new page in a new browser context (zh-CN unless `options` say otherwise; the context joins
 * `contexts`, for the caller to close) that records into `errors` its page errors, its console
 * errors (but failed resource loads) and every HTTP 5xx answer it gets.
 */
export async function watchedPage(
  browser: Browser,
  contexts: BrowserContext[],
  errors: string[],
  options: BrowserContextOptions = {},
): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', ...options });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource'))
      errors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('response', (r) => r.status() >= 500 && errors.push(`${r.url()}: HTTP ${r.status()}`));
  return page;
}

/** Signs in on the login form the page shows (cockpit, field app); the demo users' password unless given. */
export async function signIn(page: Page, username: string, password: string = DEMO_PASSWORD): Promise<void> {
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
}

type Rgb = [number, number, number];

/**
 * A valid RGB PNG of w×h pixels, of one colour or filled by `pixel(x, y)`, made here (deflate
 * level 1: quick even for a big picture of noise).
 */
export function png(w: number, h: number, fill: Rgb | ((x: number, y: number) => Rgb)): Buffer {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (b: Buffer) => {
    let c = 0xffffffff;
    for (const x of b) c = (table[(c ^ x) & 0xff] ?? 0) ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(8 + data.length + 4);
    out.writeUInt32BE(data.length, 0);
    td.copy(out, 4);
    out.writeUInt32BE(crc(td), 8 + data.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  const pixel = typeof fill === 'function' ? fill : () => fill;
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set(pixel(x, y), y * (w * 3 + 1) + 1 + x * 3);
  return Buffer.concat([
    Buffer.from('89504e470d0a1a0a', 'hex'),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 1 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * axe-core's serious and critical violations on the page as it is now, one readable line each:
 * rule, impact, help and up to three of the elements it found.
 */
export async function axeSerious(page: Page): Promise<string[]> {
  await page.addScriptTag({ content: axe.source });
  const violations = (await page.evaluate(async () => {
    const w = window as unknown as { axe: typeof axe };
    const result = await w.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? null,
      help: v.help,
      targets: v.nodes.slice(0, 3).map((n) => n.target.map(String).join(' ')),
    }));
  })) as { id: string; impact: string | null; help: string; targets: string[] }[];
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) ${v.help} — ${v.targets.join(', ')}`);
}
