import { compactVerify, importJWK } from 'jose';
import {
  decodePDFRawStream,
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  type PDFRawStream,
  PDFString,
} from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkingDayCalendar } from '../../platform/calendar/calendar.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../platform/db/testing.ts';
import type { Api } from '../../platform/http/server.ts';
import { createTestApi } from '../../platform/http/testing.ts';
import { createLogger } from '../../platform/logger.ts';
import { ed25519KeyFrom, signJws } from '../../platform/signing.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import { NotifyService, notifyMigrations, webhookChannel } from '../notify/index.ts';
import { loadBundleFiles } from './services.bundle.ts';
import { CERTIFICATE_KEY_LABEL, CERTIFICATE_TYP, PDF_QR_ENTRY } from './services.certificates.ts';
import {
  citizen,
  liaison,
  memoryAccounts,
  memoryEvidence,
  NEWBORN_RECORDS,
  newbornForm,
  PNG_DATA_URL,
  TEST_SIGNING_SEED,
} from './services.fixtures.ts';
import { servicesMigrations } from './services.migrations.ts';
import { createServices } from './services.module.ts';
import { registerServicesRoutes } from './services.routes.ts';

// biome-ignore lint/suspicious/noExplicitAny: the API's JSON answers, read loosely by the test
type Json = Record<string, any>;
const DESKS: Record<string, string> = {
  '50:health': 'health',
  '50:public_security': 'police',
  '50:human_resources_social_security': 'hrss',
};

/** Outputs of integrated services: signed PDF certificates, the proactive birth trigger, webhook notices. */
describe.each(testBackends)('services outputs on %s', (kind) => {
  let database: Database;
  let api: Api;
  let notifier: NotifyService;
  const clock = new ManualClock('2026-12-02T09:00:00+08:00');
  const hooks: { url: string; body: Json }[] = [];
  const call = async (method: 'GET' | 'POST', url: string, who?: string, payload?: unknown) => {
    const r = await api.inject({
      method,
      url,
      headers: who ? { authorization: `Bearer ${who}` } : {},
      ...(payload === undefined ? {} : { payload: payload as string }),
    });
    const json = r.headers['content-type']?.toString().startsWith('application/json');
    return { status: r.statusCode, body: json ? r.json() : undefined, raw: r.rawPayload, headers: r.headers };
  };
  /** Files a newborn application for `who` and has every desk approve it. */
  const completed = async (who: string, extra: Json = {}) => {
    const created = await call('POST', '/api/v1/services/applications', who, {
      bundleId: 'newborn',
      form: newbornForm(clock.now()),
      consent: true,
      ...extra,
    });
    expect(created.status).toBe(201);
    const confirm = created.body.materials
      .filter((m: Json) => m.status === 'fetched')
      .map((m: Json) => m.code);
    let app = (
      await call('POST', `/api/v1/services/applications/${created.body.id}/submit`, who, {
        confirm,
        provided: { 'newborn-photo': PNG_DATA_URL, 'bank-account': '6222 0000 0000 1234' },
      })
    ).body;
    for (let wave = 0; app.status === 'in_progress' && wave < 10; wave++) {
      clock.advance(20 * 60_000);
      for (const s of app.steps.filter((x: Json) => x.status === 'pending')) {
        const r = await call(
          'POST',
          `/api/v1/services/applications/${app.id}/steps/${s.item}/decision`,
          DESKS[s.department],
          { decision: 'approve' },
        );
        expect(r.status).toBe(200);
        app = r.body;
      }
    }
    expect(app.status).toBe('completed');
    return app;
  };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, notifyMigrations, servicesMigrations]);
    const fakeFetch = (async (url: string, init: RequestInit) => {
      hooks.push({ url, body: JSON.parse(String(init.body)) });
      return new Response(null, { status: 204 });
    }) as unknown as typeof fetch;
    notifier = new NotifyService({
      db: database.db,
      clock,
      logger: createLogger('error'),
      channels: [webhookChannel(fakeFetch)],
    });
    const services = await createServices(
      {
        db: database.db,
        audit: new AuditLog(clock),
        clock,
        notifier,
        evidence: memoryEvidence(NEWBORN_RECORDS),
        calendar: WorkingDayCalendar.load(),
        signingSeed: TEST_SIGNING_SEED,
        accounts: memoryAccounts(['mother-3', 'mother-4']),
        departmentName: async (code) => (code === '50:health' ? '重庆市卫生健康委员会' : undefined),
      },
      loadBundleFiles(),
    );
    api = await createTestApi({
      mother: citizen('mother-3'),
      other: citizen('mother-4'),
      health: liaison('50:health'),
      police: liaison('50:public_security'),
      hrss: liaison('50:human_resources_social_security'),
    });
    registerServicesRoutes(api, { services });
    await api.ready();
  });
  afterAll(async () => {
    await api?.close();
    await database?.close();
  });

  it('issues a signed PDF certificate per item; anyone verifies the QR text; tampering is told apart', async () => {
    const app = await completed('mother', { notifyUrl: 'https://hooks.example.test/mother' });
    const list = await call('GET', `/api/v1/services/applications/${app.id}/certificates`, 'mother');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(6);
    const birth = list.body.items.find((c: Json) => c.item === 'birth-certificate');
    expect(birth.number).toMatch(/^SV-20261202-\d{6}$/);
    expect(birth.claims).toMatchObject({
      number: birth.number,
      bundle: 'newborn@1',
      application: app.id,
      title: '出生医学证明',
      holder: { id: 'mother-3', name: 'mother-3' },
      subject: '陈语桐',
      issuer: '50:health',
      validFrom: '2026-12-02',
      validUntil: null,
    });
    // Another citizen sees neither the list nor the PDF.
    expect((await call('GET', `/api/v1/services/applications/${app.id}/certificates`, 'other')).status).toBe(
      404,
    );
    expect((await call('GET', birth.pdf, 'other')).status).toBe(404);

    // The PDF: one page, its QR text in the document information and attached, the number drawn.
    const pdfAnswer = await call('GET', birth.pdf, 'mother');
    expect(pdfAnswer.status).toBe(200);
    expect(pdfAnswer.headers['content-type']).toBe('application/pdf');
    const pdf = await PDFDocument.load(pdfAnswer.raw, { updateMetadata: false });
    expect(pdf.getPageCount()).toBe(1);
    expect(pdf.getTitle()).toBe(`出生医学证明 ${birth.number}`);
    const info = pdf.context.lookup(pdf.context.trailerInfo.Info, PDFDict);
    const entry = info.lookup(PDFName.of(PDF_QR_ENTRY));
    expect(entry instanceof PDFHexString || entry instanceof PDFString).toBe(true);
    expect((entry as PDFHexString).decodeText()).toBe(birth.qr);
    const names = pdf.catalog
      .lookup(PDFName.of('Names'), PDFDict)
      .lookup(PDFName.of('EmbeddedFiles'), PDFDict);
    expect(names.lookup(PDFName.of('Names'), PDFArray).lookup(0, PDFHexString).decodeText()).toBe(
      'certificate.jws',
    );
    const contents = pdf.getPage(0).node.Contents();
    const streams =
      contents instanceof PDFArray ? contents.asArray().map((r) => pdf.context.lookup(r)) : [contents];
    const drawn = streams
      .map((x) => Buffer.from(decodePDFRawStream(x as PDFRawStream).decode()).toString('latin1'))
      .join('\n');
    expect(drawn).toContain(`<${Buffer.from(birth.number).toString('hex').toUpperCase()}> Tj`);
    expect(drawn).toMatch(/\/Image-[\w-]+ Do/); // the QR code
    // Chinese drawn in a subset of Noto Sans Hans that FreeType accepts, extractable through ToUnicode.
    const fonts = cjkFontsOf(pdf);
    expect(fonts.map((f) => f.name)).toEqual([
      expect.stringMatching(/^NotoSansHans-Regular/),
      expect.stringMatching(/^NotoSansHans-Bold/),
    ]);
    for (const f of fonts) expect([1, 2, 3, 4]).toContain(f.cffOffSize);
    const text = fonts.map((f) => f.text).join('');
    for (const ch of '电子证照出生医学证明陈语桐重庆市卫生健康委员会新生儿一件事签发部门有效期长期')
      expect(text).toContain(ch);
    console.log(`certificate PDF (${kind}): ${pdfAnswer.raw.length} bytes`);
    expect(pdfAnswer.raw.length).toBeLessThanOrEqual(300_000);

    // The published key verifies the QR text with any JOSE library, offline.
    const keys = await call('GET', '/api/v1/services/keys');
    expect(keys.body.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA' });
    const { payload } = await compactVerify(birth.qr, await importJWK(keys.body.keys[0], 'EdDSA'));
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual(birth.claims);

    // The public verification route: valid; changed claims, a foreign text, a forged number told apart.
    const verify = (qr: string) => call('POST', '/api/v1/services/certificates/verify', undefined, { qr });
    expect((await verify(birth.qr)).body).toEqual({ valid: true, reason: 'ok', claims: birth.claims });
    const [h, , sig] = birth.qr.split('.');
    const changed = Buffer.from(JSON.stringify({ ...birth.claims, subject: '张三' })).toString('base64url');
    expect((await verify(`${h}.${changed}.${sig}`)).body).toEqual({
      valid: false,
      reason: 'bad_signature',
      claims: null,
    });
    expect((await verify('CB1:NOTACERTIFICATE')).body).toMatchObject({ valid: false, reason: 'malformed' });
    const other = list.body.items.find((c: Json) => c.item === 'vaccination-certificate');
    expect((await verify(`${h}.${other.qr.split('.')[1]}.${sig}`)).body.reason).toBe('bad_signature');

    // Signed with the platform's key but never issued, or not as issued under its number.
    const key = ed25519KeyFrom(TEST_SIGNING_SEED, CERTIFICATE_KEY_LABEL);
    const unissued = signJws({ ...birth.claims, number: 'SV-20261202-999999' }, key, CERTIFICATE_TYP);
    expect((await verify(unissued)).body).toMatchObject({ valid: false, reason: 'unknown_certificate' });
    const altered = signJws({ ...birth.claims, subject: '张三' }, key, CERTIFICATE_TYP);
    expect((await verify(altered)).body).toMatchObject({ valid: false, reason: 'not_as_issued' });

    // Status by number: public, the holder masked; a number never issued is 404 with its code.
    const status = await call('GET', `/api/v1/services/certificates/${birth.number}`);
    expect(status.body).toMatchObject({
      number: birth.number,
      valid: true,
      status: 'valid',
      holder: 'm******3',
    });
    expect(await call('GET', '/api/v1/services/certificates/SV-20261202-999999')).toMatchObject({
      status: 404,
      body: { error: { code: 'not_found', details: { kind: 'certificate' } } },
    });
    expect(
      (await call('GET', `/api/v1/services/applications/${app.id}/certificates/SV-1.pdf`, 'mother')).status,
    ).toBe(404);

    // Webhook notices: every notice to the applicant is also POSTed to the URL given with the application.
    await notifier.deliverPending();
    const mine = hooks.filter((x) => x.url === 'https://hooks.example.test/mother');
    expect(mine.map((x) => x.body.title)).toEqual(
      expect.arrayContaining(['新生儿出生一件事：已受理', '新生儿出生一件事：全部办结']),
    );
    expect(mine.every((x) => x.body.subjectId === app.id)).toBe(true);
  });

  it('a registered birth proposes the newborn bundle to the parent, who accepts it or declines', async () => {
    const birth = {
      birthRecordNo: 'CS-2026-500103-09001',
      newbornName: '陈语桐',
      birthDate: '2026-11-30',
      hospital: '重庆市妇幼保健院',
      motherIdNumber: '500103199203150028',
      fatherIdNumber: '500103199011080015',
      parent: { account: 'mother-3', relation: 'mother' },
    };
    const register = (who: string, body: Json) => call('POST', '/api/v1/services/births', who, body);
    expect(await register('police', birth)).toMatchObject({
      status: 403,
      body: {
        error: { code: 'forbidden', details: { reason: 'wrong_department', department: '50:health' } },
      },
    });
    expect((await register('mother', birth)).status).toBe(403);
    expect(
      await register('health', { ...birth, parent: { account: 'nobody', relation: 'mother' } }),
    ).toMatchObject({
      status: 422,
      body: { error: { code: 'invalid_data', details: { reason: 'unknown_account' } } },
    });
    expect(
      await register('health', { ...birth, birthRecordNo: 'OLD-1', birthDate: '2024-01-01' }),
    ).toMatchObject({
      status: 422,
      body: { error: { details: { reason: 'not_eligible' } } },
    });
    const opened = await register('health', birth);
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({
      bundleId: 'newborn',
      trigger: 'birth',
      triggerRef: birth.birthRecordNo,
      status: 'open',
      form: { newbornName: '陈语桐', birthDate: '2026-11-30', bornInCity: true, relation: 'mother' },
      applicationId: null,
    });
    const fromDepartments = opened.body.materials.filter((m: Json) => m.from === 'departments');
    expect(fromDepartments).toHaveLength(12);
    expect(opened.body.materials.find((m: Json) => m.code === 'marriage-certificate').holders).toEqual([
      '50:civil_affairs',
    ]);
    // The same birth again: the proposal made, not a second one.
    const again = await register('health', birth);
    expect(again).toMatchObject({ status: 200, body: { id: opened.body.id } });
    const id = opened.body.id;

    // The parent is told and sees it; nobody else does.
    const notices = (await call('GET', '/api/v1/services/notices', 'mother')).body.items;
    expect(notices.filter((n: Json) => n.subjectId === id)).toHaveLength(1);
    expect(
      (await call('GET', '/api/v1/services/proposals', 'mother')).body.items.map((p: Json) => p.id),
    ).toContain(id);
    expect((await call('GET', `/api/v1/services/proposals/${id}`, 'other')).status).toBe(404);
    expect(
      (await call('POST', `/api/v1/services/proposals/${id}/accept`, 'other', { consent: true })).status,
    ).toBe(404);

    // Accepting starts the application, filled from the departments' records with consent; again: the same one.
    const accepted = await call('POST', `/api/v1/services/proposals/${id}/accept`, 'mother', {
      consent: true,
    });
    expect(accepted.status).toBe(201);
    expect(accepted.body).toMatchObject({
      bundleId: 'newborn',
      status: 'draft',
      form: { newbornName: '陈语桐', relation: 'mother' },
      summary: { materialsFromSharedData: 12, materialsFromCitizen: 2 },
    });
    const twice = await call('POST', `/api/v1/services/proposals/${id}/accept`, 'mother', { consent: true });
    expect(twice).toMatchObject({ status: 200, body: { id: accepted.body.id } });
    expect((await call('GET', `/api/v1/services/proposals/${id}`, 'mother')).body).toMatchObject({
      status: 'accepted',
      applicationId: accepted.body.id,
    });
    expect((await call('POST', `/api/v1/services/proposals/${id}/decline`, 'mother', {})).status).toBe(409);

    // Another birth, declined: closed, and it cannot be accepted afterwards.
    const second = await register('health', { ...birth, birthRecordNo: 'CS-2026-500103-09002' });
    const declined = await call('POST', `/api/v1/services/proposals/${second.body.id}/decline`, 'mother', {
      reason: '已在线下办理',
    });
    expect(declined.body).toMatchObject({
      status: 'declined',
      declineReason: '已在线下办理',
      applicationId: null,
    });
    expect(
      await call('POST', `/api/v1/services/proposals/${second.body.id}/accept`, 'mother', { consent: true }),
    ).toMatchObject({
      status: 409,
      body: { error: { code: 'invalid_transition', details: { status: 'declined' } } },
    });
  });
});

/** The CID fonts of a PDF: base name, the embedded CFF header's offSize, and the text their ToUnicode maps give. */
function cjkFontsOf(pdf: PDFDocument): { name: string; cffOffSize: number; text: string }[] {
  const out: { name: string; cffOffSize: number; text: string }[] = [];
  for (const [, obj] of pdf.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFDict) || obj.get(PDFName.of('Subtype'))?.toString() !== '/Type0') continue;
    const descendant = obj.lookup(PDFName.of('DescendantFonts'), PDFArray).lookup(0, PDFDict);
    const descriptor = descendant.lookup(PDFName.of('FontDescriptor'), PDFDict);
    const file = decodePDFRawStream(descriptor.lookup(PDFName.of('FontFile3')) as PDFRawStream).decode();
    const cmap = Buffer.from(
      decodePDFRawStream(obj.lookup(PDFName.of('ToUnicode')) as PDFRawStream).decode(),
    ).toString('latin1');
    const text = [...cmap.matchAll(/<[0-9A-Fa-f]{4}> <([0-9A-Fa-f]+)>/g)]
      .map((m) =>
        Buffer.from(m[1] as string, 'hex')
          .swap16()
          .toString('utf16le'),
      )
      .join('');
    out.push({
      name: obj.get(PDFName.of('BaseFont'))?.toString().slice(1) ?? '',
      cffOffSize: file[3] ?? 0,
      text,
    });
  }
  return out.sort((a, b) => b.name.localeCompare(a.name));
}
