import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.ts';
import { LEVELS, readDepartmentTypes } from './organisation.catalogue.ts';
import { RESPONSIBILITY_FILE, readResponsibilityFile, validateRule } from './responsibility.file.ts';
import { readDemoTeamPlan } from './team-kinds.ts';

const types = readDepartmentTypes();
const codes = types.types.map((t) => t.code);
const list = readResponsibilityFile(RESPONSIBILITY_FILE, types.types);
const plan = readDemoTeamPlan();

describe('shipped organisation data files', () => {
  it('has 24 department types (23 municipal and the vertically managed tax service) plus the government type, each with a city counterpart', () => {
    expect(types.types.filter((t) => t.kind === 'department')).toHaveLength(24);
    expect(types.types.at(-1)?.levels).toMatchObject({
      city: { zh: '国家税务总局重庆市税务局' },
      district: { zh: '国家税务总局重庆市{name}税务局' },
    });
    expect(types.types.filter((t) => t.kind === 'government').map((t) => t.code)).toEqual(['government']);
    for (const t of types.types) expect(t.levels.city, t.code).toBeDefined();
    const street = types.types.filter((t) => t.levels.street).map((t) => t.code);
    expect(street).toEqual(expect.arrayContaining(['government', 'urban_management', 'public_security']));
  });

  it('has 12 domains, each used, and at least 40 categories with known department types', () => {
    expect(list.domains).toHaveLength(12);
    expect(list.items.length).toBeGreaterThanOrEqual(40);
    for (const d of list.domains)
      expect(
        list.items.some((i) => i.domain === d.code),
        d.code,
      ).toBe(true);
    for (const item of list.items) {
      for (const t of [item.departmentType, ...item.coDepartmentTypes])
        expect(codes, item.category).toContain(t);
      const { acceptMinutes, arriveMinutes, resolveMinutes } = item.limits;
      expect(acceptMinutes <= arriveMinutes && arriveMinutes <= resolveMinutes, item.category).toBe(true);
    }
    expect(new Set(list.items.map((i) => i.category)).size).toBe(list.items.length);
    expect(list.items.map((i) => i.category)).toEqual(
      expect.arrayContaining(['barbecue_smoke', 'oil_spill', 'crowd_density']),
    );
  });

  it('names departments that exist at the level each category is handled', () => {
    for (const item of list.items) {
      const type = types.types.find((t) => t.code === item.departmentType)!;
      expect(type.levels[item.level], `${item.category} at ${item.level}`).toBeDefined();
    }
  });

  it('staffs every required skill with a unit at or below the handling level', () => {
    const depth = (l: string) => LEVELS.indexOf(l as (typeof LEVELS)[number]);
    for (const item of list.items) {
      const staffed = plan.plans.some(
        (p) => p.skills.includes(item.skill) && depth(p.level) >= depth(item.level),
      );
      expect(staffed, `${item.category} needs ${item.skill}`).toBe(true);
    }
  });

  it('puts every demo unit under a department type that exists at its level', () => {
    for (const p of plan.plans) {
      const type = types.types.find((t) => t.code === p.departmentType);
      expect(type?.levels[p.level], `${p.kind} at ${p.level}`).toBeDefined();
    }
  });
});

describe('validateRule', () => {
  const known = { departmentTypes: types.types, domains: list.domains.map((d) => d.code) };
  const good = list.items.find((i) => i.category === 'barbecue_smoke')!;

  it.each([
    [
      'an unknown department type',
      { departmentType: 'ministry_of_magic' },
      /unknown department type 'ministry_of_magic'/,
    ],
    ['a bad level', { level: 'province' }, /level/],
    [
      'limits out of order',
      { limits: { acceptMinutes: 60, arriveMinutes: 30, resolveMinutes: 240 } },
      /accept ≤ arrive ≤ resolve/,
    ],
    ['an unknown domain', { domain: 'astrology' }, /unknown domain/],
    [
      'a level the department does not reach',
      { departmentType: 'commerce' },
      /no counterpart at level street/,
    ],
  ])('refuses %s with invalid_data naming the item', (_what, change, message) => {
    const attempt = () => validateRule({ ...good, ...change }, known);
    expect(attempt).toThrow(AppError);
    expect(attempt).toThrow(/responsibility item 'barbecue_smoke'/);
    try {
      attempt();
    } catch (error) {
      expect((error as AppError).code).toBe('invalid_data');
      expect((error as AppError).details).toMatchObject({ category: 'barbecue_smoke' });
      expect(JSON.stringify((error as AppError).details)).toMatch(message);
    }
  });
});
