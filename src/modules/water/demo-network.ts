/**
 * Builds the Chongqing demo river network (deterministic): the Natural Earth main rivers
 * (Yangtze, Jialing, Wu, Tuo) split into reaches of a few km, plus SYNTHESISED tributaries
 * (Qijiang with the Puhe, and the Ruxi in Liangping) and synthesised sections, sources, intakes
 * and reservoirs for the Qijiang and Liangping stories. Hydrology is order-of-magnitude, see
 * README.md. Run: ./node_modules/.bin/node src/modules/water/demo-network.ts [rivers.geojson] [out.json]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  DEMO_FEATURES,
  DEMO_RIVERS,
  type RiverDef,
  RUXI_LEADING_EDGE_TARGET_H,
} from './demo-network.data.ts';
import {
  type NetworkData,
  type NetworkNode,
  NetworkSchema,
  type Position,
  type Reach,
} from './network.schema.ts';
import { downstreamPath, planarDistance, RiverNetwork } from './network.ts';

type Coord = [number, number];

/** Point at distance d (m) along a polyline. */
function pointAlong(line: readonly Coord[], cumulative: readonly number[], d: number): Coord {
  let i = 1;
  while (i < line.length - 1 && cumulative[i]! < d) i++;
  const [a, b] = [line[i - 1]!, line[i]!];
  const seg = cumulative[i]! - cumulative[i - 1]!;
  const t = seg > 0 ? (d - cumulative[i - 1]!) / seg : 0;
  return [round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t)];
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

function cumulativeLengths(line: readonly Coord[]): number[] {
  const out = [0];
  for (let i = 1; i < line.length; i++) out.push(out[i - 1]! + planarDistance(line[i - 1]!, line[i]!));
  return out;
}

/** Distance from the head of the nearest point of the polyline to p (projection on segments). */
export function projectOnLine(line: readonly Coord[], p: Coord): { distanceM: number; offM: number } {
  const cum = cumulativeLengths(line);
  let best = { distanceM: 0, offM: Number.POSITIVE_INFINITY };
  for (let i = 1; i < line.length; i++) {
    const [a, b] = [line[i - 1]!, line[i]!];
    const k = Math.cos((p[1] * Math.PI) / 180);
    const [ax, ay, bx, by, px, py] = [a[0] * k, a[1], b[0] * k, b[1], p[0] * k, p[1]];
    const len2 = (bx - ax) ** 2 + (by - ay) ** 2;
    const t = len2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * (bx - ax) + (py - ay) * (by - ay)) / len2)) : 0;
    const q: Coord = [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t];
    const off = planarDistance(q, p);
    if (off < best.offM) best = { distanceM: cum[i - 1]! + t * (cum[i]! - cum[i - 1]!), offM: off };
  }
  return best;
}

interface Built {
  reaches: (Reach & { lateralDaKm2: number; lateralQa: number; headDaKm2: number; headQa: number })[];
  nodes: Map<string, NetworkNode>;
  /** Per river: reach ids in order with their [start, end] distance from the head. */
  spans: Map<string, { id: string; start: number; end: number }[]>;
}

function nodeId(river: RiverDef, vertex: number, line: readonly Coord[]): string {
  return vertex === 0
    ? `head:${river.key}`
    : vertex === line.length - 1
      ? `end:${river.key}`
      : `c:${river.key}:${vertex}`;
}

/** Split each river into reaches, cut at confluence vertices, and link tributaries to their receivers. */
function splitRivers(rivers: readonly (RiverDef & { line: Coord[]; joinVertex?: number })[]): Built {
  const built: Built = { reaches: [], nodes: new Map(), spans: new Map() };
  const cuts = new Map<string, Set<number>>();
  for (const r of rivers) cuts.set(r.key, new Set([0, r.line.length - 1]));
  for (const r of rivers) if (r.joins) cuts.get(r.joins)!.add(r.joinVertex!);
  const byKey = new Map(rivers.map((r) => [r.key, r]));
  for (const river of rivers) {
    const line = river.line;
    const cum = cumulativeLengths(line);
    const total = cum.at(-1)!;
    const vertices = [...cuts.get(river.key)!].sort((a, b) => a - b);
    const spans: { id: string; start: number; end: number }[] = [];
    const endNode = () => {
      if (!river.joins) return `outlet:${river.key}`;
      const receiver = byKey.get(river.joins)!;
      return nodeId(receiver, river.joinVertex!, receiver.line);
    };
    for (let v = 1; v < vertices.length; v++) {
      const [v0, v1] = [vertices[v - 1]!, vertices[v]!];
      const [d0, d1] = [cum[v0]!, cum[v1]!];
      const pieces = Math.max(1, Math.round((d1 - d0) / (river.reachKm * 1000)));
      for (let k = 0; k < pieces; k++) {
        const [s, e] = [d0 + ((d1 - d0) * k) / pieces, d0 + ((d1 - d0) * (k + 1)) / pieces];
        const geometry: Coord[] = [pointAlong(line, cum, s)];
        for (let i = 0; i < line.length; i++) if (cum[i]! > s && cum[i]! < e) geometry.push(line[i]!);
        geometry.push(pointAlong(line, cum, e));
        const id = `${river.key}-${String(spans.length + 1).padStart(3, '0')}`;
        const from = k === 0 ? nodeId(river, v0, line) : `j:${id}`;
        const last = k === pieces - 1;
        const to = last
          ? v1 === line.length - 1
            ? endNode()
            : nodeId(river, v1, line)
          : `j:${river.key}-${String(spans.length + 2).padStart(3, '0')}`;
        for (const [nid, c] of [
          [from, geometry[0]!],
          [to, geometry.at(-1)!],
        ] as const) {
          if (built.nodes.has(nid)) continue;
          const kind = nid.startsWith('head')
            ? 'head'
            : nid.startsWith('outlet')
              ? 'outlet'
              : nid.startsWith('j:')
                ? 'junction'
                : 'confluence';
          built.nodes.set(nid, { id: nid, kind, coordinates: c });
        }
        const share = (e - s) / total;
        built.reaches.push({
          id,
          name: `${river.name} ${((s * river.sinuosity) / 1000).toFixed(1)}–${((e * river.sinuosity) / 1000).toFixed(1)} km`,
          river: river.nameEn,
          from,
          to,
          lengthM: Math.round((e - s) * river.sinuosity),
          slope: river.slope,
          q: 0,
          qa: 0,
          drainageAreaM2: 0,
          geometry,
          synthesised: river.synthesised,
          approximate: true,
          lateralDaKm2: (river.mouthDaKm2 - river.headDaKm2) * share,
          lateralQa: (river.mouthQa - river.headQa) * share,
          headDaKm2: s === 0 ? river.headDaKm2 : 0,
          headQa: s === 0 ? river.headQa : 0,
        });
        spans.push({ id, start: s * river.sinuosity, end: e * river.sinuosity });
      }
    }
    built.spans.set(river.key, spans);
  }
  return built;
}

/** Accumulate drainage area and Qa downstream; Q = flow ratio × Qa of the reach's river. */
function accumulate(built: Built, ratio: Map<string, number>): void {
  const into = new Map<string, number[]>();
  built.reaches.forEach((r, i) => {
    const list = into.get(r.to) ?? [];
    list.push(i);
    into.set(r.to, list);
  });
  const memo = new Map<number, [number, number]>();
  const total = (i: number): [number, number] => {
    const hit = memo.get(i);
    if (hit) return hit;
    const r = built.reaches[i]!;
    let [da, qa] = [r.headDaKm2 + r.lateralDaKm2, r.headQa + r.lateralQa];
    for (const u of into.get(r.from) ?? []) {
      const [a, b] = total(u);
      da += a;
      qa += b;
    }
    memo.set(i, [da, qa]);
    return [da, qa];
  };
  built.reaches.forEach((r, i) => {
    const [da, qa] = total(i);
    r.drainageAreaM2 = Math.round(da * 1e6);
    r.qa = Math.round(qa * 100) / 100;
    r.q = Math.round(qa * ratio.get(r.river)! * 100) / 100;
  });
}

/** The demo network from the Natural Earth rivers FeatureCollection. */
export function buildDemoNetwork(rivers: {
  features: { properties: { name_en: string }; geometry: { coordinates: unknown } }[];
}): NetworkData {
  const lines = new Map<string, Coord[]>();
  for (const f of rivers.features) {
    // MultiLineString of one part in the Natural Earth clip.
    lines.set(f.properties.name_en, (f.geometry.coordinates as Coord[][])[0]!);
  }
  // Resolve each river's polyline; snap tributary mouths onto the receiving river's nearest vertex.
  const resolved = DEMO_RIVERS.map((d) => ({
    ...d,
    line: (d.line ?? lines.get(d.naturalEarth!)!).map((c) => [round(c[0]), round(c[1])] as Coord),
  }));
  const byKey = new Map(resolved.map((r) => [r.key, r]));
  const withJoins = resolved.map((r) => {
    if (!r.joins) return r;
    const receiver = byKey.get(r.joins)!.line;
    const mouth = r.line.at(-1)!;
    let joinVertex = 1;
    for (let i = 1; i < receiver.length - 1; i++) {
      if (planarDistance(receiver[i]!, mouth) < planarDistance(receiver[joinVertex]!, mouth)) joinVertex = i;
    }
    const snapped = receiver[joinVertex]!;
    const line = planarDistance(mouth, snapped) < 1 ? r.line : [...r.line, snapped];
    return { ...r, line, joinVertex };
  });
  const built = splitRivers(withJoins);
  accumulate(built, new Map(DEMO_RIVERS.map((r) => [r.nameEn, r.flowRatio])));

  const at = (river: string, distanceM: number): Position => {
    const spans = built.spans.get(river)!;
    const span = spans.find((s) => distanceM <= s.end) ?? spans.at(-1)!;
    const fraction = Math.min(1, Math.max(0, (distanceM - span.start) / (span.end - span.start)));
    return { reach: span.id, fraction: Math.round(fraction * 1e4) / 1e4 };
  };
  const along = (river: string, p: Coord) => {
    const r = byKey.get(river)!;
    return projectOnLine(withJoins.find((x) => x.key === river)!.line, p).distanceM * r.sinuosity;
  };

  const reaches: Reach[] = built.reaches.map(({ lateralDaKm2, lateralQa, headDaKm2, headQa, ...r }) => r);
  const data: NetworkData = {
    name: 'Chongqing demo river network',
    description:
      'Natural Earth main rivers split into reaches plus SYNTHESISED tributaries (Qijiang, Puhe, Ruxi) and synthesised features for the Qijiang and Liangping stories. Approximate; hydrology is order-of-magnitude.',
    provenance: [
      'Main-river geometry: Natural Earth 1:10m rivers and lake centrelines (public domain), data/chongqing/rivers.geojson; lengths = polyline length × sinuosity.',
      'Qijiang, Puhe and Ruxi geometry: hand-drawn, SYNTHESISED (not in Natural Earth).',
      'Drainage areas and mean annual discharges: order-of-magnitude figures from commonly cited hydrological-station values (Zhutuo, Beibei, Wulong, Lijiawan) and a specific yield of ~0.017 m³/s/km² for small Chongqing rivers; see src/modules/water/README.md.',
      'All sections, pollution sources, intakes and reservoirs except the two named national sections are SYNTHESISED; names are invented.',
    ],
    nodes: [...built.nodes.values()],
    reaches,
    sections: [],
    pollutionSources: [],
    intakes: [],
    reservoirs: [],
  };
  for (const f of DEMO_FEATURES) {
    const d = along(f.river, f.near) + (f.offsetM ?? 0);
    const position = at(f.river, d);
    const { river: _r, near: _n, offsetM: _o, list, ...rest } = f;
    (data[list] as unknown[]).push({ ...rest, ...position });
  }
  const parsed = NetworkSchema.parse(data);
  placeRuxiIntake(parsed);
  return parsed;
}

/**
 * The Ruxi intake goes where Jobson's earliest credible leading edge from the spill-observation
 * point is RUXI_LEADING_EDGE_TARGET_H, rounded to the nearest 100 m of river.
 */
function placeRuxiIntake(data: NetworkData): void {
  const net = RiverNetwork.build(data);
  const spill = data.sections.find((s) => s.id === 'ruxi-bridge')!;
  const path = downstreamPath(net, spill);
  const target = (RUXI_LEADING_EDGE_TARGET_H * 3600) / 0.89;
  for (const step of path) {
    const l = (1 - step.fromFraction) * net.length[step.reach]!;
    const endMax = step.timeMaxS + l / net.vMax[step.reach]!;
    if (endMax < target) continue;
    const distanceM =
      Math.round((step.distanceM + (target - step.timeMaxS) * net.vMax[step.reach]!) / 100) * 100;
    const s = path.findLast((p) => p.distanceM <= distanceM)!;
    const fraction = s.fromFraction + (distanceM - s.distanceM) / net.length[s.reach]!;
    const intake = data.intakes.find((i) => i.id === 'ruxi-intake')!;
    Object.assign(intake, { reach: data.reaches[s.reach]!.id, fraction: Math.round(fraction * 1e4) / 1e4 });
    return;
  }
  throw new Error('Ruxi too short for the target arrival time');
}

if (import.meta.main) {
  const input = process.argv[2] ?? 'data/chongqing/rivers.geojson';
  const output = process.argv[3] ?? 'data/water/chongqing-network.json';
  const data = buildDemoNetwork(JSON.parse(readFileSync(input, 'utf8')));
  RiverNetwork.build(data);
  writeFileSync(output, `${JSON.stringify(data, null, 1)}\n`);
  console.log(`${output}: ${data.reaches.length} reaches, ${data.nodes.length} nodes`);
}
