import { useTranslation } from 'react-i18next';
import type { LifeCircleCoverage } from '../cockpit/layers.ts';
import { lifeCirclePath, navigate } from '../router.ts';
import { rgb } from './basemap.ts';
import { binCounts, LIFECIRCLE_BINS, LIFECIRCLE_COLOURS, meanShare } from './lifecircle.ts';

/** The life circle layer's switch and, while on, the streets per bin of mean coverage. */
export function LifeCircleLegend({
  on,
  onSwitch,
  coverage,
}: {
  on: boolean;
  onSwitch: (on: boolean) => void;
  coverage: LifeCircleCoverage | undefined;
}) {
  const { t } = useTranslation();
  const counts = coverage ? binCounts(coverage.streets) : [];
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const worst = coverage?.streets.reduce<(typeof coverage.streets)[number] | undefined>(
    (w, s) => (!w || meanShare(s) < meanShare(w) ? s : w),
    undefined,
  );
  return (
    <div className="legend-lifecircle">
      <label>
        <input type="checkbox" checked={on} onChange={(e) => onSwitch(e.currentTarget.checked)} />{' '}
        <span className="swatch dot" style={{ background: rgb(LIFECIRCLE_COLOURS[4]!) }} />{' '}
        {t('layers.lifecircle.title')}
      </label>
      {on ? (
        coverage ? (
          <ul className="legend-sub small" data-testid="lifecircle-legend">
            {LIFECIRCLE_BINS.map((floor, k) => (
              <li key={floor} data-testid={`lifecircle-bin-${k}`} data-count={counts[k]}>
                <span className="swatch dot" style={{ background: rgb(LIFECIRCLE_COLOURS[k]!) }} />{' '}
                {k < LIFECIRCLE_BINS.length - 1
                  ? `${pct(floor)}–${pct(LIFECIRCLE_BINS[k + 1]!)}`
                  : `≥ ${pct(floor)}`}{' '}
                {counts[k]}
              </li>
            ))}
            <li>
              {t('layers.lifecircle.note', {
                all: pct(coverage.allShare),
                streets: coverage.streets.length,
              })}
            </li>
            {worst ? (
              <li>
                <button
                  type="button"
                  className="link"
                  data-testid="lifecircle-worst"
                  onClick={() => navigate(lifeCirclePath(worst.code))}
                >
                  {t('layers.lifecircle.worst', { name: worst.name })}
                </button>
              </li>
            ) : null}
          </ul>
        ) : (
          <p className="legend-sub small">{t('layers.loading')}</p>
        )
      ) : null}
    </div>
  );
}
