import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.ts';
import { ManualClock } from '../platform/clock.ts';
import { testBackends } from '../platform/db/testing.ts';
import type { Driver } from './driver.ts';
import { openStoryApp, type StoryApp } from './in-process.testing.ts';
import { parkingStory } from './parking-story.ts';

/** The parking story against the real demo app in-process: HTTP by inject, the sensor through ingest, simulated time. */
describe.each(testBackends)('parking story on %s', (kind) => {
  let story: StoryApp;
  let app: App;
  let driver: Driver;
  let lines: string[];

  beforeAll(async () => {
    story = await openStoryApp(kind, {
      clock: new ManualClock('2025-11-24T20:10:00+08:00'),
      app: { traffic: { intervalMs: 0 }, parking: { sweepMs: 0 } },
    });
    ({ app, driver, lines } = story);
  }, 300_000);
  afterAll(() => story?.close());

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
