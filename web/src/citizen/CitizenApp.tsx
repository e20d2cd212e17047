import { useTranslation } from 'react-i18next';
import { LanguageSwitch } from '../shared/LanguageSwitch.tsx';
import '../styles/mobile.css';
import { ComplaintForm } from './ComplaintForm.tsx';

/** The citizen portal (市民端), mobile-first: file a complaint with text, photos and a place. */
export default function CitizenApp() {
  const { t } = useTranslation();
  return (
    <div className="mobile">
      <header className="mobile-header">
        <h1>{t('citizen.title')}</h1>
        <LanguageSwitch />
      </header>
      <main className="mobile-main">
        <ComplaintForm />
      </main>
    </div>
  );
}
