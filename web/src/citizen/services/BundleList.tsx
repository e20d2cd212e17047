import { useTranslation } from 'react-i18next';
import { type BundleSummary, useBundleDefinition, useBundles } from '../../api/services.ts';
import { bundlePath } from '../../router.ts';
import { AppLink } from '../../shared/AppLink.tsx';
import { titleOf } from '../../shared/bundles.ts';
import { EmptyState } from '../../shared/EmptyState.tsx';
import { materialPlan } from './plan.ts';

/** The bundles a citizen or an enterprise can apply for, each with what it saves them. */
export function BundleList() {
  const { t } = useTranslation();
  const bundles = useBundles();
  return (
    <>
      <section className="card">
        <h2>{t('services.title')}</h2>
        <p>{t('services.intro')}</p>
        {bundles.isError ? (
          <p className="error" role="alert">
            {t('services.failed', { message: bundles.error.message })}
          </p>
        ) : bundles.data?.length === 0 ? (
          <EmptyState title={t('services.noBundles')} />
        ) : bundles.isPending ? (
          <p className="muted">{t('common.loading')}</p>
        ) : null}
      </section>
      {(bundles.data ?? []).map((b) => (
        <BundleCard key={b.id} bundle={b} />
      ))}
    </>
  );
}

function BundleCard({ bundle: b }: { bundle: BundleSummary }) {
  const { t, i18n } = useTranslation();
  const def = useBundleDefinition(b.id).data;
  const plan = def ? materialPlan(def) : undefined;
  return (
    <article className="card svc-bundle" aria-labelledby={`bundle-${b.id}`}>
      <h3 id={`bundle-${b.id}`}>{titleOf(b, i18n.language)}</h3>
      <p className="svc-figures">
        {t('services.figures', { items: b.items, departments: b.departments.length, materials: b.materials })}
      </p>
      {plan ? (
        <p className="muted small">
          {t('services.savings', {
            shared: plan.shared.length,
            yours: plan.yours.length,
            produced: plan.produced.length,
          })}
        </p>
      ) : null}
      <AppLink to={bundlePath(b.id)} className="btn btn-primary svc-go">
        {t('services.open', { title: titleOf(b, i18n.language) })}
      </AppLink>
    </article>
  );
}
