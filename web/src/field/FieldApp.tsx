import { lazy, Suspense, useEffect, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { useLogout, useMe, useToken } from '../api/queries.ts';
import { LanguageSwitch } from '../shared/LanguageSwitch.tsx';
import { Loading } from '../shared/Loading.tsx';
import { LoginForm } from '../shared/LoginForm.tsx';
import '../styles/mobile.css';
import { installFieldApp } from './install.ts';
import { MyBeat } from './MyBeat.tsx';
import { Inspections } from './onsite/Inspections.tsx';
import { useOpenVisit } from './onsite/route.ts';
import { Tasks } from './Tasks.tsx';

const NAME_KEY = 'citybrain.field.name';

/** The on-site screens (QR decoding, code verification, signing): their own chunk, part of the offline shell. */
const OnSiteVisit = lazy(() => import('./onsite/OnSiteVisit.tsx'));

/** The field app (移动执法端), an installable PWA: sign in, then my tasks. */
export default function FieldApp() {
  const { t } = useTranslation();
  const token = useToken();
  const me = useMe();
  const logout = useLogout();
  const online = useOnline();
  const visit = useOpenVisit();
  useEffect(installFieldApp, []);
  // Remembered so the app still says who is signed in when it opens offline.
  const name = me.data
    ? (me.data.user?.displayName ?? me.data.principal.name)
    : localStorage.getItem(NAME_KEY);
  useEffect(() => {
    if (name && me.data) localStorage.setItem(NAME_KEY, name);
  }, [name, me.data]);

  return (
    <div className="mobile field">
      <header className="mobile-header">
        <h1>{t('field.title')}</h1>
        <span className={online ? 'status online' : 'status offline'} role="status">
          {online ? t('field.online') : t('field.offline')}
        </span>
        <LanguageSwitch />
      </header>
      <main className="mobile-main">
        {!token ? (
          <LoginForm title={t('field.loginTitle')} subtitle={t('field.loginHint')} />
        ) : visit ? (
          <Suspense fallback={<Loading />}>
            <OnSiteVisit visitId={visit} />
          </Suspense>
        ) : (
          // Signed in: the tasks show even offline, when who-am-I cannot be asked.
          <>
            <section className="card who">
              {name ? (
                // Offline, who-am-I cannot be asked: the name remembered from the last time.
                <p>
                  {t('field.signedInAs')} <strong>{name}</strong>
                </p>
              ) : (
                <Loading />
              )}
              <button
                type="button"
                className="btn btn-ghost"
                onClick={() => {
                  localStorage.removeItem(NAME_KEY);
                  logout();
                }}
              >
                {t('common.logout')}
              </button>
            </section>
            <Inspections />
            <Tasks />
            <MyBeat />
          </>
        )}
      </main>
    </div>
  );
}

function subscribeOnline(listener: () => void): () => void {
  window.addEventListener('online', listener);
  window.addEventListener('offline', listener);
  return () => {
    window.removeEventListener('online', listener);
    window.removeEventListener('offline', listener);
  };
}

/** Whether the browser believes it is online. */
function useOnline(): boolean {
  return useSyncExternalStore(subscribeOnline, () => navigator.onLine);
}
