import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Catalogue } from './catalogue.ts';
import { creditAfter, riskClassOf } from './credit.ts';
import { commitmentOf, type DrawInputs, drawJoint, inputsDigest } from './draw.ts';
import { gapDays, mergePlan, type PlannedInspection, placeInspection } from './merge.ts';
import { generateRegister } from './register.generate.ts';
import { isValidUscc } from './uscc.ts';

const DATA = path.resolve(import.meta.dirname, '../../../data/enforcement');
const catalogue = Catalogue.load(`${DATA}/inspection-catalogue.v1.json`, `${DATA}/annual-plans.v1.json`);
const streets = [
  { code: '500155001', name: '梁山街道', path: '50/500155/500155001' },
  { code: '500155104', name: '屏锦镇', path: '50/500155/500155104' },
  { code: '500103003', name: '解放碑街道', path: '50/500103/500103003' },
];

describe('the synthetic register', () => {
  const register = generateRegister({ streets, industries: catalogue.file.industries, count: 2000 });
  it('is deterministic, labelled synthetic, with unique valid credit codes of the street’s district', () => {
    expect(generateRegister({ streets, industries: catalogue.file.industries, count: 2000 })).toEqual(
      register,
    );
    expect(new Set(register.map((e) => e.creditCode)).size).toBe(2000);
    expect(register.every((e) => isValidUscc(e.creditCode) && e.synthetic)).toBe(true);
    expect(register.every((e) => e.creditCode.slice(2, 8) === e.streetCode.slice(0, 6))).toBe(true);
    expect(register.every((e) => e.riskClass === riskClassOf(e.creditScore))).toBe(true);
    expect(new Set(register.map((e) => e.riskClass)).size).toBeGreaterThanOrEqual(3);
  });
});

describe('credit loop', () => {
  it.each([
    [95, 'A'],
    [90, 'A'],
    [89, 'B'],
    [75, 'B'],
    [60, 'C'],
    [59, 'D'],
  ] as const)('score %i → class %s', (score, cls) => expect(riskClassOf(score)).toBe(cls));
  it.each([
    [80, [{ result: 'pass' }], 82],
    [80, [{ result: 'fail' }, { result: 'fail' }, { result: 'pass' }], 68],
    [99, [{ result: 'pass' }], 100],
    [3, [{ result: 'fail' }], 0],
  ] as const)('score %i after %j → %i', (before, findings, after) =>
    expect(creditAfter(before, [...findings])).toBe(after),
  );
});

describe('the joint draw', () => {
  const register = generateRegister({ streets, industries: catalogue.file.industries, count: 1500 });
  const departments = catalogue.plans.departments.map((p) => p.department);
  const inputs: DrawInputs = {
    district: '500155',
    month: '2026-03',
    departments,
    items: catalogue.file.items.map((i) => ({
      id: i.id,
      department: i.department,
      industries: i.industries,
    })),
    rates: catalogue.plans.ratePerYearByRiskClass,
    inspectorsPerInspection: 2,
    enterprises: register.map((e) => ({ code: e.creditCode, industry: e.industry, riskClass: e.riskClass })),
    inspectors: departments.flatMap((d) =>
      [1, 2, 3, 4].map((n) => ({
        id: `${d}-${n}`,
        department: d,
        // Inspector 4 of each department lacks one qualification.
        qualifications: catalogue.file.items
          .filter((i) => i.department === d)
          .map((i) => i.id)
          .slice(0, n === 4 ? -1 : undefined),
      })),
    ),
    exclude: [],
  };
  const seed = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
  const result = drawJoint(seed, inputs);

  it('is a function of the seed and the inputs only (input order does not matter)', () => {
    const shuffled = {
      ...inputs,
      enterprises: [...inputs.enterprises].reverse(),
      departments: [...departments].reverse(),
    };
    expect(drawJoint(seed, shuffled)).toEqual(result);
    expect(inputsDigest(shuffled)).toBe(inputsDigest(inputs));
    expect(drawJoint(`${seed}0`, inputs).resultDigest).not.toBe(result.resultDigest);
    expect(commitmentOf(seed)).toMatch(/^[0-9a-f]{64}$/);
  });
  it('draws each department from its population, at the class rate, with two qualified inspectors', () => {
    expect(result.selections.length).toBeGreaterThan(20);
    for (const s of result.selections) {
      const e = register.find((x) => x.creditCode === s.enterprise);
      expect(catalogue.itemsFor(s.department, e?.industry ?? '').map((i) => i.id)).toEqual(s.items);
      expect(s.inspectors).toHaveLength(2);
      expect(new Set(s.inspectors).size).toBe(2);
      for (const id of s.inspectors) {
        const inspector = inputs.inspectors.find((i) => i.id === id);
        expect(inspector?.department).toBe(s.department);
        expect(s.items.every((it) => inspector?.qualifications.includes(it))).toBe(true);
      }
    }
    // Class D is drawn at rate 1/year → N_D/12 a month; A at 0.05/year.
    const dShare = result.selections.filter((s) => s.riskClass === 'D').length;
    expect(dShare).toBeGreaterThan(0);
  });
  it('excludes enterprises in the quiet period and splits the year exactly over 12 months', () => {
    const excluded = result.selections.map((s) => s.enterprise);
    const next = drawJoint(seed, { ...inputs, exclude: excluded });
    expect(next.selections.some((s) => excluded.includes(s.enterprise))).toBe(false);
    const year = Array.from(
      { length: 12 },
      (_, m) =>
        drawJoint(seed, { ...inputs, month: `2026-${String(m + 1).padStart(2, '0')}` }).selections.filter(
          (s) => s.department === 'fire_rescue' && s.riskClass === 'D',
        ).length,
    ).reduce((a, b) => a + b, 0);
    const pop = register.filter(
      (e) => e.riskClass === 'D' && catalogue.itemsFor('fire_rescue', e.industry).length,
    ).length;
    expect(year).toBe(pop);
  });
  it('shares the ranking between departments, so their samples overlap and merge', () => {
    const inspections: PlannedInspection[] = result.selections.map((s, n) => ({
      id: `i${n}`,
      enterprise: s.enterprise,
      department: s.department,
      start: '2026-03-01',
      end: '2026-03-31',
      items: s.items,
      inspectors: s.inspectors,
    }));
    const { visits } = mergePlan(inspections, 30);
    expect(visits.length).toBeLessThan(inspections.length);
    expect(visits.some((v) => v.departments.length >= 3)).toBe(true);
  });
});

describe('inspect once', () => {
  const base = { enterprise: 'E', items: ['X-1'], inspectors: [] };
  const plan: PlannedInspection[] = [
    {
      ...base,
      id: 'mr',
      department: 'market_regulation',
      start: '2026-03-02',
      end: '2026-03-20',
      items: ['a', 'b', 'c'],
    },
    { ...base, id: 'ee', department: 'ecology_environment', start: '2026-03-10', end: '2026-03-31' },
    { ...base, id: 'em', department: 'emergency_management', start: '2026-03-15', end: '2026-04-10' },
    { ...base, id: 'fr', department: 'fire_rescue', start: '2026-03-01', end: '2026-03-16' },
    { ...base, id: 'late', department: 'health', start: '2026-04-05', end: '2026-04-30' },
    { ...base, id: 'other', enterprise: 'F', department: 'health', start: '2026-04-05', end: '2026-04-30' },
  ];
  it('merges overlapping windows into one visit with the intersection, combined checklist and one lead', () => {
    const { visits, refused } = mergePlan(plan, 30);
    const e = visits.filter((v) => v.enterprise === 'E');
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({
      departments: ['ecology_environment', 'emergency_management', 'fire_rescue', 'market_regulation'],
      leadDepartment: 'market_regulation',
      start: '2026-03-15',
      end: '2026-03-16',
      items: ['X-1', 'a', 'b', 'c'],
    });
    // 'late' does not overlap the narrowed window and falls in the quiet period: refused without a reason.
    expect(refused.map((r) => r.id)).toEqual(['late']);
    expect(visits.filter((v) => v.enterprise === 'F')).toHaveLength(1);
  });
  it.each([
    ['overlapping, open', { start: '2026-03-10', end: '2026-03-12' }, false, undefined, 'join'],
    ['overlapping, done', { start: '2026-03-10', end: '2026-03-12' }, true, undefined, 'refuse'],
    ['10 days after, no reason', { start: '2026-03-25', end: '2026-03-26' }, false, undefined, 'refuse'],
    ['10 days after, blank reason', { start: '2026-03-25', end: '2026-03-26' }, false, '  ', 'refuse'],
    ['10 days after, with a reason', { start: '2026-03-25', end: '2026-03-26' }, false, 'complaint', 'new'],
    ['40 days after', { start: '2026-04-24', end: '2026-04-30' }, false, undefined, 'new'],
  ])('%s → %s', (_what, window, done, reason, action) => {
    const visit = {
      id: 'v',
      enterprise: 'E',
      departments: ['x'],
      leadDepartment: 'x',
      items: [],
      start: '2026-03-10',
      end: '2026-03-15',
      inspections: [],
      inspectors: [],
      done,
      flagged: false,
      reason: null,
    };
    const placed = placeInspection([visit], window, 30, reason);
    expect(placed.action).toBe(action);
    if (placed.action === 'new') expect(placed.flagged).toBe(reason !== undefined);
  });
  it('counts the gap in days', () => {
    expect(
      gapDays({ start: '2026-01-01', end: '2026-01-31' }, { start: '2026-03-01', end: '2026-03-31' }),
    ).toBe(29);
    expect(
      gapDays({ start: '2026-01-01', end: '2026-01-31' }, { start: '2026-01-31', end: '2026-02-02' }),
    ).toBe(0);
  });
});
