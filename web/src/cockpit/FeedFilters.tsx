import type { TFunction } from 'i18next';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type EventFilters, type EventItem, RANGES, type Range } from '../api/events.ts';
import { download, toCsv } from '../shared/csv.ts';
import { statusLabel } from './eventText.ts';

const STATUSES = ['triage', 'dispatched', 'in_progress', 'resolved', 'closed'] as const;
const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
const SOURCES = ['citizen', 'sensor_alert', 'patrol', 'system'] as const;

/** True when the operator narrowed the feed beyond the time range. */
export function isFiltered(f: EventFilters): boolean {
  return Boolean(f.status || f.priority || f.source || f.category || f.q);
}

/**
 * The feed's filter bar: status, priority, source, category, a search box (sent after a pause in
 * typing), the time range the KPIs share, and CSV export of what the feed shows.
 */
export function FeedFilters({
  value,
  onChange,
  categories,
  events,
}: {
  value: EventFilters;
  onChange: (f: EventFilters) => void;
  categories: readonly string[];
  events: readonly EventItem[];
}) {
  const { t, i18n } = useTranslation();
  const [text, setText] = useState(value.q ?? '');
  useEffect(() => {
    const q = text.trim() || undefined;
    if (q === value.q) return;
    const timer = setTimeout(() => onChange({ ...value, q }), 300);
    return () => clearTimeout(timer);
  }, [text, value, onChange]);
  const set = <K extends keyof EventFilters>(key: K, v: string) =>
    onChange({ ...value, [key]: v === '' ? undefined : v });
  const select = (
    key: 'status' | 'priority' | 'source' | 'category',
    options: readonly string[],
    label: (o: string) => string,
  ) => (
    <label className="filter">
      <span className="sr-only">{t(`filters.${key}`)}</span>
      <select
        value={value[key] ?? ''}
        onChange={(e) => set(key, e.target.value)}
        aria-label={t(`filters.${key}`)}
      >
        <option value="">{t(`filters.all.${key}`)}</option>
        {options.map((o) => (
          <option key={o} value={o}>
            {label(o)}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <search className="feed-filters" aria-label={t('filters.label')}>
      <input
        type="search"
        className="filter-search"
        value={text}
        placeholder={t('filters.search')}
        aria-label={t('filters.search')}
        maxLength={100}
        onChange={(e) => setText(e.target.value)}
      />
      <label className="filter">
        <span className="sr-only">{t('filters.range')}</span>
        <select
          value={value.range}
          aria-label={t('filters.range')}
          onChange={(e) => onChange({ ...value, range: e.target.value as Range })}
        >
          {RANGES.map((r) => (
            <option key={r} value={r}>
              {t(`filters.ranges.${r}`)}
            </option>
          ))}
        </select>
      </label>
      {select('status', STATUSES, (s) => statusLabel(t, s))}
      {select('priority', PRIORITIES, (p) => t(`priorities.${p}`))}
      {select('source', SOURCES, (s) => t(`sources.${s}`))}
      {select('category', categories, (c) => t(`categories.${c}`, c))}
      <button
        type="button"
        className="btn btn-ghost"
        disabled={events.length === 0}
        onClick={() => download(`events-${stamp()}.csv`, eventsCsv(t, events, i18n.language))}
      >
        {t('filters.export')}
      </button>
      {isFiltered(value) ? (
        <button
          type="button"
          className="btn btn-ghost"
          onClick={() => {
            setText('');
            onChange({ range: value.range, within: value.within });
          }}
        >
          {t('filters.clear')}
        </button>
      ) : null}
    </search>
  );
}

/** Local date and time for file names, e.g. 20261207-0931. */
export function stamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}`;
}

/** The events as CSV, with headers and values in the user's language. */
export function eventsCsv(t: TFunction, events: readonly EventItem[], language: string): string {
  const head = [
    'trackingNo',
    'id',
    'createdAt',
    'status',
    'priority',
    'category',
    'source',
    'area',
    'description',
    'address',
    'closedAt',
  ];
  const area = (e: EventItem) =>
    e.chain
      .slice(1)
      .map((c) => c.name)
      .join(' › ') || e.jurisdictionCode;
  const local = (iso: string | null) => (iso ? new Date(iso).toLocaleString(language) : '');
  return toCsv([
    head.map((h) => t(`filters.csv.${h}`)),
    ...events.map((e) => [
      e.trackingNo,
      e.id,
      local(e.createdAt),
      statusLabel(t, e.status),
      t(`priorities.${e.priority}`),
      e.category ? t(`categories.${e.category}`, e.category) : '',
      t(`sources.${e.source}`),
      area(e),
      e.description,
      e.address,
      local(e.closedAt),
    ]),
  ]);
}
