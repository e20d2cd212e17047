import { useTranslation } from 'react-i18next';
import type { ParkingSites } from '../cockpit/layers.ts';
import { rgb } from './basemap.ts';
import { PARKING_BINS, PARKING_CLOSED, PARKING_COLOURS, parkingCounts } from './parking.ts';

/** The parking layer's switch and, while on, the sites per bin of free spaces and the totals. */
export function ParkingLegend({
  on,
  onSwitch,
  parking,
}: {
  on: boolean;
  onSwitch: (on: boolean) => void;
  parking: ParkingSites | undefined;
}) {
  const { t } = useTranslation();
  const counts = parking ? parkingCounts(parking.items) : [];
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  return (
    <div className="legend-parking">
      <label>
        <input type="checkbox" checked={on} onChange={(e) => onSwitch(e.currentTarget.checked)} />{' '}
        <span className="swatch dot" style={{ background: rgb(PARKING_COLOURS[3]!) }} />{' '}
        {t('layers.parking.title')}
      </label>
      {on ? (
        parking ? (
          <ul
            className="legend-sub small"
            data-testid="parking-legend"
            data-sites={parking.totals.sites}
            data-free={parking.totals.free}
            data-total={parking.totals.total}
            data-occupied={parking.totals.occupied}
          >
            {PARKING_BINS.map((floor, k) => (
              <li key={floor} data-testid={`parking-bin-${k}`} data-count={counts[k]}>
                <span className="swatch dot" style={{ background: rgb(PARKING_COLOURS[k]!) }} />{' '}
                {t('layers.parking.free')}{' '}
                {k < PARKING_BINS.length - 1
                  ? `${pct(floor)}–${pct(PARKING_BINS[k + 1]!)}`
                  : `≥ ${pct(floor)}`}{' '}
                {counts[k]}
              </li>
            ))}
            <li data-testid="parking-bin-closed" data-count={counts[4]}>
              <span className="swatch dot" style={{ background: rgb(PARKING_CLOSED) }} />{' '}
              {t('layers.parking.notShared')} {counts[4]}
            </li>
            <li data-testid="parking-totals">
              {t('layers.parking.totals', {
                sites: parking.totals.sites.toLocaleString(),
                total: parking.totals.total.toLocaleString(),
                free: parking.totals.free.toLocaleString(),
              })}
            </li>
            <li>{t('layers.parking.note')}</li>
          </ul>
        ) : (
          <p className="legend-sub small">{t('layers.loading')}</p>
        )
      ) : null}
    </div>
  );
}
