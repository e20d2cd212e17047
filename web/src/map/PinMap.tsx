import 'maplibre-gl/dist/maplibre-gl.css';
import { Map as MapLibre, type Map as MapLibreMap, Marker, setWorkerUrl } from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { configuredTileUrl } from './basemap.ts';
import { StreetLabels, streetStyle } from './streetmap.ts';

setWorkerUrl(workerUrl);

/** Where the pin map opens: central Chongqing (Yuzhong and its neighbours). */
const START: [number, number, number, number] = [106.42, 29.45, 106.68, 29.65];

/**
 * A small light map to drop a pin on: the platform's street base map (its own roads, boundaries,
 * rivers and street names, as vector tiles), or a configured raster base map when one is set.
 */
export default function PinMap({
  point,
  zoomIn = false,
  onPick,
}: {
  point?: { lon: number; lat: number };
  /** Centre on the point at street level (a place found by name or the device's location). */
  zoomIn?: boolean;
  onPick: (p: { lon: number; lat: number }) => void;
}) {
  const { t, i18n } = useTranslation();
  const container = useRef<HTMLDivElement>(null);
  const map = useRef<MapLibreMap | null>(null);
  const marker = useRef<Marker | null>(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  const [failure, setFailure] = useState<string>();

  useEffect(() => {
    if (!container.current) return;
    let m: MapLibreMap;
    const raster = configuredTileUrl();
    try {
      m = new MapLibre({
        container: container.current,
        bounds: START,
        attributionControl: false,
        dragRotate: false,
        style: streetStyle(globalThis.location.origin, raster),
      });
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
      return;
    }
    map.current = m;
    m.getCanvas().setAttribute('aria-label', t('citizen.mapLabel'));
    // A configured raster base map has names of its own.
    const labels = raster ? undefined : new StreetLabels(m, i18n.language);
    // The zoom on the element, for tests and support (which labels show depends on it).
    m.on('idle', () => {
      if (container.current) container.current.dataset.zoom = m.getZoom().toFixed(1);
    });
    m.on('click', (e) => pick.current({ lon: round(e.lngLat.lng), lat: round(e.lngLat.lat) }));
    return () => {
      labels?.remove();
      m.remove();
      map.current = null;
    };
  }, [t, i18n.language]);

  useEffect(() => {
    const m = map.current;
    if (!m) return;
    if (!point) {
      marker.current?.remove();
      marker.current = null;
      return;
    }
    marker.current ??= new Marker({ color: '#c2410c' });
    marker.current.setLngLat([point.lon, point.lat]).addTo(m);
    if (zoomIn) m.easeTo({ center: [point.lon, point.lat], zoom: Math.max(m.getZoom(), 15) });
    else if (!m.getBounds().contains([point.lon, point.lat]))
      m.easeTo({ center: [point.lon, point.lat], zoom: 13 });
  }, [point, zoomIn]);

  if (failure) return <p role="alert">{t('map.failed', { message: failure })}</p>;
  return <div ref={container} className="map" />;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
