import 'maplibre-gl/dist/maplibre-gl.css';
import {
  type GeoJSONSource,
  Map as MapLibre,
  type Map as MapLibreMap,
  Marker,
  setWorkerUrl,
} from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import riversUrl from '../../../data/chongqing/rivers.geojson?url';
import { api, unwrap } from '../api/client.ts';
import { configuredTileUrl } from './basemap.ts';

setWorkerUrl(workerUrl);

/** Where the pin map opens: central Chongqing (Yuzhong and its neighbours). */
const START: [number, number, number, number] = [106.42, 29.45, 106.68, 29.65];

/** A small light map to drop a pin on; districts and rivers from our own data. */
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
  const { t } = useTranslation();
  const container = useRef<HTMLDivElement>(null);
  const map = useRef<MapLibreMap | null>(null);
  const marker = useRef<Marker | null>(null);
  const pick = useRef(onPick);
  pick.current = onPick;
  const [failure, setFailure] = useState<string>();

  useEffect(() => {
    if (!container.current) return;
    let m: MapLibreMap;
    try {
      const tiles = configuredTileUrl();
      m = new MapLibre({
        container: container.current,
        bounds: START,
        attributionControl: false,
        dragRotate: false,
        style: {
          version: 8,
          sources: tiles ? { tiles: { type: 'raster', tiles: [tiles], tileSize: 256 } } : {},
          layers: [
            { id: 'bg', type: 'background', paint: { 'background-color': '#eef2f6' } },
            ...(tiles ? [{ id: 'tiles', type: 'raster' as const, source: 'tiles' }] : []),
          ],
        },
      });
    } catch (error) {
      setFailure(error instanceof Error ? error.message : String(error));
      return;
    }
    map.current = m;
    m.getCanvas().setAttribute('aria-label', t('citizen.mapLabel'));
    m.on('load', async () => {
      m.addSource('districts', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      m.addSource('rivers', { type: 'geojson', data: riversUrl });
      m.addLayer({ id: 'd-fill', type: 'fill', source: 'districts', paint: { 'fill-color': '#dfe8f1' } });
      m.addLayer({
        id: 'rivers',
        type: 'line',
        source: 'rivers',
        paint: { 'line-color': '#6aaee0', 'line-width': 3 },
      });
      m.addLayer({
        id: 'd-line',
        type: 'line',
        source: 'districts',
        paint: { 'line-color': '#7d93ab', 'line-width': 1 },
      });
      const boundaries = unwrap(
        await api.GET('/api/v1/jurisdictions.geojson', { params: { query: { level: 'district' } } }),
      );
      (m.getSource('districts') as GeoJSONSource | undefined)?.setData(
        boundaries as GeoJSON.FeatureCollection,
      );
    });
    m.on('click', (e) => pick.current({ lon: round(e.lngLat.lng), lat: round(e.lngLat.lat) }));
    return () => {
      m.remove();
      map.current = null;
    };
  }, [t]);

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
