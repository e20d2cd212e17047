import { useTranslation } from 'react-i18next';
import { useBundles, useMyApplications } from '../../api/services.ts';
import { applicationPath, SERVICES_PATH } from '../../router.ts';
import { AppLink } from '../../shared/AppLink.tsx';
import { titleOf } from '../../shared/bundles.ts';
import { EmptyState } from '../../shared/EmptyState.tsx';

/** The applicant's applications, newest first, each with its status and how many steps are through. */
export function MyApplications() {
  const { t, i18n } = useTranslation();
  const apps = useMyApplications();
  const bundles = useBundles();
  const bundleTitle = (id: string) => {
    const b = bundles.data?.find((x) => x.id === id);
    return b ? titleOf(b, i18n.language) : id;
  };
  return (
    <section className="card" aria-labelledby="svc-mine-title">
      <h2 id="svc-mine-title">{t('services.mineTitle')}</h2>
      {apps.isError ? (
        <p className="error" role="alert">
          {t('services.failed', { message: apps.error.message })}
        </p>
      ) : null}
      {apps.data?.length === 0 ? (
        <EmptyState
          title={t('services.noApplications')}
          note={<AppLink to={SERVICES_PATH}>{t('services.browse')}</AppLink>}
        />
      ) : null}
      <ul className="svc-apps">
        {(apps.data ?? []).map((a) => {
          const approved = a.steps.filter((s) => s.status === 'approved').length;
          const pending = a.steps.filter((s) => s.status === 'pending').length;
          return (
            <li key={a.id}>
              <AppLink to={applicationPath(a.id)} className="svc-app-link">
                <strong>{bundleTitle(a.bundleId)}</strong>
              </AppLink>
              <p className="small">
                <span className={`badge app-${a.status}`}>{t(`services.appStatus.${a.status}`)}</span>{' '}
                {a.steps.length
                  ? t('services.progressShort', { approved, total: a.steps.length, pending })
                  : t('services.notFiled')}
              </p>
              <p className="small muted">
                {t('services.appNo', { id: a.id.slice(0, 8) })} ·{' '}
                {new Date(a.submittedAt ?? a.createdAt).toLocaleString()}
              </p>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
