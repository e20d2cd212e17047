import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type App, createApp } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { prepareCity } from '../../demo/prepare.ts';
import type { DatabaseKind } from '../../platform/db/database.ts';
import { openTestDatabase } from '../../platform/db/testing.ts';
import { createLogger } from '../../platform/logger.ts';
import { ensureOpen311Key } from './index.ts';

/** The real app with the demo city on one engine, and an Open311 client application holding `key`. */
export async function openOpen311TestApp(
  kind: DatabaseKind,
  key: string,
): Promise<{ app: App; close(): Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-o311-'));
  const config = loadConfig(
    {},
    { dataDir, port: 0, adminPassword: 'admin-password-o311', tokenSecret: 'o'.repeat(40) },
  );
  const app = await createApp({
    config,
    logger: createLogger('silent'),
    database: await openTestDatabase(kind),
  });
  await prepareCity(app, { demo: true });
  await ensureOpen311Key(app.services.identity, '50', key);
  return {
    app,
    async close() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
