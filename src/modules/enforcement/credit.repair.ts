// Credit repair (信用修复), the other half of the credit loop: once the enterprise's credit-repair
// application is completed at the integrated-services desks, the penalties of its countersigned records
// are lifted. Called inside the transaction that completes the application (src/workflows/credit-repair.ts),
// so it never throws for a request it cannot serve: it answers why, audited, and the completion stands.
import type { Principal } from '../../platform/access.ts';
import type { Db } from '../../platform/db/database.ts';
import { forTables } from '../../platform/db/database.ts';
import type { RiskClass } from './catalogue.ts';
import { riskClassOf } from './credit.ts';
import type { EnforcementDeps } from './enforcement.deps.ts';
import { EnforcementRepository } from './enforcement.repository.ts';
import type { EnforcementTables } from './enforcement.tables.ts';
import { RecordsRepository } from './records.repository.ts';
import { usccProblem } from './uscc.ts';

/** What a repair did: `repaired`, or why nothing changed. */
export interface CreditRepairResult {
  repaired: boolean;
  reason:
    | 'repaired'
    | 'invalid_credit_code'
    | 'unknown_enterprise'
    | 'nothing_to_repair'
    | 'already_repaired';
  creditCode: string;
  applicationId: string;
  /** The records whose penalties this application lifted (for `already_repaired`: those it lifted before). */
  records: string[];
  scoreBefore: number | null;
  scoreAfter: number | null;
  riskClassBefore: RiskClass | null;
  riskClassAfter: RiskClass | null;
}

/** Lifts the penalties of an enterprise's records for a completed credit-repair application. */
export class CreditRepairService {
  private readonly repo = new EnforcementRepository();
  private readonly records = new RecordsRepository();
  private readonly deps: EnforcementDeps;
  constructor(deps: EnforcementDeps) {
    this.deps = deps;
  }

  /**
   * In the caller's transaction: the score goes up by Σ(credit_before − credit_after) of the
   * enterprise's countersigned records that lowered it and are not yet repaired (capped at 100), the
   * risk class follows (and with it next year's draw share), the records are marked with the
   * application. Idempotent per application. An invalid or unknown credit code, nothing to repair, or
   * an application already applied change nothing and are audited with the reason.
   */
  async repairCredit(
    trx: Db,
    actor: Principal,
    input: { creditCode: string; applicationId: string; at: Date },
  ): Promise<CreditRepairResult> {
    const db = forTables<EnforcementTables>(trx);
    const { creditCode, applicationId, at } = input;
    const base = { creditCode, applicationId, records: [] as string[] };
    const none = { scoreBefore: null, scoreAfter: null, riskClassBefore: null, riskClassAfter: null };
    const enterprise = usccProblem(creditCode) ? undefined : await this.repo.enterprise(db, creditCode, true);
    if (!enterprise) {
      const reason = usccProblem(creditCode) ? 'invalid_credit_code' : 'unknown_enterprise';
      return this.skipped(trx, actor, { ...base, ...none, repaired: false, reason }, undefined);
    }
    const score = enterprise.credit_score;
    const klass = riskClassOf(score);
    const unchanged = {
      scoreBefore: score,
      scoreAfter: score,
      riskClassBefore: klass,
      riskClassAfter: klass,
    };
    const done = await this.records.repairedBy(db, applicationId);
    if (done.length)
      return this.skipped(
        trx,
        actor,
        {
          ...base,
          ...unchanged,
          repaired: false,
          reason: 'already_repaired',
          records: done.map((r) => r.id),
        },
        enterprise.jurisdiction_path,
      );
    const open = await this.records.repairable(db, creditCode);
    if (!open.length)
      return this.skipped(
        trx,
        actor,
        { ...base, ...unchanged, repaired: false, reason: 'nothing_to_repair' },
        enterprise.jurisdiction_path,
      );
    const lifted = open.reduce((a, r) => a + (r.credit_before - r.credit_after), 0);
    const after = Math.min(100, score + lifted);
    const ids = open.map((r) => r.id);
    await this.records.markRepaired(db, ids, applicationId, at);
    await this.repo.setCredit(db, creditCode, after, riskClassOf(after), at);
    const result: CreditRepairResult = {
      ...base,
      repaired: true,
      reason: 'repaired',
      records: ids,
      scoreBefore: score,
      scoreAfter: after,
      riskClassBefore: klass,
      riskClassAfter: riskClassOf(after),
    };
    await this.deps.audit.append(trx, {
      actor,
      action: 'enforcement.credit.repaired',
      subjectType: 'enterprise',
      subjectId: creditCode,
      jurisdictionPath: enterprise.jurisdiction_path,
      details: {
        application: applicationId,
        records: ids,
        pointsLifted: lifted,
        scoreBefore: score,
        scoreAfter: after,
        riskClassBefore: klass,
        riskClassAfter: result.riskClassAfter,
      },
    });
    return result;
  }

  private async skipped(
    trx: Db,
    actor: Principal,
    result: CreditRepairResult,
    jurisdictionPath: string | undefined,
  ): Promise<CreditRepairResult> {
    await this.deps.audit.append(trx, {
      actor,
      action: 'enforcement.credit.not_repaired',
      subjectType: 'enterprise',
      subjectId: result.creditCode,
      ...(jurisdictionPath ? { jurisdictionPath } : {}),
      details: { application: result.applicationId, reason: result.reason, records: result.records },
    });
    return result;
  }
}
