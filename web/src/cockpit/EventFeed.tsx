import { useTranslation } from 'react-i18next';
import { type EventItem, useLiveState } from '../api/events.ts';
import { EmptyState } from '../shared/EmptyState.tsx';
import { statusLabel, timeOf } from './eventText.ts';
import './plan.css';

/**
 * The live event feed: newest first, updated from the live stream (a safety refetch every 60 s);
 * a mark says whether the stream is connected; each item links to the event's page (`/events/:id`),
 * opened in place by a plain click.
 */
export function EventFeed({
  events,
  loading,
  filtered = false,
  selected,
  onOpen,
  hrefOf,
}: {
  events: readonly EventItem[];
  loading: boolean;
  /** The operator narrowed the list: an empty one says so instead of "no events". */
  filtered?: boolean;
  selected?: string;
  onOpen: (id: string) => void;
  hrefOf: (id: string) => string;
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
        <EmptyState
          title={loading ? t('common.loading') : t(filtered ? 'filters.none' : 'events.empty')}
          note={t('live.emptyNote')}
        />
      ) : (
        <ol className="feed" aria-live="polite">
          {events.slice(0, 50).map((e) => (
            <li key={e.id}>
              <a
                href={hrefOf(e.id)}
                className={`feed-item${e.id === selected ? ' selected' : ''}`}
                style={plainLink}
                aria-current={e.id === selected ? 'page' : undefined}
                onClick={(click) => {
                  // A modified click (new tab, new window) is the browser's; a plain one opens in place.
                  if (click.button !== 0 || click.metaKey || click.ctrlKey || click.shiftKey || click.altKey)
                    return;
                  click.preventDefault();
                  onOpen(e.id);
                }}
              >
                <span className={`badge st-${e.status}`}>{statusLabel(t, e.status)}</span>
                <span className="feed-text">{e.description}</span>
                <span className="feed-meta muted small">
                  {e.trackingNo} · {timeOf(e.createdAt)} ·{' '}
                  {e.category ? t(`categories.${e.category}`, e.category) : '—'} ·{' '}
                  {e.chain.at(-1)?.name ?? e.jurisdictionCode}
                </span>
              </a>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

/** The item is a link for its URL, styled as the card it was (cockpit.css styles `.feed-item`). */
const plainLink = { textDecoration: 'none' } as const;
