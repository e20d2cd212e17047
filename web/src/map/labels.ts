import { type Map as MapLibreMap, Marker } from 'maplibre-gl';

/** A place name on the map. */
export interface Label {
  code: string;
  text: string;
  at: [number, number];
  strong?: boolean;
}

/**
 * Place names as HTML markers: no glyph server is needed (none is reachable offline) and
 * every script renders with the page's fonts. Overlapping names are hidden, earlier first.
 */
export class LabelLayer {
  readonly #map: MapLibreMap;
  #markers: Marker[] = [];
  readonly #declutter = () => declutter(this.#markers.map((m) => m.getElement()));

  constructor(map: MapLibreMap) {
    this.#map = map;
    map.on('moveend', this.#declutter);
  }

  /** Replaces the labels. */
  set(labels: Label[]): void {
    for (const m of this.#markers) m.remove();
    this.#markers = labels.map((l) => {
      const el = document.createElement('div');
      el.className = l.strong ? 'map-label strong' : 'map-label';
      el.textContent = l.text;
      el.setAttribute('aria-hidden', 'true');
      return new Marker({ element: el }).setLngLat(l.at).addTo(this.#map);
    });
    requestAnimationFrame(this.#declutter);
  }

  remove(): void {
    this.#map.off('moveend', this.#declutter);
    for (const m of this.#markers) m.remove();
  }
}

function declutter(elements: HTMLElement[]): void {
  const placed: DOMRect[] = [];
  for (const el of elements) {
    el.classList.remove('hidden');
    const r = el.getBoundingClientRect();
    const hit = placed.some(
      (p) => r.left < p.right + 2 && r.right > p.left - 2 && r.top < p.bottom && r.bottom > p.top,
    );
    if (hit) el.classList.add('hidden');
    else placed.push(r);
  }
}
