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
