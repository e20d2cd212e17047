import type { GeoJSONSource } from 'maplibre-gl';
import { useEffect } from 'react';
import { bounds, lonLat, type Team } from '../api/types.ts';
import { placeName } from '../i18n.ts';
import type { AreaLabel, MapEvent } from './CityMap.types.ts';
import { type AreaData, showAreas, showEvents } from './sources.ts';
import type { DeviceLayerData } from './teams.ts';
import type { MapInstance } from './useMapInstance.ts';

/** Draws the areas and the focus outline, sets `data-focus` and jumps the view to the focus. */
export function useAreas(
  { map, container, ready }: MapInstance,
  { focus, areas, highlight, selectable, values }: AreaData,
): void {
  useEffect(() => {
    const m = map.current;
    if (!ready || !m) return;
    showAreas(m, { focus, areas, highlight, selectable, values });
    container.current?.setAttribute('data-focus', focus.code);
    // A cut, not a flight: the drill-down is drawn in well under a second (issue 18); a 500 ms
    // flight restarted by each data update took 2–3 s to settle.
    m.fitBounds(bounds(focus.bbox), { padding: 32, duration: 0 });
  }, [map, container, ready, focus, areas, highlight, selectable, values]);
}

/** Places the area names in the current language, the highlighted one first and strong. */
export function useLabels(
  { labels, ready }: MapInstance,
  areaLabels: readonly AreaLabel[],
  highlight: string | undefined,
  language: string,
): void {
  useEffect(() => {
    if (!ready) return;
    const ordered = [...areaLabels].sort(
      (a, b) => Number(b.code === highlight) - Number(a.code === highlight),
    );
    labels.current?.set(
      ordered.map((l) => ({
        code: l.code,
        text: placeName(l, language),
        at: lonLat(l.label),
        strong: l.code === highlight,
      })),
    );
  }, [labels, ready, areaLabels, highlight, language]);
}

/** Draws the teams at their positions. */
export function useTeams({ points, ready }: MapInstance, shown: Team[]): void {
  useEffect(() => {
    if (ready) points.current?.set(shown);
  }, [points, ready, shown]);
}

/** Draws the devices while the legend's switch is on, and counts them in `data-devices`. */
export function useDevices(
  { points, map, ready }: MapInstance,
  devices: DeviceLayerData | undefined,
  showDevices: boolean,
): void {
  useEffect(() => {
    if (!ready) return;
    const shown = showDevices ? devices : undefined;
    points.current?.setDevices(shown);
    map.current?.getContainer().setAttribute('data-devices', String(shown?.points.count ?? 0));
  }, [points, map, ready, devices, showDevices]);
}

/** Draws the events as dots and counts them in `data-events`. */
export function useEvents({ map, ready }: MapInstance, events: readonly MapEvent[] | undefined): void {
  useEffect(() => {
    const source = map.current?.getSource('events') as GeoJSONSource | undefined;
    if (!ready || !source) return;
    showEvents(source, events);
    map.current?.getContainer().setAttribute('data-events', String(events?.length ?? 0));
  }, [map, ready, events]);
}
