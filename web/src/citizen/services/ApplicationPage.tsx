import { useTranslation } from 'react-i18next';
import {
  type Application,
  isMoving,
  useApplication,
  useBundleDefinition,
  useServiceNotices,
} from '../../api/services.ts';
import { type BundleDefinition, titleOf } from '../../shared/bundles.ts';
import { EmptyState } from '../../shared/EmptyState.tsx';
import { MaterialRecord, useFieldTitles } from '../../shared/MaterialRecord.tsx';
import { noticeText } from '../../shared/notices.ts';
import { Certificates } from './Certificates.tsx';
import { Correction } from './Correction.tsx';
import { DraftConfirm } from './DraftConfirm.tsx';
import { Waves } from './Waves.tsx';

/** One application: a draft to confirm and file, or the steps at the desks followed live. */
export function ApplicationPage({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const app = useApplication(id);
  const a = app.data;
  // The version the application runs on (it may no longer be the one new applications start on).
  const def = useBundleDefinition(a?.bundleId, a?.version).data;
  if (app.isPending) return <p className="muted">{t('common.loading')}</p>;
  if (!a) return <EmptyState title={t('services.applicationNotFound')} note={app.error?.message} />;
  const title = def ? titleOf(def, i18n.language) : a.bundleId;
  return (
    <>
      <section className="card svc-app-head" aria-labelledby="svc-app-title">
        <h2 id="svc-app-title">{title}</h2>
        <p>
          <span className={`badge app-${a.status}`}>{t(`services.appStatus.${a.status}`)}</span>{' '}
          <span className="muted small">{t('services.appNo', { id: a.id.slice(0, 8) })}</span>
        </p>
        <p className="small muted" aria-live="polite">
          {a.status === 'draft'
            ? t('services.draftNote')
            : isMoving(a)
              ? t('services.liveNote')
              : a.completedAt
                ? t('services.completedIn', {
                    at: new Date(a.completedAt).toLocaleString(),
                    minutes: a.summary.leadTimeMinutes ?? '—',
                  })
                : null}
        </p>
        {a.status === 'rejected' && a.reason ? (
          <p className="error">{t('services.rejectedBecause', { reason: a.reason })}</p>
        ) : null}
      </section>
      {a.status === 'draft' ? <DraftConfirm app={a} def={def} /> : <Tracking app={a} def={def} />}
    </>
  );
}

/** A filed application: corrections asked for, the steps in waves, the notices, the figures and the materials. */
function Tracking({ app: a, def }: { app: Application; def: BundleDefinition | undefined }) {
  const { t, i18n } = useTranslation();
  const notices = useServiceNotices(isMoving(a));
  const mine = (notices.data ?? []).filter((n) => n.subjectId === a.id);
  const fieldTitle = useFieldTitles(a.materials.flatMap((m) => (m.resourceId ? [m.resourceId] : [])));
  const approved = a.steps.filter((s) => s.status === 'approved').length;
  const outputs = a.materials.filter((m) => m.origin === 'item' && m.status === 'produced');
  return (
    <>
      {a.steps
        .filter((s) => s.status === 'correction')
        .map((s) => (
          <Correction key={`${s.item}-${s.round}`} app={a} step={s} def={def} />
        ))}
      <section className="card" aria-labelledby="svc-steps-title">
        <h3 id="svc-steps-title">{t('services.stepsTitle')}</h3>
        <p className="small">
          <progress max={a.steps.length} value={approved} aria-label={t('services.progressLabel')} />{' '}
          {t('services.progress', { approved, total: a.steps.length })}
        </p>
        {def ? (
          <Waves def={def} steps={a.steps} />
        ) : (
          <ul className="svc-steps">
            {a.steps.map((s) => (
              <li key={s.item} className={`svc-step svs-${s.status}`}>
                {s.titleZh}{' '}
                <span className={`badge step-${s.status}`}>{t(`services.stepStatus.${s.status}`)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      {outputs.length ? (
        <section className="card" aria-labelledby="svc-outputs-title">
          <h3 id="svc-outputs-title">{t('services.outputsTitle')}</h3>
          <ul className="svc-list">
            {outputs.map((m) => (
              <li key={m.code}>
                {titleOf(m, i18n.language)}{' '}
                <span className="badge step-approved">{t('services.produced')}</span>
              </li>
            ))}
          </ul>
          {a.status === 'completed' ? null : (
            <p className="muted small">{t('services.certificates.whenDone')}</p>
          )}
        </section>
      ) : null}
      {a.status === 'completed' ? <Certificates applicationId={a.id} /> : null}
      <section className="card" aria-labelledby="svc-notices-title">
        <h3 id="svc-notices-title">{t('services.noticesTitle')}</h3>
        {mine.length === 0 ? <p className="muted small">{t('services.noNotices')}</p> : null}
        <ol className="svc-notices" aria-live="polite">
          {mine.map((n) => {
            const text = noticeText(t, n);
            return (
              <li key={n.id}>
                <strong>{text.title}</strong>
                <span className="small"> {text.body}</span>
                <br />
                <time className="small muted" dateTime={n.createdAt}>
                  {new Date(n.createdAt).toLocaleString()}
                </time>
              </li>
            );
          })}
        </ol>
      </section>
      <section className="card" aria-labelledby="svc-figures-title">
        <h3 id="svc-figures-title">{t('services.figuresTitle')}</h3>
        <p className="small">
          {t('services.summary', {
            required: a.summary.materialsRequired,
            shared: a.summary.materialsFromSharedData,
            yours: a.summary.materialsFromCitizen,
            produced: a.summary.materialsFromItems,
          })}
        </p>
        <details>
          <summary>{t('services.allMaterials')}</summary>
          <ul className="svc-materials">
            {a.materials.map((m) => (
              <li key={m.code} className="svc-material">
                <div className="svc-step-head">
                  <strong>{titleOf(m, i18n.language)}</strong>
                  <span className={`badge src-${m.origin}`}>{t(`services.origin.${m.origin}`)}</span>
                  <span className="small muted">{t(`services.materialStatus.${m.status}`)}</span>
                </div>
                <MaterialRecord material={m} fieldTitle={fieldTitle} />
              </li>
            ))}
          </ul>
        </details>
      </section>
    </>
  );
}
