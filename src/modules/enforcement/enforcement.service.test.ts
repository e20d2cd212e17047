import { ed25519 } from '@noble/curves/ed25519.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import { testPrincipal } from '../../platform/http/testing.ts';
import { auditMigrations } from '../audit/index.ts';
import { commitmentOf } from './draw.ts';
import { buildTestEnforcement, FOOD_PLANT, rejects, TEST_STREETS } from './enforcement.fixture.ts';
import { enforcementMigrations } from './enforcement.migrations.ts';
import type { Enforcement } from './enforcement.module.ts';
import type { RecordBody } from './enforcement.schema.ts';
import { recordDigest, signDigest } from './record.digest.ts';

const operator = testPrincipal('50/500155', ['district_operator']);
const liaison = testPrincipal('50/500155', ['department_liaison']);
const yuzhong = testPrincipal('50/500103', ['district_operator']);
const officer = (dept: string) => ({
  ...testPrincipal('50/500155', ['field_officer']),
  name: `insp.500155.${dept}.1`,
});
const FOUR = ['market_regulation', 'ecology_environment', 'emergency_management', 'fire_rescue'];

describe.each(testBackends)('enforcement on %s', (kind) => {
  let database: Database;
  let en: Enforcement;
  const clock = new ManualClock('2026-03-02T09:00:00+08:00');
  const inspectorKey = ed25519.keygen();
  const enterpriseKey = ed25519.keygen();
  let visitId = '';

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, enforcementMigrations]);
    en = buildTestEnforcement(database.db, clock);
    const seeded = await en.register.seed(SYSTEM_PRINCIPAL, {
      streets: TEST_STREETS,
      count: 600,
      extra: [FOOD_PLANT],
    });
    expect(seeded.enterprises).toBe(601);
  });
  afterAll(() => database?.close());

  it('validates credit codes on input: a bad check character is 400 invalid_credit_code', async () => {
    const bad = `${FOOD_PLANT.creditCode.slice(0, 17)}${FOOD_PLANT.creditCode[17] === '0' ? '1' : '0'}`;
    await rejects(en.register.get(operator, bad), 'invalid_credit_code', { reason: 'check_char' });
    await rejects(
      en.register.register(operator, {
        creditCode: bad,
        name: 'x',
        industry: 'retail',
        streetCode: '500155001',
        creditScore: 80,
      }),
      'invalid_credit_code',
    );
    const ok = await en.register.register(operator, {
      creditCode: '91350100M000100Y43',
      name: '示例企业',
      industry: 'retail',
      streetCode: '500155001',
      creditScore: 92,
    });
    expect(ok).toMatchObject({ riskClass: 'A', synthetic: false, districtCode: '500155' });
    await rejects(en.register.get(yuzhong, FOOD_PLANT.creditCode), 'not_found');
  });

  it('commits a draw, refuses a seed that does not match, reveals, and anyone re-runs it to the same result', async () => {
    const seed = 'liangping-2026-03-seed-0f3a9c1d2e';
    const draw = await en.draws.commit(operator, {
      districtCode: '500155',
      month: '2026-03',
      commitment: commitmentOf(seed),
    });
    expect(draw).toMatchObject({ status: 'committed', seed: null, selections: null });
    await rejects(en.draws.reveal(operator, draw.id, `${seed}x`), 'seed_mismatch');
    await rejects(en.draws.rerun(draw.id), 'conflict');
    await rejects(en.draws.reveal(yuzhong, draw.id, seed), 'not_found');
    const revealed = await en.draws.reveal(operator, draw.id, seed);
    expect(revealed.status).toBe('revealed');
    expect(revealed.selections?.length).toBeGreaterThan(0);
    expect(revealed.planned + revealed.refused).toBe(revealed.selections?.length);
    expect(await en.draws.rerun(draw.id)).toMatchObject({
      matches: true,
      commitmentMatches: true,
      inputsDigestMatches: true,
    });
    // Changing the published inputs afterwards is caught by the digest.
    await sql`update en_draw set inputs = jsonb_set(inputs, '{rates,A}', '0.9') where id = ${draw.id}`.execute(
      database.db,
    );
    expect(await en.draws.rerun(draw.id)).toMatchObject({ matches: false, inputsDigestMatches: false });
    // Drawn visits are planned and merged: fewer visits than inspections.
    const kpis = await en.kpis.kpis(operator, { from: '2026-03-01', to: '2026-03-31' });
    expect(kpis.total.inspectionsPlanned).toBe(revealed.planned);
    expect(kpis.total.visits).toBeLessThan(kpis.total.inspectionsPlanned);
  });

  it('merges four departments’ inspections of the food plant into one joint visit, and refuses a repeat', async () => {
    const placed = [];
    for (const [n, department] of FOUR.entries())
      placed.push(
        await en.visits.schedule(liaison, {
          enterpriseCode: FOOD_PLANT.creditCode,
          department,
          start: `2026-04-0${1 + n}`,
          end: '2026-04-20',
        }),
      );
    expect(placed.map((p) => p.action)).toEqual(['new', 'join', 'join', 'join']);
    const visit = placed[3]?.visit;
    expect(visit).toMatchObject({
      departments: [...FOUR].sort(),
      leadDepartment: 'ecology_environment',
      start: '2026-04-04',
      end: '2026-04-20',
      inspections: 4,
      flagged: false,
    });
    expect(visit?.items).toEqual(['MR-FOOD-PROD', 'EE-DISCHARGE', 'EM-SAFETY', 'FR-FIRE']);
    visitId = visit?.id ?? '';
    await rejects(
      en.visits.schedule(liaison, {
        enterpriseCode: FOOD_PLANT.creditCode,
        department: 'fire_rescue',
        start: '2026-04-10',
        end: '2026-04-12',
      }),
      'conflict',
      { visitId, department: 'fire_rescue' },
    );
    const repeat = {
      enterpriseCode: FOOD_PLANT.creditCode,
      department: 'health',
      start: '2026-05-01',
      end: '2026-05-05',
    };
    await rejects(
      en.visits.schedule(liaison, { ...repeat, department: 'market_regulation' }),
      'repeat_inspection',
      {
        visitId,
        quietPeriodDays: 30,
      },
    );
    const flagged = await en.visits.schedule(liaison, {
      ...repeat,
      department: 'market_regulation',
      reason: '群众投诉：疑似超范围生产',
    });
    expect(flagged).toMatchObject({
      action: 'new',
      visit: { flagged: true, reason: '群众投诉：疑似超范围生产' },
    });
    await rejects(en.visits.schedule(liaison, repeat), 'invalid_data');
  });

  it('issues 执法码 and 企业码 that verify; refuses forged, expired and revoked ones with the reason', async () => {
    const inspector = await en.codes.inspectorCode(
      officer('ecology_environment'),
      'insp-500155-ecology_environment-1',
    );
    const enterprise = await en.codes.enterpriseCode(liaison, FOOD_PLANT.creditCode);
    expect(Buffer.byteLength(inspector.qr)).toBeLessThanOrEqual(350);
    expect(await en.codes.verify(inspector.qr)).toMatchObject({
      valid: true,
      kind: 'inspector',
      subject: 'insp-500155-ecology_environment-1',
      role: '500155:ecology_environment',
    });
    expect(await en.codes.verify(enterprise.qr)).toMatchObject({
      valid: true,
      kind: 'enterprise',
      subject: FOOD_PLANT.creditCode,
    });
    // The same live code is returned until it nears expiry.
    expect((await en.codes.enterpriseCode(liaison, FOOD_PLANT.creditCode)).qr).toBe(enterprise.qr);
    await rejects(
      en.codes.inspectorCode(officer('fire_rescue'), 'insp-500155-ecology_environment-1'),
      'forbidden',
    );
    const other = buildTestEnforcement(database.db, clock);
    expect(other.codes.key.publicKey).toEqual(en.codes.key.publicKey);
    expect(await en.codes.verify(`${inspector.qr.slice(0, -4)}AAAA`)).toMatchObject({ valid: false });
    const spare = await en.codes.inspectorCode(operator, 'insp-500155-fire_rescue-2');
    await rejects(en.codes.revoke(yuzhong, spare.statusIndex, 'x'), 'not_found');
    await en.codes.revoke(operator, spare.statusIndex, '执法证注销');
    expect(await en.codes.verify(spare.qr)).toMatchObject({ valid: false, reason: 'revoked' });
    const list = await en.codes.statusList();
    expect(list.revoked).toBe(1);
    const fresh = await en.codes.inspectorCode(operator, 'insp-500155-fire_rescue-2');
    expect(fresh.statusIndex).not.toBe(spare.statusIndex);
    const later = new ManualClock(new Date(Date.parse(inspector.expiresAt) + 1000));
    expect(await buildTestEnforcement(database.db, later).codes.verify(inspector.qr)).toMatchObject({
      valid: false,
      reason: 'expired',
    });
  });

  it('files the countersigned record: checklist enforced, signatures checked, credit updated; altering it fails verification', async () => {
    const inspectorId = 'insp-500155-ecology_environment-1';
    const me = officer('ecology_environment');
    await en.register.setInspectorKey(
      me,
      inspectorId,
      Buffer.from(inspectorKey.publicKey).toString('base64url'),
    );
    await en.register.setEnterpriseKey(
      operator,
      FOOD_PLANT.creditCode,
      Buffer.from(enterpriseKey.publicKey).toString('base64url'),
    );
    const codes = {
      inspectorCode: (await en.codes.inspectorCode(me, inspectorId)).qr,
      enterpriseCode: (await en.codes.enterpriseCode(liaison, FOOD_PLANT.creditCode)).qr,
    };
    const body = (findings: RecordBody['findings']): RecordBody => ({
      visitId,
      enterpriseCode: FOOD_PLANT.creditCode,
      inspectorId,
      findings,
      signedAt: '2026-04-10T10:00:00+08:00',
    });
    const sign = (b: RecordBody) => ({
      body: b,
      inspectorSignature: signDigest(recordDigest(b), inspectorKey.secretKey),
      enterpriseSignature: signDigest(recordDigest(b), enterpriseKey.secretKey),
    });
    const outside = body([{ itemId: 'HC-VENUE-1', result: 'pass', note: '' }]);
    await rejects(
      en.records.submit(me, visitId, { ...codes, ...sign(outside) }),
      'finding_outside_checklist',
      { items: ['HC-VENUE-1'] },
    );
    const good = body([
      { itemId: 'EE-DISCHARGE-2', result: 'fail', note: '污水处理设施未运行' },
      { itemId: 'MR-FOOD-PROD-1', result: 'pass', note: '' },
      { itemId: 'FR-FIRE-1', result: 'pass', note: '' },
    ]);
    await rejects(
      en.records.submit(me, visitId, {
        ...codes,
        ...sign(good),
        enterpriseSignature: sign(outside).enterpriseSignature,
      }),
      'bad_countersignature',
      { party: 'enterprise' },
    );
    await rejects(
      en.records.submit(me, visitId, { ...codes, ...sign(good), enterpriseCode: codes.inspectorCode }),
      'code_refused',
      { reason: 'wrong_holder' },
    );
    await rejects(
      en.records.submit(me, visitId, { ...codes, ...sign(good), inspectorCode: 'CB1:XYZ' }),
      'code_refused',
      { reason: 'malformed' },
    );
    const record = await en.records.submit(me, visitId, { ...codes, ...sign(good) });
    expect(record).toMatchObject({
      creditBefore: 78,
      creditAfter: 72,
      riskClassAfter: 'C',
      enterpriseOtc: false,
    });
    expect((await en.register.get(operator, FOOD_PLANT.creditCode)).riskClass).toBe('C');
    expect((await en.visits.get(operator, visitId)).status).toBe('done');
    const kpis = await en.kpis.kpis(operator, { from: '2026-04-01', to: '2026-04-30' });
    // 3 findings of the 15 checklist points of the four departments' items.
    expect(kpis.records).toEqual({ count: 1, checklistCoverage: 0.2 });
    expect(kpis.byDepartment.find((d) => d.department === 'fire_rescue')).toMatchObject({
      inspections: 1,
      inJointVisits: 1,
      jointShare: 1,
    });
    await rejects(en.records.submit(me, visitId, { ...codes, ...sign(good) }), 'conflict');
    expect(await en.records.verify(operator, record.id)).toEqual({
      recordId: record.id,
      valid: true,
      reason: 'ok',
    });
    await sql`update en_record set body = jsonb_set(body, '{findings,0,result}', '"pass"') where id = ${record.id}`.execute(
      database.db,
    );
    expect(await en.records.verify(operator, record.id)).toMatchObject({
      valid: false,
      reason: 'digest_mismatch',
    });
    await sql`update en_record set digest = ${recordDigest({ ...good, findings: good.findings.map((f) => ({ ...f, result: 'pass' as const })) })} where id = ${record.id}`.execute(
      database.db,
    );
    expect(await en.records.verify(operator, record.id)).toMatchObject({
      valid: false,
      reason: 'inspector_signature',
    });
  });

  it('accepts a one-time code instead of the enterprise key; a wrong code is refused', async () => {
    const flagged = (
      await en.visits.list(operator, { enterpriseCode: FOOD_PLANT.creditCode, limit: 10 })
    ).find((v) => v.flagged);
    if (!flagged) throw new Error('no flagged visit');
    const inspectorId = 'insp-500155-market_regulation-1';
    const me = officer('market_regulation');
    const key = ed25519.keygen();
    await en.register.setInspectorKey(me, inspectorId, Buffer.from(key.publicKey).toString('base64url'));
    const otc = await en.register.issueOneTimeCode(operator, FOOD_PLANT.creditCode);
    const b: RecordBody = {
      visitId: flagged.id,
      enterpriseCode: FOOD_PLANT.creditCode,
      inspectorId,
      findings: [{ itemId: 'MR-FOOD-PROD-2', result: 'pass', note: '' }],
      signedAt: '2026-05-02T10:00:00+08:00',
    };
    const codes = async () => ({
      inspectorCode: (await en.codes.inspectorCode(me, inspectorId)).qr,
      enterpriseCode: (await en.codes.enterpriseCode(liaison, FOOD_PLANT.creditCode)).qr,
    });
    const c = await codes();
    const wrong = otc.code === '000000' ? '000001' : '000000';
    await rejects(
      en.records.submit(me, flagged.id, {
        ...c,
        body: b,
        inspectorSignature: signDigest(recordDigest(b), key.secretKey),
        oneTimeCode: wrong,
      }),
      'bad_countersignature',
    );
    const r = await en.records.submit(me, flagged.id, {
      ...c,
      body: b,
      inspectorSignature: signDigest(recordDigest(b), key.secretKey),
      oneTimeCode: otc.code,
    });
    expect(r).toMatchObject({ enterpriseOtc: true, creditBefore: 72, creditAfter: 74 });
  });
});
