import { randomUUID } from 'node:crypto';
import type { Principal } from '../../../platform/access.ts';
import { type Db, forTables } from '../../../platform/db/database.ts';
import { AppError } from '../../../platform/errors.ts';
import type { Decision, ResourceDto } from '../datahub.schema.ts';
import { type Consumer, ConsumerService } from './gateway.consumers.ts';
import type { GatewayDeps } from './gateway.deps.ts';
import { GatewayRepository, OPEN } from './gateway.repository.ts';
import type { ApplicationDto } from './gateway.schema.ts';
import type { GatewayTables } from './gateway.tables.ts';

const HOUR = 3_600_000;
/** The notify recipient of the data authority (escalations of overdue applications). */
export const DATA_AUTHORITY = 'role:data_authority';
/** How long an approval lets the consumer read the resource. */
const APPROVAL_VALID_MS = 30 * 24 * HOUR;

/**
 * Conditional access (有条件共享): a request the negative list allows only with the owner
 * department's approval becomes an application to that department, due within a time limit;
 * a liaison of the owner department (or the data authority) approves or rejects it, audited, and
 * the requester is told through the notify module.
 */
export class ApplicationService {
  private readonly deps: GatewayDeps;
  private readonly repo = new GatewayRepository();

  constructor(deps: GatewayDeps) {
    this.deps = deps;
  }

  /** Files an application for the consumer's request; the owner department is told. */
  async file(consumer: Consumer, resource: ResourceDto, purpose: string, decision: Decision) {
    const now = this.deps.clock.now();
    const application: ApplicationDto = {
      id: randomUUID(),
      consumerId: consumer.id,
      consumerDepartment: consumer.departmentCode,
      ownerDepartment: resource.ownerDepartment,
      resourceId: resource.id,
      purpose,
      entries: decision.entries.map((e) => e.id),
      status: 'pending',
      requestedAt: now.toISOString(),
      dueAt: new Date(now.getTime() + (this.deps.applicationDueMs ?? 48 * HOUR)).toISOString(),
      decidedBy: null,
      decidedAt: null,
      validUntil: null,
      remindedAt: null,
      escalatedAt: null,
    };
    await this.deps.db.transaction().execute(async (trx) => {
      await this.repo.insertApplication(forTables<GatewayTables>(trx), application);
      await this.audit(trx, { kind: 'api_key', id: consumer.id }, 'datahub.application.filed', application);
      // The owner department is asked; the requester is told its request waits for that answer.
      await this.notice(
        trx,
        [`department:${resource.ownerDepartment}`, `consumer:${consumer.id}`],
        application,
        '数据共享申请待审批',
      );
    });
    return application;
  }

  /** Approves or rejects a pending application (owner department's liaison or the data authority). */
  async decide(principal: Principal, id: string, approve: boolean): Promise<ApplicationDto> {
    return this.deps.db.transaction().execute(async (trx) => {
      const db = forTables<GatewayTables>(trx);
      const a = await this.repo.lockApplication(db, id);
      if (!a)
        throw new AppError('not_found', `application '${id}' not found`, { kind: 'application', key: id });
      if (!ConsumerService.mayDecide(principal, a.ownerDepartment))
        throw new AppError(
          'forbidden',
          `only ${a.ownerDepartment} or the data authority decides this application`,
        );
      // An escalated application is still the owner department's (or the authority's) to decide.
      if (!OPEN.includes(a.status))
        throw new AppError('conflict', `application is ${a.status}`, { status: a.status });
      const at = this.deps.clock.now();
      const validUntil = approve ? new Date(at.getTime() + APPROVAL_VALID_MS) : null;
      const status = approve ? 'approved' : 'rejected';
      await this.repo.decide(db, id, { status, by: principal.id, at, validUntil });
      const decided: ApplicationDto = {
        ...a,
        status,
        decidedBy: principal.id,
        decidedAt: at.toISOString(),
        validUntil: validUntil?.toISOString() ?? null,
      };
      await this.audit(trx, principal, `datahub.application.${status}`, decided);
      const title = approve ? '数据共享申请已批准' : '数据共享申请未获批准';
      // Deciding an escalated application closes the escalation: the data authority is told too.
      const to = [`consumer:${a.consumerId}`, ...(a.status === 'escalated' ? [DATA_AUTHORITY] : [])];
      await this.notice(trx, to, decided, title);
      return decided;
    });
  }

  /** Whether the application is an approved, unexpired one of this consumer for this resource. */
  async approves(applicationId: string, consumer: Consumer, resourceId: string): Promise<boolean> {
    const a = await this.repo.application(forTables<GatewayTables>(this.deps.db), applicationId);
    if (a?.status !== 'approved' || a.consumerId !== consumer.id || a.resourceId !== resourceId) return false;
    return !!a.validUntil && Date.parse(a.validUntil) > this.deps.clock.now().getTime();
  }

  /** Pending applications (of one owner department when given). */
  pending(ownerDept?: string): Promise<ApplicationDto[]> {
    return this.repo.pending(forTables<GatewayTables>(this.deps.db), ownerDept);
  }

  /** Audits a change of the application (also the sweep's reminder and escalation). */
  async audit(trx: Db, actor: Pick<Principal, 'kind' | 'id'>, action: string, a: ApplicationDto) {
    await this.deps.audit.append(trx, {
      actor: { kind: actor.kind, id: actor.id },
      action,
      subjectType: 'datahub_application',
      subjectId: a.id,
      details: {
        consumerId: a.consumerId,
        ownerDepartment: a.ownerDepartment,
        resourceId: a.resourceId,
        entries: a.entries,
        dueAt: a.dueAt,
        ...(a.escalatedAt ? { escalatedAt: a.escalatedAt } : {}),
      },
    });
  }

  /** A notice about the application (in-app through the notify module, when wired). */
  async notice(trx: Db, to: string[], a: ApplicationDto, title: string): Promise<void> {
    await this.deps.notifier?.send(
      trx,
      to.map((id) => ({ id })),
      {
        subjectType: 'datahub_application',
        subjectId: a.id,
        jurisdictionPath: a.ownerDepartment.split(':')[0] ?? '50',
        title,
        body: `${a.consumerDepartment} → ${a.ownerDepartment} ${a.resourceId}（${a.purpose}）：${a.status}，期限 ${a.dueAt}`,
      },
    );
  }
}
