import 'maplibre-gl/dist/maplibre-gl.css';
import { type GeoJSONSource, Map as MapLibre, type Map as MapLibreMap, setWorkerUrl } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import riversUrl from '../../../data/chongqing/rivers.geojson?url';
import { DEVICE_STATUSES } from '../api/devices.ts';
import { type Boundaries, bounds, type Jurisdiction, lonLat, type Team } from '../api/types.ts';
import type { AreaMeasure, CrowdDensity, LayerSwitches, WaterSections } from '../cockpit/layers.ts';
import { placeName } from '../i18n.ts';
import { baseStyle, MAP_COLOURS, valueColour } from './basemap.ts';
import { LabelLayer } from './labels.ts';
import { type DeviceLayerData, TeamsOverlay } from './teams.ts';
import { buildThematic, CROWD_COLOURS, crowdRadius } from './thematic.ts';
import { WATER_COLOURS, WATER_GRADES } from './water.ts';

setWorkerUrl(workerUrl);

/** What the cockpit map shows. */
export interface CityMapProps {
  /** The node in focus: its outline is drawn and the view fits its bbox. */
  focus: Jurisdiction;
  /** The areas to colour (children of the focus, or its siblings when it is a leaf). */
  areas: Boundaries;
  /** An area to emphasise (the focus when it is a leaf). */
  highlight?: string;
  /** Codes of the areas a click drills into. */
  selectable: ReadonlySet<string>;
  /** Names and label points of the areas. */
  labels: { code: string; name: string; nameEn: string | null; label: number[] }[];
  /** The choropleth value per code (missing = 0): open events or overdue tasks, as `measure` says. */
  values: ReadonlyMap<string, number>;
  /** What `values` counts. */
  measure: AreaMeasure;
  onMeasure: (measure: AreaMeasure) => void;
  /** Which thematic layers are on (the legend's switches). */
  layers: LayerSwitches;
  onLayers: (layers: LayerSwitches) => void;
  /** GB 3838 class per monitoring section, while the water layer is on. */
  water?: WaterSections;
  /** Latest crowd counts, while the crowd layer is on. */
  crowd?: CrowdDensity;
  /** Teams to draw at their positions. */
  teams: Team[];
  /** Events to draw as dots (open ones red, closed ones grey). */
  events?: readonly {
    id: string;
    status: string;
    location: { lon: number; lat: number };
    description: string;
  }[];
  /** Devices in scope (packed) and those with an open alert; undefined while loading. */
  devices?: DeviceLayerData;
  onSelect: (code: string) => void;
  /** A click on an event dot. */
  onEvent?: (id: string) => void;
}

/** The cockpit map: our own boundaries, rivers and teams on a plain background (no tiles needed). */
export default function CityMap(props: CityMapProps) {
  const { t, i18n } = useTranslation();
  const container = useRef<HTMLDivElement>(null);
  const map = useRef<MapLibreMap | null>(null);
  const labels = useRef<LabelLayer | null>(null);
  const teams = useRef<TeamsOverlay | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const [ready, setReady] = useState(false);
  const [failure, setFailure] = useState<string>();
  const [showDevices, setShowDevices] = useState(true);
  const [rivers, setRivers] = useState<GeoJSON.FeatureCollection>();
  const [crowdDomain, setCrowdDomain] = useState<[number, number]>();

  useEffect(() => {
    if (!container.current) return;
    let instance: MapLibreMap;
    try {
      instance = new MapLibre({
        container: container.current,
        style: baseStyle(),
        bounds: bounds(latest.current.focus.bbox),
        fitBoundsOptions: { padding: 24 },
        attributionControl: { compact: true, customAttribution: 'Rivers: Natural Earth' },
        dragRotate: false,
        pitchWithRotate: false,
      });
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
      return;
    }
    map.current = instance;
    instance.getCanvas().setAttribute('aria-label', t('map.canvas'));
    instance.on('load', () => {
      addLayers(instance);
      labels.current = new LabelLayer(instance);
      teams.current = new TeamsOverlay(instance, (team) => `${team.name}`);
      setReady(true);
    });
    let hovered: string | undefined;
    instance.on('mousemove', 'areas-fill', (e) => {
      const code = e.features?.[0]?.properties?.code as string | undefined;
      if (hovered && hovered !== code)
        instance.setFeatureState({ source: 'areas', id: hovered }, { hover: false });
      hovered = code;
      if (code) instance.setFeatureState({ source: 'areas', id: code }, { hover: true });
      instance.getCanvas().style.cursor = code && latest.current.selectable.has(code) ? 'pointer' : '';
    });
    instance.on('mouseleave', 'areas-fill', () => {
      if (hovered) instance.setFeatureState({ source: 'areas', id: hovered }, { hover: false });
      hovered = undefined;
      instance.getCanvas().style.cursor = '';
    });
    instance.on('click', 'events', (e) => {
      const id = e.features?.[0]?.properties?.id as string | undefined;
      if (id) latest.current.onEvent?.(id);
    });
    instance.on('mouseenter', 'events', () => {
      instance.getCanvas().style.cursor = 'pointer';
    });
    instance.on('click', 'areas-fill', (e) => {
      if (instance.queryRenderedFeatures(e.point, { layers: ['events'] }).length) return;
      const code = e.features?.[0]?.properties?.code as string | undefined;
      if (code && latest.current.selectable.has(code)) latest.current.onSelect(code);
    });
    // Tests and screenshots wait for this: the map has drawn what it was given.
    instance.on('idle', () => container.current?.setAttribute('data-idle', 'true'));
    instance.on('movestart', () => container.current?.setAttribute('data-idle', 'false'));
    return () => {
      teams.current?.remove();
      labels.current?.remove();
      instance.remove();
      map.current = null;
      setReady(false);
    };
  }, [t]);

  const { focus, areas, highlight, selectable, values } = props;
  useEffect(() => {
    const m = map.current;
    if (!ready || !m) return;
    const features = areas.features.map((f) => ({
      ...f,
      properties: {
        ...f.properties,
        value: values.get(f.properties.code) ?? 0,
        selectable: selectable.has(f.properties.code),
        highlight: f.properties.code === highlight,
      },
    }));
    (m.getSource('areas') as GeoJSONSource).setData({
      type: 'FeatureCollection',
      features,
    } as GeoJSON.FeatureCollection);
    (m.getSource('focus') as GeoJSONSource).setData({
      type: 'Feature',
      properties: {},
      geometry: focus.geometry as GeoJSON.Geometry,
    });
    const max = Math.max(0, ...features.map((f) => f.properties.value));
    m.setPaintProperty('areas-fill', 'fill-color', valueColour(max) as string);
    container.current?.setAttribute('data-focus', focus.code);
    m.fitBounds(bounds(focus.bbox), { padding: 32, duration: 500 });
  }, [ready, focus, areas, highlight, selectable, values]);

  useEffect(() => {
    if (!ready) return;
    const ordered = [...props.labels].sort(
      (a, b) => Number(b.code === highlight) - Number(a.code === highlight),
    );
    labels.current?.set(
      ordered.map((l) => ({
        code: l.code,
        text: placeName(l, i18n.language),
        at: lonLat(l.label),
        strong: l.code === highlight,
      })),
    );
  }, [ready, props.labels, highlight, i18n.language]);

  useEffect(() => {
    if (ready) teams.current?.set(props.teams);
  }, [ready, props.teams]);

  useEffect(() => {
    if (!ready) return;
    const shown = showDevices ? props.devices : undefined;
    teams.current?.setDevices(shown);
    map.current?.getContainer().setAttribute('data-devices', String(shown?.points.count ?? 0));
  }, [ready, props.devices, showDevices]);

  // The river lines, once, for cutting them into reaches coloured by water class.
  const waterOn = props.layers.water;
  useEffect(() => {
    if (!waterOn || rivers) return;
    let live = true;
    void fetch(riversUrl)
      .then((r) => r.json())
      .then((json) => live && setRivers(json as GeoJSON.FeatureCollection))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [waterOn, rivers]);

  const water = props.layers.water ? props.water : undefined;
  const crowd = props.layers.crowd ? props.crowd : undefined;
  const radiusM = crowdRadius(focus.level);
  useEffect(() => {
    if (!ready) return;
    let live = true;
    void buildThematic({
      water,
      rivers,
      crowd,
      crowdRadiusM: radiusM,
      onCrowdDomain: (d) => live && setCrowdDomain((old) => (old?.[0] === d[0] && old[1] === d[1] ? old : d)),
      text: {
        section: (s) =>
          t('layers.water.tooltip', {
            section: s.section,
            grade: s.class ? t(`layers.water.grade.${s.class}`) : t('layers.water.noData'),
            target: s.targetClass ? t(`layers.water.grade.${s.targetClass}`) : '—',
            deciding: s.deciding.map((d) => `${d.parameter} ${d.value}`).join(', ') || '—',
            day: s.day ?? '—',
          }),
        hexagon: (people, counters) => t('layers.crowd.tooltip', { people, counters }),
      },
    }).then((built) => {
      if (!live) return;
      teams.current?.setExtra(built.layers, built.tooltip);
      const el = container.current;
      el?.setAttribute('data-water-stations', String(built.stations));
      el?.setAttribute('data-water-reaches', String(built.reaches));
      el?.setAttribute('data-crowd', String(built.crowdPoints));
      if (!crowd) setCrowdDomain(undefined);
    });
    return () => {
      live = false;
    };
  }, [ready, water, rivers, crowd, radiusM, t]);

  useEffect(() => {
    const source = map.current?.getSource('events') as GeoJSONSource | undefined;
    if (!ready || !source) return;
    source.setData({
      type: 'FeatureCollection',
      features: (props.events ?? []).map((e) => ({
        type: 'Feature',
        properties: { id: e.id, open: e.status !== 'closed' && e.status !== 'merged' },
        geometry: { type: 'Point', coordinates: [e.location.lon, e.location.lat] },
      })),
    });
    map.current?.getContainer().setAttribute('data-events', String(props.events?.length ?? 0));
  }, [ready, props.events]);

  if (failure) {
    return (
      <div className="map-failed" role="alert">
        {t('map.failed', { message: failure })}
      </div>
    );
  }
  return (
    <>
      <div ref={container} className="map" data-idle="false" />
      <MapLegend
        teams={props.teams.length}
        devices={props.devices}
        showDevices={showDevices}
        onShowDevices={setShowDevices}
        measure={props.measure}
        onMeasure={props.onMeasure}
        max={Math.max(0, ...props.areas.features.map((f) => props.values.get(f.properties.code) ?? 0))}
        layers={props.layers}
        onLayers={props.onLayers}
        water={props.water}
        crowd={props.crowd}
        crowdDomain={crowdDomain}
      />
    </>
  );
}

function MapLegend({
  teams,
  devices,
  showDevices,
  onShowDevices,
  measure,
  onMeasure,
  max,
  layers,
  onLayers,
  water,
  crowd,
  crowdDomain,
}: {
  teams: number;
  devices: DeviceLayerData | undefined;
  showDevices: boolean;
  onShowDevices: (show: boolean) => void;
  measure: AreaMeasure;
  onMeasure: (measure: AreaMeasure) => void;
  max: number;
  layers: LayerSwitches;
  onLayers: (layers: LayerSwitches) => void;
  water: WaterSections | undefined;
  crowd: CrowdDensity | undefined;
  crowdDomain: [number, number] | undefined;
}) {
  const { t } = useTranslation();
  const alerted = useMemo(() => {
    if (!devices?.alerted.size) return 0;
    let n = 0;
    for (const id of devices.points.ids) if (devices.alerted.has(id)) n++;
    return n;
  }, [devices]);
  const rgb = (c: readonly number[]) => `rgb(${c.join(',')})`;
  return (
    <section className="legend" aria-label={t('map.legend')}>
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
              background: `linear-gradient(to right, ${MAP_COLOURS.area}, ${max > 0 ? MAP_COLOURS.areaHot : MAP_COLOURS.area})`,
            }}
          />
          <span>{max}</span>
        </div>
      </fieldset>
      <div>
        <span className="swatch line" style={{ background: MAP_COLOURS.river }} /> {t('map.legendRivers')}
      </div>
      <div>
        <span className="swatch dot" style={{ background: `rgb(${MAP_COLOURS.team.join(',')})` }} />{' '}
        {t('map.legendTeams', { count: teams })}
      </div>
      <div>
        <span className="swatch dot" style={{ background: MAP_COLOURS.event }} /> {t('map.legendEvents')}
      </div>
      <div className="legend-devices">
        <label>
          <input
            type="checkbox"
            checked={showDevices}
            onChange={(e) => onShowDevices(e.currentTarget.checked)}
          />{' '}
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
              <li key={s}>
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
      <div className="legend-water">
        <label>
          <input
            type="checkbox"
            checked={layers.water}
            onChange={(e) => onLayers({ ...layers, water: e.currentTarget.checked })}
          />{' '}
          <span className="swatch line" style={{ background: rgb(WATER_COLOURS.III) }} />{' '}
          {t('layers.water.title')}
        </label>
        {layers.water ? (
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
      <div className="legend-crowd">
        <label>
          <input
            type="checkbox"
            checked={layers.crowd}
            onChange={(e) => onLayers({ ...layers, crowd: e.currentTarget.checked })}
          />{' '}
          <span className="swatch hex" style={{ background: rgb(CROWD_COLOURS[4]!) }} />{' '}
          {t('layers.crowd.title')}
        </label>
        {layers.crowd ? (
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
                <span>{crowdDomain ? Math.round(crowdDomain[0]).toLocaleString() : '…'}</span>
                <span
                  className="ramp"
                  style={{ background: `linear-gradient(to right, ${CROWD_COLOURS.map(rgb).join(', ')})` }}
                />
                <span data-testid="crowd-max">
                  {crowdDomain ? Math.round(crowdDomain[1]).toLocaleString() : '…'}
                </span>
              </div>
              <div>{t('layers.crowd.note')}</div>
            </div>
          ) : (
            <p className="legend-sub small">{t('layers.loading')}</p>
          )
        ) : null}
      </div>
    </section>
  );
}

/** Our GeoJSON sources and layers, bottom to top: areas, rivers, area edges, focus outline. */
function addLayers(m: MapLibreMap): void {
  const empty = { type: 'FeatureCollection', features: [] } as GeoJSON.FeatureCollection;
  m.addSource('areas', { type: 'geojson', data: empty, promoteId: 'code' });
  m.addSource('focus', { type: 'geojson', data: empty });
  m.addSource('rivers', { type: 'geojson', data: riversUrl });
  m.addLayer({
    id: 'areas-fill',
    type: 'fill',
    source: 'areas',
    paint: {
      'fill-color': MAP_COLOURS.area,
      'fill-opacity': [
        'case',
        ['boolean', ['feature-state', 'hover'], false],
        0.85,
        ['get', 'highlight'],
        0.9,
        ['get', 'selectable'],
        0.6,
        0.35,
      ],
    },
  });
  m.addLayer({
    id: 'rivers',
    type: 'line',
    source: 'rivers',
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: {
      'line-color': MAP_COLOURS.river,
      'line-width': ['interpolate', ['linear'], ['zoom'], 6, 1.5, 12, 5],
    },
  });
  m.addLayer({
    id: 'areas-line',
    type: 'line',
    source: 'areas',
    paint: { 'line-color': MAP_COLOURS.areaLine, 'line-opacity': 0.7, 'line-width': 1 },
  });
  m.addLayer({
    id: 'focus-line',
    type: 'line',
    source: 'focus',
    paint: { 'line-color': MAP_COLOURS.focusLine, 'line-width': 2.5 },
  });
  m.addSource('events', { type: 'geojson', data: empty });
  m.addLayer({
    id: 'events',
    type: 'circle',
    source: 'events',
    paint: {
      'circle-color': ['case', ['get', 'open'], MAP_COLOURS.event, '#8a9bb0'],
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 8, 4, 14, 9],
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 1.5,
    },
  });
}
