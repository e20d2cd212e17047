import { gridDisk, latLngToCell } from 'h3-js';
import { describe, expect, it } from 'vitest';
import { demoIncidents } from './patrol.demo.ts';
import { FIXTURE_STREETS } from './patrol.fixture.ts';
import { buildStudyArea, CELL_RES } from './patrol.grid.ts';
import {
  cellCounts,
  evaluate,
  type Incident,
  prepareIncidents,
  ranking,
  stkde,
  WEEK,
} from './patrol.model.ts';
import { allocateHours, areaShares, buildBeats, capBreach, displacement } from './patrol.plan.ts';

const END = Date.parse('2026-12-07T00:00:00Z');
const area = buildStudyArea(FIXTURE_STREETS);
const at = (weeksAgo: number) => END - weeksAgo * WEEK + 3_600_000;
const inc = (lon: number, lat: number, t: number, source = 'citizen'): Incident => ({
  id: `${lon},${lat},${t}`,
  lon,
  lat,
  at: t,
  source,
  synthetic: false,
});

describe('patrol hot spots', () => {
  it('learns from reported incidents only: patrol-found incidents are left out and counted', () => {
    const p = prepareIncidents(area, [
      inc(106.5, 29.5, at(3)),
      inc(106.5, 29.5, at(2), 'patrol'),
      inc(106.5, 29.5, at(2), 'sensor_alert'),
      inc(120, 30, at(1)),
    ]);
    expect(p.count).toBe(1);
    expect(p.sources).toEqual(['citizen']);
    expect(p.excluded).toEqual({ patrol: 1, sensor_alert: 1 });
    expect(p.outside).toBe(1);
  });

  it('patrol-found incidents cannot move the hot spots (the feedback loop is cut)', () => {
    const reported = [inc(106.5, 29.5, at(2)), inc(106.5, 29.5, at(3))];
    const found = Array.from({ length: 50 }, (_, k) => inc(106.523, 29.5, at(1) + k, 'patrol'));
    const a = stkde()(area, prepareIncidents(area, reported), END);
    const b = stkde()(area, prepareIncidents(area, [...reported, ...found]), END);
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it('spreads density over the rings with a quartic kernel and decays it with age', () => {
    const c = area.index.get(latLngToCell(29.5, 106.5, CELL_RES))!;
    const fresh = stkde({ bandwidthRings: 1, halfLifeDays: 7, windowDays: 364 })(
      area,
      prepareIncidents(area, [inc(106.5, 29.5, END - 1)]),
      END,
    );
    const neighbour = area.index.get(gridDisk(area.h3[c]!, 1).find((h) => h !== area.h3[c])!)!;
    expect(fresh[c]).toBeCloseTo(1, 5);
    expect(fresh[neighbour]).toBeCloseTo((1 - 0.25) ** 2, 5);
    const old = stkde({ bandwidthRings: 1, halfLifeDays: 7, windowDays: 364 })(
      area,
      prepareIncidents(area, [inc(106.5, 29.5, END - 7 * 86_400_000)]),
      END,
    );
    expect(old[c]).toBeCloseTo(0.5, 5);
  });

  it('PAI on held-out weeks: a persistent hot spot is found, far above 1; the count baseline agrees', () => {
    // Each week: 8 reports at one corner (within ~40 m) and 8 spread over both streets.
    let seed = 7;
    const rand = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const list: Incident[] = [];
    for (let w = 30; w >= 1; w--) {
      for (let k = 0; k < 8; k++)
        list.push(inc(106.505 + rand() * 0.0004, 29.505 + rand() * 0.0004, at(w) + k));
      for (let k = 0; k < 8; k++)
        list.push(inc(106.49 + rand() * 0.045, 29.49 + rand() * 0.02, at(w) + 100 + k));
    }
    const p = prepareIncidents(area, list);
    const a = evaluate(area, p, stkde(), END, 4);
    const b = evaluate(area, p, cellCounts(), END, 4);
    expect(a.testWeeks).toHaveLength(4);
    expect(a.testIncidents).toBeGreaterThan(0);
    expect(a.curve.map((x) => x.areaShare)).toEqual([0.005, 0.01, 0.02, 0.05, 0.1, 0.2]);
    for (const x of a.curve) expect(x.pai).toBeCloseTo(x.hitRate / (x.cells / area.h3.length), 1);
    expect(a.curve.at(-1)!.hitRate).toBeGreaterThanOrEqual(a.curve[0]!.hitRate);
    // Half the test incidents sit in one or two cells of the fixture's few hundred.
    expect(a.curve[0]!.hitRate).toBeGreaterThan(0.4);
    expect(a.pai).toBeGreaterThan(10);
    expect(b.pai).toBeGreaterThan(10);
  });

  it('allocates hours by risk with no street above the cap, and names the street when it cannot', () => {
    const p = prepareIncidents(area, demoIncidents(FIXTURE_STREETS, new Date(END)));
    const score = stkde()(area, p, END);
    const beats = buildBeats(area, score, ranking(score), 6, 3);
    expect(beats.length).toBe(6);
    for (const b of beats) expect(b.cells.length).toBeGreaterThanOrEqual(1);
    const capped = allocateHours(beats, 60, 0.6, 'street');
    expect(capped.reduce((a, b) => a + b.hours, 0)).toBeCloseTo(60, 1);
    expect(capBreach(capped, 0.6, 'street')).toBeUndefined();
    expect(areaShares(capped, 'street')[0]!.share).toBeLessThanOrEqual(0.6005);
    // Two streets cannot hold a 25% cap: the check names the largest.
    const tight = allocateHours(beats, 60, 0.25, 'street');
    expect(capBreach(tight, 0.25, 'street')?.area).toMatch(/^50010300[12]$/);
    // All in one district: a district cap below 1 always breaks.
    expect(capBreach(capped, 0.5, 'district')).toMatchObject({ area: '500103', share: 1 });
  });

  it('weighted displacement quotient: buffer up while treated down reads as displacement', () => {
    const c = area.index.get(latLngToCell(29.5, 106.5, CELL_RES))!;
    const far = [106.523, 29.5] as const;
    const list: Incident[] = [];
    const put = (lon: number, lat: number, weeksAgo: number, n: number) => {
      for (let k = 0; k < n; k++) list.push(inc(lon, lat, at(weeksAgo) + k));
    };
    put(106.5, 29.5, 6, 10); // treated, before
    put(106.5, 29.5, 2, 2); // treated, after
    put(106.5, 29.5 + 0.0035, 6, 2); // buffer (~390 m north), before
    put(106.5, 29.5 + 0.0035, 2, 6); // buffer, after
    put(far[0], far[1], 6, 10);
    put(far[0], far[1], 2, 10);
    const p = prepareIncidents(area, list);
    const d = displacement(area, p, [c], END - 4 * WEEK, 4, END, 2);
    expect(d.before).toMatchObject({ treated: 10, control: 10 });
    expect(d.after).toMatchObject({ treated: 2, control: 10, complete: true });
    expect(d.before.buffer).toBe(2);
    expect(d.after.buffer).toBe(6);
    expect(d.successMeasure).toBeCloseTo(-0.8, 5);
    expect(d.bufferMeasure).toBeCloseTo(0.4, 5);
    expect(d.wdq).toBeCloseTo(-0.5, 5);
    expect(d.finding).toBe('displacement');
  });
});
