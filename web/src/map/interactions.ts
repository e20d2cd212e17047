import type { Map as MapLibreMap } from 'maplibre-gl';
import type { RefObject } from 'react';
import type { CityMapProps } from './CityMap.types.ts';

/** The props the map's handlers read at event time (the latest render's). */
type Handlers = Pick<CityMapProps, 'selectable' | 'onSelect' | 'onEvent'>;

/**
 * Hover and click on the areas and event dots, and the `data-idle` attribute that tests and
 * screenshots wait for.
 */
export function bindInteractions(
  instance: MapLibreMap,
  latest: RefObject<Handlers>,
  container: RefObject<HTMLDivElement | null>,
): void {
  bindAreaHover(instance, latest);
  instance.on('click', 'events', (e) => {
    const id = e.features?.[0]?.properties?.id as string | undefined;
    if (id) latest.current.onEvent?.(id);
  });
  instance.on('mouseenter', 'events', () => {
    instance.getCanvas().style.cursor = 'pointer';
  });
  instance.on('click', 'areas-fill', (e) => {
    if (instance.queryRenderedFeatures(e.point, { layers: ['events'] }).length) return;
    const code = e.features?.[0]?.properties?.code as string | undefined;
    if (code && latest.current.selectable.has(code)) latest.current.onSelect(code);
  });
  // Tests and screenshots wait for this: the map has drawn what it was given.
  instance.on('idle', () => container.current?.setAttribute('data-idle', 'true'));
  instance.on('movestart', () => container.current?.setAttribute('data-idle', 'false'));
}

/** The hovered area is brighter (feature state); a pointer cursor over those a click drills into. */
function bindAreaHover(instance: MapLibreMap, latest: RefObject<Handlers>): void {
  let hovered: string | undefined;
  instance.on('mousemove', 'areas-fill', (e) => {
    const code = e.features?.[0]?.properties?.code as string | undefined;
    if (hovered && hovered !== code)
      instance.setFeatureState({ source: 'areas', id: hovered }, { hover: false });
    hovered = code;
    if (code) instance.setFeatureState({ source: 'areas', id: code }, { hover: true });
    instance.getCanvas().style.cursor = code && latest.current.selectable.has(code) ? 'pointer' : '';
  });
  instance.on('mouseleave', 'areas-fill', () => {
    if (hovered) instance.setFeatureState({ source: 'areas', id: hovered }, { hover: false });
    hovered = undefined;
    instance.getCanvas().style.cursor = '';
  });
}
