import { describe, expect, it } from 'vitest';
import { type IndexedTeam, nearestByScan, TeamIndex } from './dispatch.nearest.ts';

function teams(n: number, seed = 7): IndexedTeam[] {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
  return Array.from({ length: n }, (_, i) => ({
    id: `t${i}`,
    code: `T${i}`,
    name: `team ${i}`,
    departmentCode: `50010${i % 3}:${i % 5 === 0 ? 'public_security' : 'urban_management'}`,
    departmentType: i % 5 === 0 ? 'public_security' : 'urban_management',
    path: `50/50010${i % 3}`,
    lon: 106.3 + rnd() * 0.6,
    lat: 29.3 + rnd() * 0.5,
    skills: rnd() < 0.5 ? ['smoke', 'street_vending'] : ['sanitation'],
    onDuty: rnd() < 0.85,
    capacity: 3,
    load: Math.floor(rnd() * 4),
  }));
}

describe('nearest available team', () => {
  it('answers exactly what a full scan answers, nearest first, with the next best', () => {
    const all = teams(3000);
    const index = new TeamIndex(all);
    for (let i = 0; i < 200; i++) {
      const q = {
        lon: 106.3 + (i % 20) * 0.03,
        lat: 29.3 + Math.floor(i / 20) * 0.05,
        departmentType: 'urban_management',
        skill: 'smoke',
        withinPath: i % 2 ? '50/500101' : '',
      };
      expect(index.nearest(q, 2).map((c) => c.team.id)).toEqual(
        nearestByScan(all, q, 2).map((c) => c.team.id),
      );
    }
  });

  it('skips teams off duty, full, without the skill, outside the scope or excluded', () => {
    const base = teams(1)[0]!;
    const t = (id: string, over: Partial<IndexedTeam>): IndexedTeam => ({
      ...base,
      id,
      code: id,
      lon: 106.5,
      lat: 29.5,
      onDuty: true,
      load: 0,
      skills: ['smoke'],
      path: '50/500103/500103003',
      departmentType: 'urban_management',
      ...over,
    });
    const index = new TeamIndex([
      t('off', { onDuty: false }),
      t('full', { load: 3 }),
      t('noskill', { skills: ['sanitation'] }),
      t('elsewhere', { path: '50/500104' }),
      t('excluded', {}),
      t('police', { departmentType: 'public_security' }),
      t('far', { lon: 106.6 }),
    ]);
    const found = index.nearest({
      lon: 106.5,
      lat: 29.5,
      departmentType: 'urban_management',
      skill: 'smoke',
      withinPath: '50/500103',
      exclude: new Set(['excluded']),
    });
    expect(found.map((c) => c.team.id)).toEqual(['far']);
    expect(found[0]?.distanceM).toBeGreaterThan(9000);
  });
});
