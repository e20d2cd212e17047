import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { DEVICE_STATUSES } from '../api/devices.ts';
import type {
  AreaMeasure,
  CrowdDensity,
  LayerSwitches,
  LifeCircleCoverage,
  ParkingSites,
  TrafficLayer,
  WaterSections,
} from '../cockpit/layers.ts';
import { MAP_COLOURS, rampColour, rgb } from './basemap.ts';
import { LifeCircleLegend } from './LifeCircleLegend.tsx';
import { ParkingLegend } from './ParkingLegend.tsx';
import { CrowdLegend, WaterLegend } from './ThematicLegend.tsx';
import { TrafficLegend } from './TrafficLegend.tsx';
import type { DeviceLayerData } from './teams.ts';

/** What the legend shows and switches. */
export interface MapLegendProps {
  teams: number;
  devices: DeviceLayerData | undefined;
  showDevices: boolean;
  onShowDevices: (show: boolean) => void;
  showTeams: boolean;
  onShowTeams: (show: boolean) => void;
  showEvents: boolean;
  onShowEvents: (show: boolean) => void;
  measure: AreaMeasure;
  onMeasure: (measure: AreaMeasure) => void;
  max: number;
  layers: LayerSwitches;
  onLayers: (layers: LayerSwitches) => void;
  water: WaterSections | undefined;
  crowd: CrowdDensity | undefined;
  traffic: TrafficLayer | undefined;
  parking: ParkingSites | undefined;
  lifecircle: LifeCircleCoverage | undefined;
  crowdDomain: [number, number] | undefined;
}

/** The map's legend: the area measure, what the symbols are, and the layer switches. */
export function MapLegend(props: MapLegendProps) {
  const { t } = useTranslation();
  const { layers, onLayers } = props;
  return (
    <details className="legend" open aria-label={t('map.legend')}>
      <summary>{t('map.legend')}</summary>
      <AreaLegend measure={props.measure} onMeasure={props.onMeasure} max={props.max} />
      <div>
        <span className="swatch line" style={{ background: MAP_COLOURS.river }} /> {t('map.legendRivers')}
      </div>
      <label>
        <input
          type="checkbox"
          checked={props.showTeams}
          onChange={(e) => props.onShowTeams(e.currentTarget.checked)}
        />{' '}
        <span className="swatch dot" style={{ background: rgb(MAP_COLOURS.team) }} />{' '}
        {t('map.legendTeams', { count: props.teams })}
      </label>
      <label>
        <input
          type="checkbox"
          checked={props.showEvents}
          onChange={(e) => props.onShowEvents(e.currentTarget.checked)}
        />{' '}
        <span className="swatch dot" style={{ background: MAP_COLOURS.event }} /> {t('map.legendEvents')}
      </label>
      <DeviceLegend devices={props.devices} show={props.showDevices} onShow={props.onShowDevices} />
      <WaterLegend
        on={layers.water}
        onSwitch={(water) => onLayers({ ...layers, water })}
        water={props.water}
      />
      <CrowdLegend
        on={layers.crowd}
        onSwitch={(crowd) => onLayers({ ...layers, crowd })}
        crowd={props.crowd}
        domain={props.crowdDomain}
      />
      <TrafficLegend
        on={layers.traffic}
        onSwitch={(traffic) => onLayers({ ...layers, traffic })}
        traffic={props.traffic}
      />
      <ParkingLegend
        on={layers.parking}
        onSwitch={(parking) => onLayers({ ...layers, parking })}
        parking={props.parking}
      />
      <LifeCircleLegend
        on={layers.lifecircle}
        onSwitch={(lifecircle) => onLayers({ ...layers, lifecircle })}
        coverage={props.lifecircle}
      />
    </details>
  );
}

/** The choropleth's measure (radio buttons) and its colour ramp from 0 to the highest value. */
function AreaLegend({ measure, onMeasure, max }: Pick<MapLegendProps, 'measure' | 'onMeasure' | 'max'>) {
  const { t } = useTranslation();
  return (
    <fieldset className="legend-measure">
      <legend>{t('layers.areas.title')}</legend>
      {(['openEvents', 'overdueTasks'] as const).map((m) => (
        <label key={m}>
          <input
            type="radio"
            name="area-measure"
            value={m}
            checked={measure === m}
            onChange={() => onMeasure(m)}
          />{' '}
          {t(`layers.areas.${m}`)}
        </label>
      ))}
      <div className="legend-ramp small" data-testid="area-ramp" data-max={max}>
        <span>0</span>
        <span
          className="ramp"
          style={{
            background: `linear-gradient(to right, ${MAP_COLOURS.area}, ${rampColour(max, max)})`,
          }}
        />
        <span>{max}</span>
      </div>
    </fieldset>
  );
}

/** The devices' switch and count, and their count per status and with an open alert. */
function DeviceLegend({
  devices,
  show,
  onShow,
}: {
  devices: DeviceLayerData | undefined;
  show: boolean;
  onShow: (show: boolean) => void;
}) {
  const { t } = useTranslation();
  const alerted = useMemo(() => {
    if (!devices?.alerted.size) return 0;
    let n = 0;
    for (const id of devices.points.ids) if (devices.alerted.has(id)) n++;
    return n;
  }, [devices]);
  return (
    <div className="legend-devices">
      <label>
        <input type="checkbox" checked={show} onChange={(e) => onShow(e.currentTarget.checked)} />{' '}
        <span className="swatch dot" style={{ background: rgb(MAP_COLOURS.device.online) }} />{' '}
        {devices ? (
          <span data-testid="device-count" data-count={devices.points.count}>
            {t('map.legendDevices', {
              count: devices.points.count,
              n: devices.points.count.toLocaleString(),
            })}
          </span>
        ) : (
          t('map.legendDevicesLoading')
        )}
      </label>
      {devices ? (
        <ul className="legend-sub small">
          {DEVICE_STATUSES.map((s) => (
            <li key={s} data-testid={`device-status-${s}`} data-count={devices.points.byStatus[s]}>
              <span className="swatch dot" style={{ background: rgb(MAP_COLOURS.device[s]) }} />{' '}
              {t(`deviceStatus.${s}`)} {devices.points.byStatus[s].toLocaleString()}
            </li>
          ))}
          <li>
            <span className="swatch dot" style={{ background: rgb(MAP_COLOURS.deviceAlert) }} />{' '}
            {t('map.legendDeviceAlerts', { count: alerted })}
          </li>
        </ul>
      ) : null}
    </div>
  );
}
