import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type DeskItem, useBundleDefinitions, useBundles, useDesk } from '../api/services.ts';
import type { Me } from '../api/types.ts';
import { deskDepartments } from '../shared/bundles.ts';
import { EmptyState } from '../shared/EmptyState.tsx';
import { useFieldTitles } from '../shared/MaterialRecord.tsx';
import { useDepartmentNames } from '../shared/names.ts';
import { DeskCard } from './DeskCard.tsx';
import './desk.css';
import { PageHeader } from './PageHeader.tsx';
import { SERVICES_KPI_ROLES, ServicesKpis } from './ServicesKpis.tsx';

/** Roles that have a desk (a liaison its department's; an administrator any department's). */
const DESK_ROLES: readonly string[] = ['admin', 'department_liaison'];
/** Roles the page has something for: a desk, or the services KPIs. */
export const SERVICES_PAGE_ROLES: readonly string[] = [...new Set([...DESK_ROLES, ...SERVICES_KPI_ROLES])];

/**
 * A department's services desk (政务服务窗口), `/desk`: the steps of 一件事 applications waiting
 * for the department — materials, time limit and overdue —, each decided here (approve, reject
 * with a reason, or ask the applicant for a correction). Read again every 10 s. The city's
 * oversight (operators, auditors) sees the services KPIs here.
 */
export function DeskPage({ me }: { me: Me }) {
  const { t } = useTranslation();
  const admin = me.principal.roles.includes('admin');
  const liaison = me.principal.roles.includes('department_liaison') && Boolean(me.principal.departmentCode);
  const mayKpis = me.principal.roles.some((r) => SERVICES_KPI_ROLES.includes(r));
  const [department, setDepartment] = useState('');
  const desk = useDesk(admin ? department || undefined : undefined, admin || liaison);
  const bundles = useBundles();
  const own = me.principal.departmentCode ?? '';
  const choices = deskDepartments(useBundleDefinitions((bundles.data ?? []).map((b) => b.id)));
  const deptName = useDepartmentNames([...choices, own].filter(Boolean));
  const [announced, setAnnounced] = useState('');
  const items = [...(desk.data ?? [])].sort(
    (a, b) => Date.parse(a.step.dueAt ?? '9999') - Date.parse(b.step.dueAt ?? '9999'),
  );
  const now = Date.now();
  const overdue = items.filter((i) => i.step.dueAt && Date.parse(i.step.dueAt) < now).length;
  const fieldTitle = useFieldTitles(
    items.flatMap((i) => i.materials.flatMap((m) => (m.resourceId ? [m.resourceId] : []))),
  );
  const bundleOf = (i: DeskItem) => bundles.data?.find((b) => b.id === i.bundleId);
  return (
    <div className="cockpit data-page-wrap">
      <PageHeader me={me} backLabel={t('desk.back')} />
      <main className="desk-page" aria-labelledby="desk-title">
        <h1 id="desk-title">
          {t('desk.title')}
          {liaison && !admin ? <span className="desk-dept"> · {deptName(own)}</span> : null}
        </h1>
        {!admin && !liaison ? (
          <p className="muted">{mayKpis ? t('desk.kpisOnly') : t('desk.notAllowed')}</p>
        ) : (
          <>
            <div className="desk-bar">
              {admin ? (
                <label className="desk-select">
                  <span>{t('desk.department')}</span>
                  <select
                    className="field-input"
                    value={department}
                    onChange={(e) => setDepartment(e.target.value)}
                  >
                    <option value="">{t('desk.allDepartments')}</option>
                    {choices.map((d) => (
                      <option key={d} value={d}>
                        {deptName(d)}
                      </option>
                    ))}
                  </select>
                </label>
              ) : null}
              <p className="desk-counts" aria-live="polite">
                {desk.data ? t('desk.counts', { count: items.length, overdue }) : t('common.loading')}
              </p>
            </div>
            <p className="sr-only" role="status">
              {announced}
            </p>
            {desk.isError ? (
              <p className="error" role="alert">
                {t('desk.failed', { message: desk.error.message })}
              </p>
            ) : null}
            {desk.data && items.length === 0 ? (
              <EmptyState title={t('desk.empty')} note={t('desk.emptyNote')} />
            ) : null}
            <ul className="desk-list">
              {items.map((i) => (
                <DeskCard
                  key={`${i.applicationId}-${i.step.item}-${i.step.round}`}
                  item={i}
                  bundle={bundleOf(i)}
                  fieldTitle={fieldTitle}
                  onDecided={setAnnounced}
                />
              ))}
            </ul>
          </>
        )}
        {mayKpis ? <ServicesKpis /> : null}
      </main>
    </div>
  );
}
