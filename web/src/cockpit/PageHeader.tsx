import { useTranslation } from 'react-i18next';
import type { Me } from '../api/types.ts';
import { navigate } from '../router.ts';
import { LanguageSwitch } from '../shared/LanguageSwitch.tsx';

/** The header of the cockpit's own pages (plan, data sharing, life circle, traffic): back to the map, brand, user. */
export function PageHeader({ me, backLabel }: { me: Me; backLabel: string }) {
  const { t } = useTranslation();
  return (
    <header className="cockpit-header">
      <button type="button" className="btn btn-ghost" onClick={() => navigate('/')}>
        ← {backLabel}
      </button>
      <div className="brand">
        <span className="logo" aria-hidden="true" />
        <span>{t('cockpit.title')}</span>
      </div>
      <div className="user">
        <span className="user-name">{me.user?.displayName ?? me.principal.name}</span>
        <LanguageSwitch />
      </div>
    </header>
  );
}
