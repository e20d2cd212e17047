import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { type App, createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { prepareCity } from '../../src/demo/prepare.ts';
import { openTestDatabase } from '../../src/platform/db/testing.ts';
import { registerWebRoutes } from '../../src/platform/http/web.ts';
import { createLogger } from '../../src/platform/logger.ts';

/** The built web app. */
export const DIST_DIR = path.resolve(import.meta.dirname, '../dist');
/** Where screenshots go (a CI artefact; ignored by git). */
export const ARTIFACTS = path.resolve(import.meta.dirname, '../../test-artifacts/web');
/** Password of admin in these tests. */
export const ADMIN_PASSWORD = 'admin-password-web';

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
 * Boots the real app in-process on a free port with the Chongqing demo city (in-memory
 * PGlite), serving web/dist. Until src/app.ts registers the web routes itself, they are
 * added here (the placeholder keeps `/`, so the cockpit is reached at /cockpit).
 */
export async function serve(options: { open311Key?: string } = {}): Promise<Served> {
  if (!fs.existsSync(path.join(DIST_DIR, 'index.html'))) {
    throw new Error('web/dist is missing: run `npm run build:web` first (npm run test:web does)');
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-web-'));
  const config = loadConfig(
    {},
    {
      dataDir,
      port: 0,
      host: '127.0.0.1',
      adminPassword: ADMIN_PASSWORD,
      tokenSecret: 'w'.repeat(40),
      ...(options.open311Key ? { open311Key: options.open311Key } : {}),
    },
  );
  const app = await createApp({
    config,
    logger: createLogger('silent'),
    database: await openTestDatabase('pglite'),
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
