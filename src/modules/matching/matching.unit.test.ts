import { describe, expect, it } from 'vitest';
import { buildModel } from '../lifecircle/index.ts';
import { FIXTURE_ROADS, FIXTURE_STREETS } from '../lifecircle/lifecircle.fixture.ts';
import { type Candidate, matchNeeds, type Need, nearestOnly, type Resource } from './matching.engine.ts';
import { compileHours, earliestSlot, localDay } from './matching.hours.ts';
import { candidatesOf } from './matching.reach.ts';
import { parseNeeds, parseResources } from './matching.validate.ts';

const T = (s: string) => Date.parse(s);
const need = (id: string, over: Partial<Need> = {}): Need => ({
  id,
  source: 'elderly_care',
  category: 'meal_delivery',
  lon: 106.5,
  lat: 29.5,
  windowStart: T('2026-12-08T11:00:00+08:00'),
  windowEnd: T('2026-12-08T12:30:00+08:00'),
  quantity: 1,
  durationMinutes: 20,
  urgency: 3,
  createdAt: T('2026-12-07T09:00:00+08:00'),
  synthetic: false,
  ...over,
});
const resource = (id: string, over: Partial<Resource> = {}): Resource => ({
  id,
  kind: 'provider',
  name: id,
  categories: ['meal_delivery'],
  capacity: 2,
  hours: [{ days: [1, 2, 3, 4, 5, 6, 7], open: '08:00', close: '20:00' }],
  lon: 106.5,
  lat: 29.5,
  radiusM: 3000,
  synthetic: false,
  ...over,
});

describe('opening hours', () => {
  it('finds the earliest slot inside window and hours, in UTC+8, skipping full days', () => {
    // 2026-12-08 is a Tuesday; open weekdays 09:00–17:00.
    const hours = compileHours([{ days: [1, 2, 3, 4, 5], open: '09:00', close: '17:00' }]);
    const seen = { open: false };
    const from = T('2026-12-08T07:00:00+08:00');
    const to = T('2026-12-10T18:00:00+08:00');
    const slot = earliestSlot(hours, from, to, 3600_000, () => true, seen);
    expect(new Date(slot!.start).toISOString()).toBe('2026-12-08T01:00:00.000Z');
    expect(slot!.day).toBe('2026-12-08');
    const next = earliestSlot(hours, from, to, 3600_000, (d) => d !== '2026-12-08', seen);
    expect(next!.day).toBe('2026-12-09');
    // Saturday 2026-12-12: closed.
    const sat = { open: false };
    expect(
      earliestSlot(
        hours,
        T('2026-12-12T08:00:00+08:00'),
        T('2026-12-12T20:00:00+08:00'),
        60_000,
        () => true,
        sat,
      ),
    ).toBeUndefined();
    expect(sat.open).toBe(false);
    expect(localDay(T('2026-12-08T23:30:00+08:00'))).toBe('2026-12-08');
  });
});

describe('greedy matching by urgency, then distance', () => {
  const near: Candidate = { r: 0, m: 200, method: 'walk' };
  const far: Candidate = { r: 1, m: 900, method: 'walk' };

  it('respects capacity per day, serves the urgent first, explains each match and the alternative', () => {
    const needs = [
      need('a', { urgency: 1 }),
      need('b', { urgency: 5 }),
      need('c', { urgency: 3 }),
      need('d', { urgency: 2 }),
    ];
    const resources = [resource('near'), resource('far', { capacity: 1 })];
    const cands = needs.map(() => [near, far]);
    const out = matchNeeds(needs, resources, cands);
    const byId = new Map(out.map((o) => [needs[o.need]!.id, o]));
    expect(byId.get('b')!.resource).toBe(0);
    expect(byId.get('c')!.resource).toBe(0);
    expect(byId.get('d')!.resource).toBe(1); // near is full
    expect(byId.get('a')!.resource).toBe(-1); // both full; lowest urgency
    const b = byId.get('b')!;
    if (b.resource < 0) throw new Error('b unmatched');
    expect(b.explanation).toMatchObject({
      order: 0,
      distance: { m: 200, method: 'walk', mode: 'visit', limitM: 3000 },
      capacity: { day: '2026-12-08', capacity: 2, usedBefore: 0, usedAfter: 1 },
      alternative: { resourceId: 'far', distanceM: 900 },
      nearerRejected: { closed: 0, full: 0 },
    });
    expect(byId.get('d')!.explanation).toMatchObject({ nearerRejected: { closed: 0, full: 1 } });
    expect(byId.get('a')!.explanation).toMatchObject({ reason: 'capacity_exhausted', rejected: { full: 2 } });
    // The baseline ignores capacity: everyone to the nearest.
    expect([...nearestOnly(needs, cands)]).toEqual([0, 0, 0, 0]);
  });

  it('leaves a need unmet when closed in its window or nothing is within reach', () => {
    const needs = [need('closed'), need('alone')];
    const resources = [
      resource('evening', { hours: [{ days: [1, 2, 3, 4, 5, 6, 7], open: '18:00', close: '20:00' }] }),
    ];
    const out = matchNeeds(needs, resources, [[near], []]);
    expect([...out].sort((a, b) => a.need - b.need).map((o) => o.explanation)).toMatchObject([
      { reason: 'closed_in_window', rejected: { closed: 1 } },
      { reason: 'no_resource_in_reach', candidates: 0 },
    ]);
  });

  it('counts units already used by earlier runs', () => {
    const used = new Map([['0|2026-12-08', 2]]);
    const out = matchNeeds([need('a')], [resource('near')], [[near]], used);
    expect(out[0]!.resource).toBe(-1);
  });
});

describe('reach on the walking network', () => {
  const model = buildModel(FIXTURE_STREETS, FIXTURE_ROADS);
  it('measures walks on the network, bounded by the 15-minute walk for onsite needs and the radius for visits', () => {
    const needs = [
      need('visit', { lon: 106.505, lat: 29.5 }),
      need('onsite', { category: 'day_care', lon: 106.515, lat: 29.5 }),
      need('off', { lon: 107.5, lat: 29.5 }),
    ];
    const resources = [resource('r', { categories: ['meal_delivery', 'day_care'], lon: 106.5, lat: 29.5 })];
    const c = candidatesOf(needs, resources, model);
    expect(c[0]![0]!.method).toBe('walk');
    // ~485 m straight line; the walk is longer but not absurdly so.
    expect(c[0]![0]!.m).toBeGreaterThan(480);
    expect(c[0]![0]!.m).toBeLessThan(485 * 1.6);
    expect(c[1]).toEqual([]); // 1.45 km straight: beyond a 15-minute walk
    expect(c[2]).toEqual([]);
    const straight = candidatesOf(needs, resources, undefined);
    expect(straight[0]![0]).toMatchObject({ method: 'straight_line' });
    expect(straight[0]![0]!.m).toBeCloseTo(485 * 1.3, -1);
  });
});

describe('bad rows are named', () => {
  const now = T('2026-12-07T09:00:00+08:00');
  const ok = {
    category: 'meal_delivery',
    lon: 106.5,
    lat: 29.5,
    windowStart: '2026-12-08T11:00:00+08:00',
    windowEnd: '2026-12-08T12:00:00+08:00',
  };
  const id = (k: number) => `n${k}`;
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (err) {
      return (err as { code: string; details: unknown }).details;
    }
    throw new Error('not refused');
  };
  it('refuses unknown categories, missing coordinates, windows ending before they start, capacity ≤ 0', () => {
    expect(refusal(() => parseNeeds([ok, { ...ok, category: '赌博' }], now, id))).toMatchObject({
      row: 2,
      field: 'category',
      reason: 'unknown_category',
    });
    expect(refusal(() => parseNeeds([{ ...ok, lat: undefined }], now, id))).toMatchObject({
      row: 1,
      field: 'lat',
      reason: 'missing_coordinates',
    });
    expect(
      refusal(() => parseNeeds([{ ...ok, windowEnd: '2026-12-08T10:00:00+08:00' }], now, id)),
    ).toMatchObject({ field: 'windowEnd', reason: 'window_end_before_start' });
    const res = {
      kind: 'volunteer',
      name: 'v',
      categories: ['home_visit'],
      capacity: 0,
      lon: 106.5,
      lat: 29.5,
      hours: [{ days: [6], open: '09:00', close: '12:00' }],
    };
    expect(refusal(() => parseResources([res], id))).toMatchObject({
      row: 1,
      field: 'capacity',
      reason: 'capacity_not_positive',
    });
    expect(
      refusal(() =>
        parseResources([{ ...res, capacity: 3, hours: [{ days: [6], open: '12:00', close: '09:00' }] }], id),
      ),
    ).toMatchObject({ field: 'hours[0]', reason: 'invalid_hours' });
    expect(parseNeeds([{ ...ok, category: '助餐送餐' }], now, id)[0]).toMatchObject({
      id: 'n0',
      category: 'meal_delivery',
      quantity: 1,
      createdAt: now,
    });
  });
});
