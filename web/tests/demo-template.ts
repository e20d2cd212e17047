import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { prepareCity } from '../../src/demo/prepare.ts';
import { openPglite } from '../../src/platform/db/database.ts';
import { createLogger } from '../../src/platform/logger.ts';

/** Settings every test server shares (the template is prepared with the same ones). */
export const SERVER_SETTINGS = {
  host: '127.0.0.1',
  adminPassword: 'admin-password-web',
  tokenSecret: 'w'.repeat(40),
} as const;

declare module 'vitest' {
  export interface ProvidedContext {
    /** A data directory holding a prepared demo city (PGlite files and the device secrets). */
    demoTemplate: string;
  }
}

/**
 * Global setup of the web tests: prepares the demo city once, in a PGlite data directory that each
 * test file's server copies (`serve()` in harness.ts) instead of preparing it again — about 20 s a
 * file. Each copy still runs `prepareCity`, whose second pass only checks (a few seconds), as a
 * restarted demo does.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-web-template-'));
  const config = loadConfig({}, { ...SERVER_SETTINGS, dataDir, port: 0 });
  const app = await createApp({
    config,
    logger: createLogger('silent'),
    database: await openPglite(path.join(dataDir, 'pgdata')),
  });
  try {
    await prepareCity(app, { demo: true });
  } finally {
    await app.close();
  }
  project.provide('demoTemplate', dataDir);
  return () => fs.rmSync(dataDir, { recursive: true, force: true });
}
