import { useTranslation } from 'react-i18next';
import { useMe, useToken } from '../api/queries.ts';
import { LanguageSwitch } from '../shared/LanguageSwitch.tsx';
import { Loading } from '../shared/Loading.tsx';
import { LoginForm } from '../shared/LoginForm.tsx';
import './cockpit.css';
import { Cockpit } from './Cockpit.tsx';

/** The cockpit face (驾驶舱): sign-in, then the map of the user's jurisdiction. */
export default function CockpitApp() {
  const { t } = useTranslation();
  const token = useToken();
  const me = useMe();
  if (!token) {
    return (
      <div className="cockpit-login">
        <div className="corner">
          <LanguageSwitch />
        </div>
        <main>
          <LoginForm title={t('cockpit.title')} subtitle={t('cockpit.loginHint')} />
        </main>
      </div>
    );
  }
  if (!me.data) return <Loading />;
  return <Cockpit me={me.data} />;
}
