import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import type { Database } from '../../platform/db/database.ts';
import { testBackends } from '../../platform/db/testing.ts';
import type { AuditLog } from '../audit/index.ts';
import {
  AUTO,
  collection,
  failure,
  feature,
  manyStreets,
  openJurisdictions,
  rect,
  syntheticCity,
  threeStreets,
} from './jurisdictions.fixture.ts';
import type { JurisdictionService } from './jurisdictions.service.ts';

const actor = SYSTEM_PRINCIPAL;
const STREET = { level: 'street', codeProperty: 'code', parentProperty: 'parent' } as const;

describe.each(testBackends)('jurisdiction import on %s', (kind) => {
  let database: Database;
  let service: JurisdictionService;
  let audit: AuditLog;
  const imports = async () =>
    (await audit.list(database.db, actor, { limit: 100, action: 'jurisdiction.imported' })).length;
  const codes = async () => (await service.list()).map((j) => j.code);

  beforeAll(async () => {
    ({ database, service, audit } = await openJurisdictions(kind));
    await service.importGeoJson(actor, syntheticCity(), AUTO);
  });
  afterAll(() => database?.close());

  it('imports nothing when the third feature is bad', async () => {
    const before = await codes();
    const file = threeStreets();
    (file.features[2] as { geometry: { coordinates: number[][][] } }).geometry.coordinates[0]!.pop();
    const error = await failure(service.importGeoJson(actor, file, STREET));
    expect(error.code).toBe('invalid_data');
    expect(error.details).toMatchObject({
      feature: 2,
      code: '500101005',
      problem: expect.stringMatching(/not closed/),
    });
    expect(error.message).toMatch(
      /^feature 2 \(code 500101005\): geometry\.coordinates\[0\]: ring is not closed/,
    );
    expect(await codes()).toEqual(before);
    expect(await imports()).toBe(1);
  });

  it('rolls back every row and the audit entry when the database refuses a row mid-write', async () => {
    const before = await codes();
    const name = (await service.get('500101001')).name;
    await sql`alter table jurisdictions add constraint no_boom check (name <> 'BOOM')`.execute(database.db);
    try {
      // 450 rows are three INSERT statements; the refused row is in the last, after two have run.
      const file = manyStreets(450, (i) => (i === 440 ? 'BOOM' : `街道${i}`));
      file.features.unshift(
        feature(
          { code: '500101001', name: '改名', parent: '500101' },
          { type: 'Polygon', coordinates: [rect(106, 29, 106.1, 29.2)] },
        ),
      );
      await expect(service.importGeoJson(actor, file, STREET)).rejects.toThrow(/no_boom/);
    } finally {
      await sql`alter table jurisdictions drop constraint no_boom`.execute(database.db);
    }
    expect(await codes()).toEqual(before);
    expect((await service.get('500101001')).name).toBe(name);
    expect(await imports()).toBe(1);
    expect((await audit.verify(database.db)).ok).toBe(true);
  });

  it('refuses duplicate codes, level clashes, missing and wrong parents, and moves', async () => {
    const street = (props: Record<string, unknown>) =>
      feature({ name: 'x', ...props }, { type: 'Polygon', coordinates: [rect(106, 29, 106.01, 29.01)] });
    const problems = async (features: unknown[], options: object = STREET) =>
      (
        (await failure(service.importGeoJson(actor, collection(features), { ...STREET, ...options })))
          .details as { problems: unknown[] }
      ).problems;
    expect(
      await problems([
        street({ code: '500101007', parent: '500101' }),
        street({ code: '500101007', parent: '500101' }),
      ]),
    ).toEqual([{ feature: 1, code: '500101007', problem: 'duplicate code 500101007: feature 0 has it too' }]);
    expect(await problems([street({ code: '500101', parent: '500101' })])).toContainEqual({
      feature: 0,
      code: '500101',
      problem: 'code 500101 already exists at level district',
    });
    expect(await problems([street({ code: '500199001', parent: '500199' })])).toEqual([
      { feature: 0, code: '500199001', problem: 'parent 500199 is neither stored nor earlier in the file' },
    ]);
    expect(await problems([street({ code: '500100001', parent: '50' })])).toEqual([
      { feature: 0, code: '500100001', problem: "a street's parent must be a district, but 50 is a city" },
    ]);
    expect(await problems([street({ code: '500101002', parent: '500102' })])).toEqual([
      {
        feature: 0,
        code: '500101002',
        problem: expect.stringMatching(/moving 500101002 from parent 500101 to 500102 is not supported/),
      },
    ]);
    expect(await problems([street({ parent: '500101' }), street({ code: 'a/b', parent: '500101' })])).toEqual(
      [
        { feature: 0, code: null, problem: "missing code (property 'code')" },
        { feature: 1, code: 'a/b', problem: expect.stringMatching(/must be 1-40 letters/) },
      ],
    );
    expect(
      await problems([street({ code: '500101008', parent: '500101', level: 'block' })], { level: 'auto' }),
    ).toEqual([
      {
        feature: 0,
        code: '500101008',
        problem: "level must be one of city, district, street, grid (property 'level')",
      },
    ]);
  });

  it('refuses malformed GeoJSON, naming the feature and the problem', async () => {
    const bad = async (input: unknown) =>
      (await failure(service.importGeoJson(actor, input, STREET))).message;
    expect(await bad([1, 2])).toBe('file: collection: expected a GeoJSON FeatureCollection');
    expect(await bad({ type: 'FeatureCollection', features: [] })).toBe(
      'file: features: the collection has no features',
    );
    const point = feature({ code: '500101007' }, { type: 'Point', coordinates: [106, 29] });
    expect(await bad(collection([point]))).toBe(
      'feature 0 (code 500101007): geometry.type: geometry must be a Polygon or MultiPolygon',
    );
    const far = feature({ code: '500101007' }, { type: 'Polygon', coordinates: [rect(106, 29, 106.1, 95)] });
    expect(await bad(collection([far]))).toMatch(
      /^feature 0 \(code 500101007\): geometry\.coordinates\[0\]\[2\]\[1\]: latitude must be within \[-90, 90\] \(and 1 more problem\)$/,
    );
    expect(await imports()).toBe(1);
  });

  it('imports files and names the file when it is not JSON', async () => {
    const file = path.join(tmpdir(), `cb-jurisdictions-${process.pid}-${kind}.geojson`);
    await writeFile(file, '{"type": "FeatureCollection", "features": [');
    const error = await failure(service.importFile(actor, file, STREET));
    expect(error.code).toBe('invalid_data');
    expect(error.message).toMatch(/is not valid JSON: .*JSON/);
    expect((await failure(service.importFile(actor, `${file}.missing`, STREET))).message).toMatch(
      /cannot be read: ENOENT/,
    );
    await writeFile(file, JSON.stringify(threeStreets()));
    expect(await service.importFile(actor, file, STREET)).toMatchObject({ created: 3 });
    expect(await service.pathOf('500101005')).toBe('50/500101/500101005');
  });
});
