import { useTranslation } from 'react-i18next';
import type { GetOk, Jurisdiction } from '../api/types.ts';
import { placeName } from '../i18n.ts';
import { EmptyState } from '../shared/EmptyState.tsx';
import type { AreaMeasure } from './layers.ts';

type Area = GetOk<'/api/v1/jurisdictions/{code}/children'>['items'][number];

/** The areas on the map as a keyboard-usable list: the same drill-down as clicking the map. */
export function AreaList({
  node,
  areas,
  isLeaf,
  scopePath,
  values,
  measure,
  onSelect,
}: {
  node: Jurisdiction | undefined;
  areas: Area[] | undefined;
  isLeaf: boolean;
  scopePath: string;
  /** The number shown per area (undefined while loading). */
  values: ReadonlyMap<string, number> | undefined;
  measure: AreaMeasure;
  onSelect: (code: string) => void;
}) {
  const { t, i18n } = useTranslation();
  if (!node || !areas) return null;
  const level = isLeaf ? node.level : (areas[0]?.level ?? 'street');
  return (
    <section>
      <h2>
        {isLeaf ? t('areas.siblings', { level: t(`levels.${level}`) }) : t(`areas.children.${level}`)}
        <span className="count">{areas.length}</span>
      </h2>
      {areas.length === 0 ? (
        <EmptyState title={t('areas.none')} />
      ) : (
        <ul className="area-list">
          {areas.map((area) => {
            const inScope = area.path === scopePath || area.path.startsWith(`${scopePath}/`);
            const current = area.code === node.code;
            return (
              <li key={area.code}>
                <button
                  type="button"
                  className="area"
                  disabled={!inScope || current}
                  aria-current={current ? 'true' : undefined}
                  onClick={() => onSelect(area.code)}
                >
                  <span>{placeName(area, i18n.language)}</span>
                  <span
                    className={`area-value${measure === 'overdueTasks' && (values?.get(area.code) ?? 0) > 0 ? ' hot' : ''}`}
                    title={t(`layers.areas.${measure}`)}
                  >
                    {values ? (values.get(area.code) ?? 0) : '…'}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <p className="muted small">{t(`layers.areas.note.${measure}`)}</p>
    </section>
  );
}
