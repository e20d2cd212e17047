import { CATEGORIES, CATEGORY_NAMES, type Category } from './lifecircle.categories.ts';
import type { StreetInput, WalkNetwork } from './lifecircle.network.ts';
import { hash32, seeded } from './lifecircle.random.ts';

/** A facility serving one category of the life circle. */
export interface Facility {
  id: string;
  name: string;
  category: Category;
  lon: number;
  lat: number;
  /** Generated demo data, not a real facility. */
  synthetic: boolean;
}

/** Demo facilities per street by kind: 街道, 镇, 乡 (counts before the random drop). */
const PER_STREET: Record<'street' | 'town' | 'township', Record<Category, number>> = {
  street: {
    education: 6,
    health: 4,
    elderly_care: 3,
    culture_sport: 4,
    commerce: 8,
    transit: 6,
    public_service: 3,
    park: 4,
  },
  town: {
    education: 3,
    health: 2,
    elderly_care: 2,
    culture_sport: 2,
    commerce: 4,
    transit: 3,
    public_service: 2,
    park: 2,
  },
  township: {
    education: 1,
    health: 1,
    elderly_care: 1,
    culture_sport: 1,
    commerce: 1,
    transit: 1,
    public_service: 1,
    park: 1,
  },
};

/** Chance that a planned demo facility is left out, so the demo has gaps to find. */
const DROP: Record<Category, number> = {
  education: 0.1,
  health: 0.15,
  elderly_care: 0.4,
  culture_sport: 0.3,
  commerce: 0.05,
  transit: 0.1,
  public_service: 0.1,
  park: 0.3,
};

/**
 * Synthetic demo facilities (labelled `synthetic`), deterministic: per street and category a few,
 * on the street's generated path nodes with a mild pull to the centre, some left out at random.
 */
export function demoFacilities(streets: StreetInput[], net: WalkNetwork): Facility[] {
  const nodesOf: number[][] = streets.map(() => []);
  for (let i = 0; i < net.pathNodes; i++) nodesOf[net.street[i]!]!.push(i);
  const out: Facility[] = [];
  streets.forEach((s, si) => {
    const nodes = nodesOf[si]!;
    if (!nodes.length) return;
    const kind = s.name.endsWith('街道') ? 'street' : s.name.endsWith('镇') ? 'town' : 'township';
    const rnd = seeded(hash32(`fac:${s.code}`));
    const d2 = (n: number) => (net.lon[n]! - s.label[0]) ** 2 + (net.lat[n]! - s.label[1]) ** 2;
    for (const category of CATEGORIES) {
      for (let k = 0; k < PER_STREET[kind][category]; k++) {
        const a = nodes[Math.floor(rnd() * nodes.length)]!;
        const b = nodes[Math.floor(rnd() * nodes.length)]!;
        if (rnd() < DROP[category]) continue;
        const n = d2(a) <= d2(b) ? a : b;
        out.push({
          id: `demo-${s.code}-${category}-${k + 1}`,
          name: `${s.name}${CATEGORY_NAMES[category]}设施${k + 1}（合成）`,
          category,
          lon: Math.round((net.lon[n]! + (rnd() - 0.5) * 0.0004) * 1e6) / 1e6,
          lat: Math.round((net.lat[n]! + (rnd() - 0.5) * 0.0004) * 1e6) / 1e6,
          synthetic: true,
        });
      }
    }
  });
  return out;
}
