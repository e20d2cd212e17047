import type { WaterSection } from '../cockpit/layers.ts';

/** GB 3838 grades, best first, then "no data". */
export const WATER_GRADES = ['I', 'II', 'III', 'IV', 'V', '劣V'] as const;
/** A grade, or null without data. */
export type WaterGrade = (typeof WATER_GRADES)[number];

/**
 * Colours of the grades as Chinese environmental bulletins draw water quality (地表水环境质量
 * 评价办法: I–II 优 blue, III 良好 green, IV 轻度污染 yellow, V 中度污染 orange, 劣V 重度污染
 * red); I is a lighter blue than II so the two stay apart. Grey: no reading.
 */
export const WATER_COLOURS: Record<WaterGrade | 'none', [number, number, number]> = {
  I: [110, 200, 255],
  II: [30, 120, 235],
  III: [40, 185, 90],
  IV: [250, 215, 40],
  V: [255, 140, 0],
  劣V: [230, 30, 30],
  none: [138, 155, 176],
};

/** Colour of a section's grade. */
export function waterColour(grade: string | null | undefined): [number, number, number] {
  return WATER_COLOURS[(grade ?? 'none') as WaterGrade | 'none'] ?? WATER_COLOURS.none;
}

/** Stations of the sections packed for deck.gl's binary attributes, with what tooltips need. */
export interface WaterStations {
  count: number;
  positions: Float32Array;
  colours: Uint8Array;
  /** Index of each station's section in the sections array. */
  section: Uint32Array;
}

/** One colour per station (the section's class) as typed arrays. */
export function packStations(sections: readonly WaterSection[]): WaterStations {
  const count = sections.reduce((n, s) => n + s.stations.length, 0);
  const out: WaterStations = {
    count,
    positions: new Float32Array(count * 2),
    colours: new Uint8Array(count * 4),
    section: new Uint32Array(count),
  };
  let i = 0;
  sections.forEach((s, k) => {
    const [r, g, b] = waterColour(s.class);
    for (const st of s.stations) {
      out.positions.set([st.lon, st.lat], 2 * i);
      out.colours.set([r, g, b, 255], 4 * i);
      out.section[i] = k;
      i++;
    }
  });
  return out;
}

/** A piece of river represented by one section's station. */
export interface Reach {
  path: [number, number][];
  /** Index into the sections array. */
  section: number;
  colour: [number, number, number];
}

/** How far a station may lie from a river line to represent it, and how far along it reaches each way. */
export const REACH_SNAP_M = 1500;
export const REACH_HALF_M = 10_000;

const M_PER_DEG_LAT = 110_540;
const M_PER_DEG_LON = 111_320 * Math.cos((30 * Math.PI) / 180);

type Line = { pts: [number, number][]; cum: number[] };

function lineOf(pts: [number, number][]): Line {
  const cum = [0];
  for (let i = 1; i < pts.length; i++) {
    const dx = (pts[i]![0] - pts[i - 1]![0]) * M_PER_DEG_LON;
    const dy = (pts[i]![1] - pts[i - 1]![1]) * M_PER_DEG_LAT;
    cum.push(cum[i - 1]! + Math.hypot(dx, dy));
  }
  return { pts, cum };
}

/** The point at distance `s` (metres) along a line. */
function pointAt(line: Line, s: number): [number, number] {
  const { pts, cum } = line;
  let i = 1;
  while (i < cum.length - 1 && cum[i]! < s) i++;
  const span = cum[i]! - cum[i - 1]!;
  const t = span > 0 ? Math.min(1, Math.max(0, (s - cum[i - 1]!) / span)) : 0;
  const a = pts[i - 1]!;
  const b = pts[i]!;
  return [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
}

/** The part of a line between distances `from` and `to`. */
function slice(line: Line, from: number, to: number): [number, number][] {
  const out: [number, number][] = [pointAt(line, from)];
  for (let i = 0; i < line.pts.length; i++)
    if (line.cum[i]! > from && line.cum[i]! < to) out.push(line.pts[i]!);
  out.push(pointAt(line, to));
  return out;
}

/** Nearest position along a line to a point: distance off the line and along it, metres. */
function project(line: Line, p: [number, number]): { off: number; along: number } {
  let best = { off: Infinity, along: 0 };
  for (let i = 1; i < line.pts.length; i++) {
    const a = line.pts[i - 1]!;
    const b = line.pts[i]!;
    const ax = (p[0] - a[0]) * M_PER_DEG_LON;
    const ay = (p[1] - a[1]) * M_PER_DEG_LAT;
    const bx = (b[0] - a[0]) * M_PER_DEG_LON;
    const by = (b[1] - a[1]) * M_PER_DEG_LAT;
    const len2 = bx * bx + by * by;
    const t = len2 > 0 ? Math.min(1, Math.max(0, (ax * bx + ay * by) / len2)) : 0;
    const off = Math.hypot(ax - bx * t, ay - by * t);
    if (off < best.off) best = { off, along: line.cum[i - 1]! + t * Math.sqrt(len2) };
  }
  return best;
}

/**
 * Cuts the river lines into reaches, each coloured by the section whose station represents it:
 * a station within {@link REACH_SNAP_M} of a line represents that line half-way to the next
 * station along it, and at most {@link REACH_HALF_M} each way (rivers between far-apart
 * stations stay uncoloured: no station speaks for them). Stations on synthetic tributaries that
 * are not in the river file are drawn as points only.
 */
export function riverReaches(rivers: GeoJSON.FeatureCollection, sections: readonly WaterSection[]): Reach[] {
  const lines: Line[] = [];
  for (const f of rivers.features) {
    const g = f.geometry;
    if (g.type === 'LineString') lines.push(lineOf(g.coordinates as [number, number][]));
    if (g.type === 'MultiLineString')
      for (const part of g.coordinates) lines.push(lineOf(part as [number, number][]));
  }
  const onLine = lines.map(() => [] as { along: number; section: number }[]);
  sections.forEach((s, k) => {
    for (const st of s.stations) {
      let best: { line: number; off: number; along: number } | undefined;
      lines.forEach((line, li) => {
        const p = project(line, [st.lon, st.lat]);
        if (p.off <= REACH_SNAP_M && (!best || p.off < best.off)) best = { line: li, ...p };
      });
      if (best) onLine[best.line]!.push({ along: best.along, section: k });
    }
  });
  const reaches: Reach[] = [];
  onLine.forEach((stations, li) => {
    const line = lines[li]!;
    const length = line.cum.at(-1) ?? 0;
    stations.sort((a, b) => a.along - b.along);
    stations.forEach((st, i) => {
      const prev = stations[i - 1];
      const next = stations[i + 1];
      const from = Math.max(st.along - REACH_HALF_M, prev ? (prev.along + st.along) / 2 : 0);
      const to = Math.min(st.along + REACH_HALF_M, next ? (st.along + next.along) / 2 : length);
      if (to - from < 1) return;
      reaches.push({
        path: slice(line, from, to),
        section: st.section,
        colour: waterColour(sections[st.section]!.class),
      });
    });
  });
  return reaches;
}
