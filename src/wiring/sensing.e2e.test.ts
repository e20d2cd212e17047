import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type App, createApp } from '../app.ts';
import { loadConfig } from '../config.ts';
import { DEMO_PASSWORD, demoSecretsFile, prepareCity } from '../demo/prepare.ts';
import type { AlertDto } from '../modules/sensing/index.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import { openTestDatabase, testBackends } from '../platform/db/testing.ts';
import { createLogger } from '../platform/logger.ts';
import { observationTopic } from '../platform/mqtt/index.ts';
import { waitFor } from '../platform/mqtt/testing.ts';

const STATION = 'wq-puhe-zhaixi';
const O2_RULE = 'water.o2.daily-mean-below-target';
const DESCRIPTION = '蒲河寨溪大桥断面 溶解氧日均值连续3日低于III类标准(5 mg/L)';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const LOCAL = 8 * HOUR; // Chongqing, UTC+8: the rule's days are local days
const WAIT = { timeout: 15_000, interval: 50 };

/** The seed's water story: three local days of hourly O2 around 3.8 mg/L, ending the day before yesterday. */
function waterStory(now: number): { observedAt: string; O2: number }[] {
  const today = Math.floor((now + LOCAL) / DAY) * DAY - LOCAL;
  const story = [];
  for (let d = 4; d >= 2; d--) {
    for (let h = 0; h < 24; h++) {
      const t = today - d * DAY + h * HOUR + 30 * 60_000;
      story.push({ observedAt: new Date(t).toISOString(), O2: h % 2 ? 4.2 : 3.4 });
    }
  }
  // A reading past the third day's end + lateness (2 h) closes that day's window.
  story.push({ observedAt: new Date(today - DAY + 3.5 * HOUR).toISOString(), O2: 3.8 });
  return story;
}

/** Connects as a device (client id = device id, password = its secret), without reconnecting. */
function connectDevice(url: string, deviceId: string, secret: string) {
  return mqtt.connectAsync(url, {
    clientId: deviceId,
    username: deviceId,
    password: secret,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  });
}

/** A client of `GET /api/v1/live`: collects the events of the stream as they arrive. */
async function openLive(base: string, token: string) {
  const abort = new AbortController();
  const res = await fetch(`${base}/api/v1/live`, {
    headers: { authorization: `Bearer ${token}` },
    signal: abort.signal,
  });
  const events: { event: string; data: Record<string, unknown> }[] = [];
  const stream = {
    status: res.status,
    type: res.headers.get('content-type'),
    events,
    close: () => abort.abort(),
  };
  if (!res.body) return stream;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  void (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const lines = buffer.slice(0, end).split('\n');
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
          const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
          if (event && data) events.push({ event, data: JSON.parse(data) });
        }
      }
    } catch {
      // aborted
    }
  })();
  return stream;
}

/** The real app over real MQTT (embedded broker), with the demo city and its 17,000 devices. */
describe.each(testBackends)('sensing pipeline over MQTT on %s', (kind) => {
  let app: App;
  let dataDir: string;
  let url: string;
  let secrets: Map<string, string>;
  const raisedOnBus: AlertDto[] = [];
  let adminLive: Awaited<ReturnType<typeof openLive>>;
  let yuzhongLive: Awaited<ReturnType<typeof openLive>>;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-sensing-e2e-'));
    const config = loadConfig(
      {},
      { dataDir, port: 0, mqttPort: 0, adminPassword: 'admin-password-e2e', tokenSecret: 's'.repeat(40) },
    );
    app = await createApp({ config, logger: createLogger('silent'), database: await openTestDatabase(kind) });
    await prepareCity(app, { demo: true });
    const list = JSON.parse(fs.readFileSync(demoSecretsFile(dataDir), 'utf8')) as {
      deviceId: string;
      secret: string;
    }[];
    secrets = new Map(list.map((c) => [c.deviceId, c.secret]));
    await app.bus.subscribe('sensing.alert.raised', { group: 'e2e-alerts', owner: 'e2e' }, async (e) => {
      raisedOnBus.push(e.payload);
    });
    const base = await app.listen();
    url = app.mqtt!.url;
    const login = async (username: string, password: string) => {
      const res = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      return ((await res.json()) as { token: string }).token;
    };
    adminLive = await openLive(base, await login('admin', 'admin-password-e2e'));
    yuzhongLive = await openLive(base, await login('district.yuzhong', DEMO_PASSWORD));
    expect((await openLive(base, 'not-a-token')).status).toBe(401);
  }, 180_000);
  /** A device's raw readings of the last week. */
  const rawSeries = (deviceId: string) =>
    app.services.sensing.queries.deviceSeries(SYSTEM_PRINCIPAL, deviceId, {
      from: new Date(Date.now() - 7 * DAY),
      to: new Date(Date.now() + HOUR),
      rollup: 'raw',
      limit: 1000,
    });

  afterAll(async () => {
    await app?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('turns the water story published by the station into exactly one alert naming the section and rule', async () => {
    const device = await connectDevice(url, STATION, secrets.get(STATION)!);
    const story = waterStory(Date.now());
    for (const payload of story) {
      await device.publishAsync(observationTopic(STATION), JSON.stringify(payload), { qos: 1 });
    }
    await device.endAsync();
    // A device's PUBACK means the broker has it; the ingest client acks the broker once stored.
    await vi.waitFor(async () => expect(await rawSeries(STATION)).toHaveLength(story.length), WAIT);

    const alerts = await app.services.sensing.alerts.list(SYSTEM_PRINCIPAL, { limit: 10, subject: STATION });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      ruleId: O2_RULE,
      alertSource: STATION,
      status: 'open',
      description: DESCRIPTION,
      severity: 'high',
    });
    // The alert crossed the bus (outbox → relay → bus) for the event centre.
    await waitFor(() => raisedOnBus.some((a) => a.ruleId === O2_RULE), 10_000, 'alert on the bus');
    expect(raisedOnBus.filter((a) => a.subject === STATION)).toHaveLength(1);
    expect(raisedOnBus[0]).toMatchObject({ id: alerts[0]!.id, description: DESCRIPTION });

    // Live clients: the city sees the station's latest value and the alert; 渝中区 sees neither.
    expect(adminLive).toMatchObject({ status: 200, type: expect.stringContaining('text/event-stream') });
    await vi.waitFor(() => expect(adminLive.events.some((e) => e.event === 'alert')).toBe(true), WAIT);
    expect(adminLive.events.find((e) => e.event === 'alert')!.data).toMatchObject({
      transition: 'raised',
      alert: { id: alerts[0]!.id, description: DESCRIPTION },
    });
    const readings = adminLive.events.filter((e) => e.event === 'reading' && e.data.deviceId === STATION);
    expect(readings.length).toBeGreaterThan(0);
    // 73 readings sent back to back, throttled to one push per device per second.
    expect(readings.length).toBeLessThan(20);
    expect(readings[0]!.data).toMatchObject({
      type: 'WaterQualityObserved',
      values: { O2: expect.any(Number) },
    });
    expect(yuzhongLive.events.filter((e) => JSON.stringify(e.data).includes(STATION))).toEqual([]);
  });

  it('pushes a 渝中区 reading to the district’s live client, and forgets clients that disconnect', async () => {
    const id = 'cf-jfb-001';
    const device = await connectDevice(url, id, secrets.get(id)!);
    const reading = { observedAt: new Date(Date.now() - 1000).toISOString(), peopleCount: 321 };
    await device.publishAsync(observationTopic(id), JSON.stringify(reading), { qos: 1 });
    await device.endAsync();
    await vi.waitFor(() => expect(yuzhongLive.events.some((e) => e.data.deviceId === id)).toBe(true), WAIT);
    expect(yuzhongLive.events.find((e) => e.data.deviceId === id)!.data).toMatchObject({
      values: { peopleCount: 321 },
      jurisdictionPath: expect.stringMatching(/^50\/500103\//),
    });
    expect(app.live.size).toBe(2);
    adminLive.close();
    yuzhongLive.close();
    await vi.waitFor(() => expect(app.live.size).toBe(0), WAIT);
  });

  it('refuses a device publishing to another device’s topic (its connection is closed, nothing stored)', async () => {
    const intruder = [...secrets.keys()].find((id) => id.startsWith('wq-') && id !== STATION)!;
    const device = await connectDevice(url, intruder, secrets.get(intruder)!);
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    const forged = { observedAt: new Date(Date.now() - HOUR).toISOString(), O2: 0.123 };
    device.publishAsync(observationTopic(STATION), JSON.stringify(forged), { qos: 1 }).catch(() => {});
    await closed;
    device.end(true);
    // Anything that got through would be stored within a batch delay; give it well over that.
    await new Promise((r) => setTimeout(r, 300));
    expect(JSON.stringify(await rawSeries(STATION))).not.toContain('0.123');
  });

  it('refuses a wrong secret at CONNECT', async () => {
    await expect(connectDevice(url, STATION, 'not-the-secret')).rejects.toThrow(
      /bad username or password|not authorized/i,
    );
  });

  it('dead-letters invalid JSON and keeps ingesting', async () => {
    const id = [...secrets.keys()].find((d) => d.startsWith('wq-') && d !== STATION)!;
    const device = await connectDevice(url, id, secrets.get(id)!);
    await device.publishAsync(observationTopic(id), '{"observedAt": oops', { qos: 1 });
    const good = { observedAt: new Date(Date.now() - 60_000).toISOString(), O2: 7.7 };
    await device.publishAsync(observationTopic(id), JSON.stringify(good), { qos: 1 });
    await device.endAsync();
    await vi.waitFor(async () => expect(JSON.stringify(await rawSeries(id))).toContain('7.7'), WAIT);
    const dead = await app.services.sensing.deadLetters(SYSTEM_PRINCIPAL, { deviceId: id, limit: 10 });
    expect(dead).toEqual([
      expect.objectContaining({ reason: 'invalid_json', payload: '{"observedAt": oops' }),
    ]);
  });
});
