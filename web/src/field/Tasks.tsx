import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client.ts';
import { useToken } from '../api/queries.ts';
import { timeOf } from '../cockpit/eventText.ts';
import { EmptyState } from '../shared/EmptyState.tsx';
import { type FieldAction, photoForQueue, queue, startQueue } from './queue.ts';
import { Address, Completed, DoneToday, type FieldTask, type FieldTasks, PhotoStrip } from './TaskParts.tsx';

const CACHE = 'citybrain.field.tasks';
/** Tasks completed on this phone whose confirmation is still shown (kept across reloads, e.g. offline). */
const COMPLETED = 'citybrain.field.completed';

function completedKept(): FieldTask[] {
  try {
    const v = JSON.parse(localStorage.getItem(COMPLETED) ?? '[]');
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

/** Status a task will have once its queued actions are sent (shown while offline). */
const AFTER: Partial<Record<FieldAction, FieldTask['status']>> = {
  accept: 'accepted',
  'en-route': 'en_route',
  arrive: 'arrived',
  complete: 'completed',
  unable: 'unable',
  return: 'returned',
};

/** The cached list: the current shape, or the older one (an array of open tasks). */
function cached(): FieldTasks | undefined {
  try {
    const v = JSON.parse(localStorage.getItem(CACHE) ?? 'null');
    if (Array.isArray(v)) return { items: v, done: [] };
    return v ?? undefined;
  } catch {
    return undefined;
  }
}

/**
 * My tasks, with the actions of the field API (every action goes through the offline queue); a
 * task completed here is confirmed in its place, and today's completed tasks are listed below.
 */
export function Tasks() {
  const { t } = useTranslation();
  const token = useToken();
  const client = useQueryClient();
  const queued = useSyncExternalStore(queue.subscribe, queue.items);
  const refused = useSyncExternalStore(queue.subscribe, queue.refused);
  useEffect(startQueue, []);
  useEffect(
    () =>
      queue.onSent((sent) => {
        // The sent action's status stays shown until the list is fetched again: otherwise the card
        // falls back to the status it had before for a moment, and its photo input is unmounted.
        const after = AFTER[sent.action];
        if (after)
          client.setQueriesData<FieldTasks>({ queryKey: ['field-tasks'] }, (data) =>
            data
              ? {
                  ...data,
                  items: data.items.map((t) => (t.id === sent.taskId ? { ...t, status: after } : t)),
                }
              : data,
          );
        void client.invalidateQueries({ queryKey: ['field-tasks'] });
      }),
    [client],
  );
  const tasks = useQuery({
    queryKey: ['field-tasks', token],
    enabled: Boolean(token),
    refetchInterval: 10_000,
    // Offline, the last list seen is shown.
    initialData: cached,
    initialDataUpdatedAt: 0,
    queryFn: async () => {
      const answer = unwrap(await api.GET('/api/v1/field/tasks'));
      localStorage.setItem(CACHE, JSON.stringify(answer));
      return answer;
    },
  });
  const list = tasks.data?.items ?? [];
  const done = tasks.data?.done ?? [];
  // Tasks completed on this phone: confirmed in place once the list no longer holds them.
  const [completed, setCompleted] = useState<FieldTask[]>(completedKept);
  useEffect(() => {
    try {
      localStorage.setItem(COMPLETED, JSON.stringify(completed.slice(0, 10)));
    } catch {
      // Storage full or unavailable: the confirmation lasts until the page is left.
    }
  }, [completed]);
  const open = new Set(list.map((x) => x.id));
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
      {completed
        .filter((task) => !open.has(task.id))
        .map((task) => (
          <Completed
            key={task.id}
            task={task}
            waiting={queued.some((q) => q.taskId === task.id)}
            onDismiss={() => setCompleted((all) => all.filter((x) => x.id !== task.id))}
          />
        ))}
      {list.map((task) => {
        const mine = queued.filter((q) => q.taskId === task.id);
        const last = [...mine].reverse().find((q) => AFTER[q.action]);
        return (
          <TaskCard
            key={task.id}
            task={task}
            status={last ? (AFTER[last.action] ?? task.status) : task.status}
            pending={mine.length}
            queuedPhotos={mine.flatMap((q) =>
              q.action === 'evidence' && q.photo ? [{ id: q.id, photo: q.photo }] : [],
            )}
            onComplete={() => setCompleted((all) => [task, ...all.filter((x) => x.id !== task.id)])}
          />
        );
      })}
      <DoneToday done={done} />
    </>
  );
}

function TaskCard({
  task,
  status,
  pending,
  queuedPhotos,
  onComplete,
}: {
  task: FieldTask;
  status: FieldTask['status'];
  pending: number;
  queuedPhotos: { id: string; photo: Blob }[];
  onComplete: () => void;
}) {
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
  const citizenPhotos = task.event?.photos.map((p) => p.url) ?? [];
  const myPhotos = task.evidence?.map((p) => p.url) ?? [];
  const canWork = ['accepted', 'en_route', 'arrived'].includes(status);
  const reason = note.trim();
  return (
    <article className="card task-card" aria-labelledby={`${id}-t`} data-task={task.id} data-status={status}>
      <h3 id={`${id}-t`}>
        {t(`categories.${task.category}`, task.category)}{' '}
        <span className={`badge ts-${status}`}>{t(`taskStatus.${status}`, status)}</span>
      </h3>
      <dl className="facts">
        {task.event ? (
          <>
            <dt>{t('field.description')}</dt>
            <dd className="description">{task.event.description}</dd>
            <dt>{t('field.trackingNo')}</dt>
            <dd className="tracking small">{task.event.trackingNo}</dd>
          </>
        ) : null}
        <dt>{t('field.team')}</dt>
        <dd>{task.team?.name ?? '—'}</dd>
        <dt>{t('field.place')}</dt>
        <dd>
          <Address task={task} />
        </dd>
        <dt>{t('field.acceptBy')}</dt>
        <dd>{timeOf(task.acceptDueAt)}</dd>
        <dt>{t('field.resolveBy')}</dt>
        <dd>{timeOf(task.resolveDueAt)}</dd>
      </dl>
      <PhotoStrip kind="citizen" label={t('field.citizenPhotos')} urls={citizenPhotos} />
      <PhotoStrip kind="mine" label={t('field.myPhotos')} urls={myPhotos} local={queuedPhotos} />
      {pending ? <p className="small muted">{t('field.pendingForTask', { count: pending })}</p> : null}
      {status === 'completed' ? (
        <p className="small ok" role="status">
          {t('field.completedQueued')}
        </p>
      ) : null}
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
                onClick={() =>
                  // Confirmed in place once it is stored on the phone (sent now or when back online).
                  void keep(
                    queue.add({ taskId: task.id, action: 'complete', body: reason ? { note: reason } : {} }),
                  ).then((stored) => stored && onComplete())
                }
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
