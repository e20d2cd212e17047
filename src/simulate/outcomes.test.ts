import { describe, expect, it } from 'vitest';
import { JOINT_STORY } from '../demo/enforcement-demo.ts';
import { jiaochangkouOutcome, jointInspectionOutcome, liangpingOutcome } from './outcomes.ts';
import type { StoryResult } from './stories.ts';

const plan = (over: Record<string, unknown> = {}) =>
  ({
    status: 'completed',
    targetMinutes: 60,
    analysis: {
      trace: [{ name: '渝梁食品加工厂', suspect: true, distanceKm: 2.3 }],
      arrival: { leadingEdgeH: 6 },
    },
    progress: { total: 5, done: 5, acknowledged: 5, onTime: true, elapsedMinutes: 40 },
    tasks: [
      'ecology_environment@district',
      'water_resources@district',
      'emergency_management@district',
      'government@district',
      'government@street',
    ].map((x) => ({ departmentType: x.split('@')[0], level: x.split('@')[1] })),
    ...over,
  }) as unknown as StoryResult['plan'];
const event = (status: string) => ({ status, tasks: Array.from({ length: 5 }, () => ({ status: 'done' })) });

describe('story outcomes', () => {
  it('hold when every check passes, with the figures a reader compares with the seed', () => {
    const o = liangpingOutcome({ plan: plan(), event: event('resolved') });
    expect(o).toMatchObject({
      story: 'liangping',
      holds: true,
      failed: [],
      arrivalHours: 6,
      acknowledged: 5,
    });
  });

  it('do not hold, and say which check failed, when the story ends short', () => {
    const o = liangpingOutcome({
      plan: plan({ progress: { total: 5, done: 4, acknowledged: 5, onTime: false, elapsedMinutes: 90 } }),
      event: event('in_progress'),
    });
    expect(o.holds).toBe(false);
    expect(o.failed).toEqual([
      'all 5 tasks acknowledged and done',
      'within the plan’s target time',
      'the event is resolved',
    ]);
    expect(JSON.parse(JSON.stringify(o))).toEqual(o);
  });

  it('jiaochangkou needs the citizen told and the rating taken', () => {
    const o = jiaochangkouOutcome(
      { event: { category: 'barbecue_smoke', status: 'closed', tasks: [] } },
      { citizenNotified: false, rated: true },
    );
    expect(o).toMatchObject({ holds: false, failed: ['the citizen is told'] });
  });

  it('joint inspection needs the lowered credit repaired through the services bundle', () => {
    const seen = {
      inspectionsPlanned: 4,
      visits: 1,
      departments: [...JOINT_STORY.departments],
      leadDepartment: 'ecology_environment',
      codesVerified: 2,
      forgedRefused: true,
      outsideChecklistRefused: true,
      recordCountersigned: true,
      recordVerified: true,
      repeatRefused: true,
      seedMismatchRefused: true,
      drawRerunMatches: true,
      creditBefore: 82,
      creditAfter: 76,
      riskClassAfter: 'B',
      creditRepairOffered: true,
      creditRepaired: true,
      creditAfterRepair: 82,
      riskClassAfterRepair: 'B',
    };
    expect(jointInspectionOutcome(seen)).toMatchObject({
      story: 'joint-inspection',
      holds: true,
      failed: [],
      creditRepaired: true,
      creditAfterRepair: 82,
    });
    expect(
      jointInspectionOutcome({
        ...seen,
        creditRepaired: false,
        creditAfterRepair: null,
        riskClassAfterRepair: null,
      }),
    ).toMatchObject({
      holds: false,
      failed: ['credit repair through the integrated-services bundle restores the score'],
    });
    expect(jointInspectionOutcome({ ...seen, creditAfterRepair: 80 }).holds).toBe(false);
  });
});
