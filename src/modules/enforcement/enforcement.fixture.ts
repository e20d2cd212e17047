import path from 'node:path';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import { AuditLog } from '../audit/index.ts';
import { Catalogue } from './catalogue.ts';
import { createEnforcement, type Enforcement } from './enforcement.module.ts';
import type { GeneratedEnterprise, StreetRef } from './register.generate.ts';
import { makeUscc } from './uscc.ts';

/** The shipped catalogue and plans. */
export const TEST_CATALOGUE = Catalogue.load(
  path.resolve(import.meta.dirname, '../../../data/enforcement/inspection-catalogue.v1.json'),
  path.resolve(import.meta.dirname, '../../../data/enforcement/annual-plans.v1.json'),
);

/** A few streets of Liangping and Yuzhong. */
export const TEST_STREETS: StreetRef[] = [
  { code: '500155001', name: '梁山街道', path: '50/500155/500155001' },
  { code: '500155002', name: '双桂街道', path: '50/500155/500155002' },
  { code: '500155104', name: '屏锦镇', path: '50/500155/500155104' },
  { code: '500103003', name: '解放碑街道', path: '50/500103/500103003' },
];

/** The Liangping food plant of the stories (synthetic credit code). */
export const FOOD_PLANT: GeneratedEnterprise = {
  creditCode: makeUscc('91', '500155', 'MA5UYL01'),
  name: '渝梁食品加工厂（合成）',
  industry: 'food_manufacturing',
  streetCode: '500155104',
  districtCode: '500155',
  jurisdictionPath: '50/500155/500155104',
  creditScore: 78,
  riskClass: 'B',
  synthetic: true,
};

/** The enforcement services over a migrated database, with the fixture streets. */
export function buildTestEnforcement(db: Db, clock: Clock): Enforcement {
  return createEnforcement({
    db,
    audit: new AuditLog(clock),
    clock,
    catalogue: TEST_CATALOGUE,
    streets: { get: async (code) => TEST_STREETS.find((s) => s.code === code) },
    signingSeed: new Uint8Array(32).fill(3),
    issuer: 'citybrain-test',
  });
}
