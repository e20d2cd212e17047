/**
 * Team choice without a database: the Assigner's `choose` over an in-memory team index, a
 * pass-through algorithm gate and a stand-in for the team's owner (`fresh`).
 */
import { describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { ManualClock } from '../../platform/clock.ts';
import { Assigner, type NearestOutput, scopesUp } from './dispatch.assign.ts';
import type { DispatchDeps } from './dispatch.deps.ts';
import { type IndexedTeam, TeamIndex } from './dispatch.nearest.ts';
import type { TaskRow } from './dispatch.repository.ts';

describe('scopesUp', () => {
  it.each([
    ['50/500103/500103003', ['50/500103/500103003', '50/500103', '50']],
    ['50/500103', ['50/500103', '50']],
    ['50', ['50']],
  ])('%s widens to %j', (path, scopes) => {
    expect(scopesUp(path)).toEqual(scopes);
  });
});

// Jiefangbei street (500103003) in Yuzhong district (500103); Chaotianmen (500103001) is its neighbour.
const JIEFANGBEI = '50/500103/500103003';
const CHAOTIANMEN = '50/500103/500103001';
const NANAN = '50/500108/500108001';
const M = 1 / 111_195; // about one metre of latitude, in degrees

const team = (id: string, over: Partial<IndexedTeam> = {}): IndexedTeam => ({
  id,
  code: id.toUpperCase(),
  name: `team ${id}`,
  departmentCode: '500103003:urban_management',
  departmentType: 'urban_management',
  path: JIEFANGBEI,
  lon: 106.5,
  lat: 29.5,
  skills: ['street_vending'],
  onDuty: true,
  capacity: 3,
  load: 0,
  ...over,
});

const task = (over: Partial<TaskRow> = {}): TaskRow =>
  ({
    id: 'T1',
    event_id: 'E1',
    category: 'street_vending',
    department_type: 'urban_management',
    department_code: '500103003:urban_management',
    skill: 'street_vending',
    centre_code: '500103003',
    jurisdiction_path: JIEFANGBEI,
    lon: 106.5,
    lat: 29.5,
    status: 'pending',
    team_id: null,
    ...over,
  }) as TaskRow;

/** An Assigner over `teams`; `fresh` answers what the owner says now (default: the indexed team). */
function assigner(
  teams: IndexedTeam[],
  options: { fresh?: (id: string) => Partial<IndexedTeam>; gate?: 'off' | 'text-only' } = {},
) {
  const index = new TeamIndex(teams);
  const decisions: { input: { excluded: string[] }; output?: NearestOutput }[] = [];
  const deps = {
    clock: new ManualClock(),
    teams: {
      nearest: async (q: Parameters<TeamIndex['nearest']>[0], k?: number) => index.nearest(q, k),
      fresh: async (id: string) => ({ ...(index.find(id) as IndexedTeam), ...options.fresh?.(id) }),
    },
    algorithms: {
      runOrFallback: async (
        key: string,
        input: { excluded: string[] },
        impl: (
          i: unknown,
          m: { key: string; version: string },
        ) => Promise<{ output: NearestOutput; explanation: { text: string } }>,
      ) => {
        const n = decisions.length + 1;
        if (options.gate === 'off') {
          decisions.push({ input });
          return { decided: false, decisionId: `d${n}`, reason: 'algorithm_not_in_use' };
        }
        const result = await impl(input, { key, version: '1.0.0' });
        decisions.push({ input, output: result.output });
        // Another implementation may explain itself in text only, without a reason code.
        if (options.gate === 'text-only') result.explanation = { text: result.explanation.text };
        return { decided: true, decisionId: `d${n}`, key, version: '1.0.0', subjects: [], ...result };
      },
    },
  } as unknown as DispatchDeps;
  return { assigner: new Assigner(deps), decisions };
}

const choose = (a: Assigner, t = task(), exclude?: Set<string>) => a.choose(SYSTEM_PRINCIPAL, t, exclude);

describe('Assigner.choose: the nearest available team', () => {
  it('picks the nearest team with the skill, on duty and with spare capacity, and names the next best', async () => {
    const { assigner: a, decisions } = assigner([
      team('far', { lat: 29.5 + 800 * M }),
      team('near', { lat: 29.5 + 100 * M, load: 2 }),
      team('mid', { lat: 29.5 + 300 * M }),
    ]);
    const choice = await choose(a);
    expect(choice.team?.id).toBe('near');
    expect(choice.decisionId).toBe('d1');
    expect(choice.reason).toEqual({
      text: "team team near (NEAR) chosen: 100 m, on duty, skill 'street_vending', 2/3 tasks; next best team mid (MID) at 300 m",
      // The code and parameters a client renders in its reader's language.
      code: 'chosen',
      params: {
        team: 'team near',
        teamCode: 'NEAR',
        distanceM: 100,
        skill: 'street_vending',
        load: 2,
        capacity: 3,
        nextTeam: 'team mid',
        nextTeamCode: 'MID',
        nextDistanceM: 300,
      },
    });
    expect(decisions[0]?.output).toEqual({
      teamId: 'near',
      teamCode: 'NEAR',
      distanceM: 100,
      scope: '50/500103/500103003',
      candidates: [
        { teamId: 'near', teamCode: 'NEAR', distanceM: 100, load: 2, capacity: 3 },
        { teamId: 'mid', teamCode: 'MID', distanceM: 300, load: 0, capacity: 3 },
      ],
    });
  });

  it.each([
    ['off duty', { onDuty: false }],
    ['at capacity', { load: 3 }],
    ['over capacity', { load: 4, capacity: 3 }],
    ['without capacity at all', { capacity: 0 }],
    ['without the skill', { skills: ['sanitation'] }],
    ['of another department type', { departmentType: 'public_security' }],
  ])('skips a nearer team %s', async (_, over) => {
    const { assigner: a } = assigner([team('nearer', over), team('ok', { lat: 29.5 + 500 * M })]);
    const choice = await choose(a);
    expect(choice.team?.id).toBe('ok');
    expect(choice.reason.text).toContain('; no other team available');
    expect(choice.reason.params).toMatchObject({ nextTeam: null, nextDistanceM: null });
  });

  it('takes a team with one slot left (load = capacity − 1)', async () => {
    const { assigner: a } = assigner([team('last-slot', { load: 2, capacity: 3 })]);
    expect((await choose(a)).team?.id).toBe('last-slot');
  });

  it('answers no team, with why, when nobody is on duty with spare capacity', async () => {
    const { assigner: a, decisions } = assigner([team('off', { onDuty: false }), team('full', { load: 3 })]);
    const choice = await choose(a);
    expect(choice).toEqual({
      team: null,
      decisionId: 'd1',
      reason: {
        code: 'no_team',
        params: { departmentType: 'urban_management', skill: 'street_vending' },
        text: "no team of type urban_management with skill 'street_vending' is on duty with spare capacity",
      },
    });
    expect(decisions[0]?.output).toMatchObject({ teamId: null, scope: null, candidates: [] });
  });

  it('answers no team when there are no teams at all', async () => {
    const { assigner: a } = assigner([]);
    expect((await choose(a)).team).toBeNull();
  });

  it('widens from the department’s node upward: street, then district, then city', async () => {
    const neighbour = team('neighbour', { path: CHAOTIANMEN, lat: 29.5 + 2000 * M });
    const otherDistrict = team('other-district', { path: NANAN, lat: 29.5 + 1000 * M });
    const home = team('home', { lat: 29.5 + 5000 * M });
    // A team of the street itself wins even when teams elsewhere are nearer.
    let run = assigner([neighbour, otherDistrict, home]);
    let choice = await choose(run.assigner);
    expect([choice.team?.id, run.decisions[0]?.output?.scope]).toEqual(['home', JIEFANGBEI]);
    // None in the street: the district's nearest.
    run = assigner([neighbour, otherDistrict]);
    choice = await choose(run.assigner);
    expect([choice.team?.id, run.decisions[0]?.output?.scope]).toEqual(['neighbour', '50/500103']);
    // None in the district: the city's nearest.
    run = assigner([otherDistrict]);
    choice = await choose(run.assigner);
    expect([choice.team?.id, run.decisions[0]?.output?.scope]).toEqual(['other-district', '50']);
  });

  it('starts at the department’s own node: a district department looks district-wide at once', async () => {
    const run = assigner([
      team('home', { lat: 29.5 + 5000 * M }),
      team('neighbour', { path: CHAOTIANMEN, lat: 29.5 + 2000 * M }),
    ]);
    const choice = await choose(run.assigner, task({ department_code: '500103:urban_management' }));
    expect([choice.team?.id, run.decisions[0]?.output?.scope]).toEqual(['neighbour', '50/500103']);
  });

  it('breaks a distance tie deterministically: the same team every time, the other as next best', async () => {
    const teams = [team('a', { lat: 29.5 + 200 * M }), team('b', { lat: 29.5 - 200 * M })];
    const picks = new Set<string | undefined>();
    for (let i = 0; i < 5; i++) {
      const choice = await choose(assigner(teams).assigner);
      picks.add(choice.team?.id);
      expect(choice.reason.text).toMatch(/200 m, .*next best team [ab] \([AB]\) at 200 m$/);
    }
    expect(picks.size).toBe(1);
  });

  it('builds the reason code from the output when the algorithm explains itself in text only', async () => {
    const run = assigner([team('near', { load: 1 }), team('mid', { lat: 29.5 + 300 * M })], {
      gate: 'text-only',
    });
    const choice = await choose(run.assigner);
    expect(choice.reason).toMatchObject({
      code: 'chosen',
      params: {
        teamCode: 'NEAR',
        distanceM: 0,
        load: 1,
        capacity: 3,
        nextTeamCode: 'MID',
        nextDistanceM: 300,
      },
      text: expect.stringMatching(/^team team near \(NEAR\) chosen: 0 m/),
    });
    const none = await choose(assigner([], { gate: 'text-only' }).assigner);
    expect(none.reason).toMatchObject({ code: 'no_team', params: { skill: 'street_vending' } });
  });

  it('leaves out excluded teams (a dispatcher’s “not this one”)', async () => {
    const run = assigner([team('near'), team('next', { lat: 29.5 + 100 * M })]);
    const choice = await choose(run.assigner, task(), new Set(['near']));
    expect(choice.team?.id).toBe('next');
    expect(run.decisions[0]?.input.excluded).toEqual(['near']);
  });
});

describe('Assigner.choose: the pick checked against the team’s owner', () => {
  it.each([
    ['went off duty', { onDuty: false }],
    ['filled up meanwhile', { load: 3 }],
    ['lost the skill', { skills: [] }],
  ])('re-decides without a team that %s', async (_, stale) => {
    const run = assigner([team('near'), team('next', { lat: 29.5 + 100 * M })], {
      fresh: (id) => (id === 'near' ? stale : {}),
    });
    const choice = await choose(run.assigner);
    expect(choice.team?.id).toBe('next');
    expect(choice.decisionId).toBe('d2');
    expect(run.decisions.map((d) => d.input.excluded)).toEqual([[], ['near']]);
  });

  it('gives up after three stale picks and says which team was last found unavailable', async () => {
    const run = assigner(
      [
        team('t1'),
        team('t2', { lat: 29.5 + 10 * M }),
        team('t3', { lat: 29.5 + 20 * M }),
        team('t4', { lat: 29.5 + 30 * M }),
      ],
      { fresh: () => ({ onDuty: false }) },
    );
    const choice = await choose(run.assigner);
    expect(choice).toEqual({
      team: null,
      decisionId: 'd3',
      reason: {
        code: 'team_unavailable',
        params: { team: 'team t3', teamCode: 'T3' },
        text: 'team T3 no longer available',
      },
    });
    expect(run.decisions).toHaveLength(3);
  });

  it('leaves the task to a person when the algorithm is not in use', async () => {
    const run = assigner([team('near')], { gate: 'off' });
    const choice = await choose(run.assigner);
    expect(choice).toEqual({
      team: null,
      decisionId: 'd1',
      reason: {
        code: 'algorithm_unavailable',
        params: { reason: 'algorithm_not_in_use' },
        text: 'nearest-team algorithm not available (algorithm_not_in_use)',
      },
    });
  });
});
