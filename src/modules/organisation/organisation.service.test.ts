import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { testBackends } from '../../platform/db/testing.ts';
import { testPrincipal } from '../../platform/http/testing.ts';
import { type OrgFixture, openOrgFixture, TEST_NODES } from './organisation.fixtures.ts';
import type { NodeInput } from './organisation.service.ts';

describe.each(testBackends)('organisation structure on %s', (kind) => {
  let f: OrgFixture;
  let first: { departments: number; centres: number; teams: number };

  beforeAll(async () => {
    f = await openOrgFixture(kind);
    first = await f.organisation.structure.generate(SYSTEM_PRINCIPAL, TEST_NODES, {
      demoTeams: true,
      seed: 7,
    });
  });
  afterAll(() => f?.database.close());

  it('writes departments, centres and teams with ONE summary audit entry', async () => {
    expect(first.centres).toBe(7);
    expect(first.departments).toBe(25 + 2 * 25 + 4 * 5);
    expect(first.teams).toBeGreaterThan(20);
    const entries = await f.audit.list(f.database.db, SYSTEM_PRINCIPAL, { limit: 100 });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      action: 'organisation.generated',
      subjectId: '50',
      jurisdictionPath: '50',
    });
    expect(entries[0]?.details).toMatchObject({ nodes: 7, ...first, seed: 7 });
  });

  it('is idempotent: a second run adds nothing and audits nothing', async () => {
    const again = await f.organisation.structure.generate(SYSTEM_PRINCIPAL, TEST_NODES, {
      demoTeams: true,
      seed: 7,
    });
    expect(again).toEqual({ departments: 0, centres: 0, teams: 0 });
    expect(await f.audit.list(f.database.db, SYSTEM_PRINCIPAL, { limit: 100 })).toHaveLength(1);
  });

  it('ignores levels below the street (grids)', async () => {
    const grid: NodeInput = {
      code: '500103003001',
      name: '网格1',
      level: 'grid',
      parentCode: '500103003',
      path: '50/500103/500103003/500103003001',
      point: [106.577, 29.557],
    };
    const result = await f.organisation.structure.generate(SYSTEM_PRINCIPAL, [...TEST_NODES, grid], {
      demoTeams: true,
      seed: 7,
    });
    expect(result).toEqual({ departments: 0, centres: 0, teams: 0 });
  });

  it('refuses a bad tree before writing, and callers who are not admin', async () => {
    const broken = TEST_NODES.map((n) =>
      n.code === '500104' ? { ...n, point: [500, 0] as [number, number] } : n,
    );
    await expect(f.organisation.structure.generate(SYSTEM_PRINCIPAL, broken)).rejects.toMatchObject({
      code: 'invalid_data',
    });
    const operator = testPrincipal('50', ['city_operator']);
    await expect(f.organisation.structure.generate(operator, TEST_NODES)).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('lists departments under a node, by type and level, paged', async () => {
    const yuzhong = await f.organisation.structure.listDepartments({
      jurisdiction: '500103',
      limit: 500,
      offset: 0,
    });
    expect(yuzhong.total).toBe(25 + 2 * 5);
    expect(yuzhong.items.every((d) => d.jurisdictionPath.startsWith('50/500103'))).toBe(true);
    const police = await f.organisation.structure.listDepartments({
      type: 'public_security',
      level: 'street',
      limit: 2,
      offset: 0,
    });
    expect(police.total).toBe(4);
    expect(police.items).toHaveLength(2);
    expect(police.items[0]).toMatchObject({ code: '500103001:public_security', name: '七星岗派出所' });
    const department = await f.organisation.structure.getDepartment('500103:urban_management');
    expect(department.name).toBe('渝中区城市管理局');
    await expect(f.organisation.structure.getDepartment('500103:nothing')).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('lists centres by level', async () => {
    const districts = await f.organisation.structure.listCentres({
      level: 'district',
      limit: 100,
      offset: 0,
    });
    expect(districts.items.map((c) => c.name)).toEqual([
      '渝中区城市运行管理中心',
      '大渡口区城市运行管理中心',
    ]);
    const hub = await f.organisation.structure.listCentres({ level: 'city', limit: 100, offset: 0 });
    expect(hub.items[0]).toMatchObject({
      code: '50:centre',
      name: '重庆市城市运行管理指挥中心',
      point: { lon: 106.55, lat: 29.56 },
    });
  });
});
