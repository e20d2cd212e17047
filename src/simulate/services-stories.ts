// The integrated-services stories (issue 14, 一件事一次办): a citizen or an enterprise applies for a
// bundle once; departments' records fill the materials through the data-sharing gateway; the
// departments' desks approve in parallel on simulated time (demo staffing). Kept apart from
// stories.ts, which is about the event centre and the scenarios.
import { deskUser, SERVICES_CITIZENS } from '../demo/services-demo.ts';
import type { Driver, Json } from './driver.ts';
import type { StoryOutcome } from './outcomes.ts';

const MIN = 60_000;
const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFAAIBoeHysQAAAABJRU5ErkJggg==';

/** One bundle's story: who applies with which form, how long a desk takes per step (demo staffing), the target. */
interface ServiceStory {
  story: string;
  bundleId: string;
  applicant: string;
  form: (now: number) => Record<string, unknown>;
  /** Minutes a desk takes from a step reaching it to its decision (demo staffing). */
  deskMinutes: number;
  /** The seed's target lead time, when it states one. */
  targetMinutes?: number;
  /** Most materials the applicant may be asked for, when the seed states it. */
  maxFromCitizen?: number;
  /** The desk that tries a step that is not its own (refused), and that step. */
  wrongDesk?: { user: string; item: string };
  /** Proactive start: the hospital's health department registers the birth and the parent accepts the proposal. */
  birth?: { hospital: string; relation: 'mother' | 'father' };
}

const day = (now: number, back: number) => new Date(now - back * 86_400_000).toISOString().slice(0, 10);

const STORIES: Record<string, ServiceStory> = {
  newborn: {
    story: 'newborn',
    bundleId: 'newborn',
    applicant: SERVICES_CITIZENS.newborn.username,
    form: (now) => ({
      motherIdNumber: '500103199203150028',
      fatherIdNumber: '500103199011080015',
      newbornName: '陈语桐',
      birthDate: day(now, 2),
      bornInCity: true,
      relation: 'mother',
    }),
    deskMinutes: 20,
    targetMinutes: 120,
    maxFromCitizen: 2,
    wrongDesk: { user: deskUser('50:public_security'), item: 'birth-certificate' },
    birth: { hospital: '重庆市妇幼保健院', relation: 'mother' },
  },
  'business-startup': {
    story: 'business-startup',
    bundleId: 'business-startup',
    applicant: SERVICES_CITIZENS.business.username,
    form: () => ({
      enterpriseName: '重庆山城拾光文化传播有限公司',
      legalRepIdNumber: '500112198805200031',
      shareholderIdNumber: '500112199001120042',
      companyType: 'limited_company',
      employees: 5,
    }),
    deskMinutes: 45,
    targetMinutes: 240,
    wrongDesk: { user: deskUser('50:public_security'), item: 'business-licence' },
  },
  'credit-repair': {
    story: 'credit-repair',
    bundleId: 'credit-repair',
    applicant: SERVICES_CITIZENS.credit.username,
    form: () => ({
      enterpriseUscc: '91500103MA60DEM15F',
      legalRepIdNumber: '500103197607030019',
      penaltiesPaid: true,
    }),
    deskMinutes: 60,
    maxFromCitizen: 2,
    wrongDesk: { user: deskUser('50:development_reform'), item: 'penalty-publicity' },
  },
};

/** The story names `citybrain simulate --story` accepts for integrated services. */
export const SERVICE_STORIES = Object.keys(STORIES);

/** Runs one integrated-services story. */
export async function serviceStory(d: Driver, name: string): Promise<{ outcome: StoryOutcome }> {
  const s = STORIES[name];
  if (!s) throw new Error(`unknown services story ${name}`);
  const call = async (method: 'GET' | 'POST', url: string, user: string, body?: unknown, ok = [200, 201]) => {
    const r = await d.call(method, url, user, body);
    if (!ok.includes(r.status))
      throw new Error(`${method} ${url} as ${user}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body as Json;
  };
  let simulatedMs = 0;
  const pass = async (ms: number) => {
    simulatedMs += ms;
    await d.advance(ms);
  };
  const bundle = ((await call('GET', '/api/v1/services/bundles', s.applicant)).items as Json[]).find(
    (b) => b.id === s.bundleId,
  );
  d.log(
    `${bundle.titleZh}：${bundle.items} 个事项，${bundle.departments.length} 个部门，${bundle.materials} 份材料`,
  );
  const form = s.form(d.now());
  const eligibility = await call('POST', `/api/v1/services/bundles/${s.bundleId}/eligibility`, s.applicant, {
    form,
  });
  d.log(
    `  申请条件：${eligibility.eligible ? '符合' : eligibility.reasons.map((r: Json) => r.reasonZh).join('；')}`,
  );
  let app: Json;
  let proposalAccepted: boolean | undefined;
  if (s.birth) {
    // The hospital registers the birth; the platform proposes the bundle to the parent, who accepts it.
    const registrar = deskUser('50:health');
    const proposal = await call('POST', '/api/v1/services/births', registrar, {
      birthRecordNo: `CS-${new Date(d.now()).toISOString().slice(0, 10).replaceAll('-', '')}-${Math.random().toString(36).slice(2, 10)}`,
      newbornName: form.newbornName,
      birthDate: form.birthDate,
      hospital: s.birth.hospital,
      motherIdNumber: form.motherIdNumber,
      fatherIdNumber: form.fatherIdNumber,
      parent: { account: s.applicant, relation: s.birth.relation },
    });
    d.log(`  ${s.birth.hospital}登记出生 → 向 ${s.applicant} 推送“${bundle.titleZh}”（${proposal.id}）`);
    const mine = (await call('GET', '/api/v1/services/proposals', s.applicant)).items as Json[];
    if (!mine.some((p) => p.id === proposal.id)) throw new Error('the parent does not see the proposal');
    app = await call('POST', `/api/v1/services/proposals/${proposal.id}/accept`, s.applicant, {
      consent: true,
    });
    proposalAccepted = app.bundleId === s.bundleId && app.status === 'draft';
    d.log(`  家长同意授权并接受 → 申请 ${app.id}`);
  } else
    app = await call('POST', '/api/v1/services/applications', s.applicant, {
      bundleId: s.bundleId,
      form,
      consent: true,
    });
  for (const m of app.materials as Json[])
    if (m.origin === 'shared_data')
      d.log(`  ✓ ${m.titleZh} ← ${m.owner}（${m.resourceId}，交换 ${m.exchangeId}）`);
  const needed = (app.materials as Json[]).filter((m) => m.status === 'needed');
  for (const m of needed) d.log(`  ✎ ${m.titleZh}：由申请人提供${m.note ? `（${m.note}）` : ''}`);
  const provided = Object.fromEntries(
    needed.map((m) => [m.code, m.format === 'text' ? `${m.titleZh}（演示）` : PNG]),
  );
  const confirm = (app.materials as Json[]).filter((m) => m.status === 'fetched').map((m) => m.code);
  app = await call('POST', `/api/v1/services/applications/${app.id}/submit`, s.applicant, {
    confirm,
    provided,
  });
  d.log(`  已提交：确认共享数据 ${confirm.length} 份，提供 ${needed.length} 份`);
  const submittedAt = simulatedMs;

  let wrongDeskRefused: boolean | undefined;
  let retriedNoop: boolean | undefined;
  for (let wave = 1; app.status === 'in_progress' && wave <= 10; wave++) {
    const pending = (app.steps as Json[]).filter((x) => x.status === 'pending');
    if (!pending.length) break;
    if (s.wrongDesk && wrongDeskRefused === undefined && pending.some((p) => p.item === s.wrongDesk?.item)) {
      const r = await d.call(
        'POST',
        `/api/v1/services/applications/${app.id}/steps/${s.wrongDesk.item}/decision`,
        s.wrongDesk.user,
        { decision: 'approve' },
      );
      wrongDeskRefused = r.status === 403 && r.body.error?.details?.reason === 'wrong_department';
      d.log(
        `  ✗ ${s.wrongDesk.user} 审批 ${s.wrongDesk.item}：${r.status} ${r.body.error?.details?.reason ?? ''}`,
      );
    }
    await pass(s.deskMinutes * MIN);
    d.log(`  第 ${wave} 批并联审批（${pending.map((p) => `${p.titleZh}@${p.department}`).join('、')}）`);
    for (const p of pending) {
      const user = deskUser(p.department);
      const inbox = (await call('GET', '/api/v1/services/desk', user)).items as Json[];
      const task = inbox.find((t) => t.applicationId === app.id && t.step.item === p.item);
      if (!task) throw new Error(`${p.item} is not in ${user}'s desk`);
      const url = `/api/v1/services/applications/${app.id}/steps/${p.item}/decision`;
      app = await call('POST', url, user, { decision: 'approve' });
      if (retriedNoop === undefined) {
        const again = await d.call('POST', url, user, { decision: 'approve' });
        retriedNoop =
          again.status === 200 && again.body.steps.find((x: Json) => x.item === p.item).status === 'approved';
      }
    }
  }
  const completed = app.status === 'completed';
  const leadTimeMinutes = completed ? (simulatedMs - submittedAt) / MIN : null;
  const notices = ((await call('GET', '/api/v1/services/notices', s.applicant)).items as Json[]).filter(
    (n) => n.subjectId === app.id,
  );
  d.log(
    `  ${completed ? '全部办结' : `未办结（${app.status}）`}，用时 ${leadTimeMinutes ?? '—'} 分钟（模拟时间），通知 ${notices.length} 条`,
  );
  // The electronic certificates: one per item, the PDF downloaded, the QR text verified by anyone.
  let certificatesIssued = 0;
  let certificateVerified = false;
  let tamperedRefused = false;
  let pdfDownloaded = false;
  if (completed) {
    const certs = (await call('GET', `/api/v1/services/applications/${app.id}/certificates`, s.applicant))
      .items as Json[];
    certificatesIssued = certs.length;
    const first = certs[0];
    if (first) {
      const pdf = await d.call('GET', first.pdf, s.applicant);
      pdfDownloaded = pdf.status === 200 && String(pdf.body).startsWith('%PDF-');
      const check = await call('POST', '/api/v1/services/certificates/verify', s.applicant, { qr: first.qr });
      certificateVerified = check.valid === true;
      const [h, , sig] = String(first.qr).split('.');
      const forged = Buffer.from(
        JSON.stringify({ ...first.claims, holder: { id: 'x', name: '冒名' } }),
      ).toString('base64url');
      const tampered = await call('POST', '/api/v1/services/certificates/verify', s.applicant, {
        qr: `${h}.${forged}.${sig}`,
      });
      tamperedRefused = tampered.valid === false && tampered.reason === 'bad_signature';
      d.log(
        `  电子证照 ${certs.length} 份（${certs.map((c) => c.number).join('、')}）；验证 ${first.number}：${check.reason}；篡改后：${tampered.reason}`,
      );
    }
  }
  const sum = app.summary as Json;
  const figures = {
    applicationId: app.id,
    bundle: `${app.bundleId}@${app.version}`,
    items: sum.items,
    departments: sum.departments,
    materialsRequired: sum.materialsRequired,
    materialsFromCitizen: sum.materialsFromCitizen,
    materialsFromSharedData: sum.materialsFromSharedData,
    materialsFromItems: sum.materialsFromItems,
    leadTimeMinutes,
    deskMinutes: s.deskMinutes,
    completed,
    wrongDeskRefused: wrongDeskRefused ?? null,
    retriedNoop: retriedNoop ?? null,
    notices: notices.length,
    proposalAccepted: proposalAccepted ?? null,
    certificatesIssued,
    certificateVerified,
    tamperedRefused,
    pdfDownloaded,
  };
  const checks: [boolean, string][] = [
    [eligibility.eligible === true, 'the applicant is eligible'],
    [completed, 'every item is approved'],
    [sum.materialsFromSharedData > 0, 'materials are filled from departments’ records'],
    [
      wrongDeskRefused !== false,
      'a desk deciding another department’s step is refused (403 wrong_department)',
    ],
    [retriedNoop !== false, 'a step decided twice is decided once'],
    [notices.length > 0, 'the applicant is told at each step'],
    [proposalAccepted !== false, 'the birth registered proposes the bundle, and the parent accepts it'],
    [certificatesIssued === sum.items, 'one electronic certificate per item'],
    [pdfDownloaded, 'the applicant downloads a certificate as PDF'],
    [certificateVerified, 'a certificate’s QR text verifies'],
    [tamperedRefused, 'a changed QR text is refused (bad_signature)'],
  ];
  if (s.maxFromCitizen !== undefined)
    checks.push([
      sum.materialsFromCitizen <= s.maxFromCitizen,
      `at most ${s.maxFromCitizen} materials from the applicant`,
    ]);
  if (s.targetMinutes !== undefined)
    checks.push([
      leadTimeMinutes !== null && leadTimeMinutes <= s.targetMinutes,
      `done within ${s.targetMinutes} minutes`,
    ]);
  const failed = checks.filter(([ok]) => !ok).map(([, what]) => what);
  return { outcome: { story: s.story, holds: failed.length === 0, failed, ...figures } };
}
