import { Map as MapLibre, type Map as MapLibreMap, NavigationControl, ScaleControl } from 'maplibre-gl';
import { type RefObject, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { bounds } from '../api/types.ts';
import { baseStyle } from './basemap.ts';
import type { CityMapProps } from './CityMap.types.ts';
import { bindInteractions } from './interactions.ts';
import { LabelLayer } from './labels.ts';
import { addPointLayers, PointLayers } from './points.ts';
import { addLayers } from './sources.ts';
import { ThematicOverlay } from './teams.ts';
import { deviceText, teamText } from './tooltips.ts';

/** The MapLibre map and its overlays, once loaded (`ready`), or why it could not start. */
export interface MapInstance {
  container: RefObject<HTMLDivElement | null>;
  map: RefObject<MapLibreMap | null>;
  labels: RefObject<LabelLayer | null>;
  /** Devices and teams (MapLibre layers). */
  points: RefObject<PointLayers | null>;
  /** The thematic layers (deck.gl, loaded when one is first switched on). */
  thematic: RefObject<ThematicOverlay | null>;
  ready: boolean;
  failure: string | undefined;
}

/** Creates the map in `container` on mount (fitted to the focus then) and removes it on unmount. */
export function useMapInstance(latest: RefObject<CityMapProps>): MapInstance {
  const { t } = useTranslation();
  // Tooltips made after a language switch speak the new language.
  const latestT = useRef(t);
  latestT.current = t;
  const container = useRef<HTMLDivElement>(null);
  const map = useRef<MapLibreMap | null>(null);
  const labels = useRef<LabelLayer | null>(null);
  const points = useRef<PointLayers | null>(null);
  const thematic = useRef<ThematicOverlay | null>(null);
  const [ready, setReady] = useState(false);
  const [failure, setFailure] = useState<string>();

  useEffect(() => {
    if (!container.current) return;
    let instance: MapLibreMap;
    try {
      instance = createMap(container.current, latest.current);
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
      return;
    }
    map.current = instance;
    instance.getCanvas().setAttribute('aria-label', t('map.canvas'));
    instance.on('load', () => {
      addLayers(instance);
      addPointLayers(instance);
      // Zoom in/out, back to the area in focus, and a metric scale.
      instance.addControl(new NavigationControl({ showCompass: false }), 'top-right');
      instance.addControl(
        new ResetControl(t('map.reset'), () =>
          instance.fitBounds(bounds(latest.current.focus.bbox), { padding: 32, duration: 500 }),
        ),
        'top-right',
      );
      instance.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-right');
      labels.current = new LabelLayer(instance);
      points.current = new PointLayers(instance, {
        team: teamText,
        device: (p, index) => deviceText(latestT.current, p, index),
      });
      thematic.current = new ThematicOverlay(instance);
      setReady(true);
    });
    bindInteractions(instance, latest, container);
    return () => {
      thematic.current?.remove();
      points.current?.remove();
      labels.current?.remove();
      instance.remove();
      map.current = null;
      setReady(false);
    };
  }, [t, latest]);

  return { container, map, labels, points, thematic, ready, failure };
}

/** A MapLibre map on our own background style, fitted to the focus, without rotation. */
function createMap(container: HTMLDivElement, props: CityMapProps): MapLibreMap {
  return new MapLibre({
    container,
    style: baseStyle(),
    bounds: bounds(props.focus.bbox),
    fitBoundsOptions: { padding: 24 },
    attributionControl: { compact: true, customAttribution: 'Rivers: Natural Earth' },
    dragRotate: false,
    pitchWithRotate: false,
  });
}

/** A map button that fits the view back to the area in focus. */
class ResetControl {
  readonly #label: string;
  readonly #reset: () => void;
  #box: HTMLDivElement | undefined;

  constructor(label: string, reset: () => void) {
    this.#label = label;
    this.#reset = reset;
  }

  onAdd(): HTMLElement {
    const box = document.createElement('div');
    box.className = 'maplibregl-ctrl maplibregl-ctrl-group';
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'map-reset';
    button.title = this.#label;
    button.setAttribute('aria-label', this.#label);
    button.textContent = '⤢';
    button.addEventListener('click', this.#reset);
    box.append(button);
    this.#box = box;
    return box;
  }

  onRemove(): void {
    this.#box?.remove();
  }
}
