import {
  type CrowdDensity,
  type LifeCircleCoverage,
  type ParkingSites,
  type TrafficLayer,
  type TrafficLink,
  trafficLinkAt,
  type WaterSections,
} from '../cockpit/layers.ts';
import { LIFECIRCLE_COLOURS, type LifeCircleStreet, lifeCircleBin } from './lifecircle.ts';
import { type ParkingSite, parkingColour, parkingRadius } from './parking.ts';
import { trafficColour } from './traffic.ts';
import { packStations, type Reach, riverReaches } from './water.ts';

/** Crowd hexagons, light to dark: few people → many. */
export const CROWD_COLOURS: [number, number, number][] = [
  // ColorBrewer BuPu, light to dark purple: apart from the events' blue-to-orange choropleth under it.
  [237, 248, 251],
  [191, 211, 230],
  [158, 188, 218],
  [140, 150, 198],
  [136, 86, 167],
  [129, 15, 124],
];

/** Hexagon radius by the level in focus, metres: coarse for the city, fine for a street. */
export function crowdRadius(level: string): number {
  return level === 'city' ? 2500 : level === 'district' ? 500 : 120;
}

/** What the thematic layers draw. */
export interface ThematicInput {
  water?: WaterSections;
  rivers?: GeoJSON.FeatureCollection;
  crowd?: CrowdDensity;
  traffic?: TrafficLayer;
  parking?: ParkingSites;
  lifecircle?: LifeCircleCoverage;
  crowdRadiusM: number;
  /** Called with the people range of the hexagons once deck.gl has aggregated them. */
  onCrowdDomain: (domain: [number, number]) => void;
  text: {
    section: (s: WaterSections['items'][number]) => string;
    hexagon: (people: number, counters: number) => string;
    link: (l: TrafficLink) => string;
    street: (s: LifeCircleStreet) => string;
    site: (s: ParkingSite) => string;
  };
}

/** What was built: deck.gl layers, a tooltip for them, and counts for the legend and tests. */
export interface Thematic {
  layers: unknown[];
  /** Layers drawn above the devices (the parking sites). */
  over: unknown[];
  tooltip: (layerId: string, index: number, object: unknown) => string | null | undefined;
  stations: number;
  reaches: number;
  crowdPoints: number;
  trafficLinks: number;
  parkingSites: number;
  lifecircleStreets: number;
}

type Deck = {
  layers: typeof import('@deck.gl/layers');
  aggregation: typeof import('@deck.gl/aggregation-layers');
};
let deck: Promise<Deck> | undefined;

/** deck.gl's layer modules, loaded once on first use (their own chunks). */
function loadDeck(): Promise<Deck> {
  deck ??= Promise.all([import('@deck.gl/layers'), import('@deck.gl/aggregation-layers')]).then(
    ([layers, aggregation]) => ({ layers, aggregation }),
  );
  return deck;
}

/**
 * Builds the water-class and crowd-density layers. Station points go to deck.gl as binary
 * attributes (typed arrays, no per-point objects), as the devices layer does; the reaches are a
 * few hundred paths; the crowd hexagons aggregate counters given as objects.
 */
export async function buildThematic(input: ThematicInput): Promise<Thematic> {
  const out: Thematic = {
    layers: [],
    over: [],
    tooltip: () => undefined,
    stations: 0,
    reaches: 0,
    crowdPoints: 0,
    trafficLinks: 0,
    parkingSites: 0,
    lifecircleStreets: 0,
  };
  // All layers off: deck.gl is not loaded (the first view draws devices and teams without it).
  const on = input.water || input.crowd?.items.length || input.traffic || input.parking || input.lifecircle;
  if (!on) return out;
  const { layers: L, aggregation: A } = await loadDeck();
  let reaches: Reach[] = [];
  const sections = input.water?.items ?? [];

  if (input.crowd?.items.length) {
    // HexagonLayer aggregates on the CPU from accessors: a few thousand counters as objects
    // (binary attributes fed its aggregator no positions in deck.gl 9.4: one bin held everything).
    type Counter = CrowdDensity['items'][number];
    out.layers.push(
      new A.HexagonLayer<Counter>({
        id: 'crowd-hexagons',
        data: input.crowd.items,
        getPosition: (p) => [p.lon, p.lat],
        getColorWeight: (p) => p.peopleCount,
        radius: input.crowdRadiusM,
        colorAggregation: 'SUM',
        colorRange: CROWD_COLOURS,
        colorScaleType: 'quantize',
        extruded: false,
        opacity: 0.7,
        gpuAggregation: false,
        pickable: true,
        onSetColorDomain: (domain: [number, number]) => input.onCrowdDomain(domain),
      }),
    );
    out.crowdPoints = input.crowd.items.length;
  }

  // Road links coloured by congestion level, under the water layer; links without a reading grey.
  // The links keep their identity while only their levels change: deck.gl recolours, no rebuild.
  const traffic = input.traffic;
  if (traffic) {
    out.layers.push(
      new L.PathLayer<TrafficLink>({
        id: 'traffic-links',
        data: traffic.links,
        // The API's [lon, lat] pairs (a tuple in the server's schema, number[][] in the generated type).
        getPath: (l) => l.coordinates as [number, number][],
        getColor: (_, { index }) => [...trafficColour(traffic.level[index]), 255],
        getWidth: (l) => (l.class === 'secondary' ? 2 : 3.5),
        widthUnits: 'pixels',
        widthMinPixels: 1.5,
        capRounded: true,
        pickable: true,
        updateTriggers: { getColor: traffic.level },
      }),
    );
    out.trafficLinks = traffic.links.length;
  }
  // Streets as dots at their label points, coloured by mean 15-minute coverage, sized by residents.
  if (input.lifecircle) {
    out.layers.push(
      new L.ScatterplotLayer<LifeCircleStreet>({
        id: 'lifecircle-streets',
        data: input.lifecircle.streets,
        getPosition: (s) => s.label as [number, number],
        getFillColor: (s) => [...LIFECIRCLE_COLOURS[lifeCircleBin(s)]!, 230],
        getRadius: (s) => 3 + Math.min(7, Math.sqrt(s.population / 4000)),
        radiusUnits: 'pixels',
        stroked: true,
        getLineColor: [255, 255, 255, 255],
        lineWidthUnits: 'pixels',
        getLineWidth: 1,
        pickable: true,
      }),
    );
    out.lifecircleStreets = input.lifecircle.streets.length;
  }
  // Shared parking sites as dots coloured by their share of free spaces, sized by capacity; above the
  // devices (a site is at one of its sensors: under the device dots it would not be seen).
  if (input.parking) {
    out.over.push(
      new L.ScatterplotLayer<ParkingSite>({
        id: 'parking-sites',
        data: input.parking.items,
        getPosition: (s) => [s.lon, s.lat],
        getFillColor: (s) => [...parkingColour(s), 235],
        getRadius: parkingRadius,
        radiusUnits: 'pixels',
        stroked: true,
        getLineColor: [255, 255, 255, 255],
        lineWidthUnits: 'pixels',
        getLineWidth: 1,
        pickable: true,
        updateTriggers: { getFillColor: input.parking.at },
      }),
    );
    out.parkingSites = input.parking.items.length;
  }
  const tooltipLink = (id: string, index: number, object: unknown) => {
    if (id === 'lifecircle-streets' && object) return input.text.street(object as LifeCircleStreet);
    if (id === 'parking-sites' && object) return input.text.site(object as ParkingSite);
    return id === 'traffic-links' && traffic && index >= 0
      ? input.text.link(trafficLinkAt(traffic, index))
      : undefined;
  };

  if (input.water) {
    if (input.rivers) reaches = riverReaches(input.rivers, sections);
    out.layers.push(
      new L.PathLayer<Reach>({
        id: 'water-reaches',
        data: reaches,
        getPath: (r) => r.path,
        getColor: (r) => [...r.colour, 255],
        getWidth: 4,
        widthUnits: 'pixels',
        widthMinPixels: 3,
        capRounded: true,
        jointRounded: true,
        pickable: true,
      }),
    );
    const packed = packStations(sections);
    out.layers.push(
      new L.ScatterplotLayer({
        id: 'water-stations',
        data: {
          length: packed.count,
          attributes: {
            getPosition: { value: packed.positions, size: 2 },
            getFillColor: { value: packed.colours, size: 4, normalized: true },
          },
        },
        radiusUnits: 'pixels',
        getRadius: 5,
        stroked: true,
        getLineColor: [255, 255, 255, 255],
        lineWidthUnits: 'pixels',
        getLineWidth: 1.5,
        pickable: true,
      }),
    );
    out.stations = packed.count;
    out.reaches = reaches.length;
    out.tooltip = (id, index, object) => {
      if (id === 'water-stations' && index >= 0) return input.text.section(sections[packed.section[index]!]!);
      if (id === 'water-reaches' && object) return input.text.section(sections[(object as Reach).section]!);
      return tooltipCrowd(id, index, object);
    };
  } else out.tooltip = (id, index, object) => tooltipCrowd(id, index, object);

  function tooltipCrowd(id: string, index: number, object: unknown): string | null | undefined {
    if (id === 'traffic-links' || id === 'lifecircle-streets' || id === 'parking-sites')
      return tooltipLink(id, index, object);
    if (id !== 'crowd-hexagons') return undefined;
    const hex = object as { colorValue?: number; count?: number } | null;
    return hex ? input.text.hexagon(Math.round(hex.colorValue ?? 0), hex.count ?? 0) : null;
  }
  return out;
}
