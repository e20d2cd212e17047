import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import { ManualClock } from '../platform/clock.ts';
import { testBackends } from '../platform/db/testing.ts';
import type { Driver } from './driver.ts';
import { openStoryApp, type StoryApp } from './in-process.testing.ts';
import { trafficStory } from './traffic-story.ts';

/** The traffic story against the real demo app in-process: HTTP by inject, detectors through ingest, simulated time. */
describe.each(testBackends)('traffic story on %s', (kind) => {
  let story: StoryApp;
  let app: App;
  let driver: Driver;
  let lines: string[];

  beforeAll(async () => {
    story = await openStoryApp(kind, {
      clock: new ManualClock('2025-11-24T09:40:00+08:00'),
      // The congestion timer runs on real time over the manual clock: every 200 ms here.
      app: { traffic: { intervalMs: 200 } },
    });
    ({ app, driver, lines } = story);
  }, 300_000);
  afterAll(() => story?.close());

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
