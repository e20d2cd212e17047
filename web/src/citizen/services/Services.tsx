import { useTranslation } from 'react-i18next';
import { MY_APPLICATIONS_PATH, SERVICES_PATH, servicesPageOf, useLocation } from '../../router.ts';
import { AppLink } from '../../shared/AppLink.tsx';
import { ApplicationPage } from './ApplicationPage.tsx';
import { BundleList } from './BundleList.tsx';
import { BundlePage } from './BundlePage.tsx';
import { MyApplications } from './MyApplications.tsx';
import { SignedIn } from './SignedIn.tsx';
import './services.css';

/**
 * 一件事一次办 in the citizen portal: the bundles (public), a bundle's page with its form, and —
 * signed in with the citizen's account (the platform's unified identity; the API wants an
 * authenticated applicant) — my applications and each application's page.
 */
export function Services() {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const page = servicesPageOf(pathname) ?? { page: 'bundles' as const };
  return (
    <>
      <nav className="svc-subnav" aria-label={t('services.nav')}>
        <AppLink to={SERVICES_PATH} className={page.page.startsWith('bundle') ? 'on' : undefined}>
          {t('services.bundlesTab')}
        </AppLink>
        <AppLink
          to={MY_APPLICATIONS_PATH}
          className={page.page === 'mine' || page.page === 'application' ? 'on' : undefined}
        >
          {t('services.mineTab')}
        </AppLink>
      </nav>
      {page.page === 'bundles' ? (
        <BundleList />
      ) : page.page === 'bundle' ? (
        <BundlePage id={page.id} />
      ) : page.page === 'mine' ? (
        <SignedIn>
          <MyApplications />
        </SignedIn>
      ) : (
        <SignedIn>
          <ApplicationPage id={page.id} />
        </SignedIn>
      )}
    </>
  );
}
