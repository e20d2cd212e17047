import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type App, createApp } from '../app.ts';
import type { AppOptions } from '../app.types.ts';
import { loadConfig } from '../config.ts';
import { DEMO_PASSWORD, prepareCity } from '../demo/prepare.ts';
import type { ManualClock } from '../platform/clock.ts';
import type { DatabaseKind } from '../platform/db/database.ts';
import { openTestDatabase } from '../platform/db/testing.ts';
import { createLogger } from '../platform/logger.ts';
import type { Driver } from './driver.ts';

/** The demo app in-process with a story driver over it (what the stories' tests share). */
export interface StoryApp {
  app: App;
  /** The app's data directory (removed by `close`). */
  dataDir: string;
  /** HTTP by inject, device messages through ingest, time on the app's clock. */
  driver: Driver;
  /** The story's narrative (printed after the suite with SHOW_STORIES=1). */
  lines: string[];
  close(): Promise<void>;
}

/**
 * Opens the real app on a fresh database of `kind` with the demo city prepared, and a driver that
 * replays a story against it in-process: the same story code `citybrain simulate` runs from outside,
 * with HTTP by `inject`, device messages handed to sensing's ingest at the clock's time, and
 * simulated time when a ManualClock is given (`advance` moves it, then runs `afterAdvance`).
 */
export async function openStoryApp(
  kind: DatabaseKind,
  options: {
    clock?: ManualClock;
    /** App options beyond config, clock, logger and database (timers off, e.g. `{ traffic: { intervalMs: 0 } }`). */
    app?: Omit<Partial<AppOptions>, 'config' | 'clock' | 'logger' | 'database'>;
    /** Settings beyond the data directory, port, admin password and token secret. */
    config?: Record<string, unknown>;
    /** Prepares the city (default: the whole demo with `prepareCity`). */
    prepare?: (app: App) => Promise<unknown>;
    /** Runs after each `advance` (e.g. a module's timers that tests tick by hand). */
    afterAdvance?: (app: App) => Promise<unknown>;
  } = {},
): Promise<StoryApp> {
  const { clock } = options;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-story-'));
  const config = loadConfig(
    {},
    {
      dataDir,
      port: 0,
      adminPassword: 'admin-password-story',
      tokenSecret: 't'.repeat(40),
      ...options.config,
    },
  );
  const app = await createApp({
    config,
    logger: createLogger((process.env.TEST_LOG_LEVEL as 'error') ?? 'error'),
    database: await openTestDatabase(kind),
    scenarios: { crowdIntervalMs: 0 },
    ...(clock ? { clock } : {}),
    ...options.app,
  });
  await (options.prepare ?? ((a: App) => prepareCity(a, { demo: true })))(app);
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
  const driver: Driver = {
    async call(method, url, user, body, headers = {}) {
      const token = user ? await login(user) : null;
      const res = await app.http.inject({
        method,
        url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        ...(body === undefined ? {} : { payload: body as string }),
      });
      const type = String(res.headers['content-type'] ?? '');
      return { status: res.statusCode, body: type.includes('json') ? res.json() : res.body };
    },
    canLogin: async (user) => (await login(user)) !== null,
    async publish(deviceId, payloads) {
      const receivedAt = clock ? clock.now() : new Date();
      const r = await app.services.sensing.ingest(
        payloads.map((payload) => ({ deviceId, payload, receivedAt })),
      );
      if (r.deadLettered) throw new Error(`${deviceId}: ${r.deadLettered} readings dead-lettered`);
    },
    now: () => (clock ? clock.now().getTime() : Date.now()),
    async advance(ms) {
      if (!clock) throw new Error('this story app runs on real time: give it a ManualClock to advance');
      clock.advance(ms);
      await options.afterAdvance?.(app);
    },
    async until(what, probe, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const v = await probe();
        if (v) return v;
        if (Date.now() >= end) throw new Error(`${what}: not reached`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    log: (line) => lines.push(line),
  };
  return {
    app,
    dataDir,
    driver,
    lines,
    async close() {
      await app.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      if (process.env.SHOW_STORIES) console.log(lines.join('\n'));
    },
  };
}
