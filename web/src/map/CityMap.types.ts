import type { Boundaries, Jurisdiction, Team } from '../api/types.ts';
import type {
  AreaMeasure,
  CrowdDensity,
  LayerSwitches,
  LifeCircleCoverage,
  ParkingSites,
  TrafficLayer,
  WaterSections,
} from '../cockpit/layers.ts';
import type { DeviceLayerData } from './teams.ts';

/** An event the map draws as a dot. */
export interface MapEvent {
  id: string;
  status: string;
  location: { lon: number; lat: number };
  description: string;
}

/** A name and label point of an area. */
export interface AreaLabel {
  code: string;
  name: string;
  nameEn: string | null;
  label: number[];
}

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
  labels: AreaLabel[];
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
  /** Road links with their congestion level, while the traffic layer is on. */
  traffic?: TrafficLayer;
  /** Shared parking sites of the area in focus with their free spaces, while that layer is on. */
  parking?: ParkingSites;
  /** 15-minute life circle coverage per street, while that layer is on. */
  lifecircle?: LifeCircleCoverage;
  /** Teams to draw at their positions. */
  teams: Team[];
  /** Events to draw as dots (open ones red, closed ones grey). */
  events?: readonly MapEvent[];
  /** Devices in scope (packed) and those with an open alert; undefined while loading. */
  devices?: DeviceLayerData;
  onSelect: (code: string) => void;
  /** A click on an event dot. */
  onEvent?: (id: string) => void;
}
