import { describe, expect, it } from 'vitest';
import { STREET_TILES_PATH, streetStyle } from '../src/map/streetmap.ts';

describe('pin map street style', () => {
  it('draws the platform’s own vector tiles by default: roads by class, boundaries, rivers', () => {
    const style = streetStyle('http://city.local');
    expect(style.sources).toEqual({
      city: expect.objectContaining({
        type: 'vector',
        tiles: [`http://city.local${STREET_TILES_PATH}`],
        maxzoom: 14,
      }),
    });
    const layers = style.layers.map((l) => [l.id, 'source-layer' in l ? l['source-layer'] : undefined]);
    expect(layers).toEqual([
      ['bg', undefined],
      ['rivers', 'rivers'],
      ['street-lines', 'boundaries'],
      ['road-casing', 'roads'],
      ['road-secondary', 'roads'],
      ['road-arterial', 'roads'],
      ['road-expressway', 'roads'],
      ['district-lines', 'boundaries'],
    ]);
  });

  it('lets a configured raster tile URL win, with only our district lines over it', () => {
    const style = streetStyle('http://city.local', 'https://tiles.example/{z}/{x}/{y}.png');
    expect(style.sources.tiles).toMatchObject({
      type: 'raster',
      tiles: ['https://tiles.example/{z}/{x}/{y}.png'],
    });
    expect(style.layers.map((l) => l.id)).toEqual(['bg', 'tiles', 'district-lines']);
  });
});
