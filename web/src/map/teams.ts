import type { MapboxOverlay } from '@deck.gl/mapbox';
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { Team } from '../api/types.ts';
import { MAP_COLOURS } from './basemap.ts';

/** Where a team is: its last reported position, else its base. */
export function teamPosition(team: Team): [number, number] {
  const p = team.position ?? team.base;
  return [p.lon, p.lat];
}

/**
 * Teams as a deck.gl scatterplot over the map. deck.gl is loaded on first use (its own
 * chunk); the same overlay will carry the device and crowd layers, which need its speed.
 */
export class TeamsOverlay {
  readonly #map: MapLibreMap;
  #layer: ((teams: Team[]) => unknown) | undefined;
  #overlay: MapboxOverlay | undefined;
  #pending: Team[] | undefined;
  #removed = false;
  readonly #ready: Promise<void>;

  constructor(map: MapLibreMap, tooltip: (team: Team) => string) {
    this.#map = map;
    this.#ready = Promise.all([import('@deck.gl/mapbox'), import('@deck.gl/layers')]).then(
      ([{ MapboxOverlay }, { ScatterplotLayer }]) => {
        if (this.#removed) return;
        this.#overlay = new MapboxOverlay({
          // Its own canvas over the map: deck.gl 9.4's interleaved mode fails on MapLibre 6
          // ("reading 'height'"). Place names are lifted above it in cockpit.css.
          interleaved: false,
          getTooltip: ({ object }) => (object ? tooltip(object as Team) : null),
        });
        map.addControl(this.#overlay);
        this.#layer = (teams) =>
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
          });
        if (this.#pending) this.set(this.#pending);
      },
    );
  }

  /** Draws these teams (replacing the previous ones). */
  set(teams: Team[]): void {
    if (!this.#overlay || !this.#layer) {
      this.#pending = teams;
      return;
    }
    this.#overlay.setProps({ layers: [this.#layer(teams) as never] });
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
