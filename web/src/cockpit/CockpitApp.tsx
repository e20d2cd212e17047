import { useTranslation } from 'react-i18next';
import { useMe, useToken } from '../api/queries.ts';
import { DESK_PATH, lifeCircleCodeOf, planIdOf, TRAFFIC_PATH, useLocation } from '../router.ts';
import { LanguageSwitch } from '../shared/LanguageSwitch.tsx';
import { Loading } from '../shared/Loading.tsx';
import { LoginForm } from '../shared/LoginForm.tsx';
import './cockpit.css';
import { Cockpit } from './Cockpit.tsx';
import { DATA_PATH, DataPage } from './DataPage.tsx';
import { DeskPage } from './DeskPage.tsx';
import { ENFORCEMENT_PATH, EnforcementPage } from './EnforcementPage.tsx';
import { LifeCirclePage } from './LifeCirclePage.tsx';
import { PlanPage } from './PlanPage.tsx';
import { TrafficPage } from './TrafficPage.tsx';

/**
 * The cockpit face (驾驶舱): sign-in, then the map of the user's jurisdiction (with an event's page
 * over it at `/events/:id`, see Cockpit), a plan's page (`/plans/:id`), a street's life circle
 * report (`/lifecircle/:code`), the traffic index (`/traffic`), the data-sharing page (`/data`),
 * a department's services desk (`/desk`), or joint enforcement (`/enforcement`).
 */
export default function CockpitApp() {
  const { t } = useTranslation();
  const token = useToken();
  const me = useMe();
  const { pathname } = useLocation();
  const planId = planIdOf(pathname);
  const lifeCircleCode = lifeCircleCodeOf(pathname);
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
  if (planId) return <PlanPage id={planId} me={me.data} />;
  if (lifeCircleCode) return <LifeCirclePage code={lifeCircleCode} me={me.data} />;
  if (pathname === DATA_PATH || pathname === `${DATA_PATH}/`) return <DataPage me={me.data} />;
  if (pathname === DESK_PATH || pathname === `${DESK_PATH}/`) return <DeskPage me={me.data} />;
  if (pathname === TRAFFIC_PATH || pathname === `${TRAFFIC_PATH}/`) return <TrafficPage me={me.data} />;
  if (pathname === ENFORCEMENT_PATH || pathname === `${ENFORCEMENT_PATH}/`)
    return <EnforcementPage me={me.data} />;
  return <Cockpit me={me.data} />;
}
