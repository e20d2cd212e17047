import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPublishedDraw } from '../cli/draw.command.ts';
import { ensureEnforcementDemo, JOINT_STORY } from '../demo/enforcement-demo.ts';
import { DEMO_DATA_DIR, DEMO_PASSWORD } from '../demo/prepare.ts';
import { ensureServicesDemo } from '../demo/services-demo.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import { ManualClock } from '../platform/clock.ts';
import { testBackends } from '../platform/db/testing.ts';
import type { Driver } from './driver.ts';
import { jointInspection } from './enforcement-story.ts';
import { openStoryApp, type StoryApp } from './in-process.testing.ts';

/** The joint-inspection story in-process (HTTP by inject) on simulated time, over the demo city's streets. */
describe.each(testBackends)('joint-inspection story on %s', (kind) => {
  let story: StoryApp;
  let driver: Driver;
  let lines: string[];

  beforeAll(async () => {
    story = await openStoryApp(kind, {
      clock: new ManualClock('2026-03-02T09:00:00+08:00'),
      // The demo city's streets and a smaller register than the demo's 20,000, which keeps the test
      // quick; the story needs only Liangping's plant.
      prepare: async (a) => {
        await a.services.jurisdictions.importFile(
          SYSTEM_PRINCIPAL,
          path.join(DEMO_DATA_DIR, 'jurisdictions.geojson'),
          { level: 'auto', parentProperty: 'parent', nameEnProperty: 'name_en' },
        );
        // Departments: the credit-repair bundle's desks belong to them.
        const nodes = (await a.services.jurisdictions.list()).map((n) => ({ ...n, point: n.label }));
        await a.services.organisation.structure.generate(SYSTEM_PRINCIPAL, nodes, { demoTeams: false });
        await ensureEnforcementDemo(a, DEMO_PASSWORD, { count: 3000 });
        // The plant's representative and the desks of the credit-repair bundle.
        await ensureServicesDemo(a, DEMO_PASSWORD);
      },
    });
    ({ driver, lines } = story);
  }, 240_000);
  afterAll(() => story?.close());

  it('merges four departments into one visit, verifies both codes, countersigns, refuses a repeat, updates credit and repairs it', async () => {
    const { outcome } = await jointInspection(driver);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({
      story: 'joint-inspection',
      holds: true,
      failed: [],
      visits: 1,
      codesVerified: 2,
      recordCountersigned: true,
      repeatRefused: true,
      seedMismatchRefused: true,
      drawRerunMatches: true,
    });
    expect(outcome.departments).toEqual(expect.arrayContaining([...JOINT_STORY.departments]));
    expect(outcome.inspectionsPlanned).toBeGreaterThanOrEqual(4);
    expect(outcome.creditAfter).toBeLessThan(outcome.creditBefore as number);
    // The representative's credit-repair application, completed at the desks, lifts the record's penalty.
    expect(outcome).toMatchObject({ creditRepairOffered: true, creditRepaired: true });
    expect(outcome.creditAfterRepair).toBe(outcome.creditBefore);
    expect(lines.join('\n')).toContain('一次联合检查');
    expect(lines.join('\n')).toContain('信用修复一件事');
    // Version 2 of the bundle: the tax service's desk approves its item in the first, parallel wave.
    expect(lines.join('\n')).toMatch(/第 1 批审批通过：[^\n]*纳税信用修复/);
  });

  it('re-runs the published draws outside the server (citybrain draw verify) and catches altered inputs', async () => {
    const draws = (await driver.call('GET', '/api/v1/enforcement/draws?limit=5')).body.items as {
      id: string;
    }[];
    expect(draws.length).toBeGreaterThan(0);
    const get = async (p: string) => (await driver.call('GET', p)).body;
    for (const d of draws)
      expect(await checkPublishedDraw(d.id, get)).toMatchObject({
        holds: true,
        commitmentMatches: true,
        resultMatches: true,
      });
    const altered = async (p: string) => {
      const body = await get(p);
      return p.endsWith('/inputs') ? { ...body, enterprises: body.enterprises.slice(1) } : body;
    };
    expect(await checkPublishedDraw(draws[0]?.id ?? '', altered)).toMatchObject({
      holds: false,
      inputsDigestMatches: false,
    });
  });

  it('runs again on the same instance: the new window starts after the quiet period', async () => {
    const { outcome } = await jointInspection(driver);
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ holds: true, visits: 1, creditRepaired: true });
  });
});
