import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { DEMO_PASSWORD, prepareCity } from '../demo/prepare.ts';
import { ManualClock } from '../platform/clock.ts';
import { openTestDatabase, testBackends } from '../platform/db/testing.ts';
import { createLogger } from '../platform/logger.ts';
import type { Driver } from './driver.ts';
import { parkingStory } from './parking-story.ts';

/** The parking story against the real demo app in-process: HTTP by inject, the sensor through ingest, simulated time. */
describe.each(testBackends)('parking story on %s', (kind) => {
  let app: App;
  let dataDir: string;
  const clock = new ManualClock('2025-11-24T20:10:00+08:00');
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
      const r = await app.services.sensing.ingest(
        payloads.map((payload) => ({ deviceId, payload, receivedAt: clock.now() })),
      );
      if (r.deadLettered) throw new Error(`${deviceId}: ${r.deadLettered} readings dead-lettered`);
    },
    now: () => clock.now().getTime(),
    async advance(ms) {
      clock.advance(ms);
    },
    async until(what, probe, timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const v = await probe();
        if (v) return v;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`${what}: not reached`);
    },
    log: (line) => lines.push(line),
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-parking-'));
    const config = loadConfig(
      {},
      { dataDir, port: 0, adminPassword: 'admin-password-pk', tokenSecret: 't'.repeat(40) },
    );
    app = await createApp({
      config,
      logger: createLogger((process.env.TEST_LOG_LEVEL as 'error') ?? 'error'),
      clock,
      database: await openTestDatabase(kind),
      scenarios: { crowdIntervalMs: 0 },
      traffic: { intervalMs: 0 },
      parking: { sweepMs: 0 },
    });
    await prepareCity(app, { demo: true });
  }, 300_000);
  afterAll(async () => {
    await app?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (process.env.SHOW_STORIES) console.log(lines.join('\n'));
  });

  it('adds the 14,800 synthetic shared spaces of the demo, 6,000 of them with sensors', async () => {
    expect(await app.services.parking.spaceCount()).toBe(14_800);
    const spot = await app.services.parking.queries.spot('site-000-00');
    expect(spot).toMatchObject({ type: 'ParkingSpot', refDevice: expect.stringMatching(/^ps-500103-/) });
  });

  it('books a shared space near 解放碑; the sensor confirms it and utilisation rises', async () => {
    const { outcome, booking } = await parkingStory(driver);
    expect(outcome, lines.join('\n')).toMatchObject({
      story: 'parking',
      holds: true,
      failed: [],
      sharedSpaces: 14_800,
      booked: true,
      occupancyConfirmed: true,
      takenRefused: true,
    });
    expect(outcome.utilisationAfter as number).toBeGreaterThan(outcome.utilisationBefore as number);
    expect(outcome.distanceM as number).toBeLessThanOrEqual(1000);
    expect(booking).toMatchObject({ status: 'occupied', plate: '渝A***K2' });
  });
});
