import { describe, expect, it } from 'vitest';
import { generateCatalogue, prng } from './catalogue.generate.ts';
import { TEST_DEPARTMENTS } from './datahub.fixtures.ts';
import type { ListEntry } from './datahub.schema.ts';
import { entryToCedar } from './negative-list.cedar.ts';
import { NegativeListPolicy, type PolicyRequest, type PolicyResource } from './negative-list.policy.ts';
import { ReferenceList } from './negative-list.reference.ts';

const permit: PolicyResource = {
  id: 'res-permit',
  ownerDepartment: '50:ecology_environment',
  fields: [
    { name: 'name', class: 'public' },
    { name: 'contact_phone', class: 'personal' },
    { name: 'amount', class: 'sensitive' },
  ],
};
const records: PolicyResource = {
  id: 'res-records',
  ownerDepartment: '50:public_security',
  fields: [
    { name: 'person_name', class: 'personal' },
    { name: 'id_number', class: 'personal' },
  ],
};
const entries: ListEntry[] = [
  {
    id: 'NL-PS-1',
    kind: 'not_shared',
    basis: '《中华人民共和国个人信息保护法》第三十四条',
    description: '',
    scope: { ownerDepartment: '50:public_security', fieldClass: 'personal' },
    maskClasses: [],
  },
  {
    id: 'NL-EE-1',
    kind: 'conditional',
    basis: '《政务信息资源共享管理暂行办法》第九条 "quoted"',
    description: '',
    scope: { resourceId: 'res-permit', ownerDepartment: '50:ecology_environment' },
    conditions: {
      purposes: ['supervision'],
      departments: ['50:water_resources', '50:urban_management'],
      ownerApproval: true,
      validUntil: '2027-01-01T00:00:00Z',
    },
    maskClasses: ['sensitive'],
  },
];
const at = new Date('2026-12-07T08:00:00Z');
const ask = (over: Partial<PolicyRequest>): PolicyRequest => ({
  resource: permit,
  requesterDepartment: '50:water_resources',
  roles: ['department_liaison'],
  purpose: 'supervision',
  ownerApproval: true,
  at,
  ...over,
});

describe('negative list policy (Cedar)', () => {
  const policy = new NegativeListPolicy();
  policy.load(3, entries);

  it('writes each entry as a forbid with its id and basis as annotations', () => {
    const text = entryToCedar(entries[1] as ListEntry);
    expect(text).toMatch(/^@id\("NL-EE-1"\)/);
    expect(text).toContain('@basis("《政务信息资源共享管理暂行办法》第九条 \\"quoted\\"")');
    expect(text).toContain(
      'forbid (principal, action == Datahub::Action::"read", resource == Datahub::Resource::"res-permit")',
    );
    expect(text).toContain('unless {');
  });

  it('allows when the conditions hold, masking personal data and the entry’s classes', () => {
    const d = policy.decide(ask({}));
    expect(d).toEqual({
      decision: 'allow',
      listVersion: 3,
      entries: [],
      maskedFields: [
        { name: 'contact_phone', class: 'personal' },
        { name: 'amount', class: 'sensitive' },
      ],
    });
  });

  it('asks for the owner’s approval when that is all that is missing', () => {
    const d = policy.decide(ask({ ownerApproval: false }));
    expect(d.decision).toBe('needs_approval');
    expect(d.entries).toEqual([{ id: 'NL-EE-1', kind: 'conditional', basis: entries[1]?.basis }]);
  });

  it('denies for another purpose, another department or after the time limit, citing the entry', () => {
    for (const over of [
      { purpose: 'statistics' },
      { requesterDepartment: '50:culture_tourism' },
      { at: new Date('2027-02-01T00:00:00Z') },
    ]) {
      const d = policy.decide(ask(over));
      expect(d.decision).toBe('deny');
      expect(d.entries.map((e) => e.id)).toEqual(['NL-EE-1']);
      expect(d.maskedFields).toEqual([]);
    }
  });

  it('denies personal records that are not shared, with the basis', () => {
    const d = policy.decide(ask({ resource: records, requesterDepartment: '50:culture_tourism' }));
    expect(d.decision).toBe('deny');
    expect(d.entries).toEqual([{ id: 'NL-PS-1', kind: 'not_shared', basis: entries[0]?.basis }]);
  });

  it('applies nothing to the owner’s own data and shares unlisted data', () => {
    expect(
      policy.decide(ask({ resource: records, requesterDepartment: '50:public_security' })).decision,
    ).toBe('allow');
    const open = {
      id: 'res-open',
      ownerDepartment: '50:transport',
      fields: [{ name: 'x', class: 'public' as const }],
    };
    expect(policy.decide(ask({ resource: open })).decision).toBe('allow');
  });

  it('switches versions on load and keeps two instances apart', () => {
    const other = new NegativeListPolicy();
    other.load(3, []);
    const tourism = ask({ resource: records, requesterDepartment: '50:culture_tourism' });
    expect(other.decide(tourism).decision).toBe('allow');
    expect(policy.decide(tourism).decision).toBe('deny');
    other.load(4, entries);
    other.load(5, [entries[1] as ListEntry]);
    expect(other.decide(tourism)).toMatchObject({ decision: 'allow', listVersion: 5 });
    // An entry that slipped past validation (a date that is none) fails to compile; the loaded version stays.
    const broken = { ...(entries[1] as ListEntry), conditions: { validUntil: 'not a date' } };
    expect(() => other.load(6, [broken])).toThrow(/cedar/);
    expect(other.decide(ask({ ownerApproval: false }))).toMatchObject({
      decision: 'needs_approval',
      listVersion: 5,
    });
    expect(policy.decide(tourism).decision).toBe('deny');
  });

  it('agrees with a plain JavaScript reading of the list on a generated catalogue', () => {
    const { resources, entries: generated } = generateCatalogue({
      departments: TEST_DEPARTMENTS,
      count: 3000,
      seed: 7,
    });
    expect(generated.length).toBeGreaterThan(50);
    const big = new NegativeListPolicy();
    big.load(1, generated);
    const reference = new ReferenceList(generated);
    const random = prng(11);
    const purposes = ['law_enforcement', 'public_service', 'emergency_response', 'statistics', 'supervision'];
    let denied = 0;
    for (let i = 0; i < 2000; i++) {
      const resource = resources[Math.floor(random() * resources.length)] as PolicyResource;
      const r: PolicyRequest = {
        resource,
        requesterDepartment: (TEST_DEPARTMENTS[Math.floor(random() * 23)] as { code: string }).code,
        roles: ['department_liaison'],
        purpose: purposes[Math.floor(random() * purposes.length)] as string,
        ownerApproval: random() < 0.5,
        at,
      };
      const expected = reference.forbidding(r).sort();
      const got = big.decide(r);
      expect(got.entries.map((e) => e.id).sort()).toEqual(expected);
      if (got.decision === 'deny') denied++;
    }
    expect(denied).toBeGreaterThan(0);
  });
});
