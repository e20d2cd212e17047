import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import en from './locales/en.json';
import zhCN from './locales/zh-CN.json';

/** Languages of the UI; Simplified Chinese is the default. */
export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const KEY = 'citybrain.lang';

function stored(): Language {
  const value = globalThis.localStorage?.getItem(KEY);
  return value === 'en' ? 'en' : 'zh-CN';
}

void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN }, en: { translation: en } },
  lng: stored(),
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
  returnNull: false,
});

i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
  document.title = i18n.t('app.title');
});
document.documentElement.lang = i18n.language;

/** Switches the language and remembers it for the next visit. */
export function setLanguage(lng: Language): void {
  localStorage.setItem(KEY, lng);
  void i18n.changeLanguage(lng);
}

/** The name of a jurisdiction in the current language (the English name when there is one). */
export function placeName(node: { name: string; nameEn?: string | null }, lng: string): string {
  return lng === 'en' && node.nameEn ? node.nameEn : node.name;
}

export default i18n;
