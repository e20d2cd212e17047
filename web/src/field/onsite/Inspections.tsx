import { useTranslation } from 'react-i18next';
import type { OnSiteVisit } from '../../api/enforcement.ts';
import { EmptyState } from '../../shared/EmptyState.tsx';
import { useMyCode, useMyVisits, useTrust } from './data.ts';
import { openVisit } from './route.ts';

/** Today's joint inspections of the signed-in inspector (nothing for a user who is no inspector). */
export function Inspections() {
  const { t } = useTranslation();
  const mine = useMyVisits();
  // Fetched (and cached) while the list shows, so a visit opened offline can still verify codes.
  useTrust();
  useMyCode(mine.data?.inspector?.id);
  if (!mine.data?.inspector) return null;
  const { visits, date } = mine.data;
  return (
    <section className="card onsite-list" aria-labelledby="onsite-today">
      <h2 id="onsite-today">{t('onsite.today')}</h2>
      <p className="small muted">{t('onsite.todayNote', { date, count: visits.length })}</p>
      {visits.length === 0 ? <EmptyState title={t('onsite.none')} note={t('onsite.noneNote')} /> : null}
      <ul className="onsite-visits">
        {visits.map((v) => (
          <li key={v.visit.id}>
            <VisitLink v={v} />
          </li>
        ))}
      </ul>
    </section>
  );
}

function VisitLink({ v }: { v: OnSiteVisit }) {
  const { t } = useTranslation();
  const checks = v.checklist.reduce((n, c) => n + c.checks.length, 0);
  return (
    <a
      href={`/field?visit=${encodeURIComponent(v.visit.id)}`}
      className="onsite-visit"
      data-visit={v.visit.id}
      onClick={(e) => {
        e.preventDefault();
        openVisit(v.visit.id);
      }}
    >
      <strong>{v.enterprise.name}</strong>
      <span className="small">
        {v.visit.departments.map((d) => t(`draws.departments.${d}`, d)).join(' · ')}
      </span>
      <span className="small muted">
        {t('onsite.window', { start: v.visit.start, end: v.visit.end })} ·{' '}
        {t('onsite.checksCount', { count: checks })}
        {v.visit.departments.length > 1 ? ` · ${t('onsite.joint')}` : ''}
      </span>
    </a>
  );
}
