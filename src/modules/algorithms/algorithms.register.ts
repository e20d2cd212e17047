import type { Kysely } from 'kysely';
import type { Principal } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { forTables } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import { compareSemver } from './algorithms.digest.ts';
import { type ImportEntry, importFiling } from './algorithms.import.ts';
import { actorOf, checkEditable, checkFileable, checkTransition, isOwner } from './algorithms.lifecycle.ts';
import { indexed, toDto } from './algorithms.mapping.ts';
import { RegisterRepository, type VersionRow } from './algorithms.repository.ts';
import type {
  AlgorithmStatus,
  AlgorithmVersion,
  CreateDraft,
  RegisterFields,
  RegisterQuery,
  TransitionRecord,
  TransitionRequest,
  UpdateDraft,
} from './algorithms.schema.ts';
import type { AlgorithmTables } from './algorithms.tables.ts';
import { TransitionWriter } from './algorithms.transitions.ts';

type Db = Kysely<AlgorithmTables>;

/** Dependencies of the register. `changed` runs after each committed state change (snapshot refresh, notify). */
export interface RegisterDeps {
  db: Kysely<unknown>;
  audit: AuditLog;
  clock: Clock;
  changed: (key: string) => Promise<void>;
}

/** The register: drafts, edits and lifecycle transitions, each audited in its own transaction. */
export class RegisterService {
  private readonly repo = new RegisterRepository();
  private readonly deps: RegisterDeps;
  private readonly db: Db;
  private readonly writer: TransitionWriter;

  constructor(deps: RegisterDeps) {
    this.deps = deps;
    this.db = forTables<AlgorithmTables>(deps.db);
    this.writer = new TransitionWriter(this.repo, deps.audit, deps.clock);
  }

  /** Creates a draft version; the owner department's liaison or an admin. Versions of a key only go up. */
  async create(principal: Principal, input: CreateDraft): Promise<AlgorithmVersion> {
    const dept = input.register.owner.departmentCode;
    if (!isOwner(principal, dept)) {
      throw new AppError('forbidden', `only a liaison of ${dept} or an admin may file for it`, {
        reason: 'role',
      });
    }
    const now = this.deps.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const existing = await this.repo.algorithm(trx, input.key);
      if (existing && !isOwner(principal, existing.owner_department_code)) {
        throw new AppError('forbidden', `${input.key} belongs to ${existing.owner_department_code}`, {
          reason: 'owner',
        });
      }
      if (!existing) await this.repo.insertAlgorithm(trx, input.key, dept, now);
      const newest = (await this.repo.versionsOf(trx, input.key)).sort(compareSemver).at(-1);
      if (newest && compareSemver(input.version, newest) <= 0) {
        throw new AppError('conflict', `${input.key} is already at ${newest}; a new version must be higher`, {
          newest,
        });
      }
      await this.repo.insertVersion(trx, {
        key: input.key,
        version: input.version,
        status: 'draft',
        ...indexed(input.register),
        register: JSON.stringify(input.register),
        created_by: actorOf(principal),
        created_at: now,
        updated_at: now,
      });
      await this.writer.history(
        trx,
        input.key,
        input.version,
        null,
        'draft',
        'draft created',
        actorOf(principal),
      );
      await this.writer.append(trx, principal, 'algorithm.version.created', input.key, input.version, {});
      await this.repo.bumpCounter(trx);
    });
    await this.deps.changed(input.key);
    return this.get(input.key, input.version);
  }

  /** Replaces top-level register fields of a draft; nothing else is editable. */
  async update(
    principal: Principal,
    key: string,
    version: string,
    patch: UpdateDraft,
  ): Promise<AlgorithmVersion> {
    await this.db.transaction().execute(async (trx) => {
      const row = await this.load(trx, key, version, true);
      checkEditable(principal, row);
      const register = { ...(row.register as RegisterFields), ...patch.register };
      if (register.owner.departmentCode !== row.owner_department_code) {
        throw new AppError('invalid_data', 'the owner department of a version cannot change', {
          reason: 'owner',
        });
      }
      await this.repo.updateVersion(trx, key, version, {
        ...indexed(register),
        register: JSON.stringify(register),
        updated_at: this.deps.clock.now(),
      });
      await this.writer.append(trx, principal, 'algorithm.version.updated', key, version, {
        fields: Object.keys(patch.register),
      });
    });
    return this.get(key, version);
  }

  /** One version. */
  async get(key: string, version: string): Promise<AlgorithmVersion> {
    return toDto(await this.load(this.db, key, version));
  }

  /** Versions matching the filters. */
  async list(query: RegisterQuery & { statuses?: AlgorithmStatus[] }): Promise<AlgorithmVersion[]> {
    return (await this.repo.list(this.db, query)).map(toDto);
  }

  /** A version's transitions, oldest first. */
  async transitions(key: string, version: string): Promise<TransitionRecord[]> {
    await this.load(this.db, key, version);
    return (await this.repo.history(this.db, key, version)).map((r) => ({
      from: r.from_status as AlgorithmStatus | null,
      to: r.to_status as AlgorithmStatus,
      reason: r.reason,
      actor: r.actor,
      at: r.at.toISOString(),
    }));
  }

  /**
   * Moves a version along its lifecycle. Putting a version in use retires the one in use
   * before it in the same transaction (one version in use per key). Refusals are audited.
   */
  async transition(
    principal: Principal,
    key: string,
    version: string,
    req: TransitionRequest,
  ): Promise<AlgorithmVersion> {
    try {
      await this.db.transaction().execute(async (trx) => {
        const row = await this.load(trx, key, version, true);
        const from = row.status as AlgorithmStatus;
        checkTransition(
          principal,
          { status: from, ownerDepartmentCode: row.owner_department_code, filedBy: row.filed_by },
          req.to,
        );
        if (req.to === 'filed') checkFileable(row.register as RegisterFields);
        await this.writer.apply(trx, principal, row, req.to, req.reason);
      });
    } catch (err) {
      if (err instanceof AppError && err.code === 'forbidden') {
        await this.writer.record(this.deps.db, principal, 'algorithm.transition.refused', key, version, {
          to: req.to,
          reason: req.reason,
          refusal: (err.details as { reason?: string } | undefined)?.reason,
        });
      }
      throw err;
    }
    await this.deps.changed(key);
    return this.get(key, version);
  }

  /**
   * Files a version that was filed and approved outside the platform (demo data, migration from
   * a paper register) straight into `approved` or `in_use`; the platform acting as `system` only.
   * Returns false when the version is already on the register (idempotent).
   */
  async importVersion(actor: Principal, entry: ImportEntry, source: string): Promise<boolean> {
    const { db, repo, writer } = this;
    const imported = await importFiling({ db, repo, writer, clock: this.deps.clock }, actor, entry, source);
    if (imported) await this.deps.changed(entry.key);
    return imported;
  }

  private async load(db: Db, key: string, version: string, lock = false): Promise<VersionRow> {
    const row = await this.repo.version(db, key, version, lock);
    if (!row) throw notFound('algorithm version', `${key}@${version}`);
    return row;
  }
}
