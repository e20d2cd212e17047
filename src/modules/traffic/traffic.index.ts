/**
 * Aggregation of link travel-time indices to districts and the city, per 5-minute slot, over
 * flat typed arrays (the benchmark runs 10,000 links × 288 slots through it). A region's index
 * is the mean of its links' indices weighted by length × flow (vehicle-kilometres, Amap's
 * weighting); the arterial speed is space-mean speed, vehicle-km / vehicle-hours.
 */
import { travelTimeIndex } from './traffic.levels.ts';

/** Links × slots as column arrays; a slot without data is NaN in `speed`. */
export interface IndexInput {
  links: number;
  slots: number;
  /** Link length, m. */
  length: Float64Array;
  /** Free-flow speed, km/h. */
  freeFlow: Float64Array;
  /** District index of each link (0 … groups-1; -1 for none). */
  group: Int32Array;
  groups: number;
  /** 1 for arterials (and expressways, which the arterial speed counts too). */
  arterial: Uint8Array;
  /** Mean speed of link i in slot s at [i·slots + s], km/h; NaN when no reading. */
  speed: Float64Array;
  /** Mean flow (vehicles per reading) at the same index; NaN or ≤ 0 weighs the link by length alone. */
  flow: Float64Array;
}

/**
 * Per slot, the numerators and weights of the index (so any period's figure is Σ num / Σ w),
 * for the city and each district, and the arterials' vehicle-km and vehicle-hours.
 */
export interface IndexSums {
  slots: number;
  groups: number;
  cityNum: Float64Array;
  cityW: Float64Array;
  /** [g·slots + s]. */
  groupNum: Float64Array;
  groupW: Float64Array;
  arterialVkt: Float64Array;
  arterialVht: Float64Array;
}

/** Sums every link's index into its district and the city, slot by slot. */
export function aggregateIndex(x: IndexInput): IndexSums {
  const { links, slots, groups } = x;
  const cityNum = new Float64Array(slots);
  const cityW = new Float64Array(slots);
  const groupNum = new Float64Array(groups * slots);
  const groupW = new Float64Array(groups * slots);
  const arterialVkt = new Float64Array(slots);
  const arterialVht = new Float64Array(slots);
  for (let i = 0; i < links; i++) {
    const km = x.length[i]! / 1000;
    const vf = x.freeFlow[i]!;
    const g = x.group[i]!;
    const art = x.arterial[i] === 1;
    const base = i * slots;
    const gBase = g * slots;
    for (let s = 0; s < slots; s++) {
      const v = x.speed[base + s]!;
      if (Number.isNaN(v)) continue; // no reading in this slot
      const q = x.flow[base + s]!;
      const w = km * (q > 0 ? q : 1);
      const tti = travelTimeIndex(vf, v);
      cityNum[s] = cityNum[s]! + w * tti;
      cityW[s] = cityW[s]! + w;
      if (g >= 0) {
        groupNum[gBase + s] = groupNum[gBase + s]! + w * tti;
        groupW[gBase + s] = groupW[gBase + s]! + w;
      }
      if (art && v > 0) {
        arterialVkt[s] = arterialVkt[s]! + w;
        arterialVht[s] = arterialVht[s]! + w / v;
      }
    }
  }
  return { slots, groups, cityNum, cityW, groupNum, groupW, arterialVkt, arterialVht };
}

/** Σ num / Σ w over slots [from, to) (NaN when nothing weighed). */
export function ratioOver(num: Float64Array, w: Float64Array, from = 0, to = num.length): number {
  let n = 0;
  let d = 0;
  for (let s = from; s < to; s++) {
    n += num[s]!;
    d += w[s]!;
  }
  return d > 0 ? n / d : Number.NaN;
}

/** Slot-by-slot ratio (null where nothing weighed), rounded to 3 decimals. */
export function curveOf(
  num: Float64Array,
  w: Float64Array,
  offset = 0,
  slots = num.length,
): (number | null)[] {
  const out: (number | null)[] = [];
  for (let s = 0; s < slots; s++) {
    const d = w[offset + s]!;
    out.push(d > 0 ? Math.round((num[offset + s]! / d) * 1000) / 1000 : null);
  }
  return out;
}
