import type { RiverNetwork } from '../water/index.ts';

/** A GeoJSON feature collection, as the cockpit's map layers take it. */
export interface FeatureCollection {
  type: 'FeatureCollection';
  features: { type: 'Feature'; properties: Record<string, string>; geometry: unknown }[];
}

/** The river network as GeoJSON lines, one per reach. */
export function networkLayer(net: RiverNetwork): FeatureCollection {
  return {
    type: 'FeatureCollection',
    features: net.data.reaches.map((r) => ({
      type: 'Feature',
      properties: { id: r.id, name: r.name },
      geometry: { type: 'LineString', coordinates: r.geometry },
    })),
  };
}

/** Sections, pollution sources, intakes and reservoirs as GeoJSON points on their reaches. */
export function featureLayer(net: RiverNetwork): FeatureCollection {
  const d = net.data;
  const point = (kind: string, f: { id: string; name: string; reach: string; fraction: number }) => ({
    type: 'Feature' as const,
    properties: { kind, id: f.id, name: f.name },
    geometry: { type: 'Point', coordinates: net.pointAt({ reach: f.reach, fraction: f.fraction }) },
  });
  return {
    type: 'FeatureCollection',
    features: [
      ...d.sections.map((f) => point('section', f)),
      ...d.pollutionSources.map((f) => point('source', f)),
      ...d.intakes.map((f) => point('intake', f)),
      ...d.reservoirs.map((f) => point('reservoir', f)),
    ],
  };
}
