import type { LineString, MultiLineString, MultiPolygon, Polygon } from 'geojson';

/** A road link: its class decides how the map draws it. */
export interface RoadLine {
  id: string;
  name: string;
  roadClass: string;
  coordinates: [number, number][];
}

/** A district or street: its outline becomes boundary lines, its label point a label. */
export interface Area {
  code: string;
  name: string;
  nameEn: string | null;
  level: 'district' | 'street';
  label: [number, number];
  geometry: Polygon | MultiPolygon;
}

/** A river line (Natural Earth's, in the demo city). */
export interface River {
  name: string;
  nameEn: string;
  geometry: LineString | MultiLineString;
}

/**
 * What the base map is drawn from, read again on each rebuild. The app wires it to the traffic
 * module's road network, the jurisdictions' districts and streets and the rivers file; this module
 * owns no table and reads none.
 */
export interface BasemapSource {
  roads(): Promise<RoadLine[]>;
  areas(): Promise<Area[]>;
  rivers(): Promise<River[]>;
}
