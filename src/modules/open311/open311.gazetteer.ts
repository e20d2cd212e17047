import { Open311Failure } from './open311.schema.ts';

/** A named place an `address_string` may name: a jurisdiction node or a landmark. */
export interface Place {
  name: string;
  /** Jurisdiction level, or `landmark` (a crowd area, metro station, mall, monitoring section). */
  level: 'city' | 'district' | 'street' | 'grid' | 'landmark';
  /** The representative point (a jurisdiction's label point, a landmark's location), WGS84. */
  lon: number;
  lat: number;
  /** Jurisdiction path (`50/500103/500103003`); absent for landmarks. */
  path?: string;
  /** Shown when the name is ambiguous, e.g. the district. */
  hint?: string;
}

/** Where an address string was placed. */
export interface Placed {
  place: Place;
  /** The text of the address that matched. */
  matched: string;
}

const RANK: Record<Place['level'], number> = { city: 0, district: 1, street: 2, grid: 3, landmark: 4 };

// Administrative suffixes a citizen may leave out ("渝中" for 渝中区, "解放碑" for 解放碑街道);
// longest first so 土家族自治县 goes before 县.
const SUFFIXES = [
  '土家族苗族自治县',
  '苗族土家族自治县',
  '土家族自治县',
  '街道办事处',
  '自治县',
  '街道',
  '镇',
  '乡',
  '区',
  '县',
  '市',
];

/** Forms a name may appear in: the full name and, for a jurisdiction, the name without its suffix (2+ chars). */
function forms(place: Place): string[] {
  const out = [place.name];
  if (place.level === 'landmark') return out;
  const suffix = SUFFIXES.find((s) => place.name.endsWith(s));
  const short = suffix ? place.name.slice(0, -suffix.length) : '';
  if (short.length >= 2) out.push(short);
  return out;
}

/**
 * Places Chinese address strings against the names the platform holds. The longest name found
 * in the text wins over the names inside it; among the names found the most specific level wins
 * (landmark > street > district > city), and a jurisdiction name shared by several nodes is
 * narrowed by the other names of the text (渝中区 + 解放碑街道). Unplaceable or still ambiguous → 400.
 */
export class Gazetteer {
  private readonly byForm = new Map<string, Place[]>();
  private readonly longest: number;

  constructor(places: readonly Place[]) {
    for (const place of places) {
      for (const form of forms(place)) {
        const list = this.byForm.get(form) ?? [];
        // The first source to name a landmark keeps it (a crowd area before the station of the same name).
        if (place.level === 'landmark' && list.some((p) => p.level === 'landmark')) continue;
        list.push(place);
        this.byForm.set(form, list);
      }
    }
    this.longest = Math.max(0, ...[...this.byForm.keys()].map((k) => k.length));
  }

  /**
   * Places whose name (or short name: 解放碑 for 解放碑街道) contains the text, for a search box:
   * whole-name matches first, then names that start with it, then the rest; shorter names first
   * within each, then the more specific level. One entry per place.
   */
  search(text: string, limit = 8): Place[] {
    const q = text.replace(/\s+/g, '');
    if (!q) return [];
    const hits: { place: Place; rank: number; length: number }[] = [];
    for (const [form, places] of this.byForm) {
      const at = form.indexOf(q);
      if (at < 0) continue;
      const rank = form === q ? 0 : at === 0 ? 1 : 2;
      for (const place of places) hits.push({ place, rank, length: form.length });
    }
    hits.sort((a, b) => a.rank - b.rank || a.length - b.length || RANK[b.place.level] - RANK[a.place.level]);
    const seen = new Set<Place>();
    const out: Place[] = [];
    for (const { place } of hits) {
      if (seen.has(place) || place.level === 'city') continue;
      seen.add(place);
      out.push(place);
      if (out.length === limit) break;
    }
    return out;
  }

  /** The place an address names, or throws a 400 naming the address. */
  locate(address: string): Placed {
    const text = address.replace(/\s+/g, '');
    const found: { form: string; places: Place[] }[] = [];
    // Scan left to right, taking the longest name starting at each position; skip what it covers.
    for (let i = 0; i < text.length; ) {
      let hit: string | undefined;
      for (let n = Math.min(this.longest, text.length - i); n >= 2; n--) {
        const form = text.slice(i, i + n);
        if (this.byForm.has(form)) {
          hit = form;
          break;
        }
      }
      if (!hit) {
        i++;
        continue;
      }
      found.push({ form: hit, places: this.byForm.get(hit) ?? [] });
      i += hit.length;
    }
    if (!found.length) {
      throw new Open311Failure(
        400,
        `address_string "${address}" names no place this city knows (give a district, street or landmark, or lat and long)`,
      );
    }
    // How many other names of the text name an ancestor of a candidate (渝中区 for 解放碑街道).
    const agreement = (p: Place, own: number) =>
      found.filter((f, i) => i !== own && f.places.some((q) => q.path && p.path?.startsWith(`${q.path}/`)))
        .length;
    // Level first, then agreement, then a full name over a name without its suffix.
    const candidates = found.flatMap((f, i) =>
      f.places.map((p) => ({
        place: p,
        matched: f.form,
        index: i,
        score: RANK[p.level] * 1000 + agreement(p, i) * 10 + (f.form === p.name ? 1 : 0),
      })),
    );
    const top = Math.max(...candidates.map((c) => c.score));
    // Still tied across names: the first wins (addresses go from the area to the road: 上清寺中山四路).
    const first = Math.min(...candidates.filter((c) => c.score === top).map((c) => c.index));
    const best = candidates.filter((c) => c.score === top && c.index === first);
    const distinct = [...new Map(best.map((c) => [c.place.path ?? c.place.name, c])).values()];
    if (distinct.length > 1) {
      const names = distinct.map((c) => `${c.place.name}${c.place.hint ? ` (${c.place.hint})` : ''}`);
      throw new Open311Failure(
        400,
        `address_string "${address}" is ambiguous: ${names.join(', ')}; add the district or give lat and long`,
      );
    }
    const [chosen] = distinct as [(typeof distinct)[number]];
    if (chosen.place.level === 'city') {
      throw new Open311Failure(
        400,
        `address_string "${address}" names only the city (give a district, street or landmark, or lat and long)`,
      );
    }
    return { place: chosen.place, matched: chosen.matched };
  }
}

/** Gazetteer entries for jurisdiction nodes (JurisdictionService.list()), with the parent's name as hint. */
export function jurisdictionPlaces(
  nodes: readonly {
    code: string;
    name: string;
    level: string;
    path: string;
    parentCode: string | null;
    label: readonly [number, number];
  }[],
): Place[] {
  const names = new Map(nodes.map((n) => [n.code, n.name]));
  return nodes
    .filter((n) => n.level in RANK && n.level !== 'landmark')
    .map((n) => ({
      name: n.name,
      level: n.level as Place['level'],
      lon: n.label[0],
      lat: n.label[1],
      path: n.path,
      ...(n.parentCode && names.get(n.parentCode) ? { hint: names.get(n.parentCode) } : {}),
    }));
}

/** Gazetteer entries for the crowd file's areas, metro stations and malls. */
export function crowdPlaces(file: {
  areas: readonly { name: string; centre: readonly [number, number] }[];
  metroStations: readonly { name: string; coordinates: readonly [number, number] }[];
  malls: readonly { name: string; coordinates: readonly [number, number] }[];
}): Place[] {
  const at = (name: string, [lon, lat]: readonly [number, number]): Place => ({
    name,
    level: 'landmark',
    lon,
    lat,
  });
  return [
    ...file.areas.map((a) => at(a.name, a.centre)),
    ...file.metroStations.map((s) => at(s.name, s.coordinates)),
    ...file.malls.map((m) => at(m.name, m.coordinates)),
  ];
}

/** Gazetteer entries for the river network's monitoring sections (at their point on the reach). */
export function sectionPlaces(net: {
  data: { sections: readonly { id: string; name: string }[] };
  positionOf(id: string): { reach: string; fraction: number } | undefined;
  pointAt(position: { reach: string; fraction: number }): [number, number];
}): Place[] {
  return net.data.sections.flatMap((s) => {
    const position = net.positionOf(s.id);
    if (!position) return [];
    const [lon, lat] = net.pointAt(position);
    return [{ name: s.name, level: 'landmark' as const, lon, lat }];
  });
}
