import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import zhCN from './locales/zh-CN.json';

/** Languages of the UI; Simplified Chinese is the default. */
export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

const KEY = 'citybrain.lang';

function stored(): Language {
  const value = globalThis.localStorage?.getItem(KEY);
  return value === 'en' ? 'en' : 'zh-CN';
}

// Chinese (the default) is in the main bundle; English is its own chunk, read when chosen
// (~15 KiB over the wire that a Chinese first view does not load).
void i18n.use(initReactI18next).init({
  resources: { 'zh-CN': { translation: zhCN } },
  partialBundledLanguages: true,
  lng: 'zh-CN',
  fallbackLng: 'zh-CN',
  interpolation: { escapeValue: false },
  returnNull: false,
});

i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
  document.title = i18n.t('app.title');
});
document.documentElement.lang = i18n.language;

/** Reads the language's texts if not yet read, then switches to it. */
async function switchTo(lng: Language): Promise<void> {
  if (lng === 'en' && !i18n.hasResourceBundle('en', 'translation')) {
    const { default: en } = await import('./locales/en.json');
    i18n.addResourceBundle('en', 'translation', en);
  }
  await i18n.changeLanguage(lng);
}
if (stored() !== 'zh-CN') void switchTo(stored());

/** Switches the language and remembers it for the next visit. */
export function setLanguage(lng: Language): void {
  localStorage.setItem(KEY, lng);
  void switchTo(lng);
}

/** The name of a jurisdiction in the current language (the English name when there is one). */
export function placeName(node: { name: string; nameEn?: string | null }, lng: string): string {
  return lng === 'en' && node.nameEn ? node.nameEn : node.name;
}

export default i18n;
