import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import { AuditLog } from '../audit/index.ts';
import { Catalogue } from './catalogue.ts';
import { riskClassOf } from './credit.ts';
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

/**
 * A done visit of the enterprise and its countersigned record moving the score `before` → `after`,
 * written directly (credit-repair tests; the record's signatures are placeholders and do not verify).
 */
export async function insertScoredRecord(
  db: Db,
  enterprise: { creditCode: string; jurisdictionPath: string },
  before: number,
  after: number,
  at: Date,
): Promise<string> {
  const visit = randomUUID();
  const id = randomUUID();
  const { creditCode: code, jurisdictionPath: path } = enterprise;
  const day = at.toISOString().slice(0, 10);
  await sql`insert into en_visit (id, enterprise_code, departments, lead_department, items, inspectors, start_date, end_date, status, flagged, jurisdiction_path, created_at, done_at)
    values (${visit}, ${code}, '["ecology_environment"]', 'ecology_environment', '["EE-DISCHARGE"]', '[]', ${day}, ${day}, 'done', false, ${path}, ${at}, ${at})`.execute(
    db,
  );
  await sql`insert into en_record (id, visit_id, enterprise_code, inspector_id, body, digest, inspector_signature, inspector_key, enterprise_otc, credit_before, credit_after, jurisdiction_path, countersigned_at)
    values (${id}, ${visit}, ${code}, 'insp-500155-ecology_environment-1', '{}', 'd', 's', 'k', true, ${before}, ${after}, ${path}, ${at})`.execute(
    db,
  );
  await sql`update en_enterprise set credit_score = ${after}, risk_class = ${riskClassOf(after)} where credit_code = ${code}`.execute(
    db,
  );
  return id;
}

/** Asserts that the promise is rejected with this error code (and these details, if given). */
export async function rejects(p: Promise<unknown>, code: string, details?: object): Promise<void> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${code}`).toMatchObject({
    code,
    ...(details ? { details: expect.objectContaining(details) } : {}),
  });
}
