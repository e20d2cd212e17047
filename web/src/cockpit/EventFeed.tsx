import { useTranslation } from 'react-i18next';
import { type EventItem, useLiveState } from '../api/events.ts';
import { EmptyState } from '../shared/EmptyState.tsx';
import { statusLabel, timeOf } from './eventText.ts';
import './plan.css';

/**
 * The live event feed: newest first, updated from the live stream (a safety refetch every 60 s);
 * a mark says whether the stream is connected; a click opens the event page.
 */
export function EventFeed({
  events,
  loading,
  selected,
  onOpen,
}: {
  events: readonly EventItem[];
  loading: boolean;
  selected?: string;
  onOpen: (id: string) => void;
}) {
  const { t } = useTranslation();
  const live = useLiveState();
  return (
    <section className="event-feed" aria-labelledby="event-feed-title">
      <h2 id="event-feed-title">
        {t('events.title')} <span className="muted small">({events.length})</span>
        <span className={`live-mark ${live}`} role="status">
          {live === 'live' ? `● ${t('live.on')}` : t(`live.${live}`)}
        </span>
      </h2>
      {events.length === 0 ? (
        <EmptyState title={loading ? t('common.loading') : t('events.empty')} note={t('live.emptyNote')} />
      ) : (
        <ol className="feed" aria-live="polite">
          {events.slice(0, 50).map((e) => (
            <li key={e.id}>
              <button
                type="button"
                className={`feed-item${e.id === selected ? ' selected' : ''}`}
                aria-current={e.id === selected ? 'true' : undefined}
                onClick={() => onOpen(e.id)}
              >
                <span className={`badge st-${e.status}`}>{statusLabel(t, e.status)}</span>
                <span className="feed-text">{e.description}</span>
                <span className="feed-meta muted small">
                  {timeOf(e.createdAt)} · {e.category ? t(`categories.${e.category}`, e.category) : '—'} ·{' '}
                  {e.chain.at(-1)?.name ?? e.jurisdictionCode}
                </span>
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
