import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { GetOk } from '../api/types.ts';
import { timeOf } from '../cockpit/eventText.ts';
import { useAuthorizedPhoto } from '../shared/photos.ts';

/** The field list's answer: open tasks and today's completed ones. */
export type FieldTasks = GetOk<'/api/v1/field/tasks'>;
/** One task as the field list carries it (with its event's description, place and photos). */
export type FieldTask = FieldTasks['items'][number];

/** A readable address: district › street (and a landmark near it), then the coordinates, small. */
export function Address({ task }: { task: FieldTask }) {
  const { t } = useTranslation();
  const { lon, lat } = task.location;
  const chain = task.event?.chain.join(' ') ?? '';
  const near = task.event?.landmark ? t('field.near', { place: task.event.landmark }) : '';
  return (
    <>
      {chain || near ? <span className="address">{[chain, near].filter(Boolean).join(' · ')}</span> : null}
      <span className="small muted coords">
        {' '}
        {lon.toFixed(5)}, {lat.toFixed(5)}
      </span>
    </>
  );
}

/** Thumbnails of photos that need the officer's Authorization header (fetched into blob URLs). */
export function PhotoStrip({
  label,
  urls,
  local = [],
  kind,
}: {
  label: string;
  urls: string[];
  /** Photos still on the phone (queued, by queue id), shown from the Blob. */
  local?: { id: string; photo: Blob }[];
  kind: 'citizen' | 'mine';
}) {
  if (urls.length === 0 && local.length === 0) return null;
  return (
    <div className={`photo-strip ${kind}`}>
      <span className="small muted">{label}</span>
      <ul className="thumbs">
        {urls.map((url, i) => (
          <li key={url}>
            <RemoteThumb url={url} n={i + 1} />
          </li>
        ))}
        {local.map((q, i) => (
          <li key={q.id}>
            <LocalThumb blob={q.photo} n={urls.length + i + 1} />
          </li>
        ))}
      </ul>
    </div>
  );
}

function RemoteThumb({ url, n }: { url: string; n: number }) {
  const { t } = useTranslation();
  const { src, failed } = useAuthorizedPhoto(url);
  if (failed) return <span className="small muted">{t('field.photoUnavailable')}</span>;
  return <Thumb src={src} alt={t('field.photoN', { n })} />;
}

function LocalThumb({ blob, n }: { blob: Blob; n: number }) {
  const { t } = useTranslation();
  const [src, setSrc] = useState<string>();
  useEffect(() => {
    const made = URL.createObjectURL(blob);
    setSrc(made);
    return () => URL.revokeObjectURL(made);
  }, [blob]);
  return <Thumb src={src} alt={`${t('field.photoN', { n })} · ${t('field.photoQueued')}`} queued />;
}

/** A thumbnail; a tap shows it large, another tap small again. */
function Thumb({ src, alt, queued }: { src: string | undefined; alt: string; queued?: boolean }) {
  const [large, setLarge] = useState(false);
  return (
    <button
      type="button"
      className={`thumb${large ? ' large' : ''}${queued ? ' queued' : ''}`}
      data-loaded={src ? 'true' : 'false'}
      aria-pressed={large}
      disabled={!src}
      onClick={() => setLarge((v) => !v)}
    >
      {src ? <img src={src} alt={alt} /> : <span className="small muted">…</span>}
    </button>
  );
}

/** Shown in place of a task the officer completed on this phone: sent, or waiting for the network. */
export function Completed({
  task,
  waiting,
  onDismiss,
}: {
  task: FieldTask;
  waiting: boolean;
  onDismiss: () => void;
}) {
  const { t } = useTranslation();
  return (
    <section
      className="card done-confirm"
      role="status"
      data-task={task.id}
      data-sent={waiting ? 'false' : 'true'}
    >
      <h3>
        <span aria-hidden="true">✓ </span>
        {t('field.completedTitle', { category: t(`categories.${task.category}`, task.category) })}
      </h3>
      {task.event ? <p className="small">{task.event.description}</p> : null}
      <p className="small">{waiting ? t('field.completedQueued') : t('field.completedSent')}</p>
      <button type="button" className="btn btn-ghost" onClick={onDismiss}>
        {t('field.dismiss')}
      </button>
    </section>
  );
}

/** Today's completed tasks of the officer's department (newest first). */
export function DoneToday({ done }: { done: FieldTask[] }) {
  const { t } = useTranslation();
  return (
    <section className="card done-today" aria-labelledby="done-today-title">
      <h2 id="done-today-title">
        {t('field.doneToday')} <span className="muted small">({done.length})</span>
      </h2>
      {done.length === 0 ? (
        <p className="small muted">{t('field.doneTodayEmpty')}</p>
      ) : (
        <ul className="done-list">
          {done.map((task) => (
            <li key={task.id} data-task={task.id}>
              <strong>{t(`categories.${task.category}`, task.category)}</strong>{' '}
              <span className="small muted">
                {t('field.completedAt')} {timeOf(task.completedAt)}
              </span>
              {task.event ? <div className="small">{task.event.description}</div> : null}
              <div className="small">
                <Address task={task} />
              </div>
              {task.evidence?.length ? (
                <div className="small muted">{t('field.myPhotoCount', { count: task.evidence.length })}</div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
