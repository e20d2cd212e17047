import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bundleDepartments,
  checkDepartments,
  DEFAULT_BUNDLES_DIR,
  loadBundleFiles,
  parseBundle,
} from './services.bundle.ts';

const newborn = JSON.parse(fs.readFileSync(path.join(DEFAULT_BUNDLES_DIR, 'newborn.v1.json'), 'utf8'));
const clone = () => structuredClone(newborn);

describe('bundle definitions', () => {
  it('loads the three demo bundles with their figures', () => {
    const loaded = loadBundleFiles();
    const byId = Object.fromEntries(loaded.map((l) => [l.bundle.id, l.bundle]));
    expect(Object.keys(byId).sort()).toEqual(['business-startup', 'credit-repair', 'newborn']);
    expect(byId.newborn?.items).toHaveLength(6);
    expect(byId.newborn?.materials).toHaveLength(18);
    expect(bundleDepartments(byId.newborn as never)).toHaveLength(7);
    expect(byId['business-startup']?.items.map((i) => i.code)).toEqual([
      'business-licence',
      'seal-engraving',
      'invoices',
      'social-insurance',
      'housing-fund',
      'bank-account',
    ]);
    const credit = loaded.filter((l) => l.bundle.id === 'credit-repair').map((l) => l.bundle);
    expect(credit.map((b) => b.version)).toEqual([1, 2]);
    // Version 2 adds the tax service's item, in parallel with the other penalising departments' items.
    const v2 = credit[1] as (typeof credit)[number];
    expect(v2.items).toHaveLength(5);
    expect(v2.materials).toHaveLength(14);
    expect(bundleDepartments(v2 as never)).toHaveLength(4);
    expect(v2.items.find((i) => i.code === 'tax-credit')).toMatchObject({
      department: '50:taxation',
      after: [],
    });
    expect(v2.items.find((i) => i.code === 'public-credit')?.after).toContain('tax-credit');
    expect(v2.items.find((i) => i.code === 'public-credit')?.needs).toContain('tax-repair-notice');
  });

  it('accepts only departments it knows when given the directory', () => {
    expect(() => parseBundle('newborn.v1.json', newborn, new Set(['50:health']))).toThrow(
      /newborn\.v1\.json: items\.2\.department: unknown department 50:public_security/,
    );
  });

  it('checks loaded files against the organisation, naming file and field', () => {
    const files = loadBundleFiles();
    const all = new Set(files.flatMap((f) => f.bundle.items.map((i) => i.department)));
    expect(() => checkDepartments(files, all)).not.toThrow();
    all.delete('50:development_reform');
    expect(() => checkDepartments(files, all)).toThrow(
      /credit-repair\.v1\.json: items\.3\.department: unknown department 50:development_reform/,
    );
  });

  it.each([
    ['a missing field', (b: typeof newborn) => delete b.items[0].timeLimitDays, /items\.0\.timeLimitDays/],
    [
      'an unknown material',
      (b: typeof newborn) => b.items[0].needs.push('passport'),
      /items\.0\.needs\.5: unknown material passport/,
    ],
    [
      'an unknown predecessor',
      (b: typeof newborn) => (b.items[1].after = ['nothing']),
      /items\.1\.after\.0: unknown item nothing/,
    ],
    [
      'a cycle',
      (b: typeof newborn) => (b.items[0].after = ['vaccination-certificate']),
      /items: the approval graph has a cycle/,
    ],
    [
      'an output needed before it exists',
      (b: typeof newborn) => (b.items[3].after = []),
      /items\.3\.needs\.0: household-entry is the output of household-registration/,
    ],
    [
      'a rule on no form field',
      (b: typeof newborn) => (b.eligibility[0].field = 'age'),
      /eligibility\.0\.field/,
    ],
    [
      'a bad department code',
      (b: typeof newborn) => (b.items[0].department = 'health'),
      /items\.0\.department/,
    ],
  ])('refuses %s naming the file and the field', (_what, change, message) => {
    const b = clone();
    change(b);
    expect(() => parseBundle('newborn.v1.json', b)).toThrow(message);
  });

  it('refuses a file whose name disagrees with its version', () => {
    expect(() => parseBundle('newborn.v3.json', clone())).toThrow(
      /newborn\.v3\.json: id: file name says newborn v3/,
    );
  });
});
