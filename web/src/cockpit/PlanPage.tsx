import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client.ts';
import { type EventDetail, useEvent, useLiveStream, usePlan } from '../api/events.ts';
import type { Me } from '../api/types.ts';
import { eventPath, FROM_COCKPIT, navigate } from '../router.ts';
import { useDepartmentNames } from '../shared/names.ts';
import { planName, statusLabel, taskStatusLabel, timeOf } from './eventText.ts';
import { PageHeader } from './PageHeader.tsx';
import './plan.css';

/** A plan as GET /api/v1/plans/{id} answers. */
type PlanDetail = NonNullable<ReturnType<typeof usePlan>['data']>;
type PlanTask = PlanDetail['tasks'][number];

const MINUTE = 60_000;

/** The current time, ticking every `everyMs` (elapsed times move without a refetch). */
function useNow(everyMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** Tasks grouped by department type, in the plan's order. */
function byDepartment(tasks: readonly PlanTask[]): [string, PlanTask[]][] {
  const groups = new Map<string, PlanTask[]>();
  for (const task of tasks)
    groups.set(task.departmentType, [...(groups.get(task.departmentType) ?? []), task]);
  return [...groups];
}

/** Minutes from the plan's start to a task's completion (or now) against its due time. */
function taskClock(plan: PlanDetail, task: PlanTask, now: number) {
  const start = Date.parse(plan.startedAt);
  const end = task.completedAt ? Date.parse(task.completedAt) : now;
  const due = Date.parse(task.dueAt);
  return {
    elapsed: Math.max(0, (end - start) / MINUTE),
    target: Math.max(1, (due - start) / MINUTE),
    overdue: end > due,
  };
}

/** One line of the plan's timeline. */
interface Moment {
  key: string;
  at: string;
  text: string;
  tone: 'done' | 'late' | 'ahead' | 'plain';
}

/** The plan's timeline from its own, its tasks' and its event's timestamps. */
function timeline(
  plan: PlanDetail,
  event: EventDetail | undefined,
  now: number,
  t: ReturnType<typeof useTranslation>['t'],
  lng: string,
): Moment[] {
  const dept = (task: PlanTask) => t(`departments.${task.departmentType}`, task.departmentType);
  const moments: Moment[] = [];
  if (event)
    moments.push({ key: 'reported', at: event.createdAt, text: t('plan.tl.reported'), tone: 'plain' });
  moments.push({
    key: 'started',
    at: plan.startedAt,
    text: t('plan.tl.started', { name: planName(t, lng, plan) }),
    tone: 'plain',
  });
  for (const task of plan.tasks) {
    if (task.acknowledgedAt)
      moments.push({
        key: `ack-${task.key}`,
        at: task.acknowledgedAt,
        text: t('plan.tl.acknowledged', { who: dept(task) }),
        tone: 'plain',
      });
    if (task.completedAt) {
      const late = Date.parse(task.completedAt) > Date.parse(task.dueAt);
      moments.push({
        key: `done-${task.key}`,
        at: task.completedAt,
        text: t('plan.tl.completed', { who: dept(task), title: task.title }),
        tone: late ? 'late' : 'done',
      });
    }
  }
  if (plan.progress.completedAt) {
    moments.push({
      key: 'all-done',
      at: plan.progress.completedAt,
      text: t('plan.tl.allDone'),
      tone: plan.progress.onTime === false ? 'late' : 'done',
    });
  }
  const targetPassed = Date.parse(plan.targetAt) <= now;
  if (!plan.progress.completedAt || Date.parse(plan.progress.completedAt) > Date.parse(plan.targetAt)) {
    moments.push({
      key: 'target',
      at: plan.targetAt,
      text: targetPassed ? t('plan.tl.targetMissed') : t('plan.tl.target'),
      tone: targetPassed ? 'late' : 'ahead',
    });
  } else {
    moments.push({ key: 'target', at: plan.targetAt, text: t('plan.tl.target'), tone: 'plain' });
  }
  if (event?.closedAt)
    moments.push({ key: 'closed', at: event.closedAt, text: t('plan.tl.eventClosed'), tone: 'done' });
  return moments.sort((a, b) => a.at.localeCompare(b.at));
}

/**
 * The page of one response plan (`/plans/:id`): progress against the target time, the steps
 * per department with their status and elapsed against due time (red when overdue), the event
 * it covers, and its timeline. Updated by the live stream (task and event changes).
 */
export function PlanPage({ id, me }: { id: string; me: Me }) {
  const { t } = useTranslation();
  useLiveStream();
  const plan = usePlan(id);
  const p = plan.data;
  const event = useEvent(p?.eventId);
  const now = useNow(15_000);

  return (
    <div className="cockpit plan-page-wrap">
      <PageHeader me={me} backLabel={t('plan.back')} />
      <main className="plan-page" aria-labelledby="plan-title">
        {!p ? (
          <section className="plan-missing">
            <h1 id="plan-title">{t('plan.title')}</h1>
            <p className="muted">
              {plan.isError
                ? plan.error instanceof ApiError && plan.error.status === 404
                  ? t('plan.notFound')
                  : plan.error.message
                : t('common.loading')}
            </p>
          </section>
        ) : (
          <PlanBody plan={p} event={event.data} now={now} />
        )}
      </main>
    </div>
  );
}

function PlanBody({ plan, event, now }: { plan: PlanDetail; event: EventDetail | undefined; now: number }) {
  const { t, i18n } = useTranslation();
  const active = plan.status === 'active';
  const elapsed = active ? (now - Date.parse(plan.startedAt)) / MINUTE : plan.progress.elapsedMinutes;
  const overdue = active ? elapsed > plan.targetMinutes : plan.progress.onTime === false;
  const { total, acknowledged, done } = plan.progress;
  return (
    <>
      <section className="plan-hero" aria-label={t('plan.summary')}>
        <div className="plan-hero-head">
          <h1 id="plan-title">{planName(t, i18n.language, plan)}</h1>
          <span className={`badge ${active ? 'plan-active' : 'plan-completed'}`}>
            {active ? t('plan.active') : t('plan.completed')}
          </span>
          {overdue ? <span className="badge plan-late">{t('plan.overdue')}</span> : null}
        </div>
        <p className="plan-summary">{plan.summary}</p>
        <dl className="plan-facts">
          <dt>{t('plan.started')}</dt>
          <dd>{timeOf(plan.startedAt)}</dd>
          <dt>{t('plan.target')}</dt>
          <dd>{t('plan.targetValue', { minutes: plan.targetMinutes, at: timeOf(plan.targetAt) })}</dd>
          <dt>{t('plan.elapsed')}</dt>
          <dd className={overdue ? 'late' : undefined}>
            {t('plan.minutes', { elapsed: Math.round(elapsed), target: plan.targetMinutes })}
          </dd>
          <dt>{t('plan.progress')}</dt>
          <dd>{t('plan.progressValue', { done, acknowledged, total })}</dd>
          <dt>{t('plan.template')}</dt>
          <dd>
            <span className="plan-template" data-key={plan.templateKey}>
              {t('plan.templateValue', {
                name: t(`planTemplates.${plan.templateKey}`, plan.templateKey),
                version: plan.templateVersion,
              })}
            </span>{' '}
            · {t(`plan.scenarios.${plan.scenario}`, plan.scenario)}
          </dd>
        </dl>
        <div
          className="bar plan-bar"
          role="img"
          aria-label={t('plan.minutes', { elapsed: Math.round(elapsed), target: plan.targetMinutes })}
        >
          <span
            className={`bar-time${overdue ? ' late' : ''}`}
            style={{ width: `${100 * Math.min(1, elapsed / Math.max(1, plan.targetMinutes))}%` }}
          />
        </div>
      </section>

      <section className="plan-steps" aria-labelledby="plan-steps-title">
        <h2 id="plan-steps-title">{t('plan.steps', { count: plan.tasks.length })}</h2>
        {byDepartment(plan.tasks).map(([dept, tasks]) => (
          <section key={dept} className="plan-dept" aria-label={t(`departments.${dept}`, dept)}>
            <h3>
              {t(`departments.${dept}`, dept)} <span className="muted small">×{tasks.length}</span>
            </h3>
            <ol className="plan-tasks">
              {tasks.map((task) => (
                <StepCard key={task.key} plan={plan} task={task} now={now} />
              ))}
            </ol>
          </section>
        ))}
      </section>

      <aside className="plan-side">
        <section className="plan-event" aria-labelledby="plan-event-title">
          <h2 id="plan-event-title">{t('plan.event')}</h2>
          {event ? (
            <div className="plan-event-card">
              <div className="plan-hero-head">
                <span className={`badge st-${event.status}`}>{statusLabel(t, event.status)}</span>
                <span>{event.description}</span>
              </div>
              <p className="muted small">
                {event.category ? t(`categories.${event.category}`, event.category) : '—'} ·{' '}
                {event.chain.map((c) => c.name).join(' › ')} · {timeOf(event.createdAt)} · {event.id}
              </p>
            </div>
          ) : (
            <p className="muted">{plan.eventId}</p>
          )}
          <a
            className="plan-event-link"
            href={eventPath(plan.eventId)}
            onClick={(click) => {
              if (click.button !== 0 || click.metaKey || click.ctrlKey || click.shiftKey || click.altKey)
                return;
              click.preventDefault();
              navigate(eventPath(plan.eventId), { state: FROM_COCKPIT });
            }}
          >
            {t('plan.openEvent')}
          </a>
        </section>

        <section className="plan-timeline" aria-labelledby="plan-timeline-title">
          <h2 id="plan-timeline-title">{t('plan.timeline')}</h2>
          <ol className="plan-moments">
            {timeline(plan, event, now, t, i18n.language).map((m) => (
              <li key={m.key} className={`moment ${m.tone}`}>
                <time dateTime={m.at}>{timeOf(m.at)}</time> <span>{m.text}</span>
              </li>
            ))}
          </ol>
        </section>
      </aside>
    </>
  );
}

/** One step: a department's task with its status, team, times and elapsed against its due time. */
function StepCard({ plan, task, now }: { plan: PlanDetail; task: PlanTask; now: number }) {
  const { t } = useTranslation();
  const department = useDepartmentNames([task.departmentCode]);
  const clock = taskClock(plan, task, now);
  const late = clock.overdue && !['cancelled'].includes(task.status);
  return (
    <li className={`plan-step${late ? ' overdue' : ''}${task.completedAt ? ' done' : ''}`}>
      <div className="plan-hero-head">
        <strong>{task.title}</strong>
        <span className={`badge ts-${task.status}`}>{taskStatusLabel(t, task.status)}</span>
        {late ? <span className="badge plan-late">{t('plan.overdue')}</span> : null}
      </div>
      <div className="bar-row small">
        <span className="bar-label">{t('plans.time')}</span>
        <span className="bar" aria-hidden="true">
          <span
            className={`bar-time${late ? ' late' : ''}`}
            style={{ width: `${100 * Math.min(1, clock.elapsed / clock.target)}%` }}
          />
        </span>
        <span className={late ? 'late' : undefined}>
          {t('plan.minutes', { elapsed: Math.round(clock.elapsed), target: Math.round(clock.target) })}
        </span>
      </div>
      <dl className="plan-facts small">
        <dt>{t('plan.level')}</dt>
        <dd>
          {t(`levels.${task.level}`, task.level)} ·{' '}
          <span className="task-department" data-code={task.departmentCode}>
            {department(task.departmentCode)}
          </span>
        </dd>
        <dt>{t('event.team')}</dt>
        <dd>{task.team ?? '—'}</dd>
        <dt>{t('plan.due')}</dt>
        <dd>{timeOf(task.dueAt)}</dd>
        <dt>{t('plan.acknowledged')}</dt>
        <dd>{timeOf(task.acknowledgedAt)}</dd>
        <dt>{t('plan.completedAt')}</dt>
        <dd>{timeOf(task.completedAt)}</dd>
      </dl>
      <details>
        <summary className="small">
          {t('plan.instructions')}
          {task.linked ? ` · ${t('plan.linked')}` : ''}
        </summary>
        <p className="small plan-instructions">{task.instructions}</p>
      </details>
    </li>
  );
}
