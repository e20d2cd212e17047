import { cellToLatLng } from 'h3-js';
import { ringsAround, type StudyArea } from './patrol.grid.ts';
import { lowerBound, type Prepared, round, WEEK } from './patrol.model.ts';

/** The level at which the share cap applies. */
export type CapLevel = 'street' | 'district';

/** A beat: a few neighbouring hot cells patrolled together, with its hours. */
export interface Beat {
  id: string;
  cells: string[];
  /** Centre of the beat's first (hottest) cell, [lon, lat]. */
  center: [number, number];
  streetCode: string;
  streetName: string;
  /** The street's jurisdiction path (who may see the beat). */
  streetPath: string;
  districtCode: string;
  /** Sum of the kernel density of its cells (expected reported incidents, relative). */
  risk: number;
  hours: number;
}

/**
 * Beats over the hottest cells: the hottest cell not yet in a beat seeds one, which takes its
 * hottest free neighbours (ring 1) up to `cellsPerBeat`; `keep` limits the cells to an area.
 */
export function buildBeats(
  area: StudyArea,
  score: Float64Array,
  order: Int32Array,
  count: number,
  cellsPerBeat: number,
): Omit<Beat, 'hours'>[] {
  const used = new Uint8Array(area.h3.length);
  const beats: Omit<Beat, 'hours'>[] = [];
  for (let r = 0; r < order.length && beats.length < count; r++) {
    const seed = order[r]!;
    if (used[seed] || score[seed]! <= 0) continue;
    const cells = [seed];
    used[seed] = 1;
    const rings = ringsAround(area, seed, 1);
    const near = Array.from(rings.subarray(1, 1 + rings[0]!))
      .filter((c) => !used[c] && score[c]! > 0 && area.street[c] === area.street[seed])
      .sort((a, b) => score[b]! - score[a]! || a - b);
    for (const c of near.slice(0, cellsPerBeat - 1)) {
      cells.push(c);
      used[c] = 1;
    }
    const street = area.streets[area.street[seed]!]!;
    const [lat, lon] = cellToLatLng(area.h3[seed]!);
    beats.push({
      id: `B${beats.length + 1}`,
      cells: cells.map((c) => area.h3[c]!),
      center: [round(lon), round(lat)],
      streetCode: street.code,
      streetName: street.name,
      streetPath: street.path,
      districtCode: street.districtCode,
      risk: round(cells.reduce((a, c) => a + score[c]!, 0)),
    });
  }
  return beats;
}

/** The area a beat counts against at a cap level. */
export function areaOf(beat: Pick<Beat, 'streetCode' | 'districtCode'>, level: CapLevel): string {
  return level === 'street' ? beat.streetCode : beat.districtCode;
}

/** Each area's share of the plan's hours, largest first. */
export function areaShares(
  beats: Pick<Beat, 'streetCode' | 'districtCode' | 'hours'>[],
  level: CapLevel,
): { area: string; hours: number; share: number }[] {
  const total = beats.reduce((a, b) => a + b.hours, 0);
  const by = new Map<string, number>();
  for (const b of beats) by.set(areaOf(b, level), (by.get(areaOf(b, level)) ?? 0) + b.hours);
  return [...by]
    .map(([area, hours]) => ({ area, hours: round(hours), share: total ? round(hours / total) : 0 }))
    .sort((a, b) => b.share - a.share || a.area.localeCompare(b.area));
}

/**
 * Hours in proportion to risk, then no area above `cap` of the total: an area over the cap is
 * scaled down to it and the excess goes to the beats of areas under it, in proportion to risk,
 * until nothing moves. Infeasible (too few areas) leaves the excess where it is — the cap check
 * then refuses the plan.
 */
export function allocateHours<T extends Omit<Beat, 'hours'>>(
  beats: T[],
  totalHours: number,
  cap: number,
  level: CapLevel,
): (T & { hours: number })[] {
  const riskSum = beats.reduce((a, b) => a + b.risk, 0) || 1;
  const hours = beats.map((b) => (totalHours * b.risk) / riskSum);
  const capped = new Set<string>();
  for (let iter = 0; iter < 50; iter++) {
    const by = new Map<string, number>();
    beats.forEach((b, k) => {
      by.set(areaOf(b, level), (by.get(areaOf(b, level)) ?? 0) + hours[k]!);
    });
    let excess = 0;
    for (const [a, h] of by) {
      if (h > cap * totalHours + 1e-9) {
        capped.add(a);
        const f = (cap * totalHours) / h;
        beats.forEach((b, k) => {
          if (areaOf(b, level) === a) {
            excess += hours[k]! * (1 - f);
            hours[k]! *= f;
          }
        });
      }
    }
    if (excess < 1e-9) break;
    const open = beats.map((b, k) => (capped.has(areaOf(b, level)) ? -1 : k)).filter((k) => k >= 0);
    if (!open.length) {
      // Nowhere to move it: give it back to the capped beats (the plan will be refused by the check).
      beats.forEach((_, k) => {
        hours[k]! += (excess * beats[k]!.risk) / riskSum;
      });
      break;
    }
    const openRisk = open.reduce((a, k) => a + beats[k]!.risk, 0) || open.length;
    for (const k of open) hours[k]! += (excess * (beats[k]!.risk || 1)) / openRisk;
  }
  return beats.map((b, k) => ({ ...b, hours: Math.round(hours[k]! * 100) / 100 }));
}

/** The first area whose share of hours is above the cap (largest first), or undefined. */
export function capBreach(
  beats: Pick<Beat, 'streetCode' | 'districtCode' | 'hours'>[],
  cap: number,
  level: CapLevel,
): { area: string; share: number; hours: number } | undefined {
  // 0.0005 of slack for the hours' rounding to 0.01 h.
  return areaShares(beats, level).find((s) => s.share > cap + 0.0005);
}

/** Weighted displacement quotient around treated cells (Bowers & Johnson 2003). */
export interface Displacement {
  treatedCells: number;
  bufferCells: number;
  controlCells: number;
  before: { from: string; treated: number; buffer: number; control: number };
  after: { to: string; treated: number; buffer: number; control: number; complete: boolean };
  /** Aa/Ca − Ab/Cb: negative when the treated cells improved relative to the control. */
  successMeasure: number | null;
  /** Ba/Ca − Bb/Cb. */
  bufferMeasure: number | null;
  /** bufferMeasure / successMeasure; > 0 diffusion of benefits, < 0 displacement. */
  wdq: number | null;
  finding: 'diffusion' | 'displacement' | 'no_change_in_buffer' | 'no_success' | 'insufficient_data';
}

/**
 * WDQ = (Ba/Ca − Bb/Cb) / (Aa/Ca − Ab/Cb) over `weeks` before and after `at`: A the treated cells,
 * B the rings 1..`bufferRings` around them, C the rest of the study area (control). Only read
 * when the success measure is negative (the treated cells improved).
 */
export function displacement(
  area: StudyArea,
  p: Prepared,
  treated: number[],
  at: number,
  weeks: number,
  now: number,
  bufferRings = 2,
): Displacement {
  const role = new Uint8Array(area.h3.length); // 0 control, 1 treated, 2 buffer
  for (const c of treated) role[c] = 1;
  for (const c of treated) {
    const rings = ringsAround(area, c, bufferRings);
    let o = 0;
    for (let d = 1; d <= bufferRings; d++) {
      const n = rings[o++]!;
      for (let j = 0; j < n; j++) {
        const x = rings[o++]!;
        if (role[x] === 0) role[x] = 2;
      }
    }
  }
  const tally = (from: number, to: number) => {
    const n = [0, 0, 0];
    for (let i = lowerBound(p.at, from); i < lowerBound(p.at, to); i++) n[role[p.cell[i]!]!]!++;
    return { control: n[0]!, treated: n[1]!, buffer: n[2]! };
  };
  const from = at - weeks * WEEK;
  const to = at + weeks * WEEK;
  const b = tally(from, at);
  const a = tally(at, Math.min(to, now));
  const cells = [0, 0, 0];
  for (let c = 0; c < role.length; c++) cells[role[c]!]!++;
  const ok = a.control > 0 && b.control > 0;
  const success = ok ? a.treated / a.control - b.treated / b.control : null;
  const buffer = ok ? a.buffer / a.control - b.buffer / b.control : null;
  const wdq = success !== null && buffer !== null && success !== 0 ? buffer / success : null;
  const finding: Displacement['finding'] =
    success === null || buffer === null
      ? 'insufficient_data'
      : success >= 0
        ? 'no_success'
        : wdq === null || Math.abs(buffer) < 1e-12
          ? 'no_change_in_buffer'
          : wdq > 0
            ? 'diffusion'
            : 'displacement';
  return {
    treatedCells: cells[1]!,
    bufferCells: cells[2]!,
    controlCells: cells[0]!,
    before: { from: new Date(from).toISOString(), ...b },
    after: { to: new Date(to).toISOString(), ...a, complete: now >= to },
    successMeasure: success === null ? null : round(success),
    bufferMeasure: buffer === null ? null : round(buffer),
    wdq: wdq === null ? null : round(wdq),
    finding,
  };
}
