import type { Principal } from '../../platform/access.ts';
import { Outbox } from '../../platform/bus/index.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import type { DispatchDeps } from './dispatch.deps.ts';
import type { Candidate, IndexedTeam } from './dispatch.nearest.ts';
import {
  type AssignReason,
  algorithmUnavailableReason,
  chosenReason,
  noTeamReason,
  reasonOf,
  teamFullReason,
  teamUnavailableReason,
} from './dispatch.reasons.ts';
import { DispatchRepository, type TaskRow, toTaskDto } from './dispatch.repository.ts';
import { dispatchSubjects } from './dispatch.subjects.ts';
import type { DispatchTables } from './dispatch.tables.ts';

/** The filed algorithm every team assignment runs through. */
export const NEAREST_TEAM = 'dispatch.nearest-team';

/** What the nearest-team algorithm decided. */
export interface NearestOutput {
  teamId: string | null;
  teamCode: string | null;
  distanceM: number | null;
  scope: string | null;
  candidates: { teamId: string; teamCode: string; distanceM: number; load: number; capacity: number }[];
}

/** A team chosen for a task (or none, with why), before it is applied in a transaction. */
export interface TeamChoice {
  team: IndexedTeam | null;
  decisionId: string | null;
  reason: AssignReason;
}

/** The result of trying to assign a task. */
export type AssignOutcome =
  | { assigned: true; task: TaskRow; decisionId: string; reason: AssignReason }
  | { assigned: false; task: TaskRow; decisionId: string | null; reason: AssignReason };

/** Paths from a node up to the city: `50/500103/500103003` → itself, `50/500103`, `50`. */
export function scopesUp(path: string): string[] {
  const parts = path.split('/');
  return parts.map((_, i) => parts.slice(0, parts.length - i).join('/'));
}

/**
 * Picks the nearest available team through the algorithm gate, checks the pick against the
 * team's owner (fresh duty, skill, load) and assigns it; a stale pick is excluded and the
 * decision re-run. No team, or the algorithm not in use: the task stays `pending` for a person.
 */
export class Assigner {
  private readonly deps: DispatchDeps;
  private readonly repo = new DispatchRepository();
  private readonly outbox: Outbox<typeof dispatchSubjects>;

  constructor(deps: DispatchDeps) {
    this.deps = deps;
    this.outbox = new Outbox(dispatchSubjects, deps.clock);
  }

  /**
   * Chooses a team outside any transaction: up to three gated decisions, each pick checked
   * against the team's owner (fresh duty, skill, load); a stale pick is excluded and re-decided.
   */
  async choose(actor: Principal, task: TaskRow, exclude = new Set<string>()): Promise<TeamChoice> {
    let last: TeamChoice = {
      team: null,
      decisionId: null,
      reason: noTeamReason(task.department_type, task.skill),
    };
    for (let attempt = 0; attempt < 3; attempt++) {
      const decision = await this.decide(actor, task, exclude);
      if (!decision.decided) {
        return {
          team: null,
          decisionId: decision.decisionId || null,
          reason: algorithmUnavailableReason(decision.reason),
        };
      }
      const out = decision.output;
      const { text, data } = decision.explanation;
      // The algorithm's own reason code when it gives one; else one built from its output.
      const given = reasonOf(data, text);
      if (!out.teamId) {
        const reason = given ?? { ...noTeamReason(task.department_type, task.skill), text };
        return { team: null, decisionId: decision.decisionId, reason };
      }
      const team = await this.deps.teams.fresh(out.teamId);
      if (team.onDuty && team.skills.includes(task.skill) && team.load < team.capacity) {
        const next = out.candidates[1];
        const reason = given ?? {
          ...chosenReason(
            team,
            out.distanceM ?? 0,
            task.skill,
            next && { team: { name: next.teamCode, code: next.teamCode }, distanceM: next.distanceM },
          ),
          text,
        };
        return { team, decisionId: decision.decisionId, reason };
      }
      exclude.add(team.id);
      last = { team: null, decisionId: decision.decisionId, reason: teamUnavailableReason(team) };
    }
    return last;
  }

  /** Applies a choice inside the caller's transaction: assigns (load re-checked there) or leaves the task pending for a person. */
  async apply(
    trx: Db,
    actor: Principal,
    task: TaskRow,
    choice: TeamChoice,
    created?: Record<string, unknown>,
  ): Promise<AssignOutcome> {
    const db = forTables<DispatchTables>(trx);
    let reason = choice.reason;
    if (choice.team) {
      const load = Math.max(choice.team.load, await this.repo.activeCount(db, choice.team.id));
      if (load < choice.team.capacity) {
        const assigned = await this.assign(
          trx,
          actor,
          task,
          choice.team,
          choice.decisionId,
          choice.reason,
          created,
        );
        return { assigned: true, task: assigned, decisionId: choice.decisionId ?? '', reason };
      }
      reason = teamFullReason(choice.team);
    }
    const pending = await this.repo.update(db, task.id, {
      status: 'pending',
      team_id: null,
      team_code: null,
      team_name: null,
      team_department_code: null,
      team_path: null,
      assign_decision_id: choice.decisionId,
      ...reasonColumns(reason),
      updated_at: this.deps.clock.now(),
    });
    await this.deps.notifier.send(trx, [{ id: `centre:${task.centre_code}` }], {
      subjectType: 'task',
      subjectId: task.id,
      jurisdictionPath: task.jurisdiction_path,
      title: '待人工派遣 Task needs a team',
      body: `${task.category} @ ${task.department_code}: ${reason.text}`,
      code: 'task.needs_team',
      params: { category: task.category, department: task.department_code, reasonCode: reason.code },
    });
    await this.deps.audit.append(trx, {
      actor,
      action: created ? 'task.created' : 'task.pending',
      subjectType: 'task',
      subjectId: task.id,
      jurisdictionPath: task.jurisdiction_path,
      details: { reason: reason.text, decisionId: choice.decisionId, ...created, status: 'pending' },
    });
    return { assigned: false, task: pending, decisionId: choice.decisionId, reason };
  }

  /** Assigns a team (chosen by the algorithm or by a dispatcher) and records it. */
  async assign(
    trx: Db,
    actor: Principal,
    task: TaskRow,
    team: { id: string; code: string; name: string; departmentCode: string; path: string },
    decisionId: string | null,
    reason: AssignReason,
    created?: Record<string, unknown>,
  ): Promise<TaskRow> {
    const now = this.deps.clock.now();
    const updated = await this.repo.update(forTables<DispatchTables>(trx), task.id, {
      status: 'assigned',
      team_id: team.id,
      team_code: team.code,
      team_name: team.name,
      team_department_code: team.departmentCode,
      team_path: team.path,
      assign_decision_id: decisionId,
      ...reasonColumns(reason),
      assigned_at: now,
      accepted_at: null,
      updated_at: now,
    });
    const wasHolding = task.team_id && ['assigned', 'accepted', 'en_route', 'arrived'].includes(task.status);
    if (wasHolding && task.team_id) this.deps.teams.adjustLoad(task.team_id, -1);
    this.deps.teams.adjustLoad(team.id, 1);
    const ref = refOf(updated);
    await this.outbox.enqueue(
      trx,
      'dispatch.task.assigned',
      { ...ref, teamId: team.id, teamCode: team.code, decisionId, reason: reason.text },
      { key: task.event_id },
    );
    await this.deps.audit.append(trx, {
      actor,
      // A task assigned as it is created gets one entry saying both.
      action: created ? 'task.created' : 'task.assigned',
      subjectType: 'task',
      subjectId: task.id,
      jurisdictionPath: task.jurisdiction_path,
      details: {
        ...created,
        teamId: team.id,
        teamCode: team.code,
        previousTeamId: task.team_id,
        decisionId,
        reason: reason.text,
      },
    });
    await this.deps.notifier.send(trx, [{ id: `team:${team.id}` }], {
      subjectType: 'task',
      subjectId: task.id,
      jurisdictionPath: task.jurisdiction_path,
      title: '新任务 New task',
      body: `${task.category} — ${reason.text}`,
      code: 'task.new',
      params: { category: task.category, department: task.department_code },
    });
    return updated;
  }

  private decide(actor: Principal, task: TaskRow, exclude: Set<string>) {
    const input = {
      event: { id: task.event_id, category: task.category, jurisdictionCode: task.centre_code },
      department: task.department_code,
      skill: task.skill,
      point: { lon: task.lon, lat: task.lat },
      excluded: [...exclude],
    };
    return this.deps.algorithms.runOrFallback<typeof input, NearestOutput>(
      NEAREST_TEAM,
      input,
      async () => this.nearest(task, exclude),
      {
        principal: actor,
        subjects: [
          { type: 'task', id: task.id },
          { type: 'event', id: task.event_id },
        ],
        jurisdictionPath: task.jurisdiction_path,
      },
    );
  }

  /** The algorithm: nearest available team of the department's type with the skill, widening from the department's node upward. */
  private async nearest(task: TaskRow, exclude: Set<string>) {
    const departmentNode = task.department_code.split(':')[0] ?? '';
    const start = scopeOfNode(task.jurisdiction_path, departmentNode);
    for (const scope of scopesUp(start)) {
      const found = await this.deps.teams.nearest(
        {
          lon: task.lon,
          lat: task.lat,
          departmentType: task.department_type,
          skill: task.skill,
          withinPath: scope,
          exclude,
        },
        2,
      );
      if (found.length) return explain(task, found, scope);
    }
    const { text, code, params } = noTeamReason(task.department_type, task.skill);
    return {
      output: {
        teamId: null,
        teamCode: null,
        distanceM: null,
        scope: null,
        candidates: [],
      } satisfies NearestOutput,
      explanation: {
        text,
        zh: `无可用队伍：${task.department_type} / ${task.skill}`,
        data: { code, params },
      },
    };
  }
}

/** The path of `node` inside `path` (`50/500103/500103003`, `500103` → `50/500103`). */
function scopeOfNode(path: string, node: string): string {
  const parts = path.split('/');
  const i = parts.indexOf(node);
  return i >= 0 ? parts.slice(0, i + 1).join('/') : path;
}

function explain(task: TaskRow, found: Candidate[], scope: string) {
  const [best, next] = found as [Candidate, Candidate | undefined];
  const t = best.team;
  const { text, code, params } = chosenReason(t, best.distanceM, task.skill, next);
  const nextZh = next ? `；次优 ${next.team.name}，${next.distanceM} 米` : '；无其他可用队伍';
  const output: NearestOutput = {
    teamId: t.id,
    teamCode: t.code,
    distanceM: best.distanceM,
    scope,
    candidates: found.map((c) => ({
      teamId: c.team.id,
      teamCode: c.team.code,
      distanceM: c.distanceM,
      load: c.team.load,
      capacity: c.team.capacity,
    })),
  };
  return {
    output,
    explanation: {
      text,
      zh: `选派 ${t.name}：距离 ${best.distanceM} 米，在岗，具备“${task.skill}”技能，在办 ${t.load}/${t.capacity}${nextZh}`,
      data: { distanceM: best.distanceM, nextBestM: next?.distanceM ?? null, scope, code, params },
    },
  };
}

/** The task columns a reason is stored in: English text, code, parameters. */
export function reasonColumns(reason: AssignReason) {
  return {
    assign_reason: reason.text,
    assign_reason_code: reason.code,
    assign_reason_params: reason.params,
  };
}

/** The bus reference of a task. */
export function refOf(t: TaskRow) {
  const dto = toTaskDto(t);
  return {
    taskId: dto.id,
    eventId: dto.eventId,
    category: dto.category,
    departmentCode: dto.departmentCode,
    level: dto.level,
    jurisdictionPath: dto.jurisdictionPath,
  };
}
