import { useTranslation } from 'react-i18next';

/** A polite loading indicator. */
export function Loading({ label }: { label?: string }) {
  const { t } = useTranslation();
  return (
    <div className="loading" role="status" aria-live="polite">
      {label ?? t('common.loading')}
    </div>
  );
}
