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
  openJurisdictions,
  rect,
  syntheticCity,
} from './jurisdictions.fixture.ts';
import type { JurisdictionService } from './jurisdictions.service.ts';

const actor = SYSTEM_PRINCIPAL;

describe.each(testBackends)('jurisdiction service on %s', (kind) => {
  let database: Database;
  let service: JurisdictionService;
  let audit: AuditLog;
  const imports = async () =>
    (await audit.list(database.db, actor, { limit: 100, action: 'jurisdiction.imported' })).length;

  beforeAll(async () => {
    ({ database, service, audit } = await openJurisdictions(kind));
    await service.init();
  });
  afterAll(() => database?.close());

  it('locates nothing before anything is imported', async () => {
    expect(await service.locate(106.1, 29.1)).toBeUndefined();
  });

  it('imports a mixed-level file with one audit entry and answers locate at once', async () => {
    const result = await service.importGeoJson(actor, syntheticCity(), AUTO);
    expect(result).toEqual({
      count: 7,
      created: 7,
      updated: 0,
      byLevel: { city: 1, district: 2, street: 4 },
    });
    const [entry, ...rest] = await audit.list(database.db, actor, {
      limit: 10,
      action: 'jurisdiction.imported',
    });
    expect(rest).toHaveLength(0);
    expect(entry).toMatchObject({
      actorId: 'system',
      jurisdictionPath: '50',
      subjectType: 'jurisdiction_import',
    });
    expect(entry?.details).toMatchObject({ level: 'auto', count: 7, created: 7, file: { features: 7 } });
    expect((await service.locate(106.1, 29.3))?.chain.map((c) => c.name)).toEqual([
      '测试市',
      '西区',
      '西北街道',
    ]);
    expect(await service.locate(106.3, 29.3)).toBeUndefined();
  });

  it('reads the tree: get, list, children, pathOf, geojson', async () => {
    const street = await service.get('500102002');
    expect(street).toMatchObject({ level: 'street', parentCode: '500102', path: '50/500102/500102002' });
    expect(street.geometry.coordinates).toHaveLength(2); // outer ring and hole survive the round trip
    expect(street.bbox).toEqual([106.2, 29.2, 106.4, 29.4]);
    expect(await service.locate(...street.label)).toMatchObject({ chain: [{}, {}, { code: '500102002' }] });
    expect(await service.get('50')).toMatchObject({ nameEn: 'Testcity', approximate: false, properties: {} });
    expect((await service.get('500101')).properties).toEqual({ seat: [106.1, 29.1] });
    expect((await service.list({ level: 'district' })).map((d) => d.name)).toEqual(['西区', '东区']);
    expect((await service.list({ q: '东' })).map((d) => d.code)).toEqual([
      '500102',
      '500102001',
      '500102002',
    ]);
    expect((await service.list({ q: 'testc' })).map((d) => d.code)).toEqual(['50']);
    expect((await service.children('500101')).map((c) => c.code)).toEqual(['500101001', '500101002']);
    expect(await service.pathOf('500101002')).toBe('50/500101/500101002');
    expect((await failure(service.pathOf('999'))).code).toBe('not_found');
    expect((await failure(service.children('999'))).code).toBe('not_found');
    const map = await service.geojson({ level: 'street', parent: '500102' });
    expect(map.features.map((f) => f.properties)).toEqual([
      { code: '500102001', name: '东南街道', level: 'street', parent: '500102', approximate: false },
      { code: '500102002', name: '东北街道', level: 'street', parent: '500102', approximate: false },
    ]);
  });

  it('re-imports the same codes as updates', async () => {
    const city = syntheticCity();
    (city.features[4] as { properties: Record<string, unknown> }).properties.name = '新西北街道';
    const result = await service.importGeoJson(actor, city, { ...AUTO, approximate: true });
    expect(result).toMatchObject({ count: 7, created: 0, updated: 7 });
    expect((await service.get('500101002')).name).toBe('新西北街道');
    expect(await service.locate(106.1, 29.3)).toMatchObject({ approximate: true });
    expect(await imports()).toBe(2);
  });

  it('finds the parent by code prefix when no parent property is named', async () => {
    const file = collection([
      feature(
        { code: '500101009', name: '前缀街道' },
        { type: 'Polygon', coordinates: [rect(106, 29, 106.01, 29.01)] },
      ),
    ]);
    await service.importGeoJson(actor, file, { level: 'street' });
    expect(await service.pathOf('500101009')).toBe('50/500101/500101009');
  });
});
