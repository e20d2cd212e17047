import { useTranslation } from 'react-i18next';
import type { TrafficLayer } from '../cockpit/layers.ts';
import { navigate, TRAFFIC_PATH } from '../router.ts';
import { rgb } from './basemap.ts';
import { TRAFFIC_COLOURS, TRAFFIC_LEVELS } from './traffic.ts';

/** The traffic layer's switch and, while on, the links per congestion level. */
export function TrafficLegend({
  on,
  onSwitch,
  traffic,
}: {
  on: boolean;
  onSwitch: (on: boolean) => void;
  traffic: TrafficLayer | undefined;
}) {
  const { t } = useTranslation();
  return (
    <div className="legend-traffic">
      <label>
        <input type="checkbox" checked={on} onChange={(e) => onSwitch(e.currentTarget.checked)} />{' '}
        <span className="swatch line" style={{ background: rgb(TRAFFIC_COLOURS.severe) }} />{' '}
        {t('layers.traffic.title')}
      </label>
      {on ? (
        traffic ? (
          <ul className="legend-sub small" data-testid="traffic-legend">
            {[...TRAFFIC_LEVELS, 'none' as const].map((level) => (
              <li key={level} data-testid={`traffic-count-${level}`} data-count={traffic.counts[level]}>
                <span className="swatch line" style={{ background: rgb(TRAFFIC_COLOURS[level]) }} />{' '}
                {level === 'none' ? t('layers.traffic.noData') : t(`layers.traffic.level.${level}`)}{' '}
                {traffic.counts[level]}
              </li>
            ))}
            <li>{t('layers.traffic.note')}</li>
            <li>
              <a
                href={TRAFFIC_PATH}
                data-testid="traffic-index-link"
                onClick={(e) => {
                  e.preventDefault();
                  navigate(TRAFFIC_PATH);
                }}
              >
                {t('trafficPage.link')}
              </a>
            </li>
          </ul>
        ) : (
          <p className="legend-sub small">{t('layers.loading')}</p>
        )
      ) : null}
    </div>
  );
}
