import { randomBytes, randomUUID } from 'node:crypto';
import { assertVisible, canSee, type Principal, ROLE_GROUPS, requireRole } from '../../platform/access.ts';
import { Outbox } from '../../platform/bus/index.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { TaskDto, TaskPlan } from '../dispatch/index.ts';
import { classifyText, findDuplicate } from './events.decide.ts';
import { DEFAULT_EVENT_OPTIONS, type EventDeps, type EventOptions, type Rule } from './events.deps.ts';
import { CitizenPhotos, type EventPhoto, type PhotoRow, reportPhoto } from './events.photos.ts';
import { EventRepository, type EventRow, toEventDto } from './events.repository.ts';
import {
  type EventDetail,
  type EventDto,
  type EventQuery,
  type EventStatus,
  type Intake,
  type IntakeResult,
  IntakeSchema,
  type Source,
} from './events.schema.ts';
import { eventSubjects } from './events.subjects.ts';
import type { EventTables } from './events.tables.ts';

/** A planned routing: the rule, the dispatch plan and the lead agency's name. */
interface Routing {
  rule: Rule;
  plan: TaskPlan;
  agency: string | null;
}

const DEG_PER_M_LAT = 1 / 111_320;

/**
 * The event centre: intake from every channel (located, classified, de-duplicated through the
 * algorithm gate), routing to dispatch, triage by people, verification, citizen feedback and
 * reopening. Every change is audited and published in its own transaction.
 */
export class EventService {
  private readonly deps: EventDeps;
  private readonly options: EventOptions;
  private readonly repo = new EventRepository();
  private readonly outbox: Outbox<typeof eventSubjects>;
  /** Citizens' complaint photos (upload, attach at intake, read back). */
  readonly photos: CitizenPhotos;

  constructor(deps: EventDeps) {
    this.deps = deps;
    this.options = { ...DEFAULT_EVENT_OPTIONS, ...deps.options };
    this.outbox = new Outbox(eventSubjects, deps.clock);
    this.photos = new CitizenPhotos({
      db: deps.db,
      audit: deps.audit,
      clock: deps.clock,
      dir: deps.photoDir,
      limits: deps.photoLimits,
    });
  }

  /**
   * Takes one report. Outside the city → outside_city (audited, nothing written). A repeat of an
   * `externalRef` returns the event already made. Otherwise: classify (unless a category is given),
   * look for a duplicate, then in one transaction write the event, its reporter, audit, bus
   * message and — unless it needs triage or is a duplicate — its tasks, assigned to teams.
   */
  async intake(actor: Principal, source: Source, raw: unknown): Promise<IntakeResult> {
    const parsed = IntakeSchema.safeParse(raw);
    if (!parsed.success) {
      await this.refused(
        actor,
        'event.intake',
        '',
        'invalid_data',
        parsed.error.issues[0]?.message ?? 'invalid',
      );
      throw new AppError('invalid_data', 'invalid report', { issues: parsed.error.issues });
    }
    const input: Intake = parsed.data;
    if (input.externalRef) {
      const existing = await this.repo.byExternalRef(this.db(), source, input.externalRef);
      if (existing) return this.resultOf(existing, null, true);
    }
    const photoIds = [...new Set(input.photos)];
    try {
      await this.photos.checkAttachable(photoIds);
    } catch (err) {
      if (err instanceof AppError) await this.refused(actor, 'event.intake', '', err.code, err.message);
      throw err;
    }
    const { lon, lat } = input.location;
    const located = await this.deps.locate(lon, lat);
    if (!located || located.chain.length === 0) {
      await this.refused(actor, 'event.intake', '', 'outside_city', `(${lon}, ${lat}) is outside the city`);
      throw new AppError('outside_city', `the location (${lon}, ${lat}) is outside the city`, { lon, lat });
    }
    const id = randomUUID();
    const chain = located.chain;
    const leaf = chain.at(-1)!;
    const path = chain.map((c) => c.code).join('/');
    let rule: Rule | null = null;
    let category: string | null = null;
    let confidence: number | null = null;
    let classifiedBy: string | null = null;
    let classifyDecisionId: string | null = null;
    let triageReason: string | null = null;
    if (input.category) {
      rule = await this.ruleOrThrow(actor, input.category);
      category = rule.category;
      confidence = 1;
      classifiedBy = source === 'sensor_alert' ? 'rule' : 'reporter';
    } else {
      const decision = await classifyText(this.deps, actor, input.description, id, path);
      classifyDecisionId = decision.decisionId || null;
      if (!decision.decided) triageReason = `classifier not available (${decision.reason})`;
      else if (decision.output.needsHuman) {
        triageReason = `low confidence ${decision.output.confidence.toFixed(2)} for ${decision.output.category}`;
        confidence = decision.output.confidence;
      } else {
        rule = await this.deps.rule(decision.output.category).catch(() => null);
        if (rule) {
          category = rule.category;
          confidence = decision.output.confidence;
          classifiedBy = 'classifier';
        } else triageReason = `classifier answered an unknown category ${decision.output.category}`;
      }
    }
    const now = this.deps.clock.now();
    let mergeInto: string | null = null;
    let dedupeDecisionId: string | null = null;
    if (category) {
      const r = this.options.dedupeRadiusM;
      const dLat = r * DEG_PER_M_LAT;
      const dLon = dLat / Math.cos((lat * Math.PI) / 180);
      const candidates = await this.repo.nearbyOpen(this.db(), {
        category,
        since: new Date(now.getTime() - this.options.dedupeWindowMinutes * 60_000),
        box: [lon - dLon, lat - dLat, lon + dLon, lat + dLat],
      });
      const found = candidates.length
        ? await findDuplicate(
            this.deps,
            actor,
            { id, text: input.description, lon, lat, path, now },
            candidates,
            {
              radiusM: r,
              minSimilarity: this.options.dedupeMinSimilarity,
            },
          )
        : null;
      if (found?.decided) {
        dedupeDecisionId = found.decisionId;
        mergeInto = found.output.mergeInto;
      }
    }
    const status: EventStatus = mergeInto ? 'merged' : category ? 'dispatched' : 'triage';
    const routing =
      !mergeInto && rule
        ? await this.prepareRoute(actor, { id, lon, lat, chain, jurisdiction_path: path }, rule)
        : null;
    const priority = input.priority ?? priorityOf(rule);
    const token = randomBytes(18).toString('base64url');
    return this.deps.db.transaction().execute(async (trx) => {
      const db = forTables<EventTables>(trx);
      const row: EventRow = {
        id,
        source,
        external_ref: input.externalRef ?? null,
        service_code: input.serviceCode ?? null,
        category,
        confidence,
        classified_by: classifiedBy,
        classify_decision_id: classifyDecisionId,
        status,
        priority,
        description: input.description,
        address: input.address ?? null,
        lon,
        lat,
        jurisdiction_code: leaf.code,
        jurisdiction_path: path,
        chain,
        handling_level: rule?.level ?? null,
        agency: null,
        media: input.media,
        merged_into: mergeInto,
        dedupe_decision_id: dedupeDecisionId,
        triage_reason: triageReason,
        status_note: mergeInto ? 'merged with an earlier report of the same problem' : triageReason,
        created_by: `${actor.kind}:${actor.id}`,
        created_at: now,
        updated_at: now,
        expected_at: null,
        resolved_at: null,
        closed_at: null,
        verified_by: null,
        reopened: 0,
        multi_department: false,
      };
      await this.repo.insert(db, {
        ...row,
        chain: JSON.stringify(chain),
        media: JSON.stringify(input.media),
      });
      await this.photos.attach(trx, photoIds, id);
      const rep = input.reporter;
      await this.repo.insertReporter(db, {
        id: randomUUID(),
        event_id: mergeInto ?? id,
        filed_event_id: id,
        kind: source,
        name: rep.name ?? null,
        email: rep.email ?? null,
        phone: rep.phone ?? null,
        account_id: rep.accountId ?? null,
        device_id: rep.deviceId ?? null,
        notify_url: rep.notifyUrl ?? null,
        token,
        rating: null,
        rating_comment: null,
        rated_at: null,
        created_at: now,
      });
      await this.deps.audit.append(trx, {
        actor,
        action: 'event.created',
        subjectType: 'event',
        subjectId: id,
        jurisdictionPath: path,
        details: {
          source,
          category,
          status,
          priority,
          classifiedBy,
          confidence,
          mergeInto,
          triageReason,
          ...(photoIds.length ? { photos: photoIds } : {}),
        },
      });
      await this.outbox.enqueue(
        trx,
        'events.event.created',
        { eventId: id, category, status, jurisdictionPath: path, source, priority, lon, lat },
        { key: id },
      );
      let tasks: TaskDto[] = [];
      let stored = row;
      if (mergeInto) {
        await this.outbox.enqueue(
          trx,
          'events.event.merged',
          { eventId: id, category, status, jurisdictionPath: path, into: mergeInto },
          { key: mergeInto },
        );
      } else if (routing) {
        ({ row: stored, tasks } = await this.route(trx, actor, row, routing));
      } else {
        await this.notifyCentre(
          trx,
          row,
          '待分拨 Needs triage',
          `${input.description.slice(0, 80)} — ${triageReason}`,
        );
      }
      return { event: toEventDto(stored), tasks, token, duplicate: mergeInto !== null };
    });
  }

  /** Plans the event's tasks and looks up the lead department's name, outside any transaction. */
  private async prepareRoute(
    actor: Principal,
    row: Pick<EventRow, 'id' | 'lon' | 'lat' | 'chain' | 'jurisdiction_path'>,
    rule: Rule,
  ): Promise<Routing> {
    const plan = await this.deps.dispatch.plan(
      actor,
      {
        id: row.id,
        category: rule.category,
        lon: row.lon,
        lat: row.lat,
        chain: row.chain,
        jurisdictionPath: row.jurisdiction_path,
        raisedAt: this.deps.clock.now(),
      },
      rule,
    );
    const lead = plan.items.find((i) => i.row.role === 'lead') ?? plan.items[0];
    const agency = lead
      ? ((await this.deps.departmentName(lead.row.department_code)) ?? lead.row.department_code)
      : null;
    return { rule, plan, agency };
  }

  /** Writes the planned tasks and records routing facts on the event (inside the transaction). */
  private async route(
    trx: Db,
    actor: Principal,
    row: EventRow,
    routing: Routing,
  ): Promise<{ row: EventRow; tasks: TaskDto[] }> {
    const { rule, plan, agency } = routing;
    const tasks = await this.deps.dispatch.createTasks(trx, actor, plan);
    const lead = tasks.find((t) => t.role === 'lead') ?? tasks[0];
    const departments = new Set(tasks.map((t) => t.departmentCode));
    const updated = await this.repo.update(forTables<EventTables>(trx), row.id, {
      status: 'dispatched',
      category: rule.category,
      handling_level: rule.level,
      agency,
      multi_department: row.multi_department || departments.size > 1,
      expected_at: lead ? new Date(lead.resolveDueAt) : null,
      triage_reason: null,
      status_note: lead?.team ? `dispatched to ${lead.team.name}` : 'waiting for a team',
      updated_at: this.deps.clock.now(),
    });
    return { row: updated, tasks };
  }

  /** Events in the principal's jurisdiction (triage queue: `status=triage`). */
  async list(principal: Principal, query: EventQuery): Promise<EventDto[]> {
    return (await this.repo.list(this.db(), principal, query)).map(toEventDto);
  }

  /** One event with its tasks; not_found outside the principal's jurisdiction. */
  async get(principal: Principal, id: string): Promise<EventDetail> {
    const row = await this.repo.find(this.db(), id);
    if (!row) throw notFound('event', id);
    assertVisible(principal, row.jurisdiction_path, 'event', id);
    return this.detail(row);
  }

  /** An event by id for public reads (Open311): no scoping, callers show only public fields. */
  async publicGet(id: string): Promise<EventDetail | undefined> {
    const row = await this.repo.find(this.db(), id);
    return row ? this.detail(row) : undefined;
  }

  /** The master event a reporter's token belongs to, and the event they filed. */
  async byToken(token: string): Promise<{ filed: string; master: string } | undefined> {
    const r = await this.repo.reporterByToken(this.db(), token);
    return r ? { filed: r.filed_event_id, master: r.event_id } : undefined;
  }

  /** The reporter ids a citizen's token stands for (their inbox). */
  async reporterIds(token: string): Promise<string[]> {
    const r = await this.repo.reporterByToken(this.db(), token);
    return r ? [r.id] : [];
  }

  /**
   * A dispatcher categorises an event in triage (or re-routes one whose task was returned): the
   * classifier learns the correction, the registry records it as an override, and tasks are made.
   */
  async categorise(
    principal: Principal,
    id: string,
    input: { category: string; reason: string },
  ): Promise<EventDetail> {
    const result = await this.refusing(principal, id, 'event.categorise', async () => {
      requireRole(principal, ...ROLE_GROUPS.operators);
      const rule = await this.ruleOrThrow(principal, input.category);
      const seen = await this.visibleRow(this.db(), principal, id, false);
      const routing = await this.prepareRoute(principal, seen, rule);
      return this.deps.db.transaction().execute(async (trx) => {
        const db = forTables<EventTables>(trx);
        const row = await this.visibleRow(db, principal, id, true);
        if (row.status !== 'triage') {
          throw new AppError(
            'invalid_transition',
            `event ${id} is ${row.status}; only events in triage are categorised`,
            { from: row.status },
          );
        }
        await this.deps.dispatch.cancelOpen(trx, principal, id, `re-routed: ${input.reason}`);
        const before = row.category;
        const { row: updated } = await this.route(
          trx,
          principal,
          { ...row, category: rule.category },
          routing,
        );
        await this.repo.update(db, id, { classified_by: 'dispatcher', confidence: 1 });
        await this.deps.audit.append(trx, {
          actor: principal,
          action: 'event.categorised',
          subjectType: 'event',
          subjectId: id,
          jurisdictionPath: row.jurisdiction_path,
          details: { from: before, to: rule.category, reason: input.reason },
        });
        await this.statusChanged(trx, row, updated.status);
        return { row, before };
      });
    });
    const { row, before } = result;
    if (before !== input.category) this.deps.classifier.learn(row.description, input.category);
    if (row.classify_decision_id && before !== input.category) {
      await this.deps.algorithms
        .recordOverride(row.classify_decision_id, principal, input.reason, { category: input.category })
        .catch((err) => this.deps.logger.warn({ err, eventId: id }, 'classification override not recorded'));
    }
    return this.get(principal, id);
  }

  /** The centre verifies a resolved event: approve → closed and every reporter is told; reject → back to the teams. */
  async verify(
    principal: Principal,
    id: string,
    input: { approve: boolean; note: string },
  ): Promise<EventDetail> {
    await this.refusing(principal, id, 'event.verify', async () => {
      requireRole(principal, ...ROLE_GROUPS.operators);
      await this.deps.db.transaction().execute(async (trx) => {
        const db = forTables<EventTables>(trx);
        const row = await this.visibleRow(db, principal, id, true);
        if (row.status !== 'resolved') {
          throw new AppError(
            'invalid_transition',
            `event ${id} is ${row.status}; only resolved events are verified`,
            { from: row.status },
          );
        }
        const now = this.deps.clock.now();
        if (!input.approve) {
          await this.deps.dispatch.redo(trx, principal, id, input.note);
          const updated = await this.repo.update(db, id, {
            status: 'in_progress',
            resolved_at: null,
            status_note: `verification failed: ${input.note}`,
            updated_at: now,
          });
          await this.deps.audit.append(trx, {
            actor: principal,
            action: 'event.verification_rejected',
            subjectType: 'event',
            subjectId: id,
            jurisdictionPath: row.jurisdiction_path,
            details: { note: input.note },
          });
          await this.statusChanged(trx, row, updated.status);
          return;
        }
        await this.repo.update(db, id, {
          status: 'closed',
          closed_at: now,
          verified_by: `${principal.kind}:${principal.id}`,
          status_note: input.note,
          updated_at: now,
        });
        const reporters = await this.repo.reporters(db, id);
        await this.deps.audit.append(trx, {
          actor: principal,
          action: 'event.closed',
          subjectType: 'event',
          subjectId: id,
          jurisdictionPath: row.jurisdiction_path,
          details: { note: input.note, reporters: reporters.length },
        });
        const minutes = Math.round((now.getTime() - row.created_at.getTime()) / 60_000);
        await this.outbox.enqueue(
          trx,
          'events.event.closed',
          {
            eventId: id,
            category: row.category,
            status: 'closed',
            jurisdictionPath: row.jurisdiction_path,
            minutesToClose: minutes,
            reporters: reporters.length,
          },
          { key: id },
        );
        await this.deps.notifier.send(
          trx,
          reporters.map((r) => ({
            id: `reporter:${r.id}`,
            webhookUrl: r.notify_url,
            phone: r.phone,
            email: r.email,
          })),
          {
            subjectType: 'event',
            subjectId: id,
            jurisdictionPath: row.jurisdiction_path,
            title: '您反映的问题已办结 Your report has been resolved',
            body: `${input.note}（请对办理结果评价 1–5 星 / please rate the result 1–5）`,
          },
        );
      });
    });
    return this.get(principal, id);
  }

  /** A reporter rates the outcome of a closed request (1–5); a later rating by the same reporter replaces theirs. */
  async rate(id: string, input: { token: string; rating: number; comment?: string }): Promise<EventDto> {
    const { reporter, master } = await this.reporterFor(id, input.token, 'event.rate');
    const actor = { kind: 'anonymous' as const, id: `reporter:${reporter.id}` };
    try {
      return await this.deps.db.transaction().execute(async (trx) => {
        const db = forTables<EventTables>(trx);
        const row = await this.repo.find(db, master, true);
        if (row?.status !== 'closed') {
          throw new AppError('invalid_transition', `request ${id} is not closed yet; rate it once it is`, {
            from: row?.status,
          });
        }
        await this.repo.rate(db, reporter.id, input.rating, input.comment ?? null, this.deps.clock.now());
        await this.deps.audit.append(trx, {
          actor,
          action: 'event.rated',
          subjectType: 'event',
          subjectId: master,
          jurisdictionPath: row.jurisdiction_path,
          details: { rating: input.rating, comment: input.comment ?? null },
        });
        await this.outbox.enqueue(
          trx,
          'events.event.rated',
          {
            eventId: master,
            category: row.category,
            status: row.status,
            jurisdictionPath: row.jurisdiction_path,
            rating: input.rating,
          },
          { key: master },
        );
        return toEventDto(row);
      });
    } catch (err) {
      // Audited after the rollback, in a transaction of its own.
      if (err instanceof AppError) await this.refused(actor, 'event.rate', id, err.code, err.message);
      throw err;
    }
  }

  /** A reporter reopens a closed request within the configured period: it is routed again. */
  async reopen(id: string, input: { token: string; reason: string }): Promise<EventDto> {
    const { reporter, master } = await this.reporterFor(id, input.token, 'event.reopen');
    const actor = { kind: 'anonymous' as const, id: `reporter:${reporter.id}` };
    const principal: Principal = {
      kind: 'system',
      id: `reporter:${reporter.id}`,
      name: 'citizen',
      roles: [],
      jurisdictionCode: '',
      jurisdictionPath: '',
      departmentCode: null,
    };
    try {
      const seen = await this.repo.find(this.db(), master);
      const routing = seen?.category
        ? await this.prepareRoute(principal, seen, await this.deps.rule(seen.category))
        : null;
      return await this.deps.db.transaction().execute(async (trx) => {
        const db = forTables<EventTables>(trx);
        const row = await this.repo.find(db, master, true);
        if (row?.status !== 'closed' || !row.closed_at || !row.category || !routing) {
          throw new AppError(
            'invalid_transition',
            `request ${id} is not closed; only closed requests are reopened`,
            { from: row?.status },
          );
        }
        const limit = row.closed_at.getTime() + this.options.reopenWithinHours * 3_600_000;
        if (this.deps.clock.now().getTime() > limit) {
          throw new AppError(
            'conflict',
            `requests are reopened within ${this.options.reopenWithinHours} h of closing`,
            { reason: 'reopen_period_over' },
          );
        }
        await this.repo.update(db, master, {
          reopened: row.reopened + 1,
          closed_at: null,
          resolved_at: null,
          verified_by: null,
        });
        const { row: updated } = await this.route(
          trx,
          principal,
          { ...row, reopened: row.reopened + 1 },
          routing,
        );
        await this.deps.audit.append(trx, {
          actor,
          action: 'event.reopened',
          subjectType: 'event',
          subjectId: master,
          jurisdictionPath: row.jurisdiction_path,
          details: { reason: input.reason },
        });
        await this.outbox.enqueue(
          trx,
          'events.event.reopened',
          {
            eventId: master,
            category: row.category,
            status: updated.status,
            jurisdictionPath: row.jurisdiction_path,
            reason: input.reason,
          },
          { key: master },
        );
        await this.notifyCentre(trx, row, '市民要求重办 Reopened by the citizen', input.reason);
        return toEventDto(updated);
      });
    } catch (err) {
      if (err instanceof AppError) await this.refused(actor, 'event.reopen', id, err.code, err.message);
      throw err;
    }
  }

  /**
   * Keeps the event's status in step with its tasks (called by dispatch inside its transaction):
   * a returned task sends the event to triage; all live tasks completed → resolved.
   */
  async taskChanged(trx: Db, task: TaskDto, change: { action: string; reason?: string }): Promise<void> {
    const db = forTables<EventTables>(trx);
    const row = await this.repo.find(db, task.eventId, true);
    if (!row || ['closed', 'merged'].includes(row.status)) return;
    const now = this.deps.clock.now();
    if (change.action === 'return') {
      const reason = `task returned by ${task.departmentCode}: ${change.reason ?? ''}`;
      await this.repo.update(db, row.id, {
        status: 'triage',
        triage_reason: reason,
        status_note: reason,
        updated_at: now,
      });
      await this.statusChanged(trx, row, 'triage');
      await this.notifyCentre(trx, row, '任务退回待改派 Returned: re-route', reason);
      return;
    }
    if (row.status === 'triage') return;
    const tasks = (await this.deps.dispatch.tasksOf(trx, row.id)).filter(
      (t) => t.status !== 'cancelled' && t.status !== 'returned',
    );
    let next: EventStatus = 'dispatched';
    if (tasks.length > 0 && tasks.every((t) => t.status === 'completed')) next = 'resolved';
    else if (tasks.some((t) => ['accepted', 'en_route', 'arrived', 'completed'].includes(t.status)))
      next = 'in_progress';
    const note = noteFor(task, change.action);
    if (next === row.status && !note) return;
    await this.repo.update(db, row.id, {
      status: next,
      status_note: note ?? row.status_note,
      resolved_at: next === 'resolved' ? now : null,
      updated_at: now,
    });
    if (next !== row.status) {
      await this.statusChanged(trx, row, next);
      if (next === 'resolved')
        await this.notifyCentre(
          trx,
          row,
          '待核查结案 Ready for verification',
          `${row.category}: all tasks completed`,
        );
    }
  }

  private async detail(row: EventRow): Promise<EventDetail> {
    const master = row.merged_into ? ((await this.repo.find(this.db(), row.merged_into)) ?? row) : row;
    const [tasks, reporters] = await Promise.all([
      this.deps.dispatch.tasksOf(this.deps.db, master.id),
      this.repo.reporters(this.db(), master.id),
    ]);
    const filed = new Set([master.id, row.id, ...reporters.map((r) => r.filed_event_id)]);
    const photos = (await this.photos.ofEvents([...filed])).map(reportPhoto);
    return { ...toEventDto(row), tasks, reporters: reporters.length, photos };
  }

  /**
   * A citizen photo for staff: seen by whoever sees its event (scope; else not_found, as for
   * the event itself). Unattached uploads are seen by nobody.
   */
  async photoForStaff(principal: Principal, photoId: string): Promise<PhotoRow> {
    const photo = await this.photos.attached(photoId);
    const event = await this.repo.find(this.db(), photo.event_id);
    if (!event || !canSee(principal, event.jurisdiction_path)) throw notFound('photo', photoId);
    return photo;
  }

  /** A citizen photo for the reporter who sent it (their token); anyone else → not_found. */
  async photoForReporter(photoId: string, token: string): Promise<PhotoRow> {
    const reporter = await this.repo.reporterByToken(this.db(), token);
    const photo = reporter ? await this.photos.attached(photoId).catch(() => undefined) : undefined;
    if (!reporter || photo?.event_id !== reporter.filed_event_id) {
      await this.refused(
        { kind: 'anonymous', id: 'citizen' },
        'event.photo',
        photoId,
        'not_found',
        'unknown photo or token',
      );
      throw notFound('photo', photoId);
    }
    return photo;
  }

  /**
   * What a reporter sees of their request's photos: the ones they sent, and — once the centre
   * closed it — the proof photos of its completed tasks (`result`).
   */
  async reporterPhotos(requestId: string, token: string): Promise<EventPhoto[]> {
    const { reporter, master } = await this.reporterFor(requestId, token, 'event.photos');
    const own = (await this.photos.ofEvents([reporter.filed_event_id])).map(reportPhoto);
    return [...own, ...(await this.resultPhotos(master, requestId))];
  }

  /** One proof photo of a closed request, for its reporter (their token). */
  async resultPhotoForReporter(requestId: string, evidenceId: string, token: string) {
    const { master } = await this.reporterFor(requestId, token, 'event.photos');
    const found = (await this.closedEvidence(master)).find((e) => e.id === evidenceId);
    if (!found) throw notFound('photo', evidenceId);
    return found;
  }

  /**
   * Public facts about a request's photos (Open311 `media_url`): its first report photo and the
   * first proof photo once closed. The bytes still need the reporter's token or staff scope.
   */
  async photoRefs(filedId: string): Promise<{ report?: EventPhoto; result?: EventPhoto }> {
    const row = await this.repo.find(this.db(), filedId);
    if (!row) return {};
    const [report] = (await this.photos.ofEvents([row.id])).map(reportPhoto);
    const [result] = await this.resultPhotos(row.merged_into ?? row.id, row.id);
    return { ...(report ? { report } : {}), ...(result ? { result } : {}) };
  }

  private async resultPhotos(masterId: string, requestId: string): Promise<EventPhoto[]> {
    return (await this.closedEvidence(masterId)).map((e) => ({
      id: e.id,
      kind: 'result' as const,
      url: `/api/v1/citizen/requests/${requestId}/evidence/${e.id}`,
      sha256: e.sha256,
      mime: e.mime,
      bytes: e.bytes,
      at: e.at,
    }));
  }

  /** The proof photos of a closed event's completed tasks; none before the centre closes it. */
  private async closedEvidence(masterId: string) {
    const master = await this.repo.find(this.db(), masterId);
    if (master?.status !== 'closed') return [];
    return this.deps.dispatch.completionEvidence(masterId);
  }

  private async resultOf(row: EventRow, token: string | null, duplicate: boolean): Promise<IntakeResult> {
    const tasks = await this.deps.dispatch.tasksOf(this.deps.db, row.id);
    return { event: toEventDto(row), tasks, token: token ?? '', duplicate };
  }

  private async reporterFor(id: string, token: string, action: string) {
    const reporter = await this.repo.reporterByToken(this.db(), token);
    if (!reporter || (reporter.filed_event_id !== id && reporter.event_id !== id)) {
      await this.refused(
        { kind: 'anonymous', id: 'citizen' },
        action,
        id,
        'not_found',
        'unknown request or token',
      );
      throw notFound('request', id);
    }
    return { reporter, master: reporter.event_id };
  }

  private async ruleOrThrow(
    actor: Principal | { kind: 'anonymous'; id: string },
    category: string,
  ): Promise<Rule> {
    try {
      return await this.deps.rule(category);
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') {
        await this.refused(actor, 'event.intake', '', 'invalid_data', `unknown category ${category}`);
        throw new AppError('invalid_data', `unknown category '${category}'`, { field: 'category', category });
      }
      throw err;
    }
  }

  private async visibleRow(
    db: ReturnType<typeof forTables<EventTables>>,
    principal: Principal,
    id: string,
    lock: boolean,
  ) {
    const row = await this.repo.find(db, id, lock);
    if (!row) throw notFound('event', id);
    assertVisible(principal, row.jurisdiction_path, 'event', id);
    return row;
  }

  private async statusChanged(trx: Db, row: EventRow, to: string): Promise<void> {
    await this.deps.audit.append(trx, {
      actor: { kind: 'system', id: 'event-centre' },
      action: 'event.status_changed',
      subjectType: 'event',
      subjectId: row.id,
      jurisdictionPath: row.jurisdiction_path,
      details: { from: row.status, to },
    });
    await this.outbox.enqueue(
      trx,
      'events.event.status_changed',
      {
        eventId: row.id,
        category: row.category,
        status: to,
        jurisdictionPath: row.jurisdiction_path,
        from: row.status,
      },
      { key: row.id },
    );
  }

  private async notifyCentre(trx: Db, row: EventRow, title: string, body: string): Promise<void> {
    await this.deps.notifier.send(trx, [{ id: `centre:${row.jurisdiction_code}` }], {
      subjectType: 'event',
      subjectId: row.id,
      jurisdictionPath: row.jurisdiction_path,
      title,
      body,
    });
  }

  private async refusing<T>(
    principal: Principal,
    id: string,
    action: string,
    run: () => Promise<T>,
  ): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof AppError && err.status < 500)
        await this.refused(principal, action, id, err.code, err.message);
      throw err;
    }
  }

  /** Audits a refusal in a transaction of its own. */
  private async refused(
    actor: Principal | { kind: 'anonymous'; id: string },
    action: string,
    id: string,
    code: string,
    message: string,
  ): Promise<void> {
    await this.deps.audit
      .record(this.deps.db, {
        actor: { kind: actor.kind, id: actor.id },
        action: 'event.refused',
        subjectType: 'event',
        subjectId: id || '-',
        jurisdictionPath: 'jurisdictionPath' in actor ? actor.jurisdictionPath : '',
        details: { attempted: action, code, message },
      })
      .catch((err) => this.deps.logger.error({ err }, 'refusal not audited'));
  }

  private db() {
    return forTables<EventTables>(this.deps.db);
  }
}

/** Priority from the accept limit: ≤ 5 min urgent, ≤ 15 high, else normal. */
function priorityOf(rule: Rule | null): 'low' | 'normal' | 'high' | 'urgent' {
  if (!rule) return 'normal';
  const m = rule.limits.acceptMinutes;
  return m <= 5 ? 'urgent' : m <= 15 ? 'high' : 'normal';
}

/** The public status note for a task change. */
function noteFor(task: TaskDto, action: string): string | null {
  const team = task.team?.name ?? task.departmentCode;
  switch (action) {
    case 'accept':
      return `accepted by ${team}`;
    case 'en_route':
      return `${team} is on the way`;
    case 'arrive':
      return `${team} arrived on scene`;
    case 'complete':
      return `${team} completed the work${task.note ? `: ${task.note}` : ''}`;
    case 'unable':
      return `${team} could not complete: ${task.note ?? ''}`;
    case 'assign':
      return `dispatched to ${team}`;
    default:
      return null;
  }
}
