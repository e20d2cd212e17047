import type { RoadInput, StreetInput } from './lifecircle.network.ts';

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

/** Two neighbouring test streets (~2.2 km squares) and one road through both: small and fast. */
export const FIXTURE_STREETS: StreetInput[] = [
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
    name: '乙镇',
    districtCode: '500103',
    path: '50/500103/500103002',
    label: [106.523, 29.5],
    geometry: square(106.523, 29.5, 0.0115),
  },
];

/** A secondary road along both streets, and an expressway (no pedestrians) beside it. */
export const FIXTURE_ROADS: RoadInput[] = [
  {
    id: 'r1',
    roadClass: 'secondary',
    coordinates: [
      [106.49, 29.501],
      [106.535, 29.501],
    ],
  },
  {
    id: 'x1',
    roadClass: 'expressway',
    coordinates: [
      [106.49, 29.49],
      [106.535, 29.49],
    ],
  },
];
