import { readFileSync } from 'node:fs';
import type { OwnerDepartment } from './catalogue.generate.ts';
import type { DepartmentDirectory, ScopedDepartment } from './datahub.deps.ts';

const TYPES = JSON.parse(
  readFileSync(new URL('../../../data/organisation/department-types.v1.json', import.meta.url), 'utf8'),
) as { types: { code: string; zh: string }[] };

/** The 24 city-level departments of the demo city (code `50:<type>`; 23 municipal and the tax service), as the organisation module builds them. */
export const TEST_DEPARTMENTS: OwnerDepartment[] = TYPES.types
  .filter((t) => t.code !== 'government')
  .map((t) => ({ code: `50:${t.code}`, type: t.code, name: `重庆市${t.zh}` }));

/**
 * Departments below the city, as the organisation module builds them (`<jurisdiction code>:<type>`):
 * every type at 渝中区 (500103), 綦江区 (500110) and two of 渝中区's streets (解放碑街道 500103003,
 * 七星岗街道 500103001), the demo jurisdictions' codes (data/chongqing/jurisdictions.geojson).
 */
export const TEST_SUB_DEPARTMENTS: ScopedDepartment[] = (
  [
    ['500103', 'district'],
    ['500110', 'district'],
    ['500103003', 'street'],
    ['500103001', 'street'],
  ] as const
).flatMap(([jurisdictionCode, level]) =>
  TYPES.types.map((t) => ({ code: `${jurisdictionCode}:${t.code}`, level, jurisdictionCode })),
);

/** A directory over TEST_DEPARTMENTS (owners) and TEST_SUB_DEPARTMENTS (consumers may also be these). */
export const testDirectory: DepartmentDirectory = {
  list: async () => TEST_DEPARTMENTS,
  find: async (code) => {
    if (TEST_DEPARTMENTS.some((d) => d.code === code)) return { code, level: 'city', jurisdictionCode: '50' };
    return TEST_SUB_DEPARTMENTS.find((d) => d.code === code);
  },
};
