import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import type { Database } from '../../platform/db/database.ts';
import { testBackends } from '../../platform/db/testing.ts';
import { AUTO, openJurisdictions } from './jurisdictions.fixture.ts';
import type { JurisdictionService } from './jurisdictions.service.ts';

const FILE = new URL('../../../data/chongqing/jurisdictions.geojson', import.meta.url).pathname;

// The demo city's approximate Chongqing: 1 city, 38 districts, 1,031 streets in one file.
describe.skipIf(!existsSync(FILE)).each(testBackends)('the Chongqing demo jurisdictions on %s', (kind) => {
  let database: Database;
  let service: JurisdictionService;

  beforeAll(async () => {
    ({ database, service } = await openJurisdictions(kind));
  });
  afterAll(() => database?.close());

  it('imports the whole tree in one go', async () => {
    const started = performance.now();
    const result = await service.importFile(SYSTEM_PRINCIPAL, FILE, AUTO);
    expect(result.byLevel).toEqual({ city: 1, district: 38, street: 1031 });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(await service.list({ level: 'district' })).toHaveLength(38);
    expect(await service.list({ level: 'street' })).toHaveLength(1031);
    expect(await service.get('50')).toMatchObject({ name: '重庆市', nameEn: 'Chongqing', approximate: true });
    // Districts and streets have English names too (romanised: scripts/demo-city/english-names.ts).
    expect(await service.get('500103')).toMatchObject({ name: '渝中区', nameEn: 'Yuzhong District' });
    expect(await service.get('500103003')).toMatchObject({ nameEn: 'Jiefangbei Subdistrict' });
  });

  it('locates 解放碑 and nothing far outside', async () => {
    expect(await service.locate(106.577, 29.557)).toEqual({
      chain: [
        { code: '50', name: '重庆市', level: 'city' },
        { code: '500103', name: '渝中区', level: 'district' },
        { code: expect.stringMatching(/^500103\d{3}$/), name: '解放碑街道', level: 'street' },
      ],
      approximate: true,
    });
    expect(await service.locate(100, 20)).toBeUndefined();
    expect(await service.locate(121.47, 31.23)).toBeUndefined(); // Shanghai
  });

  it('puts every street label inside its own street', async () => {
    for (const street of await service.list({ level: 'street' })) {
      const located = await service.locate(...street.label);
      expect(
        located?.chain.map((c) => c.code),
        street.code,
      ).toEqual(street.path.split('/'));
    }
  });
});
