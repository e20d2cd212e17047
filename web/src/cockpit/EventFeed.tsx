import { useTranslation } from 'react-i18next';
import { EmptyState } from '../shared/EmptyState.tsx';

/**
 * The live event feed. The events API (and its live stream) is being built; until it
 * exists this shows an honest empty state instead of sample data.
 */
export function EventFeed() {
  const { t } = useTranslation();
  return (
    <section className="event-feed" aria-live="polite">
      <h2>{t('events.title')}</h2>
      <EmptyState title={t('events.empty')} note={t('events.emptyNote')} />
    </section>
  );
}
