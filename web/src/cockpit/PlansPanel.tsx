import { useTranslation } from 'react-i18next';
import type { Plan } from '../api/devices.ts';
import { navigate, planPath } from '../router.ts';
import { EmptyState } from '../shared/EmptyState.tsx';
import { planName, timeOf } from './eventText.ts';
import './plan.css';

/** Tasks of a plan counted per department type, in the plan's order. */
function perDepartment(plan: Plan): [string, number][] {
  const counts = new Map<string, number>();
  for (const task of plan.tasks) counts.set(task.departmentType, (counts.get(task.departmentType) ?? 0) + 1);
  return [...counts];
}

/**
 * Active response plans (预案) from the scenario engine: tasks per department, progress
 * (acknowledged / done of total) and elapsed against the target time. The name opens the plan's
 * page (`/plans/:id`).
 */
export function PlansPanel({ plans, loading }: { plans: readonly Plan[] | undefined; loading: boolean }) {
  const { t, i18n } = useTranslation();
  const active = (plans ?? []).filter((p) => p.status === 'active');
  const completed = (plans ?? []).length - active.length;
  return (
    <section className="plans" aria-labelledby="plans-title">
      <h2 id="plans-title">
        {t('plans.title')} <span className="muted small">({active.length})</span>
      </h2>
      {active.length === 0 ? (
        <EmptyState
          title={loading ? t('common.loading') : t('plans.empty')}
          note={loading ? undefined : t('plans.emptyNote', { count: completed })}
        />
      ) : (
        <ol className="plan-list">
          {active.map((plan) => {
            const { total, acknowledged, done, elapsedMinutes, overdue } = plan.progress;
            const timeShare = Math.min(1, elapsedMinutes / Math.max(1, plan.targetMinutes));
            return (
              <li key={plan.id} className={`plan${overdue ? ' overdue' : ''}`}>
                <div className="plan-head">
                  <a
                    className="plan-link"
                    href={planPath(plan.id)}
                    onClick={(e) => {
                      if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                      e.preventDefault();
                      navigate(planPath(plan.id));
                    }}
                  >
                    {planName(t, i18n.language, plan)}
                  </a>
                  <span className="muted small">{timeOf(plan.startedAt)}</span>
                </div>
                <p className="plan-summary small">{plan.summary}</p>
                <div className="bar-row small">
                  <span className="bar-label">{t('plans.tasks')}</span>
                  <span className="bar" aria-hidden="true">
                    <span
                      className="bar-ack"
                      style={{ width: `${(100 * acknowledged) / Math.max(1, total)}%` }}
                    />
                    <span className="bar-done" style={{ width: `${(100 * done) / Math.max(1, total)}%` }} />
                  </span>
                  <span>{t('plans.progress', { done, acknowledged, total })}</span>
                </div>
                <div className="bar-row small">
                  <span className="bar-label">{t('plans.time')}</span>
                  <span className="bar" aria-hidden="true">
                    <span
                      className={`bar-time${overdue ? ' late' : ''}`}
                      style={{ width: `${100 * timeShare}%` }}
                    />
                  </span>
                  <span>
                    {t('plans.elapsed', { elapsed: Math.round(elapsedMinutes), target: plan.targetMinutes })}
                    {overdue ? ` · ${t('plans.overdue')}` : ''}
                  </span>
                </div>
                <ul className="plan-depts small">
                  {perDepartment(plan).map(([dept, n]) => (
                    <li key={dept}>
                      {t(`departments.${dept}`, dept)} ×{n}
                    </li>
                  ))}
                </ul>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
