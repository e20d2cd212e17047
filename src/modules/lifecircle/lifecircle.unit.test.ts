import { describe, expect, it } from 'vitest';
import type { AppError } from '../../platform/errors.ts';
import { CATEGORIES, WALK_BUDGET_M } from './lifecircle.categories.ts';
import { computeCoverage, coverageByMultiSource, streetCoverage } from './lifecircle.coverage.ts';
import { demoFacilities, type Facility } from './lifecircle.facilities.ts';
import { FIXTURE_ROADS, FIXTURE_STREETS } from './lifecircle.fixture.ts';
import { parseFacilities } from './lifecircle.import.ts';
import { buildModel, snapFacilities } from './lifecircle.model.ts';
import { bestSites, candidateNodes, gapList } from './lifecircle.siting.ts';
import { Walker } from './lifecircle.walk.ts';

const model = buildModel(FIXTURE_STREETS, FIXTURE_ROADS);
const at = (lon: number, lat: number, category: Facility['category'], id: string): Facility => ({
  id,
  name: id,
  category,
  lon,
  lat,
  synthetic: false,
});

describe('walking network and population', () => {
  it('builds a lattice per street clipped to it, joins the road, leaves the expressway out', () => {
    const net = model.network;
    expect(net.pathNodes).toBeGreaterThan(300);
    expect(net.roadNodes).toBeGreaterThan(20);
    expect(net.roadNodes).toBeLessThan(60); // the 4.4 km road only, every ≤150 m
    expect(model.cells.count).toBeGreaterThan(50);
    expect(model.cells.source).toBe('synthetic');
    expect([...model.cells.node].every((n) => n >= 0)).toBe(true);
    expect(Math.max(...model.cells.snapM)).toBeLessThan(150);
  });

  it('walks a 15-minute isochrone: nothing beyond 1,125 m, and the straight line is a lower bound', () => {
    const w = new Walker(model.network);
    w.run([0], [0], WALK_BUDGET_M);
    expect(w.reached).toBeGreaterThan(30);
    for (let r = 0; r < w.reached; r++) expect(w.dist[w.order[r]!]!).toBeLessThanOrEqual(WALK_BUDGET_M);
    const again = w.run([0], [0], WALK_BUDGET_M);
    expect(again).toBe(w.reached);
  });
});

describe('coverage, gaps and best sites', () => {
  const facilities = demoFacilities(FIXTURE_STREETS, model.network);
  const snapped = snapFacilities(model, facilities);
  const coverage = computeCoverage(model, snapped);

  it('demo facilities are synthetic and labelled as such', () => {
    expect(facilities.length).toBeGreaterThan(20);
    expect(facilities.every((f) => f.synthetic && f.name.includes('合成'))).toBe(true);
  });

  it('multi-source coverage equals the union of per-facility isochrones; one street alone gives the same', () => {
    expect([...coverageByMultiSource(model, snapped)]).toEqual([...coverage.mask]);
    expect(streetCoverage(model, snapped, 1)).toEqual(coverage.streets[1]);
    const s = coverage.streets[0]!;
    for (const c of CATEGORIES) expect(s.share[c]).toBeGreaterThanOrEqual(0);
    expect(s.allCovered).toBeLessThanOrEqual(Math.min(...CATEGORIES.map((c) => s.covered[c])));
  });

  it('a facility at the centre covers the centre; none covers no one', () => {
    const one = snapFacilities(model, [at(106.5, 29.5, 'elderly_care', 'e1')]);
    const cov = computeCoverage(model, one);
    const s = cov.streets[0]!;
    expect(s.covered.elderly_care).toBeGreaterThan(0.3 * s.population);
    expect(s.covered.health).toBe(0);
    expect(cov.streets[1]!.covered.elderly_care).toBeLessThan(cov.streets[1]!.population * 0.2);
    const gaps = gapList(cov, { category: 'elderly_care' });
    expect(gaps[0]!.uncovered).toBeGreaterThanOrEqual(gaps[1]!.uncovered);
    const sites = bestSites(
      model,
      cov,
      'elderly_care',
      candidateNodes(model, () => true, 10_000),
      3,
    );
    expect(sites[0]!.gain).toBeGreaterThanOrEqual(sites[1]!.gain);
    // The best new site is in the uncovered street, and adding it covers exactly the gain more.
    expect(sites[0]!.streetCode).toBe('500103002');
    const added = computeCoverage(
      model,
      snapFacilities(model, [
        at(106.5, 29.5, 'elderly_care', 'e1'),
        at(sites[0]!.lon, sites[0]!.lat, 'elderly_care', 'e2'),
      ]),
    );
    const before = cov.streets.reduce((a, x) => a + x.covered.elderly_care, 0);
    const after = added.streets.reduce((a, x) => a + x.covered.elderly_care, 0);
    expect(after - before).toBeCloseTo(sites[0]!.gain, 6);
  });
});

describe('facility import', () => {
  const refused = (format: 'csv' | 'json', input: unknown) => {
    try {
      parseFacilities(format, input);
    } catch (e) {
      return e as AppError;
    }
    throw new Error('not refused');
  };

  it('reads CSV and JSON (codes or zh-CN names)', () => {
    const csv = 'id,name,category,lon,lat\na,老年食堂,养老服务,106.5,29.5\nb,小学,education,106.51,29.5\n';
    expect(parseFacilities('csv', csv).map((r) => r.category)).toEqual(['elderly_care', 'education']);
    const json = JSON.stringify({
      type: 'FeatureCollection',
      features: [
        {
          properties: { name: '公园', category: 'park' },
          geometry: { type: 'Point', coordinates: [106.5, 29.5] },
        },
      ],
    });
    expect(parseFacilities('json', json)).toHaveLength(1);
  });

  it('refuses a row without coordinates or with an unknown category, naming the row', () => {
    const a = refused('csv', 'id,name,category,lon,lat\na,x,park,106.5,29.5\nb,y,park,,29.5\n');
    expect(a).toMatchObject({
      code: 'invalid_data',
      details: { row: 2, id: 'b', reason: 'missing_coordinates' },
    });
    expect(a.message).toContain('row 2 (id b)');
    const b = refused('json', JSON.stringify([{ name: 'x', category: 'casino', lon: 106.5, lat: 29.5 }]));
    expect(b).toMatchObject({ code: 'invalid_data', details: { row: 1, reason: 'unknown_category' } });
    expect(refused('json', '{nope')).toMatchObject({ code: 'invalid_request' });
  });
});
