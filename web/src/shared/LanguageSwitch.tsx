import { useTranslation } from 'react-i18next';
import { setLanguage } from '../i18n.ts';

/** Toggles between 中文 and English; the choice is remembered. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  const next = i18n.language === 'en' ? 'zh-CN' : 'en';
  return (
    <button
      type="button"
      className="btn btn-ghost"
      lang={next}
      title={t('common.switchLanguage')}
      onClick={() => setLanguage(next)}
    >
      {next === 'en' ? 'English' : '中文'}
    </button>
  );
}
