import { assertVisible, type Principal } from '../../platform/access.ts';
import { Outbox } from '../../platform/bus/index.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { type Refusals, refusals } from '../audit/index.ts';
import type { TaskDto, TaskPlan } from '../dispatch/index.ts';
import { DEFAULT_EVENT_OPTIONS, type EventDeps, type EventOptions, type Rule } from './events.deps.ts';
import { noteColumns, notes } from './events.notes.ts';
import { CitizenPhotos, reportPhoto } from './events.photos.ts';
import { EventRepository, type EventRow, toEventDto } from './events.repository.ts';
import type { EventDetail, IntakeResult } from './events.schema.ts';
import { eventSubjects } from './events.subjects.ts';
import type { EventTables } from './events.tables.ts';

/** A planned routing: the rule, the dispatch plan and the lead agency's name. */
export interface Routing {
  rule: Rule;
  plan: TaskPlan;
  agency: string | null;
}

/** An actor who may be refused: a principal, or a citizen known only by a token. */
export type EventActor = Principal | { kind: 'anonymous'; id: string };

/**
 * What the event centre's use cases share: dependencies, options, the repository, the outbox,
 * citizens' photos, the refusal audit and the small writes every use case makes (routing,
 * status changes, notes to the centre). Each use case file takes it as its first argument.
 */
export class EventCore {
  readonly deps: EventDeps;
  readonly options: EventOptions;
  readonly repo = new EventRepository();
  readonly outbox: Outbox<typeof eventSubjects>;
  readonly photos: CitizenPhotos;
  readonly refusals: Refusals;

  constructor(deps: EventDeps) {
    this.deps = deps;
    this.options = { ...DEFAULT_EVENT_OPTIONS, ...deps.options };
    this.outbox = new Outbox(eventSubjects, deps.clock);
    this.refusals = refusals(deps, 'event');
    this.photos = new CitizenPhotos({
      db: deps.db,
      audit: deps.audit,
      clock: deps.clock,
      dir: deps.photoDir,
      limits: deps.photoLimits,
    });
  }

  /** The event tables over the app's database (outside any transaction). */
  db() {
    return forTables<EventTables>(this.deps.db);
  }

  /** Audits a refusal in a transaction of its own. */
  refused(actor: EventActor, action: string, id: string, code: string, message: string): Promise<void> {
    return this.refusals.refused(actor, action, id, code, message);
  }

  /** Plans the event's tasks and looks up the lead department's name, outside any transaction. */
  async prepareRoute(
    actor: Principal,
    row: Pick<EventRow, 'id' | 'lon' | 'lat' | 'chain' | 'jurisdiction_path'>,
    rule: Rule,
  ): Promise<Routing> {
    const plan = await this.deps.routing.plan(
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
  async route(
    trx: Db,
    actor: Principal,
    row: EventRow,
    routing: Routing,
  ): Promise<{ row: EventRow; tasks: TaskDto[] }> {
    const { rule, plan, agency } = routing;
    const tasks = await this.deps.routing.createTasks(trx, actor, plan);
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
      ...noteColumns(lead?.team ? notes.dispatched(lead.team.name) : notes.waitingForTeam()),
      updated_at: this.deps.clock.now(),
    });
    return { row: updated, tasks };
  }

  /** The event with its tasks, reporters and photos (a merged report shows its master's). */
  async detail(row: EventRow): Promise<EventDetail> {
    const master = row.merged_into ? ((await this.repo.find(this.db(), row.merged_into)) ?? row) : row;
    const [tasks, reporters] = await Promise.all([
      this.deps.dispatch.tasksOf(this.deps.db, master.id),
      this.repo.reporters(this.db(), master.id),
    ]);
    const filed = new Set([master.id, row.id, ...reporters.map((r) => r.filed_event_id)]);
    const photos = (await this.photos.ofEvents([...filed])).map(reportPhoto);
    return { ...toEventDto(row), tasks, reporters: reporters.length, photos };
  }

  /** One event (by id or tracking number) with its tasks; not_found outside the principal's jurisdiction. */
  async get(principal: Principal, ref: string): Promise<EventDetail> {
    const id = await this.repo.idOf(this.db(), ref);
    return this.detail(await this.visibleRow(this.db(), principal, id, false));
  }

  /** An intake result for an event already written (a repeated external reference). */
  async resultOf(row: EventRow, token: string | null, duplicate: boolean): Promise<IntakeResult> {
    const tasks = await this.deps.dispatch.tasksOf(this.deps.db, row.id);
    return { event: toEventDto(row), tasks, token: token ?? '', duplicate };
  }

  /** The reporter behind a token, if it filed or shares request `id`; else refused and not_found. */
  async reporterFor(id: string, token: string, action: string) {
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

  /** The responsibility rule of a category; an unknown one is refused as invalid_data. */
  async ruleOrThrow(actor: EventActor, category: string): Promise<Rule> {
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

  /** An event the principal may see (locked when asked); not_found otherwise. */
  async visibleRow(
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

  /** Audits and publishes a status change (inside the transaction). */
  async statusChanged(trx: Db, row: EventRow, to: string): Promise<void> {
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

  /** Tells the centre of the event's place (inside the transaction). */
  async notifyCentre(
    trx: Db,
    row: EventRow,
    title: string,
    body: string,
    notice?: { code: string; params: Record<string, string | number | null> },
  ): Promise<void> {
    await this.deps.notifier.send(trx, [{ id: `centre:${row.jurisdiction_code}` }], {
      subjectType: 'event',
      subjectId: row.id,
      jurisdictionPath: row.jurisdiction_path,
      title,
      body,
      ...notice,
    });
  }
}
