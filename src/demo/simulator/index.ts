import fs from 'node:fs';
import type { App } from '../../app.types.ts';
import type { DeviceRecord } from '../../modules/sensing/index.ts';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { demoSecretsFile } from '../prepare.ts';
import { DemoSimulator, type SimDevice } from './simulator.ts';

export { crowdReading, trafficReading, waterReading } from './model.ts';
export { DemoSimulator, inShare, isStoryDevice, PERIOD_SECONDS, type SimulatorStats } from './simulator.ts';

/** The registry's devices, paged. */
async function registeredDevices(app: App): Promise<SimDevice[]> {
  const out: SimDevice[] = [];
  let afterId: string | undefined;
  for (;;) {
    const page: DeviceRecord[] = await app.services.sensing.devices.list(SYSTEM_PRINCIPAL, {
      limit: 5000,
      ...(afterId ? { afterId } : {}),
    });
    for (const d of page)
      out.push({
        id: d.id,
        type: d.type,
        metrics: d.metrics,
        targetClass: d.targetClass,
        waterBody: d.waterBody,
        lon: d.lon,
        lat: d.lat,
      });
    if (page.length < 5000) return out;
    afterId = page[page.length - 1]!.id;
  }
}

/**
 * Starts the demo's simulator on a listening demo app: the registered devices in the `rate`
 * share report over MQTT with the secrets the demo wrote at first start. Returns undefined (and
 * a banner line saying why) when there is nothing to simulate.
 */
export async function startDemoSimulator(
  app: App,
  options: { rate: number; concurrency?: number; now?: () => number },
): Promise<{ simulator?: DemoSimulator; banner: string }> {
  const url = app.mqtt?.url;
  if (!url) return { banner: '  simulator  off: this process has no MQTT ingest' };
  if (options.rate <= 0) return { banner: '  simulator  off (rate 0)' };
  const file = demoSecretsFile(app.config.dataDir);
  let secrets: Map<string, string>;
  try {
    const list = JSON.parse(fs.readFileSync(file, 'utf8')) as { deviceId: string; secret: string }[];
    secrets = new Map(list.map((c) => [c.deviceId, c.secret]));
  } catch {
    app.logger.warn({ file }, 'demo simulator off: no readable device secrets file');
    return { banner: `  simulator  off: no device secrets at ${file}` };
  }
  const simulator = new DemoSimulator({
    mqttUrl: url,
    secrets,
    devices: await registeredDevices(app),
    rate: options.rate,
    logger: app.logger,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
  simulator.start();
  const { devices, byType } = simulator.stats;
  app.logger.info({ devices, byType, rate: options.rate }, 'demo simulator started');
  return {
    simulator,
    banner: `  simulator  ${devices.toLocaleString('en')} devices report over MQTT (rate ${options.rate} of the seed's load; --no-simulator to stop)`,
  };
}
