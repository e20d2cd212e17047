import { hasRole, type Principal } from '../../platform/access.ts';
import type { Db } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { materialProblem } from './services.engine.ts';
import { precheckGiven, precheckOverrides } from './services.precheck-gate.ts';
import { type StepRow, toStepDto } from './services.repository.ts';
import type {
  ApplicationDto,
  CorrectionBody,
  DecisionBody,
  DeskItemDto,
  MaterialDto,
} from './services.schema.ts';
import { applicantOf, bundleParams, notFound, type ServicesCore } from './services.service.ts';

const DECIDED: Record<DecisionBody['decision'], string> = {
  approve: 'approved',
  reject: 'rejected',
  correction: 'correction',
};

/**
 * The departments' desks: each open step is a task in its department's inbox; a liaison of that
 * department decides it (approve, reject with a reason, or ask the applicant for a correction).
 * A step decided again with the same decision is a no-op (a retried request); with another one it
 * is refused. The application row is locked for every decision, so parallel steps of one
 * application are decided one after the other and none is lost.
 */
export class ServicesDesk {
  private readonly core: ServicesCore;

  constructor(core: ServicesCore) {
    this.core = core;
  }

  /** The principal's department's pending steps (an administrator may name any department, or see all). */
  async inbox(principal: Principal, department?: string, limit = 100): Promise<DeskItemDto[]> {
    const dept = this.deskOf(principal, department);
    const steps = await this.core.repo.desk(this.core.db(), dept, limit);
    const out: DeskItemDto[] = [];
    for (const s of steps) {
      const app = await this.core.repo.application(this.core.db(), s.application_id);
      if (!app) continue;
      const bundle = this.core.bundles.version(app.bundle_id, app.version);
      const item = bundle.items.find((i) => i.code === s.item);
      const needs = new Set(item?.needs ?? []);
      out.push({
        applicationId: app.id,
        bundleId: app.bundle_id,
        version: app.version,
        step: toStepDto(s, item?.titleZh ?? s.item),
        materials: app.materials.filter((m) => needs.has(m.code)),
      });
    }
    return out;
  }

  private deskOf(principal: Principal, department?: string): string | null {
    if (principal.roles.includes('admin')) return department ?? null;
    if (!hasRole(principal, 'department_liaison') || !principal.departmentCode)
      throw new AppError('forbidden', 'only a department liaison has a desk', {
        roles: ['department_liaison'],
      });
    if (department && department !== principal.departmentCode)
      throw new AppError('forbidden', `this is not your department's desk (${principal.departmentCode})`, {
        reason: 'wrong_department',
        department,
      });
    return principal.departmentCode;
  }

  /** Decides a step as its department. */
  async decide(principal: Principal, id: string, item: string, body: DecisionBody): Promise<ApplicationDto> {
    const { core } = this;
    const seen = await core.repo.step(core.db(), id, item);
    if (!seen)
      throw new AppError('not_found', `step '${item}' of application '${id}' not found`, {
        kind: 'step',
        key: item,
      });
    const allowed =
      principal.roles.includes('admin') ||
      (hasRole(principal, 'department_liaison') && principal.departmentCode === seen.department);
    if (!allowed) {
      await core.deps.audit.record(core.deps.db, {
        actor: { kind: principal.kind, id: principal.id },
        action: 'services.step.refused',
        subjectType: 'service_application',
        subjectId: id,
        details: {
          item,
          department: seen.department,
          by: principal.departmentCode,
          reason: 'wrong_department',
        },
      });
      throw new AppError('forbidden', `only ${seen.department} decides the step ${item}`, {
        reason: 'wrong_department',
        department: seen.department,
      });
    }
    if (body.decision !== 'approve' && !body.reason)
      throw new AppError('invalid_data', `a reason is required to ${body.decision}`, { fields: ['reason'] });
    // The pre-checked materials of a step decided now (not a retried no-op), for the override below.
    let decidedOn: MaterialDto[] | undefined;
    const answer = await core.deps.db.transaction().execute(async (trx) => {
      const app = await core.repo.application(core.db(trx), id, true);
      if (!app) throw notFound(id);
      const step = (await core.repo.step(core.db(trx), id, item)) as StepRow;
      if (step.status === DECIDED[body.decision]) return core.read(trx, id);
      if (step.status !== 'pending')
        throw new AppError('conflict', `step ${item} is ${step.status}; it cannot be decided now`, {
          reason: 'already_decided',
          status: step.status,
        });
      const bundle = core.bundles.version(app.bundle_id, app.version);
      const now = core.deps.clock.now();
      // Set when this decision completes the application; its audit entry follows the step's.
      let completed: { certificates: number } | undefined;
      await core.repo.updateStep(core.db(trx), id, item, {
        status: DECIDED[body.decision],
        decided_by: principal.id,
        decided_at: now,
        decision_reason: body.reason ?? null,
      });
      const bundleItem = bundle.items.find((i) => i.code === item);
      decidedOn = app.materials.filter((m) => bundleItem?.needs.includes(m.code));
      const title = bundleItem?.titleZh ?? item;
      const names = bundleParams(bundle, bundleItem ?? { code: item, titleZh: item, titleEn: item });
      const to = [applicantOf(app)];
      if (body.decision === 'approve') {
        const materials = app.materials.map(
          (m): MaterialDto =>
            m.origin === 'item' && m.item === item
              ? {
                  ...m,
                  status: 'produced',
                  value: { item, decidedBy: principal.id, decidedAt: now.toISOString() },
                }
              : m,
        );
        await core.repo.updateApplication(core.db(trx), id, { materials, updated_at: now });
        await core.notify(trx, to, id, {
          code: 'services.stepApproved',
          params: names,
          title: `${bundle.titleZh}：${title} 已办结`,
          body: '该事项已审批通过。',
        });
        await core.openReady(trx, bundle, id);
        const steps = await core.repo.steps(core.db(trx), [id]);
        if (steps.every((s) => s.status === 'approved')) {
          await core.repo.updateApplication(core.db(trx), id, {
            status: 'completed',
            completed_at: now,
            updated_at: now,
          });
          const issued = await core.certificates.issue(trx, app, bundle, steps, now);
          await core.notify(trx, to, id, {
            code: 'services.completed',
            params: { ...bundleParams(bundle), certificates: issued },
            title: `${bundle.titleZh}：全部办结`,
            body: `一件事已全部办结，已签发 ${issued} 份电子证照，可在办件详情中下载。`,
          });
          await core.deps.completed?.applicationCompleted(
            trx,
            {
              id,
              bundleId: app.bundle_id,
              bundleVersion: app.version,
              form: app.form,
              applicantId: app.applicant_id,
              completedAt: now,
            },
            principal,
          );
          completed = { certificates: issued };
        }
      } else if (body.decision === 'reject') {
        const steps = await core.repo.steps(core.db(trx), [id]);
        for (const s of steps)
          if (s.status === 'waiting' || s.status === 'pending')
            await core.repo.updateStep(core.db(trx), id, s.item, { status: 'cancelled' });
        await core.repo.updateApplication(core.db(trx), id, {
          status: 'rejected',
          reason: `${title}：${body.reason}`,
          updated_at: now,
        });
        await core.notify(trx, to, id, {
          code: 'services.rejected',
          params: { ...names, reason: body.reason ?? null },
          title: `${bundle.titleZh}：${title} 未通过`,
          body: `原因：${body.reason}`,
        });
      } else {
        await core.repo.updateApplication(core.db(trx), id, {
          status: 'correction',
          reason: `${title}：${body.reason}`,
          updated_at: now,
        });
        await core.notify(trx, to, id, {
          code: 'services.correction',
          params: { ...names, reason: body.reason ?? null },
          title: `${bundle.titleZh}：${title} 需补正`,
          body: `补正要求：${body.reason}`,
        });
      }
      // The audit entries last: each append holds the chain's head until commit, so every row this
      // decision writes (the enterprise's, through the completion listener, too) is taken before it.
      await core.audit(trx, principal, `services.step.${DECIDED[body.decision]}`, id, {
        item,
        department: step.department,
        round: step.round,
        reason: body.reason ?? null,
        late: step.due_at ? now > new Date(step.due_at) : false,
      });
      if (completed) await core.audit(trx, principal, 'services.application.completed', id, completed);
      return core.read(trx, id);
    });
    // After commit: the filing gate's human-oversight record of a desk that disagreed with the pre-check.
    if (decidedOn) {
      const { algorithms, logger } = core.deps;
      await precheckOverrides(
        algorithms,
        logger,
        principal,
        decidedOn,
        body.decision,
        body.reason,
        body.materials,
      );
    }
    return answer;
  }

  /** The applicant gives what a step asked to be corrected; the step reopens at its desk with a new time limit. */
  async correct(principal: Principal, id: string, body: CorrectionBody): Promise<ApplicationDto> {
    const { core } = this;
    return core.deps.db.transaction().execute(async (trx: Db) => {
      const app = await core.own(trx, principal, id, true);
      const step = await core.repo.step(core.db(trx), id, body.item);
      if (step?.status !== 'correction')
        throw new AppError('invalid_transition', `step ${body.item} does not wait for a correction`, {
          status: step?.status ?? null,
        });
      const bundle = core.bundles.version(app.bundle_id, app.version);
      const needs = new Set(bundle.items.find((i) => i.code === body.item)?.needs ?? []);
      const refused: { code: string; rule: string }[] = [];
      const filled = app.materials.map((m): MaterialDto => {
        const given = body.provided[m.code];
        if (given === undefined) return m;
        if (!needs.has(m.code) || m.origin === 'item') {
          refused.push({ code: m.code, rule: `not a material ${body.item} takes from the applicant` });
          return m;
        }
        const own = { ...m, origin: 'applicant' as const, format: m.format ?? 'file' };
        const problem = materialProblem(own, given);
        if (problem) refused.push({ code: m.code, rule: problem });
        return {
          ...own,
          status: 'provided',
          value: own.format === 'text' ? given : `${given.length} characters`,
        };
      });
      for (const code of Object.keys(body.provided))
        if (!app.materials.some((m) => m.code === code)) refused.push({ code, rule: 'unknown material' });
      if (refused.length || !Object.keys(body.provided).length)
        throw new AppError(
          'invalid_data',
          `correction refused: ${refused.map((r) => `${r.code} (${r.rule})`).join('; ') || 'nothing given'}`,
          {
            materials: refused,
          },
        );
      const now = core.deps.clock.now();
      const materials = await precheckGiven(core.deps.algorithms, app, principal, filled, body.provided, now);
      const steps = await core.repo.steps(core.db(trx), [id]);
      const stillWaiting = steps.some((s) => s.item !== body.item && s.status === 'correction');
      await core.repo.updateApplication(core.db(trx), id, {
        materials,
        status: stillWaiting ? 'correction' : 'in_progress',
        reason: stillWaiting ? app.reason : null,
        updated_at: now,
      });
      await core.files.store(trx, id, body.provided, materials, now);
      await core.audit(trx, principal, 'services.application.corrected', id, {
        item: body.item,
        provided: Object.keys(body.provided),
      });
      await core.openStep(trx, bundle, id, body.item, step.round + 1);
      return core.read(trx, id);
    });
  }
}
