import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testBackends } from '../platform/db/testing.ts';
import type { Driver } from './driver.ts';
import { openStoryApp, type StoryApp } from './in-process.testing.ts';
import { patrolStory } from './patrol-story.ts';

/** The patrol story against the real demo app in-process (HTTP by inject); no devices or time. */
describe.each(testBackends)('patrol story on %s', (kind) => {
  let story: StoryApp;
  let driver: Driver;
  let lines: string[];

  beforeAll(async () => {
    story = await openStoryApp(kind, { app: { traffic: { intervalMs: 0 } } });
    ({ driver, lines } = story);
  }, 300_000);
  afterAll(() => story?.close());

  it('plans patrols over hot spots learnt from reported incidents only, accuracy published, hours capped', async () => {
    const { outcome } = await patrolStory(driver);
    expect(outcome, lines.join('\n')).toMatchObject({
      story: 'patrol',
      holds: true,
      failed: [],
      fromReportedOnly: true,
      algorithmFiled: true,
    });
    expect(outcome.pai as number).toBeGreaterThan(2);
    expect(outcome.maxAreaShare as number).toBeLessThanOrEqual(outcome.shareCap as number);
    expect(outcome.refusedArea).toMatch(/^500103/);
  }, 120_000);
});
