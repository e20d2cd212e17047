import { describe, expect, it } from 'vitest';
import { classify, FIWARE_TO_GB3838, type Gb3838Class, gradeRank } from '../../modules/water/index.ts';
import {
  crowdReading,
  initialParkingStatus,
  localTime,
  nextParkingStatus,
  parkingIsResidential,
  stationGrade,
  trafficReading,
  waterReading,
} from './model.ts';

const MIN = 60_000;
/** Local (Asia/Shanghai) wall-clock time on a date, epoch ms. */
const at = (date: string, hhmm: string) => Date.parse(`${date}T${hhmm}:00+08:00`);
const WEDNESDAY = '2026-12-09';
const SATURDAY = '2026-12-12';
const detectors = Array.from({ length: 300 }, (_, i) => `tf-${i + 1}`);
const counters = Array.from({ length: 300 }, (_, i) => `cf-500103-${i + 1}`);
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const traffic = (t: number, key: 'intensity' | 'averageVehicleSpeed') =>
  mean(detectors.map((id) => trafficReading(id, t)[key]));
const people = (t: number) => mean(counters.map((id) => crowdReading(id, t).peopleCount));

describe('demo simulator value model', () => {
  it('reads the clock in Asia/Shanghai: 08:00 local is 00:00 UTC, Saturday is a weekend', () => {
    expect(localTime(Date.parse('2026-12-09T00:00:00Z'))).toMatchObject({ hour: 8, weekend: false });
    expect(localTime(at(SATURDAY, '23:30')).weekend).toBe(true);
    // Friday 23:30 UTC is already Saturday 07:30 in Chongqing.
    expect(localTime(Date.parse('2026-12-11T23:30:00Z'))).toMatchObject({ hour: 7.5, weekend: true });
  });

  it('has weekday traffic peaks in the morning and the evening, slower and denser than night and midday', () => {
    const night = traffic(at(WEDNESDAY, '03:00'), 'intensity');
    const morning = traffic(at(WEDNESDAY, '08:00'), 'intensity');
    const midday = traffic(at(WEDNESDAY, '11:00'), 'intensity');
    const evening = traffic(at(WEDNESDAY, '18:00'), 'intensity');
    expect(morning).toBeGreaterThan(5 * night);
    expect(evening).toBeGreaterThan(5 * night);
    expect(morning).toBeGreaterThan(1.3 * midday);
    expect(evening).toBeGreaterThan(1.3 * midday);
    const speedNight = traffic(at(WEDNESDAY, '03:00'), 'averageVehicleSpeed');
    const speedPeak = traffic(at(WEDNESDAY, '18:00'), 'averageVehicleSpeed');
    // Travel-time index at the evening peak ≈ 1.9 (the seed's 2020 congestion index).
    expect(speedNight / speedPeak).toBeGreaterThan(1.6);
    expect(speedNight / speedPeak).toBeLessThan(2.2);
  });

  it('has no commuter peak at weekends', () => {
    expect(traffic(at(SATURDAY, '08:00'), 'intensity')).toBeLessThan(
      0.6 * traffic(at(WEDNESDAY, '08:00'), 'intensity'),
    );
  });

  it('has crowd peaks at lunch and in the evening, higher at weekends', () => {
    expect(people(at(WEDNESDAY, '19:30'))).toBeGreaterThan(6 * people(at(WEDNESDAY, '04:00')));
    expect(people(at(WEDNESDAY, '12:30'))).toBeGreaterThan(2 * people(at(WEDNESDAY, '10:00')));
    expect(people(at(SATURDAY, '19:30'))).toBeGreaterThan(1.4 * people(at(WEDNESDAY, '19:30')));
    expect(people(at(SATURDAY, '15:00'))).toBeGreaterThan(2 * people(at(WEDNESDAY, '15:00')));
  });

  it('is deterministic: the same device and minute give the same values', () => {
    const t = at(WEDNESDAY, '08:13');
    expect(trafficReading('tf-42', t)).toEqual(trafficReading('tf-42', t));
    expect(trafficReading('tf-42', t)).not.toEqual(trafficReading('tf-43', t));
    expect(crowdReading('cf-500103-7', t)).toEqual(crowdReading('cf-500103-7', t + 30_000));
  });

  it('stays inside the shipped rules all week: no slow traffic, no dense or surging crowd', () => {
    for (let t = at(WEDNESDAY, '00:00'); t < at(SATURDAY, '23:59'); t += 17 * MIN) {
      for (const id of detectors.slice(0, 40))
        expect(trafficReading(id, t).averageVehicleSpeed).toBeGreaterThan(17);
      for (const id of counters.slice(0, 40)) {
        const now = crowdReading(id, t);
        expect(now.peopleCount).toBeLessThan(3000);
        expect(now.averageCrowdSpeed).toBeGreaterThanOrEqual(0.7);
        expect(now.peopleCount - crowdReading(id, t - 10 * MIN).peopleCount).toBeLessThan(1000);
      }
    }
  });

  it('keeps every water station at its target class or better, pH 6–9, DO with its daily cycle', () => {
    const metrics = ['O2', 'NH4', 'cod', 'PO4', 'pH', 'temperature', 'turbidity', 'conductivity'];
    const targets: Gb3838Class[] = ['II', 'III', 'IV'];
    let better = 0;
    for (let i = 0; i < 120; i++) {
      const targetClass = targets[i % 3]!;
      const station = {
        id: `wq-${i}`,
        targetClass,
        waterBody: i % 4 ? ('river' as const) : ('lake' as const),
        metrics,
      };
      if (stationGrade(station.id, targetClass) !== targetClass) better++;
      for (let t = at(WEDNESDAY, '00:00'); t < at(WEDNESDAY, '23:59'); t += 55 * MIN) {
        const r = waterReading(station, t);
        expect(Object.keys(r).sort()).toEqual([...metrics].sort());
        for (const [m, v] of Object.entries(r)) {
          const parameter = FIWARE_TO_GB3838[m];
          if (!parameter) continue;
          expect(gradeRank(classify(parameter, v, station.waterBody))).toBeLessThanOrEqual(
            gradeRank(targetClass),
          );
        }
        expect(r.pH).toBeGreaterThan(6.5);
        expect(r.pH).toBeLessThan(8.8);
      }
      const afternoon = waterReading(station, at(WEDNESDAY, '15:00')).O2!;
      const dawn = waterReading(station, at(WEDNESDAY, '03:00')).O2!;
      expect(afternoon).toBeGreaterThan(dawn);
    }
    // About a third of the stations are a class better than their target; none worse.
    expect(better).toBeGreaterThan(20);
    expect(better).toBeLessThan(65);
  });

  it('reports only the attributes a station declares', () => {
    const r = waterReading(
      { id: 'wq-x', targetClass: 'III', waterBody: 'river', metrics: ['O2', 'pH'] },
      Date.now(),
    );
    expect(Object.keys(r).sort()).toEqual(['O2', 'pH']);
  });

  it('fills office spots by day and residential spots by night (Markov chain around the hour’s occupancy)', () => {
    const spots = Array.from({ length: 2000 }, (_, i) => `ps-500103-${i + 1}`);
    const offices = spots.filter((id) => !parkingIsResidential(id));
    const homes = spots.filter((id) => parkingIsResidential(id));
    expect(homes.length / spots.length).toBeGreaterThan(0.25);
    const occupancyAt = (ids: string[], hhmm: string) => {
      const start = at(WEDNESDAY, '00:00');
      const end = at(WEDNESDAY, hhmm);
      let occupied = 0;
      for (const id of ids) {
        let s = initialParkingStatus(id, start);
        for (let t = start + MIN; t <= end; t += MIN) s = nextParkingStatus(id, t, s);
        if (s) occupied++;
      }
      return occupied / ids.length;
    };
    const officeNoon = occupancyAt(offices, '13:30');
    const officeNight = occupancyAt(offices, '04:00');
    expect(officeNoon).toBeGreaterThan(0.6);
    expect(officeNight).toBeLessThan(0.35);
    expect(occupancyAt(homes, '04:00')).toBeGreaterThan(occupancyAt(homes, '13:30'));
  });
});
