import { describe, expect, it } from 'vitest';
import { readDepartmentTypes } from './organisation.catalogue.ts';
import { TEST_NODES } from './organisation.fixtures.ts';
import { centresFor, checkNodes, departmentsFor } from './organisation.generate.ts';
import type { OrgNode } from './organisation.schema.ts';
import { demoTeams, stableUuid } from './team.generate.ts';
import { readDemoTeamPlan } from './team-kinds.ts';

const types = readDepartmentTypes().types;
const plan = readDemoTeamPlan();
const at = new Date('2025-09-15T12:00:00Z');

describe('checkNodes', () => {
  it('accepts the test tree', () => {
    expect(checkNodes(TEST_NODES).size).toBe(7);
  });

  it.each([
    [
      'a wrong path',
      (n: OrgNode[]) => n.map((x) => (x.code === '500103003' ? { ...x, path: '50/500103003' } : x)),
      /expected '50\/500103\/500103003'/,
    ],
    [
      'an unknown parent',
      (n: OrgNode[]) => n.map((x) => (x.code === '500104001' ? { ...x, parentCode: '500199' } : x)),
      /unknown parent/,
    ],
    ['a duplicate code', (n: OrgNode[]) => [...n, n[1]!], /appears twice/],
    [
      'a street under the city',
      (n: OrgNode[]) => [...n, { ...n[2]!, code: '500199001', parentCode: '50', path: '50/500199001' }],
      /street under a city/,
    ],
  ])('refuses %s', (_what, mutate, message) => {
    expect(() => checkNodes(mutate(TEST_NODES))).toThrow(message);
  });
});

describe('departments and centres of the test tree', () => {
  const departments = departmentsFor(TEST_NODES, types);
  const byCode = new Map(departments.map((d) => [d.code, d]));

  it('gives the city and each district every type, and each street the street-level types', () => {
    const perLevel = (level: string) => types.filter((t) => t.levels[level as 'city']).length;
    expect(departments.filter((d) => d.level === 'city')).toHaveLength(25);
    expect(departments.filter((d) => d.level === 'district')).toHaveLength(2 * perLevel('district'));
    expect(departments.filter((d) => d.level === 'street')).toHaveLength(4 * perLevel('street'));
  });

  it('names them as a Chongqing resident would expect', () => {
    expect(byCode.get('50:urban_management')?.name).toBe('重庆市城市管理局');
    expect(byCode.get('500103:urban_management')?.name).toBe('渝中区城市管理局');
    expect(byCode.get('500103003:public_security')?.name).toBe('解放碑派出所');
    expect(byCode.get('500103003:government')?.name).toBe('解放碑街道办事处');
    expect(byCode.get('500104010:government')?.name).toBe('跳磴镇人民政府');
    expect(byCode.get('500103003:urban_management')).toMatchObject({
      level: 'street',
      jurisdictionPath: '50/500103/500103003',
    });
    expect(byCode.has('500103003:commerce')).toBe(false);
  });

  it('makes one centre per node', () => {
    const centres = centresFor(TEST_NODES);
    expect(centres).toHaveLength(7);
    expect(centres.map((c) => c.name)).toEqual(
      expect.arrayContaining([
        '重庆市城市运行管理指挥中心',
        '渝中区城市运行管理中心',
        '解放碑街道社会治理综合服务中心',
      ]),
    );
  });
});

describe('demoTeams', () => {
  const teams = demoTeams(TEST_NODES, plan, 7, at);

  it('is deterministic for a seed and differs between seeds', () => {
    expect(demoTeams(TEST_NODES, plan, 7, at)).toEqual(teams);
    expect(demoTeams(TEST_NODES, plan, 8, at)).not.toEqual(teams);
    expect(new Set(teams.map((t) => t.id)).size).toBe(teams.length);
    expect(teams[0]?.id).toBe(stableUuid(teams[0]!.code));
  });

  it('gives every street an enforcement squad and grid workers, every district patrols and specialists', () => {
    for (const node of TEST_NODES) {
      const mine = teams.filter((t) => t.jurisdictionCode === node.code);
      const kinds = new Set(mine.map((t) => t.kind));
      if (node.level === 'street')
        expect([...kinds]).toEqual(expect.arrayContaining(['enforcement_squad', 'grid_worker']));
      if (node.level === 'district') {
        expect([...kinds]).toEqual(
          expect.arrayContaining([
            'police_patrol',
            'maintenance_crew',
            'environment_inspection',
            'water_patrol',
          ]),
        );
      }
      if (node.level === 'city') expect(mine).toHaveLength(0);
    }
  });

  it('places bases around the node point and starts positions there', () => {
    for (const team of teams) {
      const node = TEST_NODES.find((n) => n.code === team.jurisdictionCode)!;
      expect(Math.abs(team.base.lon - node.point[0])).toBeLessThan(0.25);
      expect(Math.abs(team.base.lat - node.point[1])).toBeLessThan(0.2);
      expect(team.position).toMatchObject(team.base);
    }
  });

  it('staffs a city of 38 districts and ~1,031 streets with 5,000–8,000 units', () => {
    const nodes: OrgNode[] = [
      { code: '50', name: '重庆市', level: 'city', parentCode: null, path: '50', point: [106.55, 29.56] },
    ];
    for (let d = 0; d < 38; d++) {
      const code = `5001${String(d).padStart(2, '0')}`;
      nodes.push({
        code,
        name: `区${d}`,
        level: 'district',
        parentCode: '50',
        path: `50/${code}`,
        point: [106 + d * 0.1, 29.5],
      });
      for (let s = 0; s < (d < 5 ? 28 : 27); s++) {
        const sc = `${code}${String(s).padStart(3, '0')}`;
        nodes.push({
          code: sc,
          name: `街${s}街道`,
          level: 'street',
          parentCode: code,
          path: `50/${code}/${sc}`,
          point: [106 + d * 0.1, 29.5],
        });
      }
    }
    expect(nodes.filter((n) => n.level === 'street')).toHaveLength(1031);
    const count = demoTeams(nodes, plan, 20251120, at).length;
    expect(count).toBeGreaterThanOrEqual(5000);
    expect(count).toBeLessThanOrEqual(8000);
  });
});
