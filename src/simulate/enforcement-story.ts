// The joint-inspection story (issue 15): Liangping's four departments' inspections of the food plant
// become one visit; the draw is committed, refused with a wrong seed, revealed and re-run by anyone;
// 执法码 and 企业码 verified; the record countersigned by both parties; a repeat inspection refused;
// the plant's credit updated; then the plant's legal representative applies for credit repair at the
// integrated-services desks (一件事一次办), and its completion restores the score. Its own file so stories.ts does not grow.
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { decode, encode, Tagged } from 'cborg';
import { zlibSync } from 'fflate';
import { JOINT_STORY } from '../demo/enforcement-demo.ts';
import { deskUser, SERVICES_CITIZENS } from '../demo/services-demo.ts';
import {
  base45Encode,
  CODE_PREFIX,
  commitmentOf,
  parseCode,
  type RecordBody,
  recordDigest,
  signDigest,
} from '../modules/enforcement/index.ts';
import type { Driver, Json } from './driver.ts';
import { jointInspectionOutcome, type StoryOutcome } from './outcomes.ts';

const P = '/api/v1/enforcement';
const DAY = 86_400_000;
const date = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** A forger's attempt: the enterprise code's claims rewritten to another holder, the signature kept. */
function forge(qr: string, holder: string): string {
  const parts = parseCode(qr);
  if (!parts) return qr;
  const claims = decode(parts.payload, { useMaps: true }) as Map<number, unknown>;
  claims.set(2, holder);
  const cose = new Tagged(18, [parts.protectedBytes, new Map(), encode(claims), parts.signature]);
  return CODE_PREFIX + base45Encode(zlibSync(encode(cose)));
}

const must = (r: { status: number; body: Json }, status: number, what: string) => {
  if (r.status !== status) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};

/** Liangping: draw, four departments merged into one visit, codes verified, record countersigned, repeat refused, credit updated. */
export async function jointInspection(d: Driver): Promise<{ outcome: StoryOutcome }> {
  const op = JOINT_STORY.coordinator;
  const plant = JOINT_STORY.foodPlant;
  const before = must(await d.call('GET', `${P}/enterprises/${plant}`, op), 200, 'enterprise');
  d.log(`联合执法：梁平区 ${before.name} ${plant} 信用分 ${before.creditScore}（${before.riskClass} 类）`);

  // The quiet period starts from the plant's last visit: a second run picks a window after it.
  const past = must(await d.call('GET', `${P}/visits?enterpriseCode=${plant}`, op), 200, 'visits')
    .items as Json[];
  const lastEnd = past.reduce((m: number, v: Json) => Math.max(m, Date.parse(`${v.end}T00:00:00Z`)), 0);
  const start = Math.max(d.now() + DAY, lastEnd + 31 * DAY);
  const month = date(start).slice(0, 7);

  d.log(`双随机：${month} 梁平区联合抽查 — 先公布种子的哈希`);
  const seed = randomBytes(32).toString('hex');
  const draw = must(
    await d.call('POST', `${P}/draws`, op, {
      districtCode: JOINT_STORY.district,
      month,
      commitment: commitmentOf(seed),
    }),
    201,
    'commit',
  );
  d.log(`  承诺 ${draw.commitment.slice(0, 16)}…，输入摘要 ${draw.inputsDigest.slice(0, 16)}…`);
  const wrong = await d.call('POST', `${P}/draws/${draw.id}/reveal`, op, { seed: `${seed}0` });
  d.log(`  用错误种子揭示：${wrong.status} ${wrong.body.error?.code}`);
  const revealed = must(await d.call('POST', `${P}/draws/${draw.id}/reveal`, op, { seed }), 200, 'reveal');
  const rerun = must(await d.call('POST', `${P}/draws/${draw.id}/rerun`), 200, 'rerun');
  d.log(
    `  揭示：抽中 ${revealed.selections.length} 户次，计划 ${revealed.planned}；任何人复算：${rerun.matches ? '一致' : '不一致'}`,
  );

  d.log('进一次门、查多项事：四个部门对食品厂的检查');
  let visit: Json;
  let inspectionsPlanned = 0;
  for (const [n, department] of JOINT_STORY.departments.entries()) {
    const placed = must(
      await d.call('POST', `${P}/inspections`, op, {
        enterpriseCode: plant,
        department,
        start: date(start + n * DAY),
        end: date(start + 20 * DAY),
      }),
      201,
      `inspection ${department}`,
    );
    inspectionsPlanned++;
    visit = placed.visit;
    d.log(
      `  ${department}: ${placed.action === 'join' ? '并入' : '新建'} 检查 ${visit.id.slice(0, 8)}（${visit.start}–${visit.end}）`,
    );
  }
  visit = must(await d.call('GET', `${P}/visits/${visit.id}`, op), 200, 'visit');
  const visits = (
    must(await d.call('GET', `${P}/visits?enterpriseCode=${plant}`, op), 200, 'visits').items as Json[]
  ).filter((v) => v.status === 'planned');
  d.log(
    `  一次联合检查：牵头 ${visit.leadDepartment}，${visit.departments.length} 个部门，${visit.items.length} 项检查事项`,
  );

  const lead = visit.leadDepartment as string;
  const inspector = JOINT_STORY.inspector(lead);
  const inspectorId = JOINT_STORY.inspectorId(lead);
  const inspectorKey = ed25519.keygen();
  const enterpriseKey = ed25519.keygen();
  const b64 = (k: Uint8Array) => Buffer.from(k).toString('base64url');
  must(
    await d.call('POST', `${P}/inspectors/${inspectorId}/key`, inspector, {
      publicKey: b64(inspectorKey.publicKey),
    }),
    200,
    'inspector key',
  );
  must(
    await d.call('POST', `${P}/enterprises/${plant}/key`, op, { publicKey: b64(enterpriseKey.publicKey) }),
    200,
    'enterprise key',
  );
  const inspectorCode = must(
    await d.call('GET', `${P}/codes/inspectors/${inspectorId}`, inspector),
    200,
    'inspector code',
  ).qr as string;
  const enterpriseCode = must(
    await d.call('GET', `${P}/codes/enterprises/${plant}`, op),
    200,
    'enterprise code',
  ).qr as string;
  let codesVerified = 0;
  for (const [what, qr] of [
    ['执法码', inspectorCode],
    ['企业码', enterpriseCode],
  ] as const) {
    const v = must(await d.call('POST', `${P}/codes/verify`, undefined, { qr }), 200, 'verify');
    if (v.valid) codesVerified++;
    d.log(`  扫${what}（${qr.length} 字节）：${v.valid ? '有效' : `无效 ${v.reason}`} ${v.subject}`);
  }
  const forged = must(
    await d.call('POST', `${P}/codes/verify`, undefined, { qr: forge(enterpriseCode, '91350100M000100Y43') }),
    200,
    'verify forged',
  );
  d.log(`  改写持有人的伪造企业码：${forged.valid ? '有效' : `拒绝（${forged.reason}）`}`);

  const body = (findings: RecordBody['findings']): RecordBody => ({
    visitId: visit.id,
    enterpriseCode: plant,
    inspectorId,
    findings,
    signedAt: new Date(d.now()).toISOString(),
  });
  const signed = (b: RecordBody) => ({
    inspectorCode,
    enterpriseCode,
    body: b,
    inspectorSignature: signDigest(recordDigest(b), inspectorKey.secretKey),
    enterpriseSignature: signDigest(recordDigest(b), enterpriseKey.secretKey),
  });
  const outside = await d.call(
    'POST',
    `${P}/visits/${visit.id}/record`,
    inspector,
    signed(body([{ itemId: 'HC-VENUE-3', result: 'fail', note: '清单外事项' }])),
  );
  d.log(`  清单外事项：${outside.status} ${outside.body.error?.code}`);
  const findings = (visit.items as string[]).map((item) => ({
    itemId: `${item}-${item === 'EE-DISCHARGE' ? 2 : 1}`,
    result: item === 'EE-DISCHARGE' ? ('fail' as const) : ('pass' as const),
    note: item === 'EE-DISCHARGE' ? '污水处理设施未正常运行' : '',
  }));
  const record = await d.call('POST', `${P}/visits/${visit.id}/record`, inspector, signed(body(findings)));
  d.log(
    `  检查记录双方签署：${record.status}${record.status === 201 ? `，摘要 ${record.body.digest.slice(0, 16)}…` : ` ${JSON.stringify(record.body)}`}`,
  );
  const verified =
    record.status === 201
      ? must(await d.call('GET', `${P}/records/${record.body.id}/verify`, op), 200, 'record verify')
      : { valid: false };

  const repeat = await d.call('POST', `${P}/inspections`, op, {
    enterpriseCode: plant,
    department: 'market_regulation',
    start: date(start + 25 * DAY),
    end: date(start + 27 * DAY),
  });
  d.log(`  静默期内再次检查（无理由）：${repeat.status} ${repeat.body.error?.code}`);
  const after = must(await d.call('GET', `${P}/enterprises/${plant}`, op), 200, 'enterprise after');
  d.log(
    `  信用分 ${before.creditScore} → ${after.creditScore}（${after.riskClass} 类，下一年抽查频次随之调整）`,
  );
  const creditRepairOffered = record.status === 201 && record.body.creditRepair?.available === true;
  d.log(`  检查记录提示可申请信用修复：${creditRepairOffered ? record.body.creditRepair.bundleId : '否'}`);
  const repair = creditRepairOffered
    ? await applyForCreditRepair(d, plant, record.body.id)
    : { repaired: false, enterprise: undefined };
  return {
    outcome: jointInspectionOutcome({
      inspectionsPlanned: visit.inspections ?? inspectionsPlanned,
      visits: visits.length,
      departments: visit.departments,
      leadDepartment: lead,
      codesVerified,
      forgedRefused: forged.valid === false,
      outsideChecklistRefused:
        outside.status === 422 && outside.body.error?.code === 'finding_outside_checklist',
      recordCountersigned: record.status === 201,
      recordVerified: verified.valid === true,
      repeatRefused: repeat.status === 409 && repeat.body.error?.code === 'repeat_inspection',
      seedMismatchRefused: wrong.status === 409 && wrong.body.error?.code === 'seed_mismatch',
      drawRerunMatches: rerun.matches === true,
      creditBefore: before.creditScore,
      creditAfter: after.creditScore,
      riskClassAfter: after.riskClass,
      creditRepairOffered,
      creditRepaired: repair.repaired,
      creditAfterRepair: repair.enterprise?.creditScore ?? null,
      riskClassAfterRepair: repair.enterprise?.riskClass ?? null,
    }),
  };
}

const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFAAIBoeHysQAAAABJRU5ErkJggg==';

/**
 * The plant's legal representative applies for the credit-repair bundle through the services API
 * and every desk approves its steps; the completed application lifts the record's penalty
 * (src/workflows/credit-repair.ts). A step that fails is told and ends the repair (the outcome says so).
 */
async function applyForCreditRepair(
  d: Driver,
  plant: string,
  recordId: string,
): Promise<{ repaired: boolean; enterprise: Json | undefined }> {
  const S = '/api/v1/services';
  const rep = SERVICES_CITIZENS.credit.username;
  try {
    let app = must(
      await d.call('POST', `${S}/applications`, rep, {
        bundleId: 'credit-repair',
        form: { enterpriseUscc: plant, legalRepIdNumber: '500103197607030019', penaltiesPaid: true },
        consent: true,
      }),
      201,
      'credit-repair application',
    );
    const needed = (app.materials as Json[]).filter((m) => m.status === 'needed');
    app = must(
      await d.call('POST', `${S}/applications/${app.id}/submit`, rep, {
        confirm: (app.materials as Json[]).filter((m) => m.status === 'fetched').map((m) => m.code),
        provided: Object.fromEntries(
          needed.map((m) => [m.code, m.format === 'text' ? `${m.titleZh}（演示）` : PNG]),
        ),
      }),
      200,
      'credit-repair submit',
    );
    d.log(
      `信用修复一件事：${SERVICES_CITIZENS.credit.displayName} 申请 ${app.id.slice(0, 8)}，自行提供 ${needed.length} 份材料`,
    );
    for (let wave = 1; app.status === 'in_progress' && wave <= 5; wave++) {
      const pending = (app.steps as Json[]).filter((x) => x.status === 'pending');
      for (const p of pending)
        app = must(
          await d.call(
            'POST',
            `${S}/applications/${app.id}/steps/${p.item}/decision`,
            deskUser(p.department),
            {
              decision: 'approve',
            },
          ),
          200,
          `decision ${p.item}`,
        );
      d.log(`  第 ${wave} 批审批通过：${pending.map((p) => p.titleZh).join('、')}`);
    }
    const rec = must(await d.call('GET', `${P}/records/${recordId}`, JOINT_STORY.coordinator), 200, 'record');
    const enterprise = must(
      await d.call('GET', `${P}/enterprises/${plant}`, JOINT_STORY.coordinator),
      200,
      'enterprise repaired',
    );
    const repaired = app.status === 'completed' && rec.repairedBy === app.id;
    d.log(
      `  ${app.status === 'completed' ? '全部办结' : `未办结（${app.status}）`}；检查记录${repaired ? '已修复' : '未修复'}，信用分 ${enterprise.creditScore}（${enterprise.riskClass} 类）`,
    );
    return { repaired, enterprise };
  } catch (err) {
    d.log(`  信用修复未完成：${err instanceof Error ? err.message : String(err)}`);
    return { repaired: false, enterprise: undefined };
  }
}
