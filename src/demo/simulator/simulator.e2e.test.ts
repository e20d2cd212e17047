import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import { createLogger } from '../../platform/logger.ts';
import { demoSecretsFile, prepareCity } from '../prepare.ts';
import { DemoSimulator, type SimDevice } from './simulator.ts';

const RATE = 0.01;
/** The simulator's clock runs 10× fast from 290 s ago, so five minutes of reports take ~30 s and none lies in the future. */
function fastClock(): () => number {
  const realStart = Date.now();
  const start = realStart - 290_000;
  return () => Math.min(Date.now(), start + (Date.now() - realStart) * 10);
}

describe.each(testBackends)('demo simulator on %s', (engine) => {
  let app: App;
  let dataDir: string;
  let simulator: DemoSimulator;

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-sim-'));
    const config = loadConfig(
      {},
      { dataDir, port: 0, mqttPort: 0, adminPassword: 'test-password', tokenSecret: 's'.repeat(40) },
    );
    app = await createApp({
      config,
      logger: createLogger('warn'),
      database: await openTestDatabase(engine),
      sensing: { noDataGraceAtStart: true },
      scenarios: { crowdIntervalMs: 0 },
    });
    await prepareCity(app, { demo: true });
    await app.listen();
  }, 240_000);

  afterAll(async () => {
    await simulator?.stop();
    await app?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('makes its share of the demo devices report over MQTT: readings stored, devices online, no alerts', async () => {
    const secrets = new Map(
      (
        JSON.parse(fs.readFileSync(demoSecretsFile(dataDir), 'utf8')) as {
          deviceId: string;
          secret: string;
        }[]
      ).map((c) => [c.deviceId, c.secret]),
    );
    const devices: SimDevice[] = (
      await app.services.sensing.devices.list(SYSTEM_PRINCIPAL, { limit: 5000 })
    ).map((d) => ({ ...d }));
    for (let page = devices; page.length === 5000; ) {
      page = (
        await app.services.sensing.devices.list(SYSTEM_PRINCIPAL, { limit: 5000, afterId: page.at(-1)!.id })
      ).map((d) => ({ ...d }));
      devices.push(...page);
    }
    expect(devices).toHaveLength(17_000);
    const clock = fastClock();
    simulator = new DemoSimulator({
      mqttUrl: app.mqtt!.url,
      secrets,
      devices,
      rate: RATE,
      logger: app.logger,
      now: clock,
    });
    const simulated = simulator.stats.devices;
    // About 1% of each type (the share is by a hash of the id, the same at every start).
    expect(simulated).toBeGreaterThan(120);
    expect(simulated).toBeLessThan(230);
    expect(Object.keys(simulator.stats.byType).sort()).toEqual([
      'CrowdFlowObserved',
      'ParkingSpot',
      'TrafficFlowObserved',
      'WaterQualityObserved',
    ]);
    simulator.start();
    const db = app.database.db;
    const online = async () =>
      (
        await sql<{
          n: number;
        }>`select count(*)::int as n from sensing_devices where status = 'online'`.execute(db)
      ).rows[0]!.n;
    // Five simulated minutes (every period, water's included), then a sensing tick marks them online.
    while (clock() < Date.now() - 1000) await new Promise((r) => setTimeout(r, 500));
    await new Promise((r) => setTimeout(r, 2000));
    const deadline = Date.now() + 30_000;
    while ((await online()) < simulated && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 1000));
    expect(await online()).toBe(simulated);
    expect(simulator.connections).toBe(simulated);
    expect(simulator.stats).toMatchObject({ failed: 0, dropped: 0 });

    // Stored through the MQTT path, each type with its own attributes.
    const byType = (
      await sql<{ type: string; metric: string; n: number }>`
        select d.type, o.metric, count(*)::int as n
        from sensing_observations o join sensing_devices d on d.id = o.device_id
        group by d.type, o.metric order by 1, 2`.execute(db)
    ).rows;
    const metrics = (type: string) => byType.filter((r) => r.type === type).map((r) => r.metric);
    expect(metrics('TrafficFlowObserved')).toEqual([
      'averageVehicleSpeed',
      'congested',
      'intensity',
      'occupancy',
    ]);
    expect(metrics('CrowdFlowObserved')).toEqual([
      'averageCrowdSpeed',
      'congested',
      'occupancy',
      'peopleCount',
    ]);
    expect(metrics('WaterQualityObserved')).toEqual(
      ['O2', 'NH4', 'cod', 'PO4', 'pH', 'temperature', 'turbidity', 'conductivity'].sort(),
    );
    expect(metrics('ParkingSpot')).toEqual(['status']);
    // Traffic: one report a minute over the ~5 simulated minutes.
    const traffic = byType.find((r) => r.type === 'TrafficFlowObserved' && r.metric === 'intensity')!.n;
    expect(traffic).toBeGreaterThanOrEqual(4 * simulator.stats.byType.TrafficFlowObserved!);
    const dead = await sql<{ n: number }>`select count(*)::int as n from sensing_dead_letters`.execute(db);
    expect(dead.rows[0]!.n).toBe(0);
    // Normal values raise nothing: the event centre gets no alerts from the simulator.
    await app.services.sensing.evaluateTimers();
    expect(await app.services.sensing.alerts.list(SYSTEM_PRINCIPAL, { limit: 10 })).toEqual([]);
    // Story devices are left to the stories.
    const story = await app.services.sensing.devices.get(SYSTEM_PRINCIPAL, 'wq-puhe-zhaixi');
    expect(story.lastSeenAt).toBeNull();

    await simulator.stop();
    expect(simulator.connections).toBe(0);
    const published = simulator.stats.published;
    await new Promise((r) => setTimeout(r, 2500));
    expect(simulator.stats.published).toBe(published);
  }, 180_000);
});
