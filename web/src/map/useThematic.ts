import type { RefObject } from 'react';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import riversUrl from '../../../data/chongqing/rivers.geojson?url';
import type {
  CrowdDensity,
  LifeCircleCoverage,
  ParkingSites,
  TrafficLayer,
  WaterSections,
} from '../cockpit/layers.ts';
import { buildThematic } from './thematic.ts';
import { thematicText } from './tooltips.ts';
import type { MapInstance } from './useMapInstance.ts';

/** The river lines, fetched once the water layer is first on, for cutting them into reaches. */
export function useRivers(waterOn: boolean): GeoJSON.FeatureCollection | undefined {
  const [rivers, setRivers] = useState<GeoJSON.FeatureCollection>();
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
  return rivers;
}

/** What the thematic layers draw: undefined ones are off (or still loading). */
export interface ThematicData {
  water: WaterSections | undefined;
  rivers: GeoJSON.FeatureCollection | undefined;
  crowd: CrowdDensity | undefined;
  traffic: TrafficLayer | undefined;
  parking: ParkingSites | undefined;
  lifecircle: LifeCircleCoverage | undefined;
  radiusM: number;
}

/**
 * Builds the water-class and crowd layers (deck.gl, loaded on first use), hands them to the
 * overlay, and sets their counts as data attributes. Returns the crowd hexagons' people range.
 */
export function useThematic(
  { thematic, container, ready }: MapInstance,
  { water, rivers, crowd, traffic, parking, lifecircle, radiusM }: ThematicData,
): [number, number] | undefined {
  const { t } = useTranslation();
  const [crowdDomain, setCrowdDomain] = useState<[number, number]>();
  useEffect(() => {
    if (!ready) return;
    let live = true;
    void buildThematic({
      water,
      rivers,
      crowd,
      traffic,
      parking,
      lifecircle,
      crowdRadiusM: radiusM,
      onCrowdDomain: (d) => live && setCrowdDomain((old) => (old?.[0] === d[0] && old[1] === d[1] ? old : d)),
      text: thematicText(t),
    }).then((built) => {
      if (!live) return;
      thematic.current?.setExtra(built.layers, built.tooltip, built.over);
      setCounts(container, built);
      if (!crowd) setCrowdDomain(undefined);
    });
    return () => {
      live = false;
    };
  }, [thematic, container, ready, water, rivers, crowd, traffic, parking, lifecircle, radiusM, t]);
  return crowdDomain;
}

/** The counts tests read: water stations and reaches drawn, crowd points aggregated, road links drawn. */
function setCounts(
  container: RefObject<HTMLDivElement | null>,
  built: {
    stations: number;
    reaches: number;
    crowdPoints: number;
    trafficLinks: number;
    parkingSites: number;
    lifecircleStreets: number;
  },
): void {
  const el = container.current;
  el?.setAttribute('data-water-stations', String(built.stations));
  el?.setAttribute('data-water-reaches', String(built.reaches));
  el?.setAttribute('data-crowd', String(built.crowdPoints));
  el?.setAttribute('data-traffic-links', String(built.trafficLinks));
  el?.setAttribute('data-parking-sites', String(built.parkingSites));
  el?.setAttribute('data-lifecircle-streets', String(built.lifecircleStreets));
}
