/** A small Y-shaped test network: main stem B and tributary A meet at J and flow on as C. */
import type { NetworkInput } from './network.schema.ts';

const flags = { synthesised: true, approximate: true };

/** Build the fixture; `extra` overrides any top-level list. */
export function yNetwork(extra: Partial<NetworkInput> = {}): NetworkInput {
  return {
    name: 'fixture',
    nodes: [
      { id: 'hB', kind: 'head', coordinates: [0, 0] },
      { id: 'hA', kind: 'head', coordinates: [0.1, 0.05] },
      { id: 'J', kind: 'confluence', coordinates: [0.08, 0] },
      { id: 'out', kind: 'outlet', coordinates: [0.17, 0] },
    ],
    reaches: [
      // main stem above the confluence: 8 km, Da 300 km², Q 6, Qa 8
      {
        id: 'B',
        name: 'Main upper',
        river: 'main',
        from: 'hB',
        to: 'J',
        lengthM: 8000,
        slope: 0.001,
        q: 6,
        qa: 8,
        drainageAreaM2: 3e8,
        geometry: [
          [0, 0],
          [0.08, 0],
        ],
        ...flags,
      },
      // tributary: 5 km, Da 200 km², Q 4, Qa 5
      {
        id: 'A',
        name: 'Tributary',
        river: 'trib',
        from: 'hA',
        to: 'J',
        lengthM: 5000,
        slope: 0.002,
        q: 4,
        qa: 5,
        drainageAreaM2: 2e8,
        geometry: [
          [0.1, 0.05],
          [0.08, 0],
        ],
        ...flags,
      },
      // below the confluence: 10 km, Da 500 km², Q 10, Qa 13
      {
        id: 'C',
        name: 'Main lower',
        river: 'main',
        from: 'J',
        to: 'out',
        lengthM: 10000,
        slope: 0.001,
        q: 10,
        qa: 13,
        drainageAreaM2: 5e8,
        geometry: [
          [0.08, 0],
          [0.17, 0],
        ],
        ...flags,
      },
    ],
    sections: [{ id: 'sec', name: 'Section C-mid', reach: 'C', fraction: 0.5, targetClass: 'III', ...flags }],
    pollutionSources: [
      {
        id: 'plant',
        name: 'Town sewage plant',
        kind: 'sewage_plant',
        reach: 'B',
        fraction: 0.5,
        pollutants: ['bod', 'cod', 'NH4'],
        ...flags,
      },
      {
        id: 'plating',
        name: 'Plating works',
        kind: 'enterprise',
        reach: 'B',
        fraction: 0.1,
        pollutants: ['Cr'],
        ...flags,
      },
      {
        id: 'garage',
        name: 'Garage',
        kind: 'enterprise',
        reach: 'A',
        fraction: 0.2,
        pollutants: ['oil'],
        ...flags,
      },
      {
        id: 'below',
        name: 'Plant below the section',
        kind: 'sewage_plant',
        reach: 'C',
        fraction: 0.9,
        pollutants: ['bod'],
        ...flags,
      },
    ],
    intakes: [{ id: 'intake', name: 'Intake', reach: 'C', fraction: 0.95, population: 50_000, ...flags }],
    reservoirs: [
      {
        id: 'res',
        name: 'Tributary reservoir',
        kind: 'reservoir',
        reach: 'A',
        fraction: 0,
        releaseCapacityM3s: 10,
        ...flags,
      },
    ],
    ...extra,
  };
}
