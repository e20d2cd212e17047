import { readFileSync } from 'node:fs';
import type { OwnerDepartment } from './catalogue.generate.ts';
import type { DepartmentDirectory } from './datahub.deps.ts';

const TYPES = JSON.parse(
  readFileSync(new URL('../../../data/organisation/department-types.v1.json', import.meta.url), 'utf8'),
) as { types: { code: string; zh: string }[] };

/** The 23 city-level departments of the demo city (code `50:<type>`), as the organisation module builds them. */
export const TEST_DEPARTMENTS: OwnerDepartment[] = TYPES.types
  .filter((t) => t.code !== 'government')
  .map((t) => ({ code: `50:${t.code}`, type: t.code, name: `重庆市${t.zh}` }));

/** A directory over TEST_DEPARTMENTS. */
export const testDirectory: DepartmentDirectory = { list: async () => TEST_DEPARTMENTS };
