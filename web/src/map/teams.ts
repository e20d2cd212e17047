import type { MapboxOverlay } from '@deck.gl/mapbox';
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { DevicePoints } from '../api/devices.ts';
import type { Team } from '../api/types.ts';

/** Where a team is: its last reported position, else its base. */
export function teamPosition(team: Team): [number, number] {
  return [team.lon, team.lat];
}

/** Devices to draw: the packed points and the ids with an open alert. */
export interface DeviceLayerData {
  points: DevicePoints;
  alerted: ReadonlySet<string>;
}

/** Tooltip text of a thematic layer's pick, or undefined when the layer is not one of them. */
export type ExtraTooltip = (layerId: string, index: number, object: unknown) => string | null | undefined;

/**
 * The thematic layers (water, crowd hexagons, traffic, parking, life circle) as deck.gl layers in
 * one overlay over the map. deck.gl is loaded only when a first layer is switched on: devices and
 * teams are MapLibre layers (points.ts), so the first view loads no deck.gl at all.
 */
export class ThematicOverlay {
  readonly #map: MapLibreMap;
  #overlay: MapboxOverlay | undefined;
  #loading: Promise<void> | undefined;
  /** Thematic layers drawn lower, and those drawn on top (parking sites), with their tooltip. */
  #extra: unknown[] = [];
  #extraOver: unknown[] = [];
  #extraTooltip: ExtraTooltip | undefined;
  #removed = false;

  constructor(map: MapLibreMap) {
    this.#map = map;
  }

  #load(): Promise<void> {
    this.#loading ??= import('@deck.gl/mapbox').then(({ MapboxOverlay }) => {
      if (this.#removed) return;
      this.#overlay = new MapboxOverlay({
        // Its own canvas over the map: deck.gl 9.4's interleaved mode fails on MapLibre 6
        // ("reading 'height'"). Place names are lifted above it in cockpit.css.
        interleaved: false,
        getTooltip: ({ object, layer, index }) =>
          (layer ? this.#extraTooltip?.(layer.id, index, object) : undefined) ?? null,
      });
      this.#map.addControl(this.#overlay);
      this.#render();
    });
    return this.#loading;
  }

  /**
   * Draws thematic layers (`over`: drawn last); `tooltip` answers for their ids (undefined: not
   * ours). Nothing to draw and deck.gl not loaded yet: it stays unloaded.
   */
  setExtra(layers: unknown[], tooltip?: ExtraTooltip, over: unknown[] = []): void {
    this.#extra = layers;
    this.#extraOver = over;
    this.#extraTooltip = tooltip;
    if (this.#overlay) this.#render();
    else if (layers.length + over.length > 0) void this.#load();
  }

  #render(): void {
    const layers = [...this.#extra, ...this.#extraOver].filter(Boolean);
    this.#overlay?.setProps({ layers: layers as never });
  }

  remove(): void {
    this.#removed = true;
    if (this.#overlay) this.#map.removeControl(this.#overlay);
  }
}
