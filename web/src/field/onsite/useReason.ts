import { useTranslation } from 'react-i18next';
import type { OnSiteCheck } from './verify.ts';

/** The reason of a check in words. */
export function useReason() {
  const { t } = useTranslation();
  return (check: OnSiteCheck) =>
    check.valid ? t('onsite.valid') : t(`onsite.reasons.${check.reason}`, check.reason);
}
