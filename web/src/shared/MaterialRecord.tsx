import { useQueries } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client.ts';
import type { Material } from '../api/services.ts';

/** Field titles of catalogue resources (GET /api/v1/datahub/resources/{id}, any signed-in user), by resource. */
export function useFieldTitles(
  resourceIds: readonly string[],
): (resourceId: string, field: string) => string {
  const ids = [...new Set(resourceIds)].sort();
  const answers = useQueries({
    queries: ids.map((id) => ({
      queryKey: ['datahub-resource', id],
      staleTime: Number.POSITIVE_INFINITY,
      retry: false,
      queryFn: async () =>
        unwrap(await api.GET('/api/v1/datahub/resources/{id}', { params: { path: { id } } })),
    })),
  });
  const titles = new Map<string, string>();
  for (const a of answers)
    for (const f of a.data?.fields ?? []) titles.set(`${a.data?.id}|${f.name}`, f.titleZh);
  return (resourceId, field) => titles.get(`${resourceId}|${field}`) ?? field;
}

/** A value of a record as a person reads it: dates without midnight times, masked values as they are. */
function shown(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T00:00:00(\.000)?Z$/.test(v)) return v.slice(0, 10);
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)) {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? v : d.toLocaleString();
  }
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/**
 * What a material holds: the record a department's data served (field by field, masked fields as
 * `***`), the applicant's text, or that a file was given.
 */
export function MaterialRecord({
  material: m,
  fieldTitle,
}: {
  material: Material;
  fieldTitle: (resourceId: string, field: string) => string;
}) {
  const { t } = useTranslation();
  // An item's output is said by its status (produced by which item), not by its technical record.
  if (m.value === undefined || m.value === null || m.origin === 'item') return null;
  if (m.origin === 'applicant')
    return (m.format ?? 'file') === 'text' ? (
      <p className="record-text">{String(m.value)}</p>
    ) : (
      <p className="muted small">{t('services.fileGiven')}</p>
    );
  if (typeof m.value !== 'object') return <p className="record-text">{shown(m.value)}</p>;
  const entries = Object.entries(m.value as Record<string, unknown>);
  return (
    <dl className="record">
      {entries.map(([k, v]) => (
        <div key={k}>
          <dt>{m.resourceId ? fieldTitle(m.resourceId, k) : k}</dt>
          <dd>{shown(v)}</dd>
        </div>
      ))}
    </dl>
  );
}
