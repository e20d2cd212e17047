import { useTranslation } from 'react-i18next';
import type { CrowdDensity, WaterSections } from '../cockpit/layers.ts';
import { rgb } from './basemap.ts';
import { CROWD_COLOURS } from './thematic.ts';
import { WATER_COLOURS, WATER_GRADES } from './water.ts';

/** The water layer's switch and, while on, the sections per GB 3838 class and against their target. */
export function WaterLegend({
  on,
  onSwitch,
  water,
}: {
  on: boolean;
  onSwitch: (on: boolean) => void;
  water: WaterSections | undefined;
}) {
  const { t } = useTranslation();
  return (
    <div className="legend-water">
      <label>
        <input type="checkbox" checked={on} onChange={(e) => onSwitch(e.currentTarget.checked)} />{' '}
        <span className="swatch line" style={{ background: rgb(WATER_COLOURS.III) }} />{' '}
        {t('layers.water.title')}
      </label>
      {on ? (
        water ? (
          <ul className="legend-sub small" data-testid="water-legend">
            {WATER_GRADES.map((g) => (
              <li key={g} data-testid={`water-count-${g}`} data-count={water.counts[g]}>
                <span className="swatch dot" style={{ background: rgb(WATER_COLOURS[g]) }} />{' '}
                {t(`layers.water.grade.${g}`)} {t(`layers.water.status.${g}`)} {water.counts[g]}
              </li>
            ))}
            <li data-testid="water-count-none" data-count={water.counts.none}>
              <span className="swatch dot" style={{ background: rgb(WATER_COLOURS.none) }} />{' '}
              {t('layers.water.noData')} {water.counts.none}
            </li>
            <li data-testid="water-target" data-missing={water.missingTarget}>
              {t('layers.water.target', { meeting: water.meetingTarget, missing: water.missingTarget })}
            </li>
          </ul>
        ) : (
          <p className="legend-sub small">{t('layers.loading')}</p>
        )
      ) : null}
    </div>
  );
}

/** The crowd layer's switch and, while on, who reports and the hexagons' colour ramp. */
export function CrowdLegend({
  on,
  onSwitch,
  crowd,
  domain,
}: {
  on: boolean;
  onSwitch: (on: boolean) => void;
  crowd: CrowdDensity | undefined;
  domain: [number, number] | undefined;
}) {
  const { t } = useTranslation();
  return (
    <div className="legend-crowd">
      <label>
        <input type="checkbox" checked={on} onChange={(e) => onSwitch(e.currentTarget.checked)} />{' '}
        <span className="swatch hex" style={{ background: rgb(CROWD_COLOURS[4]!) }} />{' '}
        {t('layers.crowd.title')}
      </label>
      {on ? (
        crowd ? (
          <div className="legend-sub small" data-testid="crowd-legend" data-reporting={crowd.reporting}>
            <div>
              {t('layers.crowd.reporting', {
                reporting: crowd.reporting.toLocaleString(),
                devices: crowd.devices.toLocaleString(),
                people: Math.round(crowd.people).toLocaleString(),
              })}
            </div>
            <div className="legend-ramp">
              <span>{domain ? Math.round(domain[0]).toLocaleString() : '…'}</span>
              <span
                className="ramp"
                style={{ background: `linear-gradient(to right, ${CROWD_COLOURS.map(rgb).join(', ')})` }}
              />
              <span data-testid="crowd-max">{domain ? Math.round(domain[1]).toLocaleString() : '…'}</span>
            </div>
            <div>{t('layers.crowd.note')}</div>
          </div>
        ) : (
          <p className="legend-sub small">{t('layers.loading')}</p>
        )
      ) : null}
    </div>
  );
}
