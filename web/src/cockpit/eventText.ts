import type { TFunction } from 'i18next';

/** Local wall time of an ISO instant, "MM-DD HH:mm". */
export function timeOf(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** An event's status in words. */
export function statusLabel(t: TFunction, status: string): string {
  return t(`eventStatus.${status}`, status);
}

/** A task's status in words. */
export function taskStatusLabel(t: TFunction, status: string): string {
  return t(`taskStatus.${status}`, status);
}

/** Parameters of a server reason code: plain values to interpolate. */
export type ReasonParams = Record<string, string | number | null>;

/** What a task says about why it has its team: the code and parameters, and the English fallback. */
export interface ReasonOf {
  assignReason: string | null;
  assignReasonCode?: string | null;
  assignReasonParams?: ReasonParams | null;
}

/**
 * Why a task has its team (or none), in the reader's language, from the server's reason code and
 * parameters (`assignReasons.<code>`); codes inside the parameters (skill, department type, the
 * gate's refusal) are named through the catalogue too. Tasks without a code (older rows) show the
 * server's English text.
 */
export function assignReasonLabel(t: TFunction, task: ReasonOf): string | null {
  const code = task.assignReasonCode;
  if (!code) return task.assignReason;
  const p = task.assignReasonParams ?? {};
  const named = {
    ...p,
    skill: p.skill ? t(`skills.${p.skill}`, String(p.skill)) : '',
    departmentType: p.departmentType ? t(`departments.${p.departmentType}`, String(p.departmentType)) : '',
    reason: p.reason ? t(`assignReasons.gate.${p.reason}`, String(p.reason)) : '',
    team: p.team ?? p.teamCode ?? '',
  };
  const text = t(`assignReasons.${code}`, { ...named, defaultValue: task.assignReason ?? code });
  if (code !== 'chosen') return text;
  const next = p.nextDistanceM !== null && p.nextDistanceM !== undefined;
  return (
    text +
    (next
      ? t('assignReasons.next', { team: p.nextTeam ?? p.nextTeamCode ?? '', distanceM: p.nextDistanceM })
      : t('assignReasons.noNext'))
  );
}

/** A logged decision as the "why" panel shows it. */
export interface DecisionOf {
  key: string;
  explanation?: { text: string; zh?: string; data?: Record<string, unknown> } | null;
  reason?: string | null;
  outcome: string;
}

/**
 * A decision's explanation in the reader's language: the nearest-team algorithm's from its reason
 * code (as the task shows it), others in Chinese (`zh`) or English (`text`) as the language asks.
 */
export function explanationLabel(t: TFunction, lng: string, d: DecisionOf): string {
  const e = d.explanation;
  if (!e) return d.reason ?? d.outcome;
  const code = typeof e.data?.code === 'string' ? e.data.code : undefined;
  const params = e.data?.params as ReasonParams | undefined;
  if (d.key === 'dispatch.nearest-team' && code && params)
    return (
      assignReasonLabel(t, { assignReason: e.text, assignReasonCode: code, assignReasonParams: params }) ??
      e.text
    );
  return lng === 'en' ? e.text : (e.zh ?? e.text);
}

/** A plan's name in the reader's language: the template's name from the catalogue in English, the plan's own in Chinese. */
export function planName(t: TFunction, lng: string, plan: { name: string; templateKey: string }): string {
  return lng === 'en' ? t(`planTemplates.${plan.templateKey}`, plan.name) : plan.name;
}
