import { z } from 'zod';

/**
 * What the event's status note says to the citizen, as a code and parameters rendered in the
 * reader's language (the citizen portal, Open311 `status_notes` by Accept-Language), with the
 * English text kept as `status_note` for API clients and rows written before codes existed.
 */
export const STATUS_NOTE_CODES = [
  /** team */
  'dispatched',
  'waiting_for_team',
  'merged',
  /** Waiting for a person to route it (low classifier confidence, no classifier, …). */
  'triage',
  /** A department sent its task back; the event is being re-routed. */
  'returned',
  /** team */
  'accepted',
  /** team */
  'en_route',
  /** team */
  'arrived',
  /** team, note (the officer's, may be null) */
  'completed',
  /** team, note */
  'unable',
  /** note (the operator's) */
  'verification_failed',
  /** note (the operator's closing note) */
  'closed',
] as const;

/** One status-note code. */
export type StatusNoteCode = (typeof STATUS_NOTE_CODES)[number];

/** Parameters of a note: plain values to interpolate. */
export const NoteParamsSchema = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));
/** Parameters of a note. */
export type NoteParams = z.infer<typeof NoteParamsSchema>;

/** A status note: code, parameters, English text. */
export interface StatusNote {
  code: StatusNoteCode;
  params: NoteParams;
  text: string;
}

/** The columns a note is stored in. */
export function noteColumns(note: StatusNote | null) {
  return {
    status_note: note?.text ?? null,
    status_note_code: note?.code ?? null,
    status_note_params: note?.params ?? null,
  };
}

const note = (code: StatusNoteCode, params: NoteParams, text: string): StatusNote => ({ code, params, text });

/** Builders, one per code; the English texts are the ones the API has always returned. */
export const notes = {
  dispatched: (team: string) => note('dispatched', { team }, `dispatched to ${team}`),
  waitingForTeam: () => note('waiting_for_team', {}, 'waiting for a team'),
  merged: () => note('merged', {}, 'merged with an earlier report of the same problem'),
  triage: (reason: string) => note('triage', { reason }, reason),
  returned: (department: string, reason: string) =>
    note('returned', { department, reason }, `task returned by ${department}: ${reason}`),
  accepted: (team: string) => note('accepted', { team }, `accepted by ${team}`),
  enRoute: (team: string) => note('en_route', { team }, `${team} is on the way`),
  arrived: (team: string) => note('arrived', { team }, `${team} arrived on scene`),
  completed: (team: string, remark: string | null) =>
    note('completed', { team, note: remark }, `${team} completed the work${remark ? `: ${remark}` : ''}`),
  unable: (team: string, remark: string | null) =>
    note('unable', { team, note: remark }, `${team} could not complete: ${remark ?? ''}`),
  verificationFailed: (remark: string) =>
    note('verification_failed', { note: remark }, `verification failed: ${remark}`),
  closed: (remark: string) => note('closed', { note: remark }, remark),
};

/** Languages notes are rendered in; Simplified Chinese is the default. */
export type NoteLanguage = 'zh-CN' | 'en';

/** The language an Accept-Language header prefers among ours (zh-CN unless English comes first). */
export function noteLanguage(acceptLanguage: string | undefined): NoteLanguage {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...rest] = part.trim().split(';');
      const q = Number(
        rest
          .find((r) => r.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? '1',
      );
      return { tag: tag.toLowerCase(), q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((x) => x.q > 0 && (x.tag.startsWith('en') || x.tag.startsWith('zh')))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return ranked[0]?.tag.startsWith('en') ? 'en' : 'zh-CN';
}

type Render = (p: NoteParams) => string;
const s = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : String(v));
const withNote = (p: NoteParams, sep: string) => (p.note ? `${sep}${s(p.note)}` : '');

/** How the citizen reads each code (Open311 `status_notes`; the web portal has the same in its catalogue). */
const TEXTS: Record<NoteLanguage, Record<StatusNoteCode, Render>> = {
  'zh-CN': {
    dispatched: (p) => `已派遣至${s(p.team)}`,
    waiting_for_team: () => '已受理，正在安排处置力量',
    merged: () => '已与此前同一问题的报告合并办理',
    triage: () => '已受理，正在人工分拨',
    returned: () => '正在重新分拨至责任部门',
    accepted: (p) => `${s(p.team)}已接单`,
    en_route: (p) => `${s(p.team)}正在赶往现场`,
    arrived: (p) => `${s(p.team)}已到达现场`,
    completed: (p) => `${s(p.team)}已处置完成${withNote(p, '：')}`,
    unable: (p) => `${s(p.team)}暂时无法处置${withNote(p, '：')}`,
    verification_failed: (p) => `核查未通过，重新处置${withNote(p, '：')}`,
    closed: (p) => s(p.note),
  },
  en: {
    dispatched: (p) => `Dispatched to ${s(p.team)}`,
    waiting_for_team: () => 'Received; a team is being arranged',
    merged: () => 'Merged with an earlier report of the same problem',
    triage: () => 'Received; being routed by a dispatcher',
    returned: () => 'Being routed again to the responsible department',
    accepted: (p) => `Accepted by ${s(p.team)}`,
    en_route: (p) => `${s(p.team)} is on the way`,
    arrived: (p) => `${s(p.team)} arrived on scene`,
    completed: (p) => `${s(p.team)} completed the work${withNote(p, ': ')}`,
    unable: (p) => `${s(p.team)} could not complete the work${withNote(p, ': ')}`,
    verification_failed: (p) => `Verification failed; the work is being redone${withNote(p, ': ')}`,
    closed: (p) => s(p.note),
  },
};

/** A note in a language: from its code when it has one, else the stored text. */
export function renderNote(
  n: { statusNote: string | null; statusNoteCode?: string | null; statusNoteParams?: NoteParams | null },
  lang: NoteLanguage,
): string | null {
  const code = z.enum(STATUS_NOTE_CODES).safeParse(n.statusNoteCode);
  if (!code.success) return n.statusNote;
  return TEXTS[lang][code.data](n.statusNoteParams ?? {});
}
