import { describe, expect, it } from 'vitest';
import { bundleDefinition, loadBundleFiles } from '../../src/modules/services/index.ts';
import { formValues, materialPlan, missingFields } from '../src/citizen/services/plan.ts';
import {
  type BundleDefinition,
  choicesOf,
  consentText,
  deskDepartments,
  waves,
} from '../src/shared/bundles.ts';

// The definitions exactly as GET /api/v1/services/bundles/{id} answers them (the route serves this function's result).
const served: BundleDefinition[] = loadBundleFiles().map((f) => bundleDefinition(f.bundle, true));
const definitionOf = (id: string) => served.find((d) => d.id === id);
const newborn = definitionOf('newborn');
const credit = definitionOf('credit-repair');

describe('bundle definitions as the server serves them and the web reads them', () => {
  it("names the departments with a desk, and gives the consent words in the reader's language", () => {
    expect(newborn?.items).toHaveLength(6);
    expect(deskDepartments(served)).toContain('50:public_security');
    expect(deskDepartments(served)).not.toContain('50:planning_natural_resources');
    expect(consentText(newborn!, 'zh-CN')).toMatch(/^本人同意/);
    expect(consentText(newborn!, 'en')).toMatch(/^I agree/);
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
    const business = definitionOf('business-startup')!;
    expect(formValues(business.form, { employees: '5' })).toEqual({ employees: 5 });
  });
});
