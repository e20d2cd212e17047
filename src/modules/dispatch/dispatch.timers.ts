import { type Principal, SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { Outbox } from '../../platform/bus/index.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import { refOf } from './dispatch.assign.ts';
import { lockTask } from './dispatch.core.ts';
import type { DispatchDeps, TaskListener } from './dispatch.deps.ts';
import { DispatchRepository, type TaskRow, toTaskDto } from './dispatch.repository.ts';
import { CENTRE_LEVELS, type CentreLevel } from './dispatch.schema.ts';
import { dispatchSubjects } from './dispatch.subjects.ts';
import type { DispatchTables } from './dispatch.tables.ts';

/** A time limit. */
export type Kind = 'accept' | 'arrive' | 'resolve';

/** Statuses in which each time limit is still unmet. */
const UNMET: Record<Kind, string[]> = {
  accept: ['pending', 'assigned'],
  arrive: ['pending', 'assigned', 'accepted', 'en_route', 'unable'],
  resolve: ['pending', 'assigned', 'accepted', 'en_route', 'arrived', 'unable'],
};

/**
 * Durable time limits. Each task has three timer rows (accept, arrive, resolve) with `due_at`;
 * `tick()` fires the due ones, each in a transaction of its own that takes the timer `FOR UPDATE
 * SKIP LOCKED` (several schedulers may run) and then the task as every writer does (event, task,
 * audit head — one batch transaction holding the head while it waited for the next task deadlocked
 * with an officer acting on that task). A limit still unmet escalates the task one level — street →
 * district → city — notifying the centre it reaches, and arms the same limit again for the next
 * level. Time is the injected clock's.
 */
export class EscalationScheduler {
  private readonly deps: DispatchDeps;
  private readonly repo = new DispatchRepository();
  private readonly outbox: Outbox<typeof dispatchSubjects>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(deps: DispatchDeps) {
    this.deps = deps;
    this.outbox = new Outbox(dispatchSubjects, deps.clock);
  }

  /** Fires every due timer (read in batches, each fired in its own transaction); returns how many fired. */
  async tick(batch = 50): Promise<number> {
    let total = 0;
    for (;;) {
      const due = await this.repo.dueTimers(
        forTables<DispatchTables>(this.deps.db),
        this.deps.clock.now(),
        batch,
      );
      let fired = 0;
      for (const id of due) if (await this.fire(id)) fired += 1;
      total += fired;
      if (due.length < batch || fired === 0) return total;
    }
  }

  /** Fires one timer unless another scheduler holds it or fired it meanwhile; true when this call fired it. */
  private fire(id: number): Promise<boolean> {
    return this.deps.db.transaction().execute(async (trx) => {
      const db = forTables<DispatchTables>(trx);
      const timer = await this.repo.claimTimer(db, id);
      if (!timer) return false;
      await this.repo.fireTimer(db, timer.id, this.deps.clock.now());
      const task = await lockTask(trx, this.repo, this.deps.listener, timer.task_id);
      const kind = timer.kind as Kind;
      if (task && UNMET[kind].includes(task.status)) await this.escalate(trx, task, kind, timer.due_at);
      return true;
    });
  }

  /** Runs `tick` every `intervalMs` until `stop`. */
  start(intervalMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .catch((err) => {
          this.deps.logger.error({ err }, 'escalation tick failed');
          return 0;
        })
        .finally(() => {
          this.running = undefined;
        });
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the loop and waits for a running tick. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async escalate(trx: Db, task: TaskRow, kind: Kind, dueAt: Date): Promise<void> {
    await escalateTask(
      { deps: this.deps, repo: this.repo, outbox: this.outbox, listener: this.deps.listener },
      trx,
      task,
      { kind, dueAt },
    );
  }
}

/** Why a task rises a level: a missed time limit (the scheduler) or an operator's decision with a reason. */
export type EscalationCause =
  | { kind: Kind; dueAt: Date }
  | { kind: 'manual'; actor: Principal; reason: string };

/** What `escalateTask` writes with. */
export interface EscalationContext {
  deps: DispatchDeps;
  repo: DispatchRepository;
  outbox: Outbox<typeof dispatchSubjects>;
  listener: TaskListener | undefined;
}

/**
 * Raises a locked task one level — street → district → city — inside the caller's transaction:
 * the task moves to the parent centre (`escalations + 1`), a `task.escalated` audit entry and a
 * `dispatch.task.escalated` message are written, both centres are notified and the listener (the
 * event centre) is told. A missed limit is re-armed for the next level; a manual escalation leaves
 * the timers as they are (a limit still unmet escalates again when it falls due). Returns the task
 * after, or `undefined` when it is at the city level already (a missed limit then only notifies
 * the city centre again; a manual escalation is refused by its caller before).
 */
export async function escalateTask(
  ctx: EscalationContext,
  trx: Db,
  task: TaskRow,
  cause: EscalationCause,
): Promise<TaskRow | undefined> {
  const { deps, repo, outbox, listener } = ctx;
  const db = forTables<DispatchTables>(trx);
  const now = deps.clock.now();
  const from = task.level as CentreLevel;
  const next = CENTRE_LEVELS[CENTRE_LEVELS.indexOf(from) + 1];
  const { kind } = cause;
  const manual = cause.kind === 'manual' ? cause : undefined;
  const missed = cause.kind === 'manual' ? undefined : cause;
  if (!next) {
    if (missed) {
      await deps.notifier.send(trx, [{ id: `centre:${task.centre_code}` }], {
        subjectType: 'task',
        subjectId: task.id,
        jurisdictionPath: task.jurisdiction_path,
        title: '任务仍超时 Task still overdue',
        body: `${task.category}: ${kind} limit missed at the city centre`,
        code: 'task.still_overdue',
        params: { category: task.category, kind },
      });
    }
    return undefined;
  }
  const parts = task.centre_path.split('/');
  const centrePath = parts.length > 1 ? parts.slice(0, -1).join('/') : task.centre_path;
  const centreCode = centrePath.split('/').at(-1) ?? task.centre_code;
  const updated = await repo.update(db, task.id, {
    level: next,
    centre_code: centreCode,
    centre_path: centrePath,
    escalations: task.escalations + 1,
    updated_at: now,
  });
  if (missed) {
    const window = windowOf(task, missed.kind);
    await repo.insertTimers(db, [
      { task_id: task.id, kind: missed.kind, due_at: new Date(now.getTime() + window), fired_at: null },
    ]);
  }
  await deps.audit.append(trx, {
    actor: manual?.actor ?? SYSTEM_PRINCIPAL,
    action: 'task.escalated',
    subjectType: 'task',
    subjectId: task.id,
    jurisdictionPath: task.jurisdiction_path,
    details: {
      kind,
      fromLevel: from,
      toLevel: next,
      centreCode,
      ...(missed
        ? {
            dueAt: missed.dueAt.toISOString(),
            overdueMinutes: Math.round((now.getTime() - missed.dueAt.getTime()) / 60_000),
          }
        : { reason: manual?.reason }),
    },
  });
  await outbox.enqueue(
    trx,
    'dispatch.task.escalated',
    {
      ...refOf(updated),
      kind,
      fromLevel: from,
      toLevel: next,
      centreCode,
      ...(manual ? { reason: manual.reason } : {}),
    },
    { key: task.event_id },
  );
  await deps.notifier.send(trx, [{ id: `centre:${centreCode}` }, { id: `centre:${task.centre_code}` }], {
    subjectType: 'task',
    subjectId: task.id,
    jurisdictionPath: task.jurisdiction_path,
    title: manual ? `人工上报 Escalated to the ${next} centre` : `超时升级 Escalated to the ${next} centre`,
    body: manual
      ? `${task.category}: escalated by ${manual.actor.name} from the ${from} centre: ${manual.reason}; now followed by ${centreCode}`
      : `${task.category}: the ${kind} limit (${missed?.dueAt.toISOString()}) was missed; now followed by ${centreCode}`,
    code: manual ? 'task.escalated_manually' : 'task.escalated',
    params: {
      category: task.category,
      from,
      to: next,
      centre: centreCode,
      kind: manual ? null : kind,
      by: manual?.actor.name ?? null,
      reason: manual?.reason ?? null,
    },
  });
  await listener?.taskChanged(trx, toTaskDto(updated), {
    action: 'escalate',
    actor: manual?.actor ?? SYSTEM_PRINCIPAL,
    reason: manual ? manual.reason : `${kind} overdue`,
  });
  return updated;
}

/** The length of a limit, from the task's creation to its due time. */
function windowOf(task: TaskRow, kind: Kind): number {
  const due = { accept: task.accept_due_at, arrive: task.arrive_due_at, resolve: task.resolve_due_at }[kind];
  return Math.max(60_000, due.getTime() - task.created_at.getTime());
}
