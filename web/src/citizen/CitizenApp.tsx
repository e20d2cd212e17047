import { useTranslation } from 'react-i18next';
import { navigate, SERVICES_PATH, useLocation } from '../router.ts';
import { LanguageSwitch } from '../shared/LanguageSwitch.tsx';
import '../styles/mobile.css';
import { ComplaintForm } from './ComplaintForm.tsx';
import { Draws } from './Draws.tsx';
import { Parking } from './Parking.tsx';
import { Requests } from './Requests.tsx';
import { Services } from './services/Services.tsx';

/**
 * The citizen portal (市民端), mobile-first: file a complaint; follow, rate and reopen my requests;
 * apply for a bundle of services once (一件事一次办); book shared parking.
 */
export default function CitizenApp() {
  const { t } = useTranslation();
  const { pathname, search } = useLocation();
  const onRequests = pathname.startsWith('/citizen/requests');
  const onDraws = pathname.startsWith('/citizen/draws');
  const onParking = pathname.startsWith('/citizen/parking');
  const onServices = pathname === SERVICES_PATH || pathname.startsWith(`${SERVICES_PATH}/`);
  const focus = new URLSearchParams(search).get('id') ?? undefined;
  return (
    <div className="mobile">
      <header className="mobile-header">
        <h1>{t('citizen.title')}</h1>
        <LanguageSwitch />
      </header>
      <nav className="tabs" aria-label={t('citizen.nav')}>
        <a
          href="/citizen"
          aria-current={onRequests || onDraws || onParking || onServices ? undefined : 'page'}
          onClick={(e) => {
            e.preventDefault();
            navigate('/citizen');
          }}
        >
          {t('citizen.formTitle')}
        </a>
        <a
          href="/citizen/requests"
          aria-current={onRequests ? 'page' : undefined}
          onClick={(e) => {
            e.preventDefault();
            navigate('/citizen/requests');
          }}
        >
          {t('citizen.myRequests')}
        </a>
        <a
          href={SERVICES_PATH}
          aria-current={onServices ? 'page' : undefined}
          onClick={(e) => {
            e.preventDefault();
            navigate(SERVICES_PATH);
          }}
        >
          {t('citizen.servicesTab')}
        </a>
        <a
          href="/citizen/draws"
          aria-current={onDraws ? 'page' : undefined}
          onClick={(e) => {
            e.preventDefault();
            navigate('/citizen/draws');
          }}
        >
          {t('citizen.drawsTab')}
        </a>
        <a
          href="/citizen/parking"
          aria-current={onParking ? 'page' : undefined}
          onClick={(e) => {
            e.preventDefault();
            navigate('/citizen/parking');
          }}
        >
          {t('citizen.parkingTab')}
        </a>
      </nav>
      <main className="mobile-main">
        {onServices ? (
          <Services />
        ) : onParking ? (
          <Parking />
        ) : onDraws ? (
          <Draws />
        ) : onRequests ? (
          <Requests focus={focus} />
        ) : (
          <ComplaintForm />
        )}
      </main>
    </div>
  );
}
