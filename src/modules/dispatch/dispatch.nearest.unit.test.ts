/** Availability and the nearest-team index, table by table, no database. */
import { describe, expect, it } from 'vitest';
import {
  available,
  type IndexedTeam,
  type NearestQuery,
  nearestByScan,
  TeamIndex,
} from './dispatch.nearest.ts';

const M = 1 / 111_195; // about one metre of latitude, in degrees

const team = (id: string, over: Partial<IndexedTeam> = {}): IndexedTeam => ({
  id,
  code: id.toUpperCase(),
  name: `team ${id}`,
  departmentCode: '500103003:urban_management',
  departmentType: 'urban_management',
  path: '50/500103/500103003',
  lon: 106.5,
  lat: 29.5,
  skills: ['smoke', 'street_vending'],
  onDuty: true,
  capacity: 3,
  load: 0,
  ...over,
});

const query = (over: Partial<NearestQuery> = {}): NearestQuery => ({
  lon: 106.5,
  lat: 29.5,
  departmentType: 'urban_management',
  skill: 'smoke',
  withinPath: '',
  ...over,
});

describe('available', () => {
  it.each<[string, Partial<IndexedTeam>, Partial<NearestQuery>, boolean]>([
    ['on duty, idle, skilled, anywhere', {}, {}, true],
    ['off duty', { onDuty: false }, {}, false],
    ['one slot left', { load: 2 }, {}, true],
    ['at capacity', { load: 3 }, {}, false],
    ['over capacity', { load: 5 }, {}, false],
    ['capacity zero', { capacity: 0 }, {}, false],
    ['without the skill', { skills: ['sanitation'] }, {}, false],
    ['no skills at all', { skills: [] }, {}, false],
    ['skill matched exactly, not by prefix', { skills: ['smoke_detector'] }, {}, false],
    ['in the scope node itself', {}, { withinPath: '50/500103/500103003' }, true],
    ['below the scope', {}, { withinPath: '50/500103' }, true],
    ['at the city scope', {}, { withinPath: '50' }, true],
    ['above the scope', { path: '50/500103' }, { withinPath: '50/500103/500103003' }, false],
    ['in a sibling street', { path: '50/500103/500103001' }, { withinPath: '50/500103/500103003' }, false],
    [
      'in a node whose code only starts like the scope',
      { path: '50/5001031' },
      { withinPath: '50/500103' },
      false,
    ],
    ['excluded', {}, { exclude: new Set(['t']) }, false],
    ['another team excluded', {}, { exclude: new Set(['u']) }, true],
  ])('%s → %s', (_, teamOver, queryOver, expected) => {
    expect(available(team('t', teamOver), query(queryOver))).toBe(expected);
  });
});

describe('TeamIndex.nearest', () => {
  const line = [
    team('a', { lat: 29.5 + 100 * M }),
    team('b', { lat: 29.5 + 200 * M }),
    team('c', { lat: 29.5 + 300 * M }),
    team('p', { lat: 29.5 + 50 * M, departmentType: 'public_security' }),
  ];
  const index = new TeamIndex(line);

  it.each([
    [1, ['a']],
    [2, ['a', 'b']],
    [3, ['a', 'b', 'c']],
    [10, ['a', 'b', 'c']],
  ])('returns up to k=%i teams of the type asked, nearest first', (k, ids) => {
    expect(index.nearest(query(), k).map((c) => c.team.id)).toEqual(ids);
  });

  it('gives distances in whole metres', () => {
    expect(index.nearest(query(), 3).map((c) => c.distanceM)).toEqual([100, 200, 300]);
  });

  it('answers nothing for a department type without teams, and for an empty index', () => {
    expect(index.nearest(query({ departmentType: 'transport' }))).toEqual([]);
    expect(new TeamIndex([]).nearest(query())).toEqual([]);
    expect(new TeamIndex([]).size).toBe(0);
    expect(index.size).toBe(4);
  });

  it('skips unavailable teams however near', () => {
    const withBusy = new TeamIndex([team('busy', { load: 3 }), ...line]);
    expect(withBusy.nearest(query(), 1).map((c) => c.team.id)).toEqual(['a']);
  });

  it('reads availability at query time: a team filling up drops out without a rebuild', () => {
    const teams = [team('x'), team('y', { lat: 29.5 + 100 * M })];
    const idx = new TeamIndex(teams);
    expect(idx.nearest(query(), 1)[0]?.team.id).toBe('x');
    // The index holds the team objects: availability is read at query time.
    (teams[0] as IndexedTeam).load = 3;
    expect(idx.nearest(query(), 1)[0]?.team.id).toBe('y');
  });

  it('finds a team by id across department types', () => {
    expect(index.find('p')?.departmentType).toBe('public_security');
    expect(index.find('nobody')).toBeUndefined();
  });

  it('agrees with a full scan on ties: both answer the same two teams at the same distance', () => {
    const tied = [team('north', { lat: 29.5 + 200 * M }), team('south', { lat: 29.5 - 200 * M })];
    const fromIndex = new TeamIndex(tied).nearest(query(), 2);
    const fromScan = nearestByScan(tied, query(), 2);
    expect(fromIndex.map((c) => c.distanceM)).toEqual([200, 200]);
    expect(fromScan.map((c) => c.distanceM)).toEqual([200, 200]);
    expect(new Set(fromIndex.map((c) => c.team.id))).toEqual(new Set(fromScan.map((c) => c.team.id)));
  });
});
