import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { DEMO_PASSWORD, prepareCity } from '../demo/prepare.ts';
import { openTestDatabase, testBackends } from '../platform/db/testing.ts';
import { createLogger } from '../platform/logger.ts';
import type { Driver } from './driver.ts';
import { lifeCircleStory } from './life-circle-story.ts';

/** The life-circle story against the real demo app in-process (HTTP by inject); read-only, no devices or time. */
describe.each(testBackends)('life-circle story on %s', (kind) => {
  let app: App;
  let dataDir: string;
  const tokens = new Map<string, string | null>();
  const lines: string[] = [];
  const login = async (user: string) => {
    if (!tokens.has(user)) {
      const res = await app.http.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username: user, password: DEMO_PASSWORD },
      });
      tokens.set(user, res.statusCode === 200 ? res.json().token : null);
    }
    return tokens.get(user) ?? null;
  };
  const unused = () => {
    throw new Error('not used by the life-circle story');
  };
  const driver: Driver = {
    async call(method, url, user) {
      const token = user ? await login(user) : null;
      const res = await app.http.inject({
        method,
        url,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      return { status: res.statusCode, body: res.json() };
    },
    canLogin: async (user) => (await login(user)) !== null,
    publish: async () => unused(),
    now: () => Date.now(),
    advance: async () => unused(),
    until: async () => unused(),
    log: (line) => lines.push(line),
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-lifecircle-'));
    const config = loadConfig(
      {},
      { dataDir, port: 0, adminPassword: 'admin-password-lc', tokenSecret: 'l'.repeat(40) },
    );
    app = await createApp({
      config,
      logger: createLogger((process.env.TEST_LOG_LEVEL as 'error') ?? 'error'),
      database: await openTestDatabase(kind),
      scenarios: { crowdIntervalMs: 0 },
      traffic: { intervalMs: 0 },
    });
    await prepareCity(app, { demo: true });
  }, 300_000);
  afterAll(async () => {
    await app?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (process.env.SHOW_STORIES) console.log(lines.join('\n'));
  });

  it('reports every street’s 15-minute coverage, the gaps, and the best site for one more elderly canteen', async () => {
    const { outcome } = await lifeCircleStory(driver);
    expect(outcome, lines.join('\n')).toMatchObject({
      story: 'life-circle',
      holds: true,
      failed: [],
      streets: 1031,
      categories: 8,
    });
    expect(outcome.populationCovered as number).toBeGreaterThan(0);
    expect(outcome.populationCovered as number).toBeLessThan(1);
    expect(outcome.computeSeconds as number).toBeLessThanOrEqual(60);
    expect((outcome.bestSite as { gain: number }).gain).toBeGreaterThan(0);
  }, 120_000);
});
