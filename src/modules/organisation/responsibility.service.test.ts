import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { testBackends } from '../../platform/db/testing.ts';
import { testPrincipal } from '../../platform/http/testing.ts';
import { type OrgFixture, openOrgFixture, TEST_NODES } from './organisation.fixtures.ts';
import { RESPONSIBILITY_FILE } from './responsibility.file.ts';

const cityOperator = testPrincipal('50', ['city_operator']);

describe.each(testBackends)('responsibility list on %s', (kind) => {
  let f: OrgFixture;
  const list = () => f.organisation.responsibilities;
  const count = async (table: string) =>
    Number(
      (await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(f.database.db)).rows[0]
        ?.n,
    );

  beforeAll(async () => {
    f = await openOrgFixture(kind);
    await f.organisation.structure.generate(SYSTEM_PRINCIPAL, TEST_NODES);
  });
  afterAll(() => f?.database.close());

  it('is unavailable until loaded, then loads the file once', async () => {
    await expect(list().lookup('barbecue_smoke')).rejects.toMatchObject({ code: 'unavailable' });
    expect(await list().loadFile(SYSTEM_PRINCIPAL)).toEqual({ loaded: true, revision: 1 });
    expect(await list().loadFile(SYSTEM_PRINCIPAL, RESPONSIBILITY_FILE)).toEqual({
      loaded: false,
      revision: 1,
    });
    const entries = await f.audit.list(f.database.db, SYSTEM_PRINCIPAL, {
      limit: 10,
      action: 'responsibility.list_loaded',
    });
    expect(entries).toHaveLength(1);
    expect(entries[0]?.jurisdictionPath).toBe('50');
  });

  it('looks up the current rule for a category', async () => {
    const rule = await list().lookup('barbecue_smoke');
    expect(rule).toMatchObject({
      departmentType: 'urban_management',
      level: 'street',
      skill: 'smoke',
      revision: 1,
      effectiveFrom: '2024-01-01T00:00:00.000Z',
    });
    await expect(list().lookup('dragon_sighting')).rejects.toMatchObject({ code: 'not_found' });
    const domains = await list().domains();
    expect(domains).toHaveLength(12);
    expect(domains.reduce((n, d) => n + d.categories, 0)).toBe((await list().list()).items.length);
  });

  it('makes a new revision on edit, keeps the old one, and audits the change', async () => {
    const before = await count('org_responsibility_item');
    const updated = await list().update(cityOperator, 'barbecue_smoke', {
      limits: { resolveMinutes: 180 },
      coDepartmentTypes: ['ecology_environment', 'market_regulation'],
      note: 'night-market season',
    });
    expect(updated).toMatchObject({
      revision: 2,
      limits: { acceptMinutes: 15, arriveMinutes: 45, resolveMinutes: 180 },
    });
    expect((await list().lookup('barbecue_smoke')).limits.resolveMinutes).toBe(180);
    const old = await list().list({ revision: 1 });
    expect(old.items.find((i) => i.category === 'barbecue_smoke')?.limits.resolveMinutes).toBe(240);
    expect((await list().list()).items).toHaveLength(old.items.length);
    expect(await count('org_responsibility_item')).toBe(before + old.items.length);
    const history = await list().history('barbecue_smoke');
    expect(history.map((h) => [h.revision, h.limits.resolveMinutes])).toEqual([
      [1, 240],
      [2, 180],
    ]);
    expect((await list().history('oil_spill')).map((h) => h.revision)).toEqual([1]);
    const revisions = await list().revisions();
    expect(revisions.map((r) => [r.revision, r.source, r.note])).toEqual([
      [1, 'file', null],
      [2, 'api', 'night-market season'],
    ]);
    const [entry] = await f.audit.list(f.database.db, SYSTEM_PRINCIPAL, {
      limit: 1,
      action: 'responsibility.updated',
    });
    expect(entry).toMatchObject({ subjectId: 'barbecue_smoke', actorId: cityOperator.id });
    expect(entry?.details).toMatchObject({
      revision: 2,
      previousRevision: 1,
      before: { limits: { resolveMinutes: 240 } },
    });
  });

  it('refuses a bad edit with invalid_data naming the item, writing nothing', async () => {
    const items = await count('org_responsibility_item');
    const audits = (await f.audit.verify(f.database.db)).checked;
    const bad = [
      { departmentType: 'ministry_of_magic' },
      { limits: { acceptMinutes: 500 } },
      { departmentType: 'commerce' },
    ];
    for (const patch of bad) {
      await expect(list().update(cityOperator, 'street_vending', patch)).rejects.toMatchObject({
        code: 'invalid_data',
        message: expect.stringContaining("'street_vending'"),
      });
    }
    await expect(list().update(cityOperator, 'new_thing', { zh: '新事项' })).rejects.toMatchObject({
      code: 'invalid_data',
    });
    expect(await count('org_responsibility_item')).toBe(items);
    expect((await f.audit.verify(f.database.db)).checked).toBe(audits);
    expect((await list().revisions()).at(-1)?.revision).toBe(2);
  });

  it('leaves the list alone when an edit changes nothing, and lets only admins and city operators edit', async () => {
    expect((await list().update(cityOperator, 'oil_spill', { level: 'district' })).revision).toBe(2);
    const district = testPrincipal('50/500103', ['district_operator']);
    await expect(list().update(district, 'oil_spill', { level: 'city' })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('adds a new category when every field is given', async () => {
    const rule = await list().update(cityOperator, 'shared_bike_clutter', {
      zh: '共享单车乱停放',
      en: 'Shared bikes parked in the way',
      domain: 'city_appearance',
      departmentType: 'urban_management',
      level: 'street',
      skill: 'street_vending',
      limits: { acceptMinutes: 30, arriveMinutes: 60, resolveMinutes: 240 },
      cityPower: false,
    });
    expect(rule).toMatchObject({ revision: 3, coDepartmentTypes: [] });
    await expect(list().history('shared_bike_clutter')).resolves.toHaveLength(1);
  });

  it('refuses a file with a bad item, naming it', async () => {
    const file = path.join(tmpdir(), `resp-${kind}-${Date.now()}.json`);
    const item = {
      category: 'x_bad',
      zh: 'x',
      en: 'x',
      domain: 'planning',
      departmentType: 'urban_management',
      level: 'district',
      skill: 'smoke',
      limits: { acceptMinutes: 9, arriveMinutes: 5, resolveMinutes: 10 },
      cityPower: false,
    };
    writeFileSync(
      file,
      JSON.stringify({
        version: 'bad',
        effectiveFrom: '2025-01-01',
        domains: [{ code: 'planning', zh: '规', en: 'p' }],
        items: [item],
      }),
    );
    await expect(list().loadFile(SYSTEM_PRINCIPAL, file)).rejects.toMatchObject({
      code: 'invalid_data',
      message: expect.stringContaining("'x_bad'"),
    });
  });
});
