import 'maplibre-gl/dist/maplibre-gl.css';
import { setWorkerUrl } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CityMapProps } from './CityMap.types.ts';
import { MapLegend } from './MapLegend.tsx';
import { areaMax } from './sources.ts';
import { crowdRadius } from './thematic.ts';
import { useAreas, useDevices, useEvents, useLabels, useTeams } from './useMapData.ts';
import { useMapInstance } from './useMapInstance.ts';
import { useRivers, useThematic } from './useThematic.ts';

export type { CityMapProps } from './CityMap.types.ts';

setWorkerUrl(workerUrl);

/** What a switched-off layer draws. */
const NONE: never[] = [];

/** The cockpit map: our own boundaries, rivers and teams on a plain background (no tiles needed). */
export default function CityMap(props: CityMapProps) {
  const { t, i18n } = useTranslation();
  const latest = useRef(props);
  latest.current = props;
  const instance = useMapInstance(latest);
  const [showDevices, setShowDevices] = useState(true);
  const [showTeams, setShowTeams] = useState(true);
  const [showEvents, setShowEvents] = useState(true);

  const { focus, areas, highlight, selectable, values } = props;
  useAreas(instance, { focus, areas, highlight, selectable, values });
  useLabels(instance, props.labels, highlight, i18n.language);
  useTeams(instance, showTeams ? props.teams : NONE);
  useDevices(instance, props.devices, showDevices);
  const rivers = useRivers(props.layers.water);
  const crowdDomain = useThematic(instance, {
    water: props.layers.water ? props.water : undefined,
    rivers,
    crowd: props.layers.crowd ? props.crowd : undefined,
    traffic: props.layers.traffic ? props.traffic : undefined,
    parking: props.layers.parking ? props.parking : undefined,
    lifecircle: props.layers.lifecircle ? props.lifecircle : undefined,
    radiusM: crowdRadius(focus.level),
  });
  useEvents(instance, showEvents ? props.events : NONE);

  if (instance.failure) {
    return (
      <div className="map-failed" role="alert">
        {t('map.failed', { message: instance.failure })}
      </div>
    );
  }
  return (
    <>
      <div ref={instance.container} className="map" data-idle="false" />
      <MapLegend
        teams={props.teams.length}
        devices={props.devices}
        showDevices={showDevices}
        onShowDevices={setShowDevices}
        showTeams={showTeams}
        onShowTeams={setShowTeams}
        showEvents={showEvents}
        onShowEvents={setShowEvents}
        measure={props.measure}
        onMeasure={props.onMeasure}
        max={areaMax(props.areas, props.values)}
        layers={props.layers}
        onLayers={props.onLayers}
        water={props.water}
        crowd={props.crowd}
        traffic={props.traffic}
        parking={props.parking}
        lifecircle={props.lifecircle}
        crowdDomain={crowdDomain}
      />
    </>
  );
}
