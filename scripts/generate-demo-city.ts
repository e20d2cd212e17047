// Generates APPROXIMATE demo geometry for Chongqing from the shared raw facts (codes, seats, rivers).
// Usage: node scripts/generate-demo-city.ts [shared-data-dir]   (default: ../shared/data/chongqing
// relative to the repo root). Writes data/chongqing/{jurisdictions,rivers}.geojson; deterministic.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { districtRegions } from './demo-city/districts.ts';
import { englishName } from './demo-city/english-names.ts';
import { inMulti, type Multi, type Pt, readCsv, roundMulti, toGeometry } from './demo-city/geo.ts';
import {
  ANCHORS,
  KNOWN_PLACES,
  OUTLINE,
  PINNED_SEEDS,
  YUZHONG,
  YUZHONG_CODE,
} from './demo-city/hand-data.ts';
import { type Street, streetCells, streetSeeds } from './demo-city/streets.ts';
import { node } from './demo-city/topology.ts';

const repoRoot = resolve(import.meta.dirname, '..');
const srcDir = resolve(repoRoot, process.argv[2] ?? '../shared/data/chongqing');
const outDir = resolve(repoRoot, 'data/chongqing');

type Feature = {
  code: string;
  name: string;
  level: string;
  parent: string | null;
  extra: object;
  geom: Multi;
};

/** Builds city, district and street features (noded, rounded geometry) from the shared data directory. */
export function buildJurisdictions(dir: string): Feature[] {
  const divisions = readCsv(`${dir}/divisions.csv`);
  const seats = readCsv(`${dir}/district-seats.csv`).map((r) => ({
    code: r.adcode!,
    name: r.name!,
    seat: [Number(r.seat_lon), Number(r.seat_lat)] as Pt,
    centroid: [Number(r.centroid_lon), Number(r.centroid_lat)] as Pt,
  }));
  const districts = divisions.filter((d) => d.level === 'district');
  if (districts.length !== seats.length) throw new Error('district-seats.csv does not match divisions.csv');
  const regions = districtRegions(seats, OUTLINE, { code: YUZHONG_CODE, ring: YUZHONG }, ANCHORS);

  const features: Feature[] = [
    {
      code: '50',
      name: '重庆市',
      level: 'city',
      parent: null,
      extra: { name_en: 'Chongqing' },
      geom: [[OUTLINE]],
    },
  ];
  const streetFeatures: Feature[] = [];
  for (const d of districts) {
    const seat = seats.find((s) => s.code === d.code);
    const region = regions.get(d.code!);
    if (!seat || !region) throw new Error(`no seat/region for district ${d.code}`);
    const extra = { seat: seat.seat, name_en: englishName(d.name!) };
    features.push({ code: d.code!, name: d.name!, level: 'district', parent: '50', extra, geom: region });
    const streets: Street[] = divisions
      .filter((s) => s.level === 'street' && s.parent_code === d.code)
      .map((s) => ({ code: s.code!, name: s.name! }));
    const cells = streetCells(streetSeeds(seat.seat, region, streets, PINNED_SEEDS), region);
    streets.forEach((s, i) => {
      streetFeatures.push({
        code: s.code,
        name: s.name,
        level: 'street',
        parent: d.code!,
        extra: { name_en: englishName(s.name) },
        geom: cells[i]!,
      });
    });
  }
  // Node all boundaries together, then round: shared edges stay identical on both sides.
  const all = [...features, ...streetFeatures];
  const noded = node(all.map((f) => f.geom));
  return all.map((f, i) => {
    const geom = roundMulti(noded[i]!);
    if (geom.length === 0) throw new Error(`${f.code} ${f.name} has an empty polygon`);
    return { ...f, geom };
  });
}

/** Serialises features as one GeoJSON FeatureCollection, one feature per line. */
export function toGeoJson(features: Feature[]): string {
  const lines = features.map((f) =>
    JSON.stringify({
      type: 'Feature',
      properties: {
        code: f.code,
        name: f.name,
        level: f.level,
        parent: f.parent,
        approximate: true,
        ...f.extra,
      },
      geometry: toGeometry(f.geom),
    }),
  );
  return `{"type":"FeatureCollection","features":[\n${lines.join(',\n')}\n]}\n`;
}

/** Fails loudly if a known place is not in the expected district/street. */
function checkKnownPlaces(features: Feature[]): void {
  for (const k of KNOWN_PLACES) {
    for (const code of [k.district, k.street]) {
      const f = code && features.find((x) => x.code === code);
      if (f && !inMulti(k.at, f.geom)) throw new Error(`${k.name} is not inside ${f.code} ${f.name}`);
    }
  }
}

if (import.meta.main) {
  const features = buildJurisdictions(srcDir);
  checkKnownPlaces(features);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(`${outDir}/jurisdictions.geojson`, toGeoJson(features));
  writeFileSync(`${outDir}/rivers.geojson`, readFileSync(`${srcDir}/rivers-naturalearth.geojson`));
  const count = (level: string) => features.filter((f) => f.level === level).length;
  console.log(
    `wrote ${outDir}/jurisdictions.geojson: ${count('city')} city, ${count('district')} districts, ${count('street')} streets; rivers.geojson copied`,
  );
}
