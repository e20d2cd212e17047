import { randomUUID } from 'node:crypto';
import { assertVisible, type Principal, ROLE_GROUPS, requireRole } from '../../platform/access.ts';
import { forTables } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { CodeService } from './codes.service.ts';
import { CREDIT_REPAIR_BUNDLE, creditAfter, riskClassOf } from './credit.ts';
import type { EnforcementDeps } from './enforcement.deps.ts';
import { EnforcementRepository } from './enforcement.repository.ts';
import type { RecordBody, RecordDto, RecordSubmit } from './enforcement.schema.ts';
import type { EnforcementTables } from './enforcement.tables.ts';
import { digestSignatureOk, recordDigest } from './record.digest.ts';
import { type RecordRow, RecordsRepository } from './records.repository.ts';
import { otcHash, RegisterService } from './register.service.ts';

const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

const toRecord = (r: RecordRow): RecordDto => ({
  id: r.id,
  visitId: r.visit_id,
  enterpriseCode: r.enterprise_code,
  inspectorId: r.inspector_id,
  body: parse<RecordBody>(r.body),
  digest: r.digest,
  enterpriseOtc: r.enterprise_otc,
  creditBefore: r.credit_before,
  creditAfter: r.credit_after,
  riskClassAfter: riskClassOf(r.credit_after),
  countersignedAt: r.countersigned_at.toISOString(),
  repairedBy: r.repaired_by,
  repairedAt: r.repaired_at ? new Date(r.repaired_at).toISOString() : null,
  creditRepair: {
    bundleId: CREDIT_REPAIR_BUNDLE,
    available: r.credit_after < r.credit_before && r.repaired_by === null,
  },
});

/** On-site records: both codes verified, only the published checklist, countersigned by both parties; the credit loop. */
export class RecordService {
  private readonly repo = new EnforcementRepository();
  private readonly records = new RecordsRepository();
  private readonly deps: EnforcementDeps;
  private readonly codes: CodeService;
  private readonly register: RegisterService;
  constructor(deps: EnforcementDeps, codes: CodeService, register: RegisterService) {
    this.deps = deps;
    this.codes = codes;
    this.register = register;
  }

  /**
   * Files the countersigned record of a visit. Refused: a code that does not verify (422
   * code_refused with the reason), a code of another party, a finding outside the visit's combined
   * checklist (422 finding_outside_checklist), a signature that does not verify (422
   * bad_countersignature), a visit already recorded (409). Updates the credit score and class.
   */
  async submit(principal: Principal, visitId: string, s: RecordSubmit): Promise<RecordDto> {
    requireRole(principal, ...ROLE_GROUPS.fieldWork);
    const db = forTables<EnforcementTables>(this.deps.db);
    const visit = await this.repo.visit(db, visitId);
    if (!visit)
      throw new AppError('not_found', `visit '${visitId}' not found`, { kind: 'visit', key: visitId });
    assertVisible(principal, visit.jurisdiction_path, 'visit', visitId);
    const b = s.body;
    if (b.visitId !== visitId || b.enterpriseCode !== visit.enterprise_code)
      throw new AppError('invalid_data', 'the record body names another visit or enterprise', {
        visitId: b.visitId,
        enterpriseCode: b.enterpriseCode,
      });
    for (const [which, qr, kind, subject] of [
      ['inspectorCode', s.inspectorCode, 'inspector', b.inspectorId],
      ['enterpriseCode', s.enterpriseCode, 'enterprise', visit.enterprise_code],
    ] as const) {
      const check = await this.codes.verify(qr);
      if (!check.valid)
        throw new AppError('code_refused', `the ${which} was refused: ${check.reason}`, {
          code: which,
          reason: check.reason,
        });
      if (check.kind !== kind || check.subject !== subject)
        throw new AppError('code_refused', `the ${which} belongs to another holder`, {
          code: which,
          reason: 'wrong_holder',
          holder: check.subject,
        });
    }
    const inspector = await this.register.inspector(principal, b.inspectorId);
    if (!RegisterService.actsFor(principal, inspector))
      throw new AppError('forbidden', 'a record is filed by the inspector who made it', {
        inspector: b.inspectorId,
      });
    const departments = parse<string[]>(visit.departments);
    if (!departments.includes(inspector.department))
      throw new AppError('forbidden', `${inspector.department} takes no part in this visit`, { departments });
    const checklist = new Set(this.deps.catalogue.checklistOf(parse<string[]>(visit.items)));
    const outside = b.findings.filter((f) => !checklist.has(f.itemId)).map((f) => f.itemId);
    if (outside.length)
      throw new AppError(
        'finding_outside_checklist',
        'findings must be items of the published checklist of this visit',
        {
          items: outside,
        },
      );
    const digest = recordDigest(b);
    if (!inspector.publicKey || !digestSignatureOk(digest, s.inspectorSignature, inspector.publicKey))
      throw new AppError('bad_countersignature', "the inspector's signature does not verify", {
        party: 'inspector',
      });
    const at = this.deps.clock.now();
    return db.transaction().execute(async (trx) => {
      if (await this.records.recordOfVisit(trx, visitId))
        throw new AppError('conflict', `visit ${visitId} is already recorded`, { visitId });
      const enterprise = await this.repo.enterprise(trx, visit.enterprise_code, true);
      if (!enterprise) throw new AppError('not_found', 'enterprise gone', { key: visit.enterprise_code });
      let otc = false;
      if (s.enterpriseSignature) {
        if (
          !enterprise.public_key ||
          !digestSignatureOk(digest, s.enterpriseSignature, enterprise.public_key)
        )
          throw new AppError('bad_countersignature', "the enterprise's signature does not verify", {
            party: 'enterprise',
          });
      } else if (s.oneTimeCode) {
        if (
          !(await this.records.consumeOtc(
            trx,
            enterprise.credit_code,
            otcHash(enterprise.credit_code, s.oneTimeCode),
            at,
          ))
        )
          throw new AppError(
            'bad_countersignature',
            "the enterprise's one-time code is wrong, used or expired",
            { party: 'enterprise' },
          );
        otc = true;
      } else
        throw new AppError('bad_countersignature', 'the enterprise has not countersigned', {
          party: 'enterprise',
        });
      const after = creditAfter(enterprise.credit_score, b.findings);
      const id = randomUUID();
      await this.records.insertRecord(trx, {
        id,
        visit_id: visitId,
        enterprise_code: enterprise.credit_code,
        inspector_id: inspector.id,
        body: JSON.stringify(b),
        digest,
        inspector_signature: s.inspectorSignature,
        inspector_key: inspector.publicKey as string,
        enterprise_signature: s.enterpriseSignature ?? null,
        enterprise_key: s.enterpriseSignature ? enterprise.public_key : null,
        enterprise_otc: otc,
        credit_before: enterprise.credit_score,
        credit_after: after,
        jurisdiction_path: visit.jurisdiction_path,
        countersigned_at: at,
      });
      await this.repo.setCredit(trx, enterprise.credit_code, after, riskClassOf(after), at);
      await this.repo.markVisitDone(trx, visitId, at);
      await this.deps.audit.append(trx, {
        actor: principal,
        action: 'enforcement.record.countersigned',
        subjectType: 'visit',
        subjectId: visitId,
        jurisdictionPath: visit.jurisdiction_path,
        details: { record: id, digest, creditBefore: enterprise.credit_score, creditAfter: after, otc },
      });
      return toRecord((await this.records.record(trx, id)) as RecordRow);
    });
  }

  async get(principal: Principal, id: string): Promise<RecordDto> {
    const row = await this.records.record(forTables<EnforcementTables>(this.deps.db), id);
    if (!row) throw new AppError('not_found', `record '${id}' not found`, { kind: 'record', key: id });
    assertVisible(principal, row.jurisdiction_path, 'record', id);
    return toRecord(row);
  }

  /** Re-checks a stored record: its body's digest and both countersignatures (an altered record fails). */
  async verify(principal: Principal, id: string) {
    const row = await this.records.record(forTables<EnforcementTables>(this.deps.db), id);
    if (!row) throw new AppError('not_found', `record '${id}' not found`, { kind: 'record', key: id });
    assertVisible(principal, row.jurisdiction_path, 'record', id);
    const digest = recordDigest(parse<RecordBody>(row.body));
    const reason =
      digest !== row.digest
        ? 'digest_mismatch'
        : !digestSignatureOk(digest, row.inspector_signature, row.inspector_key)
          ? 'inspector_signature'
          : row.enterprise_signature &&
              !digestSignatureOk(digest, row.enterprise_signature, row.enterprise_key ?? '')
            ? 'enterprise_signature'
            : 'ok';
    return { recordId: id, valid: reason === 'ok', reason } as const;
  }
}
