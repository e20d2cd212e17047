import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.ts';
import { findRuns } from './traffic.congestion.ts';
import { aggregateIndex, curveOf, ratioOver } from './traffic.index.ts';
import { levelOf, MAX_TTI, travelTimeIndex } from './traffic.levels.ts';
import { haversineM, nearestLinks, parseNetwork } from './traffic.network.ts';

const line = (id: string, cls: string, coordinates: unknown) => ({
  type: 'Feature',
  properties: { id, class: cls },
  geometry: { type: 'LineString', coordinates },
});
const fc = (...features: unknown[]) => ({ type: 'FeatureCollection', features });

describe('travel-time index and levels', () => {
  it.each([
    [50, 50, 1],
    [50, 60, 1], // faster than free flow is free flow
    [50, 25, 2],
    [50, 0, MAX_TTI],
    [50, 2, MAX_TTI],
  ])('free flow %d km/h at %d km/h → %d', (vf, v, tti) => {
    expect(travelTimeIndex(vf, v)).toBeCloseTo(tti, 9);
  });
  it.each([
    [1, 'free'],
    [1.19, 'free'],
    [1.2, 'basic'],
    [1.5, 'light'],
    [1.79, 'light'],
    [1.8, 'moderate'],
    [1.89, 'moderate'],
    [2, 'severe'],
    [10, 'severe'],
  ])('TTI %d is %s', (tti, level) => {
    expect(levelOf(tti)).toBe(level);
  });
});

describe('congestion runs', () => {
  const rules = { slotMs: 300_000, threshold: 2, raiseMinutes: 15, clearMinutes: 10 };
  const series = (ttis: (number | null)[]) =>
    ttis.flatMap((tti, k) => (tti === null ? [] : [{ t: k * 300_000, tti }]));

  it('raises after 15 minutes at or above the level and clears after 10 minutes below', () => {
    const { runs } = findRuns(series([1, 2.1, 2.5, 2.2, 2.4, 1.3, 1.1, 1]), rules);
    expect(runs).toEqual([{ startedAt: 300_000, raisedAt: 1_200_000, clearedAt: 1_500_000, peakTti: 2.5 }]);
  });
  it('does not raise a run of 10 minutes, nor one broken by a slot without data', () => {
    expect(findRuns(series([2.1, 2.1, 1, 2.1, 2.1, null, 2.1]), rules).runs).toEqual([]);
  });
  it('keeps an open run open while one good slot is followed by a bad one', () => {
    const { continued, runs } = findRuns(series([2.3, 1.2, 3.1, 1.1]), rules, {
      startedAt: -600_000,
      peakTti: 2.2,
    });
    expect(runs).toEqual([]);
    expect(continued).toMatchObject({ clearedAt: null, peakTti: 3.1 });
  });
  it('clears an open run and finds a new one after it', () => {
    const { continued, runs } = findRuns(series([1, 1, 2, 2, 2, 2]), rules, {
      startedAt: -300_000,
      peakTti: 2.2,
    });
    expect(continued?.clearedAt).toBe(0);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ startedAt: 600_000, raisedAt: 1_500_000, clearedAt: null });
  });
});

describe('index aggregation', () => {
  it('weights links by length × flow and gives space-mean arterial speed', () => {
    // Two links, two slots; link 0: 1 km arterial at free flow 50, link 1: 3 km secondary at free flow 40.
    const x = {
      links: 2,
      slots: 2,
      length: Float64Array.of(1000, 3000),
      freeFlow: Float64Array.of(50, 40),
      group: Int32Array.of(0, 1),
      groups: 2,
      arterial: Uint8Array.of(1, 0),
      speed: Float64Array.of(25, Number.NaN, 40, 20),
      flow: Float64Array.of(100, Number.NaN, 10, 10),
    };
    const s = aggregateIndex(x);
    // slot 0: TTI 2 (w 100) and 1 (w 30) → 230/130; slot 1: only link 1, TTI 2.
    expect(curveOf(s.cityNum, s.cityW)).toEqual([1.769, 2]);
    expect(ratioOver(s.cityNum, s.cityW)).toBeCloseTo((200 + 30 + 60) / 160, 9);
    expect(curveOf(s.groupNum, s.groupW, 0, 2)).toEqual([2, null]);
    expect(ratioOver(s.arterialVkt, s.arterialVht, 0, 1)).toBeCloseTo(25, 9);
  });
});

describe('road network file', () => {
  it('reads links with length and class defaults', () => {
    const links = parseNetwork(
      fc(
        line('a', 'arterial', [
          [106.57, 29.55],
          [106.58, 29.55],
        ]),
      ),
    );
    expect(links[0]).toMatchObject({ id: 'a', roadClass: 'arterial', freeFlowKmh: 50, approximate: false });
    expect(links[0]!.lengthM).toBeCloseTo(haversineM([106.57, 29.55], [106.58, 29.55]), 0);
  });
  it.each([
    [
      fc(line('a', 'arterial', [[106.57, 29.55]])),
      /feature 0 \(id a\): a LineString needs at least 2 positions/,
    ],
    [
      fc(
        line('a', 'arterial', [
          [106.57, 29.55],
          [106.58, 29.55],
        ]),
        line('b', 'lane', [
          [1, 1],
          [2, 2],
        ]),
      ),
      /feature 1 \(id b\): property class/,
    ],
    [
      fc({
        type: 'Feature',
        properties: { id: 'p', class: 'arterial' },
        geometry: { type: 'Point', coordinates: [1, 1] },
      }),
      /feature 0 \(id p\): geometry must be a LineString/,
    ],
    [
      fc(
        line('n', 'secondary', [
          [106.57, 29.55],
          [106.58, 'x'],
        ]),
      ),
      /feature 0 \(id n\): position 1/,
    ],
    [
      fc(
        line('z', 'secondary', [
          [106.57, 29.55],
          [106.57, 29.55],
        ]),
      ),
      /feature 0 \(id z\): the line has no length/,
    ],
    [
      fc(
        line('d', 'secondary', [
          [1, 1],
          [1, 2],
        ]),
        line('d', 'secondary', [
          [2, 1],
          [2, 2],
        ]),
      ),
      /feature 1 \(id d\): duplicate id d/,
    ],
    [{ type: 'Feature' }, /FeatureCollection/],
  ])('refuses broken input, naming the feature (%#)', (input, message) => {
    expect(() => parseNetwork(input)).toThrow(message);
    expect(() => parseNetwork(input)).toThrow(AppError);
  });
  it('maps a point to the nearest link within the limit', () => {
    const links = [
      {
        id: 'h',
        coordinates: [
          [106.57, 29.55],
          [106.58, 29.55],
        ] as [number, number][],
      },
      {
        id: 'v',
        coordinates: [
          [106.575, 29.54],
          [106.575, 29.56],
        ] as [number, number][],
      },
    ];
    const m = nearestLinks(
      links,
      [
        { id: 'near-h', lon: 106.572, lat: 29.5502 },
        { id: 'near-v', lon: 106.5751, lat: 29.545 },
        { id: 'far', lon: 106.7, lat: 29.7 },
      ],
      1000,
    );
    expect(m.get('near-h')?.linkId).toBe('h');
    expect(m.get('near-h')!.distanceM).toBeCloseTo(22, 0);
    expect(m.get('near-v')?.linkId).toBe('v');
    expect(m.has('far')).toBe(false);
  });
});
