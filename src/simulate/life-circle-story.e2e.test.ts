import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../platform/db/testing.ts';
import type { Driver } from './driver.ts';
import { openStoryApp, type StoryApp } from './in-process.testing.ts';
import { lifeCircleStory } from './life-circle-story.ts';

/** The life-circle story against the real demo app in-process (HTTP by inject), with the need–resource matching; no devices or time. */
describe.each(testBackends)('life-circle story on %s', (kind) => {
  let story: StoryApp;
  let driver: Driver;
  let lines: string[];

  beforeAll(async () => {
    story = await openStoryApp(kind, { app: { traffic: { intervalMs: 0 } } });
    ({ driver, lines } = story);
  }, 300_000);
  afterAll(() => story?.close());

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
    expect(outcome.needsMet as number).toBeGreaterThan(0);
    expect(outcome.needsMet as number).toBeLessThanOrEqual(1);
    expect(outcome.medianMatchSeconds as number).toBeGreaterThan(0);
  }, 120_000);
});
