import type { TFunction } from 'i18next';

/** A notification as clients get it: the code and parameters, and the text fallback. */
export interface NoticeOf {
  title: string;
  body: string;
  code?: string | null;
  params?: Record<string, string | number | null> | null;
}

/** The parameters with their codes (category, department, plan template, level) named through the catalogue. */
function named(t: TFunction, p: Record<string, string | number | null>) {
  const s = (v: string | number | null | undefined) => (v === null || v === undefined ? '' : String(v));
  const type = s(p.department).split(':')[1] ?? '';
  return {
    ...p,
    category: p.category ? t(`categories.${p.category}`, s(p.category)) : t('notices.noCategory'),
    department: type ? t('departmentKind', { kind: t(`departments.${type}`, type) }) : s(p.department),
    template: p.template ? t(`planTemplates.${p.template}`, s(p.template)) : '',
    from: p.from ? t(`centreLevels.${p.from}`, s(p.from)) : '',
    to: p.to ? t(`centreLevels.${p.to}`, s(p.to)) : '',
    reason: s(p.reason),
    note: s(p.note),
    due: p.due ? new Date(s(p.due)).toLocaleString() : '',
  };
}

/**
 * A notification's title and body in the reader's language, from its code (`notices.<code>`);
 * one without a code (older rows) shows the server's text.
 */
export function noticeText(t: TFunction, n: NoticeOf): { title: string; body: string } {
  if (!n.code || !t(`notices.${n.code}.title`, { defaultValue: '' })) return { title: n.title, body: n.body };
  const p = named(t, n.params ?? {});
  return { title: t(`notices.${n.code}.title`, p), body: t(`notices.${n.code}.body`, p) };
}
