import { randomUUID } from 'node:crypto';
import { hasRole, type Principal, requireRole } from '../../platform/access.ts';
import { forTables } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { CatalogueService } from './catalogue.service.ts';
import { CACHE_DEFAULTS } from './datahub.cache.ts';
import { announce } from './datahub.changes.ts';
import type { DatahubDeps } from './datahub.deps.ts';
import type {
  Decision,
  DecisionRequest,
  ListEntry,
  ListVersionDto,
  ProposalBody,
  ProposalDto,
} from './datahub.schema.ts';
import type { DatahubTables } from './datahub.tables.ts';
import { NegativeListPolicy } from './negative-list.policy.ts';
import { NegativeListRepository } from './negative-list.repository.ts';

/**
 * The data-sharing negative list (数据共享负面清单): versioned, changed by one data-authority
 * user and approved by another (four eyes), every step audited; decisions by Cedar.
 */
export class NegativeListService {
  private readonly deps: DatahubDeps;
  private readonly catalogue: CatalogueService;
  private readonly repo = new NegativeListRepository();
  /** The loaded, pre-parsed policy of the current version (one per process). */
  readonly policy = new NegativeListPolicy();
  /** When the version was last found current (ms on the clock), for `refreshCached`. */
  private checkedAt = Number.NEGATIVE_INFINITY;
  /** Bumped by `invalidate`: a check under way when it happened does not count as current. */
  private generation = 0;
  private checking: Promise<void> | undefined;

  constructor(deps: DatahubDeps, catalogue: CatalogueService) {
    this.deps = deps;
    this.catalogue = catalogue;
  }

  /** The current version with its entries (version 0, empty, before the first approval). */
  async current(_principal: Principal): Promise<ListVersionDto> {
    const latest = await this.repo.latest(this.db);
    if (!latest) return { version: 0, createdAt: new Date(0).toISOString(), entries: [] };
    return { version: latest.version, createdAt: latest.createdAt.toISOString(), entries: latest.entries };
  }

  /** Proposes a change against the current version; data authority only. */
  async propose(principal: Principal, body: ProposalBody): Promise<ProposalDto> {
    requireRole(principal, 'data_authority');
    return this.deps.db.transaction().execute(async (trx) => {
      const db = forTables<DatahubTables>(trx);
      const latest = await this.repo.latest(db);
      const current = latest?.version ?? 0;
      if (body.baseVersion !== current) {
        throw new AppError('conflict', `the list is at version ${current}, not ${body.baseVersion}`, {
          current,
        });
      }
      applyChanges(latest?.entries ?? [], body); // refuses a change that does not apply
      const proposal: ProposalDto = {
        id: randomUUID(),
        baseVersion: body.baseVersion,
        upsert: body.upsert,
        remove: body.remove,
        note: body.note,
        status: 'pending',
        proposedBy: principal.id,
        proposedAt: this.deps.clock.now().toISOString(),
        decidedBy: null,
        decidedAt: null,
        resultVersion: null,
      };
      await this.repo.insertProposal(db, proposal);
      await this.deps.audit.append(trx, {
        actor: { kind: principal.kind, id: principal.id },
        action: 'datahub.list.proposed',
        subjectType: 'datahub_list_proposal',
        subjectId: proposal.id,
        details: { baseVersion: body.baseVersion, upsert: body.upsert.map((e) => e.id), remove: body.remove },
      });
      return proposal;
    });
  }

  /** Approves a pending proposal: a new version. The proposer cannot approve (403, reason four_eyes). */
  async approve(principal: Principal, id: string): Promise<ProposalDto> {
    requireRole(principal, 'data_authority');
    const result = await this.deps.db.transaction().execute(async (trx) => {
      const db = forTables<DatahubTables>(trx);
      await this.repo.lockList(db);
      const proposal = await this.repo.lockProposal(db, id);
      if (!proposal)
        throw new AppError('not_found', `proposal '${id}' not found`, { kind: 'proposal', key: id });
      if (proposal.status !== 'pending') {
        throw new AppError('conflict', `proposal is ${proposal.status}`, { status: proposal.status });
      }
      if (proposal.proposedBy === principal.id) return { refused: proposal };
      const latest = await this.repo.latest(db);
      const current = latest?.version ?? 0;
      const at = this.deps.clock.now();
      if (proposal.baseVersion !== current) {
        await this.repo.decide(db, id, { status: 'superseded', by: principal.id, at, resultVersion: null });
        return { superseded: current };
      }
      const entries = applyChanges(latest?.entries ?? [], proposal);
      const version = current + 1;
      await this.repo.insertVersion(db, { version, entries, proposalId: id, at });
      await this.repo.decide(db, id, { status: 'approved', by: principal.id, at, resultVersion: version });
      await this.deps.audit.append(trx, {
        actor: { kind: principal.kind, id: principal.id },
        action: 'datahub.list.approved',
        subjectType: 'datahub_list_proposal',
        subjectId: id,
        details: { proposedBy: proposal.proposedBy, version, entries: entries.length },
      });
      await announce(trx, { kind: 'list' });
      return {
        approved: {
          ...proposal,
          status: 'approved' as const,
          decidedBy: principal.id,
          decidedAt: at.toISOString(),
          resultVersion: version,
        },
        entries,
      };
    });
    if ('refused' in result) {
      await this.deps.audit.record(this.deps.db, {
        actor: { kind: principal.kind, id: principal.id },
        action: 'datahub.list.approval_refused',
        subjectType: 'datahub_list_proposal',
        subjectId: id,
        details: { reason: 'four_eyes' },
      });
      throw new AppError('forbidden', 'four-eyes: whoever proposed a change cannot approve it', {
        reason: 'four_eyes',
      });
    }
    if ('superseded' in result) {
      throw new AppError('conflict', `the list moved on to version ${result.superseded}; propose again`, {
        current: result.superseded,
      });
    }
    this.policy.load(result.approved.resultVersion, result.entries);
    return result.approved;
  }

  /** Rejects (or, by its proposer, withdraws) a pending proposal; data authority only. */
  async reject(principal: Principal, id: string): Promise<ProposalDto> {
    requireRole(principal, 'data_authority');
    return this.deps.db.transaction().execute(async (trx) => {
      const db = forTables<DatahubTables>(trx);
      const proposal = await this.repo.lockProposal(db, id);
      if (!proposal)
        throw new AppError('not_found', `proposal '${id}' not found`, { kind: 'proposal', key: id });
      if (proposal.status !== 'pending') {
        throw new AppError('conflict', `proposal is ${proposal.status}`, { status: proposal.status });
      }
      const at = this.deps.clock.now();
      await this.repo.decide(db, id, { status: 'rejected', by: principal.id, at, resultVersion: null });
      await this.deps.audit.append(trx, {
        actor: { kind: principal.kind, id: principal.id },
        action: 'datahub.list.rejected',
        subjectType: 'datahub_list_proposal',
        subjectId: id,
        details: { proposedBy: proposal.proposedBy, withdrawn: proposal.proposedBy === principal.id },
      });
      return {
        ...proposal,
        status: 'rejected' as const,
        decidedBy: principal.id,
        decidedAt: at.toISOString(),
      };
    });
  }

  /** Installs a first version without a proposal (demo seeding by the platform itself); refused once a list exists. */
  async install(principal: Principal, entries: readonly ListEntry[]): Promise<number> {
    if (principal.kind !== 'system')
      throw new AppError('forbidden', 'only the platform installs a first list');
    await this.deps.db.transaction().execute(async (trx) => {
      const db = forTables<DatahubTables>(trx);
      await this.repo.lockList(db);
      if (await this.repo.latest(db))
        throw new AppError('conflict', 'the negative list already has a version');
      await this.repo.insertVersion(db, {
        version: 1,
        entries: [...entries],
        proposalId: null,
        at: this.deps.clock.now(),
      });
      await this.deps.audit.append(trx, {
        actor: { kind: principal.kind, id: principal.id },
        action: 'datahub.list.installed',
        subjectType: 'datahub_list',
        subjectId: '1',
        details: { entries: entries.length },
      });
      await announce(trx, { kind: 'list' });
    });
    this.policy.load(1, entries);
    return 1;
  }

  /** Proposals, newest first. */
  async proposals(_principal: Principal, status?: ProposalDto['status']): Promise<ProposalDto[]> {
    return this.repo.proposals(this.db, status);
  }

  /**
   * Explains a decision: may the (caller's) department read the resource for the purpose?
   * Only the data authority (and admin) may ask on behalf of another department.
   */
  async decide(principal: Principal, request: DecisionRequest): Promise<Decision> {
    const requester = request.requesterDepartment ?? principal.departmentCode;
    if (!requester)
      throw new AppError(
        'invalid_request',
        'requesterDepartment is required for a caller without a department',
        { field: 'requesterDepartment' },
      );
    if (requester !== principal.departmentCode && !hasRole(principal, 'data_authority')) {
      throw new AppError('forbidden', 'only the data authority may ask for another department');
    }
    const resource = await this.catalogue.get(principal, request.resourceId);
    const unknown = (request.fields ?? []).filter((f) => !resource.fields.some((x) => x.name === f));
    if (unknown.length) throw new AppError('invalid_request', 'unknown fields', { field: 'fields', unknown });
    await this.refresh();
    return this.policy.decide({
      resource,
      requesterDepartment: requester,
      roles: principal.roles,
      purpose: request.purpose,
      ...(request.fields ? { fields: request.fields } : {}),
      ownerApproval: request.ownerApproval,
      at: this.deps.clock.now(),
    });
  }

  /** Loads the newest version when another process (or nobody yet) has moved the list on. */
  async refresh(): Promise<void> {
    const latest = await this.repo.latestVersion(this.db);
    if (latest === this.policy.version) return;
    const v = await this.repo.latest(this.db);
    this.policy.load(v?.version ?? 0, v?.entries ?? []);
  }

  /**
   * `refresh` at most once per TTL (the gateway's per-exchange check): within it the loaded
   * version is taken as current unless `invalidate` (a list change announced by any process) says
   * otherwise. Concurrent callers share one check.
   */
  refreshCached(): Promise<void> {
    const ttl = this.deps.cache?.ttlMs ?? CACHE_DEFAULTS.ttlMs;
    const now = this.deps.clock.now().getTime();
    if (now - this.checkedAt < ttl) return Promise.resolve();
    if (this.checking) return this.checking;
    const generation = this.generation;
    const checking = this.refresh().then(
      () => {
        if (this.checking === checking) this.checking = undefined;
        if (generation === this.generation) this.checkedAt = now;
      },
      (error: unknown) => {
        if (this.checking === checking) this.checking = undefined;
        throw error;
      },
    );
    this.checking = checking;
    return checking;
  }

  /** The list moved on somewhere: the next `refreshCached` reads the version again. */
  invalidate(): void {
    this.generation++;
    this.checkedAt = Number.NEGATIVE_INFINITY;
    this.checking = undefined;
  }

  private get db() {
    return forTables<DatahubTables>(this.deps.db);
  }
}

/** The entries after a change; invalid_data when it removes an unknown id or repeats one. */
export function applyChanges(
  entries: readonly ListEntry[],
  change: Pick<ProposalBody, 'upsert' | 'remove'>,
): ListEntry[] {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const missing = change.remove.filter((id) => !byId.has(id));
  if (missing.length)
    throw new AppError('invalid_data', 'removes entries that are not on the list', { missing });
  const ids = change.upsert.map((e) => e.id);
  const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (repeated.length) throw new AppError('invalid_data', 'an entry id appears twice', { repeated });
  for (const id of change.remove) byId.delete(id);
  for (const e of change.upsert) byId.set(e.id, e);
  return [...byId.values()];
}
