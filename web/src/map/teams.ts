import type { MapboxOverlay } from '@deck.gl/mapbox';
import type { Map as MapLibreMap } from 'maplibre-gl';
import { DEVICE_STATUSES, type DevicePoints } from '../api/devices.ts';
import type { Team } from '../api/types.ts';
import { MAP_COLOURS } from './basemap.ts';

/** Where a team is: its last reported position, else its base. */
export function teamPosition(team: Team): [number, number] {
  return [team.lon, team.lat];
}

/** Devices to draw: the packed points and the ids with an open alert. */
export interface DeviceLayerData {
  points: DevicePoints;
  alerted: ReadonlySet<string>;
}

/** Colour (RGBA) and radius (metres) per device, as typed arrays for deck.gl's binary attributes. */
export function deviceAttributes({ points, alerted }: DeviceLayerData): {
  colours: Uint8Array;
  radii: Float32Array;
  alertedCount: number;
} {
  const colours = new Uint8Array(points.count * 4);
  const radii = new Float32Array(points.count);
  const palette = DEVICE_STATUSES.map((s) => MAP_COLOURS.device[s]);
  let alertedCount = 0;
  for (let i = 0; i < points.count; i++) {
    const hot = alerted.size > 0 && alerted.has(points.ids[i]!);
    const [r, g, b] = hot ? MAP_COLOURS.deviceAlert : (palette[points.status[i]!] ?? palette[0]!);
    colours[4 * i] = r;
    colours[4 * i + 1] = g;
    colours[4 * i + 2] = b;
    colours[4 * i + 3] = hot ? 255 : 210;
    radii[i] = hot ? 220 : 60;
    if (hot) alertedCount++;
  }
  return { colours, radii, alertedCount };
}

/** Tooltip text of a thematic layer's pick, or undefined when the layer is not one of them. */
export type ExtraTooltip = (layerId: string, index: number, object: unknown) => string | null | undefined;

type LayerFactories = {
  teams: (teams: Team[]) => unknown;
  devices: (data: DeviceLayerData) => unknown;
};

/**
 * Teams and devices as deck.gl scatterplots over the map, in one overlay. deck.gl is
 * loaded on first use (its own chunk). Devices (17,000 for the city) are one layer fed
 * with binary attributes: no per-point objects, accessors or React.
 */
export class TeamsOverlay {
  readonly #map: MapLibreMap;
  #factories: LayerFactories | undefined;
  #overlay: MapboxOverlay | undefined;
  #teams: Team[] = [];
  #devices: DeviceLayerData | undefined;
  #teamsLayer: unknown;
  #devicesLayer: unknown;
  /** Thematic layers drawn below devices and teams (water class, crowd density), with their tooltip. */
  #extra: unknown[] = [];
  /** Thematic layers drawn above the devices, below the teams (parking sites: dots among device dots). */
  #extraOver: unknown[] = [];
  #extraTooltip: ExtraTooltip | undefined;
  #removed = false;
  readonly #ready: Promise<void>;

  constructor(
    map: MapLibreMap,
    tooltip: (team: Team) => string,
    deviceTooltip: (points: DevicePoints, index: number) => string,
  ) {
    this.#map = map;
    this.#ready = Promise.all([import('@deck.gl/mapbox'), import('@deck.gl/layers')]).then(
      ([{ MapboxOverlay }, { ScatterplotLayer }]) => {
        if (this.#removed) return;
        this.#overlay = new MapboxOverlay({
          // Its own canvas over the map: deck.gl 9.4's interleaved mode fails on MapLibre 6
          // ("reading 'height'"). Place names are lifted above it in cockpit.css.
          interleaved: false,
          getTooltip: ({ object, layer, index }) => {
            const extra = layer ? this.#extraTooltip?.(layer.id, index, object) : undefined;
            if (extra !== undefined) return extra;
            if (layer?.id === 'devices' && index >= 0 && this.#devices) {
              return deviceTooltip(this.#devices.points, index);
            }
            return object ? tooltip(object as Team) : null;
          },
        });
        map.addControl(this.#overlay);
        this.#factories = {
          teams: (teams) =>
            new ScatterplotLayer<Team>({
              id: 'teams',
              data: teams,
              getPosition: teamPosition,
              getFillColor: [...MAP_COLOURS.team, 230],
              getLineColor: [10, 26, 44, 255],
              stroked: true,
              lineWidthUnits: 'pixels',
              getLineWidth: 0.5,
              // ~150 m on the ground: dots shrink with the city view instead of covering it.
              radiusUnits: 'meters',
              getRadius: 150,
              radiusMinPixels: 1.5,
              radiusMaxPixels: 6,
              pickable: true,
            }),
          devices: (data) => {
            const { colours, radii } = deviceAttributes(data);
            return new ScatterplotLayer({
              id: 'devices',
              data: {
                length: data.points.count,
                attributes: {
                  getPosition: { value: data.points.positions, size: 2 },
                  getFillColor: { value: colours, size: 4, normalized: true },
                  getRadius: { value: radii, size: 1 },
                },
              },
              radiusUnits: 'meters',
              radiusMinPixels: 2,
              radiusMaxPixels: 5,
              pickable: true,
            });
          },
        };
        this.#teamsLayer = this.#factories.teams(this.#teams);
        this.#devicesLayer = this.#devices ? this.#factories.devices(this.#devices) : undefined;
        this.#render();
      },
    );
  }

  /** Draws these teams (replacing the previous ones). */
  set(teams: Team[]): void {
    this.#teams = teams;
    if (!this.#factories) return;
    this.#teamsLayer = this.#factories.teams(teams);
    this.#render();
  }

  /** Draws these devices below the teams (replacing the previous ones); undefined hides them. */
  setDevices(devices: DeviceLayerData | undefined): void {
    this.#devices = devices;
    if (!this.#factories) return;
    this.#devicesLayer = devices ? this.#factories.devices(devices) : undefined;
    this.#render();
  }

  /**
   * Draws thematic layers below devices and teams (`over`: above the devices); `tooltip` answers
   * for their ids (undefined: not ours).
   */
  setExtra(layers: unknown[], tooltip?: ExtraTooltip, over: unknown[] = []): void {
    this.#extra = layers;
    this.#extraOver = over;
    this.#extraTooltip = tooltip;
    this.#render();
  }

  #render(): void {
    const layers = [...this.#extra, this.#devicesLayer, ...this.#extraOver, this.#teamsLayer].filter(Boolean);
    this.#overlay?.setProps({ layers: layers as never });
  }

  /** Resolves once deck.gl is loaded. */
  ready(): Promise<void> {
    return this.#ready;
  }

  remove(): void {
    this.#removed = true;
    if (this.#overlay) this.#map.removeControl(this.#overlay);
  }
}
