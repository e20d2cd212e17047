import { z } from 'zod';

/**
 * Why a task has its team (or has none): a code and its parameters, which clients render in
 * the reader's language (web catalogue `assignReasons.<code>`), plus the English text kept as
 * `assign_reason` for API clients and rows written before codes existed.
 */
export const ASSIGN_REASON_CODES = [
  /** The nearest-team algorithm chose a team: team, teamCode, distanceM, skill, load, capacity, nextTeam?, nextTeamCode?, nextDistanceM?. */
  'chosen',
  /** No team of the department's type with the skill is on duty with spare capacity: departmentType, skill. */
  'no_team',
  /** The algorithm's pick was stale three times (off duty, skill or load changed): team, teamCode. */
  'team_unavailable',
  /** The chosen team filled up before the assignment was written: team, teamCode. */
  'team_full',
  /** The nearest-team algorithm is not in use or failed: reason (`algorithm_not_in_use` | `algorithm_error`). */
  'algorithm_unavailable',
  /** A dispatcher chose the team: by (the person's name), note (their reason, as typed). */
  'manual',
] as const;

/** One reason code. */
export type AssignReasonCode = (typeof ASSIGN_REASON_CODES)[number];

/** Parameters of a reason: plain values a client interpolates. */
export const ReasonParamsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));
/** Parameters of a reason. */
export type ReasonParams = z.infer<typeof ReasonParamsSchema>;

/** A reason: its code, parameters and English rendering. */
export interface AssignReason {
  code: AssignReasonCode;
  params: ReasonParams;
  text: string;
}

/** A team as a reason names it. */
interface Named {
  name: string;
  code: string;
}

/** The nearest-team algorithm's pick, with the next best when there is one. */
export function chosenReason(
  best: Named & { load: number; capacity: number },
  distanceM: number,
  skill: string,
  next?: { team: Named; distanceM: number },
): AssignReason {
  const nextText = next
    ? `; next best ${next.team.name} (${next.team.code}) at ${next.distanceM} m`
    : '; no other team available';
  return {
    code: 'chosen',
    params: {
      team: best.name,
      teamCode: best.code,
      distanceM,
      skill,
      load: best.load,
      capacity: best.capacity,
      nextTeam: next?.team.name ?? null,
      nextTeamCode: next?.team.code ?? null,
      nextDistanceM: next?.distanceM ?? null,
    },
    text: `team ${best.name} (${best.code}) chosen: ${distanceM} m, on duty, skill '${skill}', ${best.load}/${best.capacity} tasks${nextText}`,
  };
}

/** Nobody can take the task. */
export function noTeamReason(departmentType: string, skill: string): AssignReason {
  return {
    code: 'no_team',
    params: { departmentType, skill },
    text: `no team of type ${departmentType} with skill '${skill}' is on duty with spare capacity`,
  };
}

/** The last pick was found unavailable by the team's owner. */
export function teamUnavailableReason(team: Named): AssignReason {
  return {
    code: 'team_unavailable',
    params: { team: team.name, teamCode: team.code },
    text: `team ${team.code} no longer available`,
  };
}

/** The chosen team filled up in the meantime. */
export function teamFullReason(team: Named): AssignReason {
  return {
    code: 'team_full',
    params: { team: team.name, teamCode: team.code },
    text: `team ${team.code} became full`,
  };
}

/** The gate gave no decision. */
export function algorithmUnavailableReason(reason: string): AssignReason {
  return {
    code: 'algorithm_unavailable',
    params: { reason },
    text: `nearest-team algorithm not available (${reason})`,
  };
}

/** A dispatcher's choice. */
export function manualReason(by: string, note: string): AssignReason {
  return { code: 'manual', params: { by, note }, text: `assigned by ${by}: ${note}` };
}

/** The reason an explanation's `data` carries (`{ code, params }`), if it is a valid one. */
export function reasonOf(data: Record<string, unknown> | undefined, text: string): AssignReason | undefined {
  const code = z.enum(ASSIGN_REASON_CODES).safeParse(data?.code);
  const params = ReasonParamsSchema.safeParse(data?.params);
  return code.success && params.success ? { code: code.data, params: params.data, text } : undefined;
}
