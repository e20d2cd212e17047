import { describe, expect, it } from 'vitest';
import { AUTO, rect, syntheticCity } from './jurisdictions.fixture.ts';
import type { InputFeature } from './jurisdictions.geojson.ts';
import { readCollection } from './jurisdictions.geojson.ts';
import { polygonContains } from './jurisdictions.geometry.ts';
import { planImport } from './jurisdictions.import.ts';
import { LocateIndex } from './jurisdictions.locate.ts';
import { ImportOptionsSchema } from './jurisdictions.schema.ts';

// The index alone, built straight from the fixture: the rules of locate without a database.
const features: InputFeature[] = readCollection(syntheticCity(), 'code');
const nodes = planImport(features, ImportOptionsSchema.parse(AUTO), new Map());
const index = LocateIndex.build(nodes);
const deepest = (lon: number, lat: number) => index.locate(lon, lat)?.chain.at(-1)?.code;

describe('LocateIndex', () => {
  it('gives the chain from the city down for interior points', () => {
    expect(index.locate(106.1, 29.3)).toEqual({
      chain: [
        { code: '50', name: '测试市', level: 'city' },
        { code: '500101', name: '西区', level: 'district' },
        { code: '500101002', name: '西北街道', level: 'street' },
      ],
      approximate: false,
    });
    expect(deepest(106.05, 29.1)).toBe('500101001');
    expect(deepest(106.15, 29.1)).toBe('500101001'); // second part of the MultiPolygon
    expect(deepest(106.3, 29.1)).toBe('500102001');
    expect(deepest(106.38, 29.38)).toBe('500102002');
  });

  it('resolves points on shared borders and vertices to the lowest code among the deepest', () => {
    expect(deepest(106.1, 29.2)).toBe('500101001'); // between two streets of one district
    expect(deepest(106.2, 29.1)).toBe('500101001'); // between two districts
    expect(deepest(106.3, 29.2)).toBe('500102001');
    expect(deepest(106.2, 29.2)).toBe('500101001'); // the vertex all four streets share
    expect(deepest(106.1, 29.1)).toBe('500101001'); // between the two parts of one street
    expect(index.locate(106.2, 29.3)?.chain.map((c) => c.code)).toEqual(['50', '500101', '500101002']);
  });

  it('counts the outer boundary and vertices of the city as inside', () => {
    expect(deepest(106.4, 29.4)).toBe('500102002');
    expect(deepest(106, 29)).toBe('500101001');
    expect(deepest(106, 29.3)).toBe('500101002');
  });

  it('respects holes: inside is outside the city, the hole edge belongs to the polygon', () => {
    expect(index.locate(106.3, 29.3)).toBeUndefined();
    expect(index.locate(106.26, 29.34)).toBeUndefined();
    expect(deepest(106.3, 29.25)).toBe('500102002');
    expect(deepest(106.25, 29.25)).toBe('500102002');
  });

  it('answers undefined outside the city', () => {
    expect(index.locate(106.5, 29.5)).toBeUndefined();
    expect(index.locate(105.9, 29.2)).toBeUndefined();
    expect(index.locate(106.2, 29.400001)).toBeUndefined();
    expect(LocateIndex.build([]).locate(106.1, 29.1)).toBeUndefined();
  });

  it('falls back to the district where no street covers the point', () => {
    const withoutStreet = LocateIndex.build(nodes.filter((n) => n.code !== '500101002'));
    expect(withoutStreet.locate(106.1, 29.3)?.chain.map((c) => c.code)).toEqual(['50', '500101']);
  });

  it('agrees with a scan of every polygon on a grid that hits borders exactly', () => {
    for (let i = -2; i <= 42; i++) {
      for (let j = -2; j <= 42; j++) {
        const lon = 106 + i / 100;
        const lat = 29 + j / 100;
        expect(index.locate(lon, lat)).toEqual(index.scan(lon, lat));
      }
    }
  });
});

describe('polygonContains', () => {
  it('puts a point near a diagonal shared edge in exactly one of the two triangles', () => {
    const a = [
      [
        [0, 0],
        [1, 0.3],
        [0.2, 1],
        [0, 0],
      ],
    ];
    const b = [
      [
        [1, 0.3],
        [1.2, 1.1],
        [0.2, 1],
        [1, 0.3],
      ],
    ];
    // The two rings run along the shared edge in opposite directions; a point on the edge as
    // computed is in both (the lowest code then decides), a point a hair off it in exactly one.
    for (let t = 0.01; t < 1; t += 0.0137) {
      for (const off of [0, 1e-12, -1e-12]) {
        const x = 1 - 0.8 * t + off;
        const y = 0.3 + 0.7 * t;
        const inA = polygonContains(a, x, y);
        const inB = polygonContains(b, x, y);
        if (off !== 0) expect(inA !== inB, `${x}, ${y}`).toBe(true);
        else expect(inA || inB, `${x}, ${y}`).toBe(true);
      }
    }
    expect(polygonContains([rect(0, 0, 1, 1)], 0.5, 1.0000001)).toBe(false);
  });
});
