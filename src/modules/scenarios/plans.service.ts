import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Insertable, Selectable } from 'kysely';
import { assertVisible, inScope, type Principal, SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AlgorithmRegistry } from '../algorithms/index.ts';
import type { AuditLog } from '../audit/index.ts';
import type { DispatchService, TaskDto, TaskPlan, TaskRouting } from '../dispatch/index.ts';
import type { EventDetail, EventService } from '../events/index.ts';
import type { NotifyService } from '../notify/index.ts';
import {
  type PlanDto,
  type PlanTables,
  type PlanTaskTemplate,
  type PlanTemplate,
  PlanTemplateSchema,
} from './plans.schema.ts';

/** The filed algorithm every plan generation runs through. */
export const PLAN_GENERATE = 'plan.generate';
/** Where the shipped plan templates live. */
export const DEFAULT_PLANS_DIR = path.resolve(import.meta.dirname, '../../../data/scenarios/plans');

/** Parameters a template is filled from (the analysis' numbers, already formatted where it matters). */
export type PlanParams = Record<string, string | number | boolean | null | undefined>;

/** What activating a plan needs: which template, for which event, with which analysis. */
export interface ActivateInput {
  templateKey: string;
  eventId: string;
  /** The new plan's id, when the caller named it beforehand (e.g. in the purpose of a data read). */
  planId?: string;
  params: PlanParams;
  /** Kept with the plan (suspects, arrivals, risk points …). */
  analysis: Record<string, unknown>;
  /** Where the tasks are sent (default the event's location); per task key to override. */
  locations?: Record<string, { lon: number; lat: number }>;
}

/** What the plan service is built from (the event centre's services and the app's). */
export interface PlanDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  algorithms: Pick<AlgorithmRegistry, 'runOrFallback'>;
  events: Pick<EventService, 'get'>;
  dispatch: Pick<DispatchService, 'tasksByIds' | 'cancel'>;
  /** Plans and writes tasks: the steps event intake uses (the event centre's `routing`). */
  routing: TaskRouting;
  notify?: Pick<NotifyService, 'send'>;
  templates?: PlanTemplate[];
}

/** The plan's task rows before they are written, and the tasks dispatch is to create. */
interface PlanDraft {
  planId: string;
  planned: TaskPlan;
  rows: Insertable<PlanTables['sc_plan_task']>[];
}

/** Everything one activation writes. */
interface PlanWrite extends PlanDraft {
  template: PlanTemplate;
  event: EventDetail;
  input: ActivateInput;
  decisionId: string;
  now: Date;
}

const LIVE = ['pending', 'assigned', 'accepted', 'en_route', 'arrived', 'completed', 'unable'];
const ACKNOWLEDGED = ['accepted', 'en_route', 'arrived', 'completed'];

/** Loads and validates every `*.json` template in a folder. */
export function loadPlanTemplates(dir = DEFAULT_PLANS_DIR): PlanTemplate[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const parsed = PlanTemplateSchema.safeParse(JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')));
      if (!parsed.success)
        throw new Error(`${f}: ${parsed.error.issues[0]?.message ?? 'invalid plan template'}`);
      return parsed.data;
    });
}

/** Fills `{name}` placeholders; a missing parameter shows as —. */
export function fill(text: string, params: PlanParams): string {
  return text.replace(/\{([A-Za-z0-9_]+)\}/g, (_, k: string) => {
    const v = params[k];
    return v === undefined || v === null || v === '' ? '—' : String(v);
  });
}

/** The tasks a template yields for the parameters (pure: the plan-generation algorithm). */
export function generateTasks(template: PlanTemplate, params: PlanParams) {
  return template.tasks
    .filter((t) => !t.when || Boolean(params[t.when]))
    .map((t) => ({ ...t, instructions: fill(t.instructions, params), title: fill(t.title, params) }));
}

/**
 * Response plans (预案): a template filled with an analysis' numbers becomes one task per
 * department, dispatched through the event centre on the event; progress is read live from
 * dispatch. Activation is gated (`plan.generate`), stored and audited in one transaction with the tasks.
 */
export class PlanService {
  private readonly deps: PlanDeps;
  readonly templates: Map<string, PlanTemplate>;

  constructor(deps: PlanDeps) {
    this.deps = deps;
    this.templates = new Map((deps.templates ?? loadPlanTemplates()).map((t) => [t.key, t]));
  }

  /**
   * Activates a plan for an event (idempotent per event and template), in steps: generate the
   * task list through the gate → plan each task with dispatch (the step event intake uses too)
   * → write the tasks, the plan, its audit and notices in one transaction → cancel the tasks the
   * plan supersedes.
   */
  async activate(actor: Principal, input: ActivateInput): Promise<PlanDto> {
    const template = this.templates.get(input.templateKey);
    if (!template) throw new AppError('invalid_data', `unknown plan template '${input.templateKey}'`);
    const existing = await this.existing(input.eventId, template.key);
    if (existing) return this.get(SYSTEM_PRINCIPAL, existing);
    const event = await this.deps.events.get(SYSTEM_PRINCIPAL, input.eventId);
    const decisionId = await this.generate(actor, template, event, input.params);
    const now = this.deps.clock.now();
    const live = event.tasks.filter((t) => LIVE.includes(t.status));
    const draft = await this.planTasks(actor, template, event, input, live, now);
    try {
      await this.write(actor, { template, event, input, decisionId, now, ...draft });
    } catch (err) {
      // Another activation of the same template for the event committed first (unique index): use it.
      const raced = await this.existing(input.eventId, template.key);
      if (raced) return this.get(SYSTEM_PRINCIPAL, raced);
      throw err;
    }
    if (template.supersedesRouting) await this.supersede(template, live, draft.rows);
    return this.get(SYSTEM_PRINCIPAL, draft.planId);
  }

  /** The plan of this template already activated for the event, if any. */
  async existing(eventId: string, templateKey: string): Promise<string | undefined> {
    const found = await this.db()
      .selectFrom('sc_plan')
      .select('id')
      .where('event_id', '=', eventId)
      .where('template_key', '=', templateKey)
      .executeTakeFirst();
    return found?.id;
  }

  /** Runs plan generation through the gate (`plan.generate`); not available → conflict, route by hand. */
  private async generate(
    actor: Principal,
    template: PlanTemplate,
    event: EventDetail,
    params: PlanParams,
  ): Promise<string> {
    const decision = await this.deps.algorithms.runOrFallback(
      PLAN_GENERATE,
      { template: `${template.key}@${template.version}`, params },
      () => {
        const tasks = generateTasks(template, params);
        return {
          output: tasks.map((t) => ({
            key: t.key,
            departmentType: t.departmentType,
            level: t.level,
            dueMinutes: t.dueMinutes,
          })),
          explanation: {
            text: `${template.key} v${template.version}: ${tasks.length} tasks (${tasks.map((t) => `${t.departmentType}@${t.level}`).join(', ')}), target ${template.targetMinutes} min`,
            zh: `${template.name}：${tasks.length} 项任务，目标 ${template.targetMinutes} 分钟内完成`,
          },
        };
      },
      {
        principal: actor,
        subjects: [{ type: 'event', id: event.id }],
        jurisdictionPath: event.jurisdictionPath,
      },
    );
    if (!decision.decided) {
      throw new AppError('conflict', `plan generation is not available (${decision.reason}); route by hand`, {
        reason: decision.reason,
        decisionId: decision.decisionId,
      });
    }
    return decision.decisionId;
  }

  /**
   * The plan's task rows: a live task the responsibility list already made for the department is
   * adopted (if a team with the plan's skill has it); the others are planned through dispatch.
   */
  private async planTasks(
    actor: Principal,
    template: PlanTemplate,
    event: EventDetail,
    input: ActivateInput,
    live: TaskDto[],
    now: Date,
  ): Promise<PlanDraft> {
    const planned: TaskPlan = { eventId: event.id, items: [] };
    const rows: Insertable<PlanTables['sc_plan_task']>[] = [];
    const planId = input.planId ?? randomUUID();
    for (const [seq, t] of generateTasks(template, input.params).entries()) {
      const at = input.locations?.[t.key] ?? event.location;
      const adopt = live.find(
        (x) =>
          x.departmentType === t.departmentType &&
          x.handlingLevel === t.level &&
          x.skill === t.skill &&
          x.status !== 'pending',
      );
      let taskId: string;
      let departmentCode: string;
      if (adopt) {
        taskId = adopt.id;
        departmentCode = adopt.departmentCode;
      } else {
        const one = await this.planOne(actor, event, t, at, now);
        if (!one) continue;
        one.row.note = `【${template.name}】${t.title}：${t.instructions}`.slice(0, 1000);
        planned.items.push(one);
        taskId = one.row.id;
        departmentCode = one.row.department_code;
      }
      rows.push({
        id: randomUUID(),
        plan_id: planId,
        seq,
        key: t.key,
        title: t.title,
        department_type: t.departmentType,
        department_code: departmentCode,
        level: t.level,
        task_id: taskId,
        instructions: t.instructions,
        lon: at.lon,
        lat: at.lat,
        due_at: new Date(now.getTime() + t.dueMinutes * 60_000),
        linked: Boolean(adopt),
      });
    }
    return { planId, planned, rows };
  }

  /** Writes the planned tasks (the step intake shares), the plan and its rows, audit and notices: one transaction. */
  private async write(actor: Principal, w: PlanWrite): Promise<void> {
    const { template, event, input, decisionId, now, planId, planned, rows } = w;
    const summary = fill(template.summary, input.params);
    await this.deps.routing.transaction(async (trx) => {
      const db = forTables<PlanTables>(trx);
      if (planned.items.length) await this.deps.routing.createTasks(trx, actor, planned);
      await db
        .insertInto('sc_plan')
        .values({
          id: planId,
          template_key: template.key,
          template_version: template.version,
          scenario: template.scenario,
          name: template.name,
          summary,
          event_id: event.id,
          jurisdiction_path: event.jurisdictionPath,
          lon: event.location.lon,
          lat: event.location.lat,
          target_minutes: template.targetMinutes,
          started_at: now,
          target_at: new Date(now.getTime() + template.targetMinutes * 60_000),
          analysis: JSON.stringify(input.analysis),
          decision_id: decisionId,
          created_by: `${actor.kind}:${actor.id}`,
        })
        .execute();
      if (rows.length) await db.insertInto('sc_plan_task').values(rows).execute();
      await this.deps.audit.append(trx, {
        actor,
        action: 'plan.activated',
        subjectType: 'plan',
        subjectId: planId,
        jurisdictionPath: event.jurisdictionPath,
        details: {
          template: template.key,
          version: template.version,
          eventId: event.id,
          decisionId,
          tasks: rows.map((r) => ({
            key: r.key,
            departmentCode: r.department_code,
            taskId: r.task_id,
            linked: r.linked,
          })),
        },
      });
      await this.notifyCentres(trx, template, event, summary);
    });
  }

  /** Tells the centres the template names (by level, on the event's chain) that the plan started. */
  private async notifyCentres(trx: Db, template: PlanTemplate, event: EventDetail, summary: string) {
    const centres = template.notifyCentres.flatMap((level) => {
      const node = [...event.chain].reverse().find((c) => c.level === level);
      return node ? [{ id: `centre:${node.code}` }] : [];
    });
    if (centres.length && this.deps.notify) {
      await this.deps.notify.send(trx, centres, {
        subjectType: 'event',
        subjectId: event.id,
        jurisdictionPath: event.jurisdictionPath,
        title: `预案启动 ${template.name}`,
        body: summary,
        code: 'plan.started',
        params: { template: template.key, version: template.version },
      });
    }
  }

  /** Cancels the event's live tasks the plan neither adopted nor needs (best effort, logged). */
  private async supersede(
    template: PlanTemplate,
    live: TaskDto[],
    rows: Insertable<PlanTables['sc_plan_task']>[],
  ): Promise<void> {
    const named = new Set(rows.map((r) => r.task_id));
    for (const t of live) {
      if (named.has(t.id) || t.status === 'completed') continue;
      await this.deps.dispatch
        .cancel(SYSTEM_PRINCIPAL, t.id, `预案「${template.name}」已启动，本任务由预案任务清单取代`)
        .catch((err) => this.deps.logger.warn({ err, taskId: t.id }, 'superseded task not cancelled'));
    }
  }

  /** Plans one task through dispatch: the department of the type at the level (or nearest above), nearest team. */
  private async planOne(
    actor: Principal,
    event: EventDetail,
    t: PlanTaskTemplate,
    at: { lon: number; lat: number },
    now: Date,
  ) {
    const plan = await this.deps.routing.plan(
      actor,
      {
        id: event.id,
        category: event.category ?? 'general',
        lon: at.lon,
        lat: at.lat,
        chain: event.chain,
        jurisdictionPath: event.jurisdictionPath,
        raisedAt: now,
      },
      {
        category: event.category ?? 'general',
        departmentType: t.departmentType,
        coDepartmentTypes: [],
        level: t.level,
        skill: t.skill,
        limits: {
          acceptMinutes: t.acceptMinutes,
          arriveMinutes: Math.min(t.dueMinutes, Math.max(t.acceptMinutes, Math.round(t.dueMinutes / 2))),
          resolveMinutes: t.dueMinutes,
        },
      },
    );
    const item = plan.items[0];
    if (!item) {
      this.deps.logger.warn({ eventId: event.id, task: t.key }, 'plan task skipped: no such department');
      return undefined;
    }
    item.row.role = 'co';
    return item;
  }

  /** Plans in the principal's jurisdiction, newest first, with progress. */
  async list(
    principal: Principal,
    query: { scenario?: string; eventId?: string; limit: number },
  ): Promise<PlanDto[]> {
    let q = this.db()
      .selectFrom('sc_plan')
      .selectAll()
      .where(inScope(principal, 'jurisdiction_path'))
      .orderBy('started_at', 'desc')
      .limit(query.limit);
    if (query.scenario) q = q.where('scenario', '=', query.scenario);
    if (query.eventId) q = q.where('event_id', '=', query.eventId);
    const plans = await q.execute();
    return Promise.all(plans.map((p) => this.toDto(p)));
  }

  /** One plan with progress; not_found outside the principal's jurisdiction. */
  async get(principal: Principal, id: string): Promise<PlanDto> {
    const plan = await this.db().selectFrom('sc_plan').selectAll().where('id', '=', id).executeTakeFirst();
    if (!plan) throw notFound('plan', id);
    assertVisible(principal, plan.jurisdiction_path, 'plan', id);
    return this.toDto(plan);
  }

  private async toDto(plan: Selectable<PlanTables['sc_plan']>): Promise<PlanDto> {
    const rows = await this.db()
      .selectFrom('sc_plan_task')
      .selectAll()
      .where('plan_id', '=', plan.id)
      .orderBy('seq')
      .execute();
    // By id, not by the plan's event: a plan started on a merged duplicate adopts its master's tasks.
    const byId = new Map<string, TaskDto>(
      (await this.deps.dispatch.tasksByIds(rows.map((r) => r.task_id))).map((t) => [t.id, t]),
    );
    const tasks = rows.map((r) => {
      const t = byId.get(r.task_id);
      return {
        key: r.key,
        title: r.title,
        departmentType: r.department_type,
        departmentCode: r.department_code,
        level: r.level,
        taskId: r.task_id,
        instructions: r.instructions,
        location: { lon: r.lon, lat: r.lat },
        dueAt: r.due_at.toISOString(),
        linked: r.linked,
        status: t?.status ?? 'unknown',
        team: t?.team?.name ?? null,
        acknowledgedAt: t && ACKNOWLEDGED.includes(t.status) ? (t.acceptedAt ?? t.updatedAt) : null,
        completedAt: t?.status === 'completed' ? t.completedAt : null,
      };
    });
    const done = tasks.filter((t) => t.status === 'completed').length;
    const acknowledged = tasks.filter((t) => t.acknowledgedAt).length;
    const complete = tasks.length > 0 && done === tasks.length;
    const completedAt = complete
      ? tasks
          .map((t) => t.completedAt ?? '')
          .sort()
          .at(-1) || null
      : null;
    const end = completedAt ? new Date(completedAt) : this.deps.clock.now();
    const elapsed = (end.getTime() - plan.started_at.getTime()) / 60_000;
    const overdue = end.getTime() > plan.target_at.getTime();
    return {
      id: plan.id,
      templateKey: plan.template_key,
      templateVersion: plan.template_version,
      scenario: plan.scenario,
      name: plan.name,
      summary: plan.summary,
      eventId: plan.event_id,
      jurisdictionPath: plan.jurisdiction_path,
      location: { lon: plan.lon, lat: plan.lat },
      startedAt: plan.started_at.toISOString(),
      targetAt: plan.target_at.toISOString(),
      targetMinutes: plan.target_minutes,
      status: complete ? 'completed' : 'active',
      progress: {
        total: tasks.length,
        acknowledged,
        done,
        elapsedMinutes: Math.round(elapsed * 10) / 10,
        onTime: complete ? !overdue : overdue ? false : null,
        overdue,
        completedAt,
      },
      decisionId: plan.decision_id,
      analysis: plan.analysis,
      tasks,
    };
  }

  private db() {
    return forTables<PlanTables>(this.deps.db);
  }
}
