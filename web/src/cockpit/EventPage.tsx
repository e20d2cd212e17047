import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ROLE_GROUPS } from '../../../src/platform/roles.ts';
import { ApiError, api, unwrap } from '../api/client.ts';
import {
  type EventDetail,
  type Task,
  useEvent,
  useEventActions,
  useEvidence,
  useWhy,
} from '../api/events.ts';
import type { Me } from '../api/types.ts';
import { useDepartmentNames } from '../shared/names.ts';
import { useAuthorizedPhoto } from '../shared/photos.ts';
import { isWithin } from './drill.ts';
import { assignReasonLabel, explanationLabel, statusLabel, taskStatusLabel, timeOf } from './eventText.ts';

/**
 * The event page (`/events/:id`): what, where, timeline, tasks per department with photos, why,
 * and actions. An unknown event, or one outside the user's jurisdiction, is a not-found view.
 */
export function EventPage({ id, me, onClose }: { id: string; me: Me; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const event = useEvent(id);
  const why = useWhy('event', id);
  const e = event.data;
  if (!e && event.error instanceof ApiError && event.error.status === 404) {
    return (
      <section className="event-page event-not-found" aria-labelledby="event-page-title">
        <header>
          <h2 id="event-page-title">{t('event.notFound')}</h2>
          <button type="button" className="btn btn-ghost" onClick={onClose} aria-label={t('event.close')}>
            ✕
          </button>
        </header>
        <p>{t('event.notFoundNote')}</p>
        <button type="button" className="btn btn-secondary" onClick={onClose}>
          {t('event.backToMap')}
        </button>
      </section>
    );
  }
  return (
    <section className="event-page" aria-labelledby="event-page-title">
      <header>
        <h2 id="event-page-title">{t('event.title')}</h2>
        <button type="button" className="btn btn-ghost" onClick={onClose} aria-label={t('event.close')}>
          ✕
        </button>
      </header>
      {!e ? (
        <p className="muted">{event.isError ? event.error.message : t('common.loading')}</p>
      ) : (
        <>
          <p className="event-desc">{e.description}</p>
          <dl className="facts">
            <dt>{t('event.trackingNo')}</dt>
            <dd className="tracking">{e.trackingNo}</dd>
            <dt>{t('event.status')}</dt>
            <dd>
              <span className={`badge st-${e.status}`}>{statusLabel(t, e.status)}</span>
            </dd>
            <dt>{t('event.category')}</dt>
            <dd>{e.category ? t(`categories.${e.category}`, e.category) : '—'}</dd>
            <dt>{t('event.where')}</dt>
            <dd>
              {e.chain.map((c) => c.name).join(' › ')} ({e.location.lon.toFixed(4)},{' '}
              {e.location.lat.toFixed(4)})
            </dd>
            <dt>{t('event.source')}</dt>
            <dd>{t(`sources.${e.source}`, e.source)}</dd>
            <dt>{t('event.priority')}</dt>
            <dd>{t(`priorities.${e.priority}`, e.priority)}</dd>
            {e.statusNote ? (
              <>
                <dt>{t('event.note')}</dt>
                <dd>{e.statusNote}</dd>
              </>
            ) : null}
          </dl>
          {e.photos.length ? (
            <>
              <h3>{t('event.reportPhotos', { count: e.photos.length })}</h3>
              <Thumbs photos={e.photos.map((p) => ({ id: p.id, url: p.url, kind: 'report' }))} />
            </>
          ) : null}
          <Actions event={e} />
          <h3>{t('event.timeline')}</h3>
          <Timeline event={e} />
          <h3>{t('event.tasks', { count: e.tasks.length })}</h3>
          <ul className="tasks">
            {e.tasks.map((task) => (
              <TaskCard key={task.id} task={task} eventId={e.id} me={me} />
            ))}
          </ul>
          <h3>{t('event.why')}</h3>
          {why.data?.decisions.length ? (
            <ol className="why">
              {why.data.decisions.map((d) => (
                <li key={d.id}>
                  <strong>{d.key}</strong>{' '}
                  <span className="muted small">
                    {d.version} · {timeOf(d.at)}
                  </span>
                  <div className="why-text">{explanationLabel(t, i18n.language, d)}</div>
                  {d.overrides.length ? (
                    <div className="muted small">{t('event.overridden', { count: d.overrides.length })}</div>
                  ) : null}
                </li>
              ))}
            </ol>
          ) : (
            <p className="muted small">{why.isPending ? t('common.loading') : t('event.noWhy')}</p>
          )}
        </>
      )}
    </section>
  );
}

/** Timeline from the event's and its tasks' timestamps (the API has no separate history). */
function Timeline({ event }: { event: EventDetail }) {
  const { t } = useTranslation();
  const department = useDepartmentNames(event.tasks.map((task) => task.departmentCode));
  const rows: [string, string][] = [[event.createdAt, t('timeline.reported')]];
  for (const task of event.tasks) {
    const who = task.team?.name ?? department(task.departmentCode);
    if (task.assignedAt) rows.push([task.assignedAt, t('timeline.assigned', { who })]);
    if (task.acceptedAt) rows.push([task.acceptedAt, t('timeline.accepted', { who })]);
    if (task.arrivedAt) rows.push([task.arrivedAt, t('timeline.arrived', { who })]);
    if (task.completedAt) rows.push([task.completedAt, t('timeline.completed', { who })]);
  }
  if (event.resolvedAt) rows.push([event.resolvedAt, t('timeline.resolved')]);
  if (event.closedAt) rows.push([event.closedAt, t('timeline.closed')]);
  rows.sort((a, b) => a[0].localeCompare(b[0]));
  return (
    <ol className="timeline">
      {rows.map(([at, text]) => (
        <li key={`${at}-${text}`}>
          <time dateTime={at}>{timeOf(at)}</time> {text}
        </li>
      ))}
    </ol>
  );
}

/**
 * The path of the centre following a task: the task's place path down to its centre's code
 * (the centre is on the event's chain), or undefined when it is not on it.
 */
export function centrePathOf(task: Pick<Task, 'jurisdictionPath' | 'centreCode'>): string | undefined {
  const codes = task.jurisdictionPath.split('/');
  const i = codes.indexOf(task.centreCode);
  return i < 0 ? undefined : codes.slice(0, i + 1).join('/');
}

/**
 * Whether the user acts for the centre following the task (or one above it), as the server
 * requires to reassign, cancel or escalate it: an operator whose node covers the task's centre.
 */
function followsTask(me: Me, task: Task): boolean {
  if (!me.principal.roles.some((r) => ROLE_GROUPS.operators.includes(r))) return false;
  const centre = centrePathOf(task);
  return centre === undefined || isWithin(centre, me.principal.jurisdictionPath);
}

/** `POST /api/v1/tasks/:id/escalate`; the event and the lists refetch after. */
function useEscalate(eventId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ taskId, reason }: { taskId: string; reason: string }) =>
      unwrap(
        await api.POST('/api/v1/tasks/{id}/escalate', { params: { path: { id: taskId } }, body: { reason } }),
      ),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: ['event', eventId] });
      void client.invalidateQueries({ queryKey: ['events'] });
      void client.invalidateQueries({ queryKey: ['why'] });
    },
  });
}

function TaskCard({ task, eventId, me }: { task: Task; eventId: string; me: Me }) {
  const { t } = useTranslation();
  const department = useDepartmentNames([task.departmentCode]);
  const evidence = useEvidence(task.id);
  const actions = useEventActions(eventId);
  const escalate = useEscalate(eventId);
  const [reason, setReason] = useState('');
  const [escalateReason, setEscalateReason] = useState('');
  const id = useId();
  const live = !['completed', 'returned', 'cancelled'].includes(task.status);
  const follows = followsTask(me, task);
  const submitEscalation = (e: FormEvent) => {
    e.preventDefault();
    const why = escalateReason.trim();
    if (why.length < 2 || escalate.isPending) return;
    escalate.mutate({ taskId: task.id, reason: why }, { onSuccess: () => setEscalateReason('') });
  };
  return (
    <li className="task">
      <div>
        <strong>{task.role === 'lead' ? t('event.lead') : t('event.co')}</strong>{' '}
        <span className="task-department" data-code={task.departmentCode}>
          {department(task.departmentCode)}
        </span>{' '}
        <span className={`badge ts-${task.status}`}>{taskStatusLabel(t, task.status)}</span>
      </div>
      <div className="small task-level" data-level={task.level} data-escalations={task.escalations}>
        {t('event.team')}: {task.team?.name ?? '—'} · {t('event.level')}: {t(`centreLevels.${task.level}`)} ·{' '}
        {t('event.due')}: {timeOf(task.resolveDueAt)}
        {task.escalations ? ` · ${t('event.escalations', { count: task.escalations })}` : ''}
      </div>
      {task.assignReason ? <div className="muted small task-reason">{assignReasonLabel(t, task)}</div> : null}
      {task.note ? <div className="small">“{task.note}”</div> : null}
      {evidence.data?.length ? (
        <div className="small">
          {t('event.photos', { count: evidence.data.length })}
          <Thumbs
            photos={evidence.data.map((p) => ({
              id: p.id,
              url: `/api/v1/tasks/${encodeURIComponent(task.id)}/evidence/${encodeURIComponent(p.id)}`,
              kind: 'result',
            }))}
          />
        </div>
      ) : null}
      {live && follows ? (
        <div className="task-actions">
          <label htmlFor={`${id}-reason`} className="sr-only">
            {t('event.reason')}
          </label>
          <input
            id={`${id}-reason`}
            className="field-input"
            placeholder={t('event.reason')}
            value={reason}
            onChange={(e) => setReason(e.target.value)}
          />
          <button
            type="button"
            className="btn btn-secondary"
            disabled={reason.trim().length < 2 || actions.assign.isPending}
            onClick={() => actions.assign.mutate({ taskId: task.id, reason: reason.trim() })}
          >
            {t('event.reassign')}
          </button>
          <button
            type="button"
            className="btn btn-ghost"
            disabled={reason.trim().length < 2 || actions.cancel.isPending}
            onClick={() => actions.cancel.mutate({ taskId: task.id, reason: reason.trim() })}
          >
            {t('event.cancelTask')}
          </button>
          {actions.assign.error || actions.cancel.error ? (
            <p className="error small" role="alert">
              {(actions.assign.error ?? actions.cancel.error)?.message}
            </p>
          ) : null}
        </div>
      ) : null}
      {live && follows && task.level !== 'city' ? (
        <form className="task-escalate" onSubmit={submitEscalation} style={escalateForm}>
          <label htmlFor={`${id}-escalate`} className="small">
            {t('event.escalateReason')}
          </label>
          <input
            id={`${id}-escalate`}
            className="field-input"
            value={escalateReason}
            maxLength={1000}
            onChange={(e) => setEscalateReason(e.target.value)}
          />
          <button
            type="submit"
            className="btn btn-secondary"
            disabled={escalateReason.trim().length < 2 || escalate.isPending}
          >
            {t('event.escalate')}
          </button>
        </form>
      ) : null}
      {escalate.error ? (
        <p className="error small" role="alert">
          {escalate.error instanceof ApiError
            ? t(`event.escalateErrors.${escalate.error.code}`, { defaultValue: escalate.error.message })
            : escalate.error.message}
        </p>
      ) : null}
      {escalate.data ? (
        <p className="small task-escalated" role="status">
          {t('event.escalated', {
            level: t(`centreLevels.${escalate.data.level}`),
            count: escalate.data.escalations,
          })}
        </p>
      ) : null}
    </li>
  );
}

const escalateForm = {
  display: 'flex',
  flexWrap: 'wrap',
  alignItems: 'center',
  gap: 6,
  marginTop: 6,
} as const;

type PhotoRef = { id: string; url: string; kind: 'report' | 'result' };

/**
 * Photo thumbnails; one opens large in a dialog. The photos need the operator's Authorization
 * header, which an <img> cannot send, so each is fetched and shown from a blob URL.
 */
function Thumbs({ photos }: { photos: PhotoRef[] }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<{ src: string; n: number }>();
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(undefined);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);
  return (
    <>
      <ul className="photo-thumbs" style={thumbList}>
        {photos.map((p, i) => (
          <li key={p.id}>
            <Thumb photo={p} n={i + 1} onOpen={(src) => setOpen({ src, n: i + 1 })} />
          </li>
        ))}
      </ul>
      {open ? (
        // biome-ignore lint/a11y/useKeyWithClickEvents: the close button is the keyboard path; a click outside also closes
        <div
          className="photo-dialog"
          role="dialog"
          aria-modal="true"
          aria-label={t('event.photoN', { n: open.n })}
          style={dialog}
          onClick={() => setOpen(undefined)}
        >
          <img src={open.src} alt={t('event.photoN', { n: open.n })} style={large} />
          <button type="button" className="btn btn-secondary" onClick={() => setOpen(undefined)}>
            {t('event.closePhoto')}
          </button>
        </div>
      ) : null}
    </>
  );
}

function Thumb({ photo, n, onOpen }: { photo: PhotoRef; n: number; onOpen: (src: string) => void }) {
  const { t } = useTranslation();
  const { src, failed } = useAuthorizedPhoto(photo.url);
  if (failed) return <span className="muted small">{t('event.photoUnavailable')}</span>;
  return (
    <button
      type="button"
      className="photo-thumb"
      data-kind={photo.kind}
      data-loaded={src ? 'true' : 'false'}
      style={thumbButton}
      disabled={!src}
      onClick={() => src && onOpen(src)}
      aria-label={t('event.openPhoto', { n })}
    >
      {src ? <img src={src} alt={t('event.photoN', { n })} style={thumbImage} /> : null}
    </button>
  );
}

const thumbList = {
  listStyle: 'none',
  display: 'flex',
  flexWrap: 'wrap',
  gap: 6,
  padding: 0,
  margin: '4px 0',
} as const;
const thumbButton = {
  width: 72,
  height: 72,
  padding: 0,
  border: '1px solid #c8d2dc',
  borderRadius: 6,
  overflow: 'hidden',
  background: '#eef2f6',
  cursor: 'zoom-in',
} as const;
const thumbImage = { width: '100%', height: '100%', objectFit: 'cover', display: 'block' } as const;
const dialog = {
  position: 'fixed',
  inset: 0,
  zIndex: 1000,
  background: 'rgba(10, 20, 30, 0.82)',
  display: 'flex',
  flexDirection: 'column',
  alignItems: 'center',
  justifyContent: 'center',
  gap: 12,
} as const;
const large = { maxWidth: '90vw', maxHeight: '80vh', objectFit: 'contain', background: '#fff' } as const;

/** Verify (resolved), categorise (triage). */
function Actions({ event }: { event: EventDetail }) {
  const { t } = useTranslation();
  const actions = useEventActions(event.id);
  const [note, setNote] = useState('');
  const [category, setCategory] = useState('');
  const id = useId();
  const verify = (approve: boolean) => (e?: FormEvent) => {
    e?.preventDefault();
    if (note.trim().length >= 2) actions.verify.mutate({ approve, note: note.trim() });
  };
  if (event.status === 'resolved') {
    return (
      <form className="event-actions" onSubmit={verify(true)}>
        <label htmlFor={`${id}-note`}>{t('event.verifyNote')}</label>
        <textarea
          id={`${id}-note`}
          className="field-input"
          rows={2}
          value={note}
          aria-describedby={`${id}-note-hint`}
          onChange={(e) => setNote(e.target.value)}
        />
        <p id={`${id}-note-hint`} className="small muted">
          {note.trim().length < 2 ? t('event.verifyHint') : '\u00a0'}
        </p>
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={note.trim().length < 2}>
            {t('event.approve')}
          </button>
          <button
            type="button"
            className="btn btn-secondary"
            disabled={note.trim().length < 2}
            onClick={verify(false)}
          >
            {t('event.reject')}
          </button>
        </div>
        {actions.verify.error ? (
          <p className="error" role="alert">
            {actions.verify.error.message}
          </p>
        ) : null}
      </form>
    );
  }
  if (event.status === 'triage') {
    return (
      <form
        className="event-actions"
        onSubmit={(e) => {
          e.preventDefault();
          actions.categorise.mutate({ category: category.trim(), reason: note.trim() });
        }}
      >
        <p className="small">{event.triageReason ?? t('event.triage')}</p>
        <label htmlFor={`${id}-cat`}>{t('event.category')}</label>
        <input
          id={`${id}-cat`}
          className="field-input"
          value={category}
          onChange={(e) => setCategory(e.target.value)}
        />
        <label htmlFor={`${id}-why`}>{t('event.categoriseReason')}</label>
        <input
          id={`${id}-why`}
          className="field-input"
          value={note}
          aria-describedby={`${id}-why-hint`}
          onChange={(e) => setNote(e.target.value)}
        />
        <p id={`${id}-why-hint`} className="small muted">
          {!category.trim() || note.trim().length < 2 ? t('event.categoriseHint') : '\u00a0'}
        </p>
        <button
          type="submit"
          className="btn btn-primary"
          disabled={!category.trim() || note.trim().length < 2}
        >
          {t('event.categorise')}
        </button>
        {actions.categorise.error ? (
          <p className="error" role="alert">
            {actions.categorise.error.message}
          </p>
        ) : null}
      </form>
    );
  }
  return null;
}
