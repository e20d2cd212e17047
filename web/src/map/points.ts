import type { GeoJSONSource, Map as MapLibreMap, MapMouseEvent } from 'maplibre-gl';
import type { DevicePoints } from '../api/devices.ts';
import type { Team } from '../api/types.ts';
import { MAP_COLOURS } from './basemap.ts';
import type { DeviceLayerData } from './teams.ts';

const EMPTY: GeoJSON.FeatureCollection = { type: 'FeatureCollection', features: [] };
const rgb = ([r, g, b]: readonly [number, number, number]) => `rgb(${r}, ${g}, ${b})`;

/**
 * Devices and teams as MapLibre `circle` layers (no deck.gl in the first view): devices coloured
 * by status (a code per point, `s`), those with an open alert (`a`) magenta and bigger; teams on
 * top. Sizes follow the ground as deck.gl's metre radii did (~60 m a device, ~150 m a team),
 * clamped to a few pixels. Under the event dots, which stay clickable above them.
 */
export function addPointLayers(m: MapLibreMap): void {
  m.addSource('devices', { type: 'geojson', data: EMPTY });
  m.addSource('teams', { type: 'geojson', data: EMPTY });
  const { online, offline, fault } = MAP_COLOURS.device;
  m.addLayer(
    {
      id: 'devices',
      type: 'circle',
      source: 'devices',
      paint: {
        'circle-color': [
          'case',
          ['==', ['get', 'a'], 1],
          rgb(MAP_COLOURS.deviceAlert),
          ['match', ['get', 's'], 0, rgb(online), 2, rgb(fault), rgb(offline)],
        ],
        'circle-opacity': ['case', ['==', ['get', 'a'], 1], 1, 0.82],
        'circle-radius': [
          'interpolate',
          ['linear'],
          ['zoom'],
          10,
          ['case', ['==', ['get', 'a'], 1], 3, 2],
          12,
          ['case', ['==', ['get', 'a'], 1], 6, 2],
          13.5,
          ['case', ['==', ['get', 'a'], 1], 6, 5],
        ],
      },
    },
    'events',
  );
  m.addLayer(
    {
      id: 'teams',
      type: 'circle',
      source: 'teams',
      paint: {
        'circle-color': rgb(MAP_COLOURS.team),
        'circle-opacity': 0.9,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 10, 1.5, 12.4, 6],
        'circle-stroke-color': 'rgb(10, 26, 44)',
        'circle-stroke-width': 0.5,
      },
    },
    'events',
  );
}

/** Tooltip texts of a team and of one device of the packed points. */
export interface PointText {
  team: (team: Team) => string;
  device: (points: DevicePoints, index: number) => string;
}

/** Fills the device and team sources and shows a tooltip for the dot under the pointer. */
export class PointLayers {
  readonly #map: MapLibreMap;
  readonly #text: PointText;
  readonly #tip: HTMLDivElement;
  #teams: Team[] = [];
  #devices: DeviceLayerData | undefined;
  readonly #move = (e: MapMouseEvent) => this.#hover(e);
  readonly #leave = () => this.#hide();

  constructor(map: MapLibreMap, text: PointText) {
    this.#map = map;
    this.#text = text;
    this.#tip = document.createElement('div');
    this.#tip.className = 'map-tooltip';
    this.#tip.hidden = true;
    map.getContainer().append(this.#tip);
    map.on('mousemove', this.#move);
    map.on('mouseout', this.#leave);
  }

  /** Draws these teams (replacing the previous ones). */
  set(teams: Team[]): void {
    this.#teams = teams;
    (this.#map.getSource('teams') as GeoJSONSource | undefined)?.setData({
      type: 'FeatureCollection',
      features: teams.map((team, i) => ({
        type: 'Feature',
        properties: { i },
        geometry: { type: 'Point', coordinates: [team.lon, team.lat] },
      })),
    });
  }

  /** Draws these devices (replacing the previous ones); undefined hides them. */
  setDevices(data: DeviceLayerData | undefined): void {
    this.#devices = data;
    const features: GeoJSON.Feature[] = [];
    if (data) {
      const { points, alerted } = data;
      for (let i = 0; i < points.count; i++) {
        const a = alerted.size > 0 && alerted.has(points.ids[i]!) ? 1 : 0;
        features.push({
          type: 'Feature',
          properties: { i, s: points.status[i]!, a },
          geometry: { type: 'Point', coordinates: [points.positions[2 * i]!, points.positions[2 * i + 1]!] },
        });
      }
    }
    (this.#map.getSource('devices') as GeoJSONSource | undefined)?.setData({
      type: 'FeatureCollection',
      features,
    });
  }

  #hover(e: MapMouseEvent): void {
    const layers = ['teams', 'devices'].filter((id) => this.#map.getLayer(id));
    const [hit] = this.#map.queryRenderedFeatures(e.point, { layers });
    const index = hit?.properties?.i as number | undefined;
    let text: string | undefined;
    if (hit && index !== undefined) {
      if (hit.layer.id === 'teams' && this.#teams[index]) text = this.#text.team(this.#teams[index]);
      if (hit.layer.id === 'devices' && this.#devices) text = this.#text.device(this.#devices.points, index);
    }
    if (!text) {
      this.#hide();
      return;
    }
    this.#tip.textContent = text;
    this.#tip.style.transform = `translate(${e.point.x + 12}px, ${e.point.y + 12}px)`;
    this.#tip.hidden = false;
  }

  #hide(): void {
    this.#tip.hidden = true;
  }

  remove(): void {
    this.#map.off('mousemove', this.#move);
    this.#map.off('mouseout', this.#leave);
    this.#tip.remove();
  }
}
