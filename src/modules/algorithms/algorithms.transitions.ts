import type { Kysely } from 'kysely';
import type { Principal } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import type { AuditLog } from '../audit/index.ts';
import { actorOf } from './algorithms.lifecycle.ts';
import type { RegisterRepository, VersionRow } from './algorithms.repository.ts';
import type { AlgorithmStatus, RegisterFields } from './algorithms.schema.ts';
import type { AlgorithmTables } from './algorithms.tables.ts';

type Db = Kysely<AlgorithmTables>;

/** Writes a lifecycle change inside the caller's transaction: row, history, audit entry, change counter. */
export class TransitionWriter {
  private readonly repo: RegisterRepository;
  private readonly audit: AuditLog;
  private readonly clock: Clock;

  constructor(repo: RegisterRepository, audit: AuditLog, clock: Clock) {
    this.repo = repo;
    this.audit = audit;
    this.clock = clock;
  }

  /**
   * Applies `to` (already checked). Putting a version in use first retires the one in use
   * before it: one version per key in use, and a superseded version does not come back by
   * itself (a rollback is a reinstatement of nothing: file the old code as a new version).
   */
  async apply(
    trx: Db,
    principal: Principal,
    row: VersionRow,
    to: AlgorithmStatus,
    reason: string,
  ): Promise<void> {
    const now = this.clock.now();
    const today = now.toISOString().slice(0, 10);
    const by = actorOf(principal);
    if (to === 'in_use') {
      const previous = await this.repo.inUse(trx, row.key);
      if (previous && previous.version !== row.version) {
        await this.apply(trx, principal, previous, 'retired', `superseded by ${row.version}: ${reason}`);
      }
    }
    const register = row.register as RegisterFields;
    const set = stampsFor(to, by, now);
    if (to === 'in_use' && !register.startDate)
      set.register = JSON.stringify({ ...register, startDate: today });
    if (to === 'retired' && !register.endDate) set.register = JSON.stringify({ ...register, endDate: today });
    await this.repo.updateVersion(trx, row.key, row.version, { status: to, updated_at: now, ...set });
    await this.history(trx, row.key, row.version, row.status, to, reason, by);
    await this.append(trx, principal, `algorithm.version.${to}`, row.key, row.version, {
      from: row.status,
      to,
      reason,
    });
    await this.repo.bumpCounter(trx);
  }

  /** Appends one row to a version's history. */
  async history(
    trx: Db,
    key: string,
    version: string,
    from: string | null,
    to: string,
    reason: string,
    actor: string,
  ) {
    await this.repo.insertTransition(trx, {
      key,
      version,
      from_status: from,
      to_status: to,
      reason,
      actor,
      at: this.clock.now(),
    });
  }

  /** Appends an audit entry about a version inside the transaction. */
  async append(
    trx: Kysely<unknown> | Db,
    principal: Principal,
    action: string,
    key: string,
    version: string,
    details: object,
  ) {
    await this.audit.append(trx as Kysely<unknown>, auditEvent(principal, action, key, version, details));
  }

  /** Records an audit entry in a transaction of its own (refusals). */
  async record(
    db: Kysely<unknown>,
    principal: Principal,
    action: string,
    key: string,
    version: string,
    details: object,
  ) {
    await this.audit.record(db, auditEvent(principal, action, key, version, details));
  }
}

function auditEvent(principal: Principal, action: string, key: string, version: string, details: object) {
  return {
    actor: principal,
    action,
    subjectType: 'algorithm_version',
    subjectId: `${key}@${version}`,
    details: { ...details },
  };
}

function stampsFor(to: AlgorithmStatus, by: string, now: Date): Record<string, string | Date | null> {
  if (to === 'filed') return { filed_by: by, filed_at: now };
  if (to === 'draft') return { filed_by: null, filed_at: null };
  if (to === 'approved') return { approved_by: by, approved_at: now };
  if (to === 'in_use') return { in_use_since: now };
  if (to === 'retired') return { retired_at: now };
  return {};
}
