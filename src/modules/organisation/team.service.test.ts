import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { testBackends } from '../../platform/db/testing.ts';
import { testPrincipal } from '../../platform/http/testing.ts';
import { type OrgFixture, openOrgFixture, TEST_NODES } from './organisation.fixtures.ts';
import type { TeamDto } from './team.schema.ts';

const page = { limit: 1000, offset: 0 };
const jiefangbei = testPrincipal('50/500103/500103003', ['street_operator']);
const qixinggang = testPrincipal('50/500103/500103001', ['street_operator']);
const yuzhong = testPrincipal('50/500103', ['district_operator']);
const dadukou = testPrincipal('50/500104', ['district_operator']);

describe.each(testBackends)('teams on %s', (kind) => {
  let f: OrgFixture;
  let squad: TeamDto;

  beforeAll(async () => {
    f = await openOrgFixture(kind);
    await f.organisation.structure.generate(SYSTEM_PRINCIPAL, TEST_NODES, { demoTeams: true, seed: 7 });
    const mine = await f.organisation.teams.list(jiefangbei, { ...page, kind: 'enforcement_squad' });
    squad = mine.items[0]!;
  });
  afterAll(() => f?.database.close());

  it('shows a street operator only its street’s teams', async () => {
    const mine = await f.organisation.teams.list(jiefangbei, page);
    expect(mine.total).toBeGreaterThan(0);
    expect(mine.items.every((t) => t.jurisdictionPath === '50/500103/500103003')).toBe(true);
    expect(squad.departmentCode).toBe('500103003:urban_management');
    expect(squad.name).toMatch(/^解放碑综合执法中队/);
  });

  it('shows a district operator its streets’ teams but not another district’s', async () => {
    const all = await f.organisation.teams.list(SYSTEM_PRINCIPAL, page);
    const seen = await f.organisation.teams.list(yuzhong, page);
    const expected = all.items.filter((t) => t.jurisdictionPath.startsWith('50/500103'));
    expect(seen.total).toBe(expected.length);
    expect(seen.items.some((t) => t.jurisdictionCode === '500103003')).toBe(true);
    expect(seen.items.some((t) => t.jurisdictionPath.startsWith('50/500104'))).toBe(false);
    await expect(f.organisation.teams.get(dadukou, squad.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('filters by kind, skill, duty, department and jurisdiction', async () => {
    const smoke = await f.organisation.teams.list(SYSTEM_PRINCIPAL, { ...page, skill: 'smoke' });
    expect(smoke.total).toBeGreaterThan(0);
    expect(smoke.items.every((t) => t.skills.includes('smoke'))).toBe(true);
    const off = await f.organisation.teams.list(yuzhong, { ...page, onDuty: false });
    expect(off.items.every((t) => !t.onDuty)).toBe(true);
    const inStreet = await f.organisation.teams.list(SYSTEM_PRINCIPAL, {
      ...page,
      jurisdiction: '500103003',
    });
    expect(inStreet.items.every((t) => t.jurisdictionCode === '500103003')).toBe(true);
    const patrols = await f.organisation.teams.list(SYSTEM_PRINCIPAL, {
      ...page,
      department: '500104:public_security',
    });
    expect(patrols.items.every((t) => t.kind === 'police_patrol')).toBe(true);
    const paged = await f.organisation.teams.list(SYSTEM_PRINCIPAL, { limit: 3, offset: 3 });
    expect(paged.items).toHaveLength(3);
    expect(paged.total).toBeGreaterThan(6);
  });

  it('gives the map the same teams as compact columns, scoped and filtered like the list', async () => {
    const listed = await f.organisation.teams.list(yuzhong, { ...page, onDuty: true });
    const points = await f.organisation.teams.points(yuzhong, { onDuty: true });
    expect(points.count).toBe(listed.total);
    expect(points.codes).toEqual(listed.items.map((t) => t.code));
    listed.items.forEach((t, i) => {
      expect(points.names[i]).toBe(t.name);
      expect(points.kinds[points.kind[i]!]).toBe(t.kind);
      expect(points.paths[points.path[i]!]).toBe(t.jurisdictionPath);
      const at = t.position ?? t.base;
      expect([points.lon[i], points.lat[i]]).toEqual([
        Math.round(at.lon * 1e5) / 1e5,
        Math.round(at.lat * 1e5) / 1e5,
      ]);
    });
    expect(points.paths.every((p) => p.startsWith('50/500103'))).toBe(true);
    const street = await f.organisation.teams.points(yuzhong, {
      jurisdiction: '500103003',
      kind: 'police_patrol',
    });
    expect(street.count).toBeGreaterThan(0);
    expect(street.paths).toEqual(['50/500103/500103003']);
    expect(street.kinds).toEqual(['police_patrol']);
    expect((await f.organisation.teams.points(dadukou, { jurisdiction: '500103003' })).count).toBe(0);
  });

  it('lets a street operator change its own team, audited', async () => {
    const updated = await f.organisation.teams.update(jiefangbei, squad.id, {
      onDuty: true,
      capacity: 6,
      skills: ['smoke', 'noise'],
    });
    expect(updated).toMatchObject({ onDuty: true, capacity: 6, skills: ['smoke', 'noise'] });
    expect(updated.updatedAt).toBe(f.clock.now().toISOString());
    const entries = await f.audit.list(f.database.db, SYSTEM_PRINCIPAL, { limit: 10, subjectId: squad.id });
    expect(entries[0]).toMatchObject({ action: 'team.updated', jurisdictionPath: '50/500103/500103003' });
    expect(entries[0]?.details).toMatchObject({
      after: { capacity: 6 },
      before: { capacity: squad.capacity },
    });
  });

  it('hides another street’s team from a street operator, for reading and changing (404)', async () => {
    await expect(f.organisation.teams.get(qixinggang, squad.id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(f.organisation.teams.update(qixinggang, squad.id, { onDuty: false })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(
      f.organisation.teams.setPosition(qixinggang, squad.id, { lon: 106.5, lat: 29.5 }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    expect((await f.organisation.teams.get(jiefangbei, squad.id)).capacity).toBe(6);
  });

  it('records positions from field officers, but does not let them edit the team', async () => {
    const officer = testPrincipal('50/500103/500103003', ['field_officer']);
    f.clock.advance(60_000);
    const moved = await f.organisation.teams.setPosition(officer, squad.id, { lon: 106.574, lat: 29.551 });
    expect(moved.position).toEqual({ lon: 106.574, lat: 29.551, at: f.clock.now().toISOString() });
    await expect(f.organisation.teams.update(officer, squad.id, { capacity: 1 })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('creates a team in scope under a department at or above its node', async () => {
    const input = {
      code: 'jfb-night-market',
      name: '较场口夜市专项组',
      kind: 'enforcement_squad' as const,
      departmentCode: '500103:urban_management',
      jurisdictionCode: '500103003',
      base: { lon: 106.574, lat: 29.551 },
      skills: ['smoke' as const, 'street_vending' as const],
      onDuty: true,
      capacity: 2,
    };
    const team = await f.organisation.teams.create(jiefangbei, input);
    expect(team).toMatchObject({ jurisdictionPath: '50/500103/500103003', activeTasks: 0, position: null });
    expect(await f.organisation.teams.get(yuzhong, team.id)).toEqual(team);
    await expect(f.organisation.teams.create(jiefangbei, input)).rejects.toMatchObject({ code: 'conflict' });
    await expect(f.organisation.teams.create(qixinggang, { ...input, code: 'x1' })).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(
      f.organisation.teams.create(yuzhong, {
        ...input,
        code: 'x2',
        departmentCode: '500104:urban_management',
      }),
    ).rejects.toMatchObject({ code: 'not_found', message: "department '500104:urban_management' not found" });
    // A department in scope but below the team's node is a data error, not a scope one.
    await expect(
      f.organisation.teams.create(yuzhong, {
        ...input,
        code: 'x4',
        jurisdictionCode: '500103',
        departmentCode: '500103003:urban_management',
      }),
    ).rejects.toMatchObject({ code: 'invalid_data' });
    await expect(
      f.organisation.teams.create(yuzhong, { ...input, code: 'x3', departmentCode: '500103:nothing' }),
    ).rejects.toMatchObject({ code: 'invalid_data' });
    expect(
      (await f.organisation.teams.list(SYSTEM_PRINCIPAL, { ...page, jurisdiction: '500103003' })).items.map(
        (t) => t.code,
      ),
    ).not.toContain('x2');
  });
});
