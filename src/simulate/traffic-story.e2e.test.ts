import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { DEMO_PASSWORD, prepareCity } from '../demo/prepare.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import { ManualClock } from '../platform/clock.ts';
import { openTestDatabase, testBackends } from '../platform/db/testing.ts';
import { createLogger } from '../platform/logger.ts';
import type { Driver } from './driver.ts';
import { trafficStory } from './traffic-story.ts';

/** The traffic story against the real demo app in-process: HTTP by inject, detectors through ingest, simulated time. */
describe.each(testBackends)('traffic story on %s', (kind) => {
  let app: App;
  let dataDir: string;
  const clock = new ManualClock('2025-11-24T09:40:00+08:00');
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
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-traffic-'));
    const config = loadConfig(
      {},
      { dataDir, port: 0, adminPassword: 'admin-password-tr', tokenSecret: 't'.repeat(40) },
    );
    app = await createApp({
      config,
      logger: createLogger((process.env.TEST_LOG_LEVEL as 'error') ?? 'error'),
      clock,
      database: await openTestDatabase(kind),
      scenarios: { crowdIntervalMs: 0 },
      // The congestion timer runs on real time over the manual clock: every 200 ms here.
      traffic: { intervalMs: 200 },
    });
    await prepareCity(app, { demo: true });
  }, 300_000);
  afterAll(async () => {
    await app?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    if (process.env.SHOW_STORIES) console.log(lines.join('\n'));
  });

  it('imports the demo road network and maps the demo detectors to it', async () => {
    expect(await app.services.traffic.linkCount()).toBe(2390);
    const layer = await app.services.traffic.queries.links(SYSTEM_PRINCIPAL, {});
    const mapped = layer.items.reduce((s, l) => s + l.detectors.length, 0);
    expect(mapped).toBeGreaterThan(5500);
  });

  it('replays the morning peak on the Jiefangbei arterials: severe, police dispatched, recovered', async () => {
    const { outcome, plan } = await trafficStory(driver);
    expect(outcome, lines.join('\n')).toMatchObject({
      story: 'traffic',
      holds: true,
      failed: [],
      eventDispatched: true,
    });
    expect(outcome.peakTti as number).toBeGreaterThanOrEqual(2);
    expect(outcome.recoveredTti as number).toBeLessThan(1.5);
    expect(outcome.arterialSpeedKmh as number).toBeGreaterThan(outcome.peakArterialSpeedKmh as number);
    expect(plan?.tasks.map((t) => `${t.departmentType}@${t.level}`)).toEqual([
      'public_security@district',
      'transport@district',
    ]);
    const event = (await driver.call('GET', `/api/v1/events/${plan!.eventId}`, 'operator.500103')).body;
    expect(event).toMatchObject({ category: 'traffic_congestion', source: 'sensor_alert' });
  });
});
