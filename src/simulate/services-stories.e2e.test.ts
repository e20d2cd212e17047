import { execFile } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../app.ts';
import { ManualClock } from '../platform/clock.ts';
import { testBackends } from '../platform/db/testing.ts';
import type { Driver } from './driver.ts';
import { openStoryApp, type StoryApp } from './in-process.testing.ts';
import { serviceStory } from './services-stories.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The integrated-services stories on simulated time against the demo city in-process (HTTP by inject). */
describe.each(testBackends)('services stories on %s', (kind) => {
  let story: StoryApp;
  let app: App;
  let driver: Driver;
  let dataDir: string;
  // Wednesday 2 December 2026, 09:00 in Chongqing: a working day.
  const clock = new ManualClock('2026-12-02T09:00:00+08:00');

  beforeAll(async () => {
    story = await openStoryApp(kind, {
      clock,
      app: { services: { sweepMs: 0 } },
      // No MariaDB in tests: the demo's departmental records come from the CSV files.
      config: { datahubMariadbUrl: 'mysql://root@127.0.0.1:1/none' },
      // The step timers are ticked by hand on simulated time.
      afterAdvance: (a) => a.services.integratedServices.timers.tick(),
    });
    ({ app, driver, dataDir } = story);
  }, 240_000);
  afterAll(() => story?.close());

  it('newborn: 6 items, 7 departments, 18 materials of which at most 2 from the parents, within 2 hours', async () => {
    const { outcome } = await serviceStory(driver, 'newborn');
    expect(outcome, JSON.stringify(outcome)).toMatchObject({
      story: 'newborn',
      holds: true,
      failed: [],
      items: 6,
      departments: 7,
      materialsRequired: 18,
      materialsFromCitizen: 2,
      materialsFromSharedData: 12,
      completed: true,
      wrongDeskRefused: true,
      retriedNoop: true,
      proposalAccepted: true,
      certificatesIssued: 6,
      certificateVerified: true,
      tamperedRefused: true,
      pdfDownloaded: true,
    });
    expect(outcome.leadTimeMinutes).toBeLessThanOrEqual(120);
  });

  it('business start-up: licence first, then five desks in parallel, within 4 hours', async () => {
    const { outcome } = await serviceStory(driver, 'business-startup');
    expect(outcome, JSON.stringify(outcome)).toMatchObject({
      story: 'business-startup',
      holds: true,
      items: 6,
      completed: true,
      leadTimeMinutes: 90,
      certificatesIssued: 6,
      certificateVerified: true,
    });
  });

  it('credit repair: market supervision, environment and tax in parallel, then the public credit platform', async () => {
    const { outcome } = await serviceStory(driver, 'credit-repair');
    expect(outcome, JSON.stringify(outcome)).toMatchObject({
      story: 'credit-repair',
      holds: true,
      items: 5,
      departments: 4,
      completed: true,
      materialsRequired: 14,
      materialsFromCitizen: 2,
      materialsFromSharedData: 8,
    });
  });

  it('runs `citybrain simulate --story newborn --json` over HTTP: the last line is the outcome, exit 0', async () => {
    // The CLI's story takes its dates from the wall clock: bring the app's clock up to it.
    clock.set(new Date(Math.max(Date.now(), clock.now().getTime())));
    const url = await app.http.listen({ port: 0, host: '127.0.0.1' });
    const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [
          path.join(ROOT, 'src/main.ts'),
          'simulate',
          '--story',
          'newborn',
          '--json',
          '--url',
          url,
          '--speed',
          '600000',
        ],
        { encoding: 'utf8', timeout: 90_000, env: { ...process.env, CITYBRAIN_DATA_DIR: dataDir } },
        (error, stdout, stderr) =>
          done({ status: error ? ((error.code as number | undefined) ?? -1) : 0, stdout, stderr }),
      );
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const last = JSON.parse(run.stdout.trim().split('\n').at(-1) as string);
    expect(last).toMatchObject({
      story: 'newborn',
      holds: true,
      completed: true,
      materialsFromCitizen: 2,
      certificatesIssued: 6,
      certificateVerified: true,
    });
    expect(last.leadTimeMinutes).toBeLessThanOrEqual(120);
    expect(run.stderr).toContain('新生儿出生一件事');
  }, 120_000);
});
