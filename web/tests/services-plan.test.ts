import { describe, expect, it } from 'vitest';
import { formValues, materialPlan, missingFields } from '../src/citizen/services/plan.ts';
import { choicesOf, definitionOf, deskDepartments, waves } from '../src/shared/bundles.ts';

const newborn = definitionOf('newborn', 1);
const credit = definitionOf('credit-repair', 1);

describe('bundle definitions as the web reads them', () => {
  it('finds a bundle by id and version only', () => {
    expect(newborn?.items).toHaveLength(6);
    expect(definitionOf('newborn', 99)).toBeUndefined();
    expect(deskDepartments()).toContain('50:public_security');
  });

  it('lays the approval graph out in waves of parallel items', () => {
    expect(waves(newborn!).map((w) => w.map((i) => i.code))).toEqual([
      ['birth-certificate'],
      ['vaccination-certificate', 'household-registration', 'maternity-benefits'],
      ['medical-insurance'],
      ['social-security-card'],
    ]);
    expect(waves(credit!).map((w) => w.length)).toEqual([3, 1]);
  });

  it('tells where each material comes from before anything is read', () => {
    const plan = materialPlan(newborn!);
    expect([plan.shared.length, plan.produced.length, plan.yours.length]).toEqual([12, 4, 2]);
    expect(plan.shared.find((s) => s.material.code === 'residence-proof')).toMatchObject({
      owner: '50:planning_natural_resources',
      fallback: true,
    });
    expect(plan.yours.map((m) => m.code)).toEqual(['newborn-photo', 'bank-account']);
  });

  it('offers the values an eligibility rule accepts, and converts the form for the API', () => {
    expect(choicesOf(newborn!, 'relation')).toEqual(['mother', 'father']);
    expect(choicesOf(newborn!, 'newbornName')).toBeUndefined();
    const draft = { newbornName: ' 陈语桐 ', bornInCity: 'no', birthDate: '2026-12-05', relation: '' };
    expect(formValues(newborn!.form, draft)).toEqual({
      newbornName: '陈语桐',
      bornInCity: false,
      birthDate: '2026-12-05',
    });
    expect(missingFields(newborn!.form, draft).map((f) => f.name)).toEqual([
      'motherIdNumber',
      'fatherIdNumber',
      'relation',
    ]);
    const business = definitionOf('business-startup', 1)!;
    expect(formValues(business.form, { employees: '5' })).toEqual({ employees: 5 });
  });
});
