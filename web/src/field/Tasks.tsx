import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client.ts';
import type { Task } from '../api/events.ts';
import { useToken } from '../api/queries.ts';
import { timeOf } from '../cockpit/eventText.ts';
import { EmptyState } from '../shared/EmptyState.tsx';
import { type FieldAction, photoForQueue, queue, startQueue } from './queue.ts';

const CACHE = 'citybrain.field.tasks';

/** Status a task will have once its queued actions are sent (shown while offline). */
const AFTER: Partial<Record<FieldAction, Task['status']>> = {
  accept: 'accepted',
  'en-route': 'en_route',
  arrive: 'arrived',
  complete: 'completed',
  unable: 'unable',
  return: 'returned',
};

/** My tasks, with the actions of the field API; every action goes through the offline queue. */
export function Tasks() {
  const { t } = useTranslation();
  const token = useToken();
  const client = useQueryClient();
  const queued = useSyncExternalStore(queue.subscribe, queue.items);
  const refused = useSyncExternalStore(queue.subscribe, queue.refused);
  useEffect(startQueue, []);
  useEffect(() => queue.onSent(() => void client.invalidateQueries({ queryKey: ['field-tasks'] })), [client]);
  const tasks = useQuery({
    queryKey: ['field-tasks', token],
    enabled: Boolean(token),
    refetchInterval: 10_000,
    // Offline, the last list seen is shown.
    initialData: () => {
      try {
        return JSON.parse(localStorage.getItem(CACHE) ?? 'null') ?? undefined;
      } catch {
        return undefined;
      }
    },
    initialDataUpdatedAt: 0,
    queryFn: async () => {
      const items = unwrap(await api.GET('/api/v1/field/tasks')).items as Task[];
      localStorage.setItem(CACHE, JSON.stringify(items));
      return items;
    },
  });
  const list = (tasks.data ?? []) as Task[];
  return (
    <>
      {queued.length ? (
        <section className="card queue" role="status">
          <p>{t('field.queued', { count: queued.length })}</p>
          <button type="button" className="btn btn-secondary" onClick={() => void queue.flush()}>
            {t('field.retry')}
          </button>
        </section>
      ) : null}
      {refused.length ? (
        <section className="card queue" role="alert">
          {refused.map((r) => (
            <p key={`${r.taskId}-${r.action}-${r.message}`} className="error">
              {t(`field.actions.${r.action}`)}: {r.message}
            </p>
          ))}
          <button type="button" className="btn btn-ghost" onClick={queue.dismissRefused}>
            {t('field.dismiss')}
          </button>
        </section>
      ) : null}
      <section className="card">
        <h2>{t('field.myTasks')}</h2>
        {list.length === 0 ? (
          <EmptyState
            title={tasks.isPending ? t('common.loading') : t('field.noTasks')}
            note={t('field.noTasksNote')}
          />
        ) : null}
      </section>
      {list.map((task) => {
        const mine = queued.filter((q) => q.taskId === task.id);
        const last = [...mine].reverse().find((q) => AFTER[q.action]);
        return (
          <TaskCard
            key={task.id}
            task={task}
            status={last ? (AFTER[last.action] ?? task.status) : task.status}
            pending={mine.length}
          />
        );
      })}
    </>
  );
}

function TaskCard({ task, status, pending }: { task: Task; status: Task['status']; pending: number }) {
  const { t } = useTranslation();
  const id = useId();
  const [note, setNote] = useState('');
  const [photos, setPhotos] = useState(0);
  const [busy, setBusy] = useState(false);
  const [storeError, setStoreError] = useState('');
  /** Waits for the action to be stored on the device; false (and the reason shown) when it could not be. */
  const keep = (p: Promise<void>): Promise<boolean> =>
    p.then(
      () => {
        setStoreError('');
        return true;
      },
      (err: unknown) => {
        setStoreError(err instanceof Error ? err.message : String(err));
        return false;
      },
    );
  const act = (action: FieldAction, body?: Record<string, unknown>) =>
    void keep(queue.add({ taskId: task.id, action, ...(body ? { body } : {}) }));
  const { lon, lat } = task.location;
  const canWork = ['accepted', 'en_route', 'arrived'].includes(status);
  const reason = note.trim();
  return (
    <article className="card task-card" aria-labelledby={`${id}-t`} data-task={task.id} data-status={status}>
      <h3 id={`${id}-t`}>
        {t(`categories.${task.category}`, task.category)}{' '}
        <span className={`badge ts-${status}`}>{t(`taskStatus.${status}`, status)}</span>
      </h3>
      <dl className="facts">
        <dt>{t('field.team')}</dt>
        <dd>{task.team?.name ?? '—'}</dd>
        <dt>{t('field.place')}</dt>
        <dd>
          {lon.toFixed(5)}, {lat.toFixed(5)}
        </dd>
        <dt>{t('field.acceptBy')}</dt>
        <dd>{timeOf(task.acceptDueAt)}</dd>
        <dt>{t('field.resolveBy')}</dt>
        <dd>{timeOf(task.resolveDueAt)}</dd>
      </dl>
      {pending ? <p className="small muted">{t('field.pendingForTask', { count: pending })}</p> : null}
      {storeError ? (
        <p className="error small" role="alert">
          {t('field.storageFailed', { message: storeError })}
        </p>
      ) : null}
      <div className="row">
        <a className="btn btn-secondary" href={`geo:${lat},${lon}?q=${lat},${lon}`}>
          {t('field.navigate')}
        </a>
        <a
          className="btn btn-ghost"
          href={`https://uri.amap.com/marker?position=${lon},${lat}&coordinate=wgs84`}
          target="_blank"
          rel="noreferrer"
        >
          {t('field.mapLink')}
        </a>
      </div>
      {status === 'assigned' ? (
        <button type="button" className="btn btn-primary" onClick={() => act('accept')}>
          {t('field.actions.accept')}
        </button>
      ) : null}
      {status === 'accepted' || status === 'en_route' ? (
        <button type="button" className="btn btn-secondary" onClick={() => act('arrive')}>
          {t('field.actions.arrive')}
        </button>
      ) : null}
      {canWork ? (
        <>
          <label htmlFor={`${id}-photo`}>{t('field.photo')}</label>
          <input
            id={`${id}-photo`}
            type="file"
            accept="image/jpeg,image/png,image/webp"
            capture="environment"
            disabled={busy}
            onChange={async (e) => {
              const files = [...(e.target.files ?? [])];
              e.target.value = '';
              setBusy(true);
              try {
                for (const f of files) {
                  const photo = await photoForQueue(f);
                  if (await keep(queue.add({ taskId: task.id, action: 'evidence', photo })))
                    setPhotos((n) => n + 1);
                }
              } finally {
                setBusy(false);
              }
            }}
          />
          {photos ? (
            <p className="small" role="status">
              {t('field.photosAdded', { count: photos })}
            </p>
          ) : null}
        </>
      ) : null}
      {canWork || status === 'assigned' ? (
        <>
          <label htmlFor={`${id}-note`}>{t('field.note')}</label>
          <textarea
            id={`${id}-note`}
            className="field-input"
            rows={2}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
          <div className="row">
            {canWork ? (
              <button
                type="button"
                className="btn btn-primary"
                disabled={busy}
                onClick={() => act('complete', reason ? { note: reason } : {})}
              >
                {t('field.actions.complete')}
              </button>
            ) : null}
            {canWork ? (
              <button
                type="button"
                className="btn btn-ghost"
                disabled={reason.length < 2}
                onClick={() => act('unable', { reason })}
              >
                {t('field.actions.unable')}
              </button>
            ) : null}
            {status === 'assigned' || status === 'accepted' ? (
              <button
                type="button"
                className="btn btn-ghost"
                disabled={reason.length < 2}
                onClick={() => act('return', { reason })}
              >
                {t('field.actions.return')}
              </button>
            ) : null}
          </div>
          {!canWork || reason.length < 2 ? <p className="small muted">{t('field.reasonHint')}</p> : null}
        </>
      ) : null}
    </article>
  );
}
