import type { StreetShape } from './patrol.grid.ts';

const square = (lon: number, lat: number, half: number) => ({
  type: 'Polygon' as const,
  coordinates: [
    [
      [lon - half, lat - half],
      [lon + half, lat - half],
      [lon + half, lat + half],
      [lon - half, lat + half],
      [lon - half, lat - half],
    ],
  ],
});

/** Two neighbouring test streets (~2.2 km squares) of one district: small and fast. */
export const FIXTURE_STREETS: StreetShape[] = [
  {
    code: '500103001',
    name: '甲街道',
    districtCode: '500103',
    path: '50/500103/500103001',
    label: [106.5, 29.5],
    geometry: square(106.5, 29.5, 0.0115),
  },
  {
    code: '500103002',
    name: '乙街道',
    districtCode: '500103',
    path: '50/500103/500103002',
    label: [106.523, 29.5],
    geometry: square(106.523, 29.5, 0.0115),
  },
];
