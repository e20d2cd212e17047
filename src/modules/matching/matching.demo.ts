import type { CityModel, Facility } from '../lifecircle/index.ts';
import { type Category, hash32, seeded } from '../lifecircle/index.ts';
import { categoriesOfFacility, type NeedCategory } from './matching.categories.ts';
import type { Need, Resource } from './matching.engine.ts';
import type { OpeningInterval } from './matching.hours.ts';

const DAILY = [1, 2, 3, 4, 5, 6, 7];
const WEEKDAYS = [1, 2, 3, 4, 5];

/** What a life-circle facility offers as a resource, by its category (assumed: no capacity data exist). */
export const FACILITY_DEFAULTS: Partial<Record<Category, { capacity: number; hours: OpeningInterval[] }>> = {
  elderly_care: { capacity: 30, hours: [{ days: DAILY, open: '07:30', close: '19:00' }] },
  health: { capacity: 40, hours: [{ days: [1, 2, 3, 4, 5, 6], open: '08:00', close: '17:00' }] },
  education: { capacity: 20, hours: [{ days: WEEKDAYS, open: '15:30', close: '19:00' }] },
  culture_sport: { capacity: 30, hours: [{ days: DAILY, open: '09:00', close: '21:00' }] },
  commerce: { capacity: 10, hours: [{ days: DAILY, open: '08:00', close: '21:00' }] },
  public_service: { capacity: 40, hours: [{ days: WEEKDAYS, open: '09:00', close: '17:00' }] },
};

/** Life-circle facilities as resources: id `facility:<id>`, default capacity and hours by category, reach 1,125 m. */
export function facilityResources(facilities: Facility[]): Resource[] {
  const out: Resource[] = [];
  for (const f of facilities) {
    const d = FACILITY_DEFAULTS[f.category];
    if (!d) continue;
    out.push({
      id: `facility:${f.id}`,
      kind: 'facility',
      name: f.name,
      categories: categoriesOfFacility(f.category),
      capacity: d.capacity,
      hours: d.hours,
      lon: f.lon,
      lat: f.lat,
      radiusM: 1125,
      synthetic: f.synthetic,
    });
  }
  return out;
}

/** Share of demo needs per category (elderly care first: the city's oldest districts). */
const MIX: [NeedCategory, number][] = [
  ['meal_delivery', 0.25],
  ['home_visit', 0.15],
  ['day_care', 0.1],
  ['health_checkup', 0.1],
  ['home_nursing', 0.08],
  ['after_school', 0.08],
  ['sports_class', 0.06],
  ['errand', 0.06],
  ['certificate', 0.06],
  ['home_repair', 0.06],
];

const pick = (u: number): NeedCategory => {
  let acc = 0;
  for (const [c, w] of MIX) {
    acc += w;
    if (u < acc) return c;
  }
  return MIX[MIX.length - 1]![0];
};

const DAY_MS = 86_400_000;
const OFFSET_MS = 8 * 3600_000;

/**
 * SYNTHETIC demo needs, providers and volunteers, deterministic per street code: needs on the
 * street's walking nodes (街道 8, 镇 4, 乡 2, ±50%), created over the 48 hours before `now`, windows
 * on the next three days; a home-care provider per 街道 (3 km, 40/day), a repair service per
 * district (5 km), 1–2 volunteers per street (1 km, 4/day, evenings and weekends).
 */
export function demoSupplyAndDemand(model: CityModel, now: number): { needs: Need[]; resources: Resource[] } {
  const { streets, network: net } = model;
  const nodesOf: number[][] = streets.map(() => []);
  for (let i = 0; i < net.pathNodes; i++) nodesOf[net.street[i]!]!.push(i);
  const today = Math.floor((now + OFFSET_MS) / DAY_MS) * DAY_MS - OFFSET_MS;
  const needs: Need[] = [];
  const resources: Resource[] = [];
  const districts = new Set<string>();
  streets.forEach((s, si) => {
    const nodes = nodesOf[si]!;
    if (!nodes.length) return;
    const rnd = seeded(hash32(`match:${s.code}`));
    const at = () => {
      const n = nodes[Math.floor(rnd() * nodes.length)]!;
      return {
        lon: Math.round((net.lon[n]! + (rnd() - 0.5) * 0.0006) * 1e6) / 1e6,
        lat: Math.round((net.lat[n]! + (rnd() - 0.5) * 0.0006) * 1e6) / 1e6,
      };
    };
    const kind = s.name.endsWith('街道') ? 8 : s.name.endsWith('镇') ? 4 : 2;
    const count = Math.round(kind * (0.5 + rnd()));
    for (let k = 0; k < count; k++) {
      const category = pick(rnd());
      const day = today + (1 + Math.floor(rnd() * 3)) * DAY_MS;
      const from = category === 'meal_delivery' ? 11 * 60 : (8 + Math.floor(rnd() * 8)) * 60;
      const len =
        category === 'meal_delivery'
          ? 90
          : category === 'day_care'
            ? 8 * 60
            : (2 + Math.floor(rnd() * 5)) * 60;
      needs.push({
        id: `demo-need-${s.code}-${k + 1}`,
        source:
          category === 'certificate'
            ? 'service_application'
            : ['meal_delivery', 'day_care', 'home_visit', 'home_nursing'].includes(category)
              ? 'elderly_care'
              : 'citizen_request',
        category,
        ...at(),
        windowStart: day + from * 60_000,
        windowEnd: day + (from + len) * 60_000,
        quantity: category === 'meal_delivery' ? 1 + Math.floor(rnd() * 2) : 1,
        durationMinutes: category === 'day_care' ? 240 : category === 'meal_delivery' ? 20 : 60,
        urgency: 1 + Math.floor(rnd() * 5),
        createdAt: now - Math.floor(rnd() * 48 * 3600) * 1000,
        synthetic: true,
      });
    }
    const volunteers = kind === 8 ? 2 : 1;
    for (let k = 0; k < volunteers; k++)
      resources.push({
        id: `demo-volunteer-${s.code}-${k + 1}`,
        kind: 'volunteer',
        name: `${s.name}志愿者${k + 1}（合成）`,
        categories: ['home_visit', 'errand', 'meal_delivery'],
        capacity: 4,
        hours: [
          { days: WEEKDAYS, open: '11:00', close: '13:00' },
          { days: [6, 7], open: '09:00', close: '17:00' },
        ],
        ...at(),
        radiusM: 1000,
        synthetic: true,
      });
    if (kind === 8)
      resources.push({
        id: `demo-provider-care-${s.code}`,
        kind: 'provider',
        name: `${s.name}居家养老服务中心（合成）`,
        categories: ['meal_delivery', 'home_visit', 'home_nursing'],
        capacity: 40,
        hours: [{ days: DAILY, open: '08:00', close: '20:00' }],
        ...at(),
        radiusM: 3000,
        synthetic: true,
      });
    if (!districts.has(s.districtCode)) {
      districts.add(s.districtCode);
      resources.push({
        id: `demo-provider-repair-${s.districtCode}`,
        kind: 'provider',
        name: `${s.name}物业维修服务（合成）`,
        categories: ['home_repair', 'errand'],
        capacity: 25,
        hours: [{ days: [1, 2, 3, 4, 5, 6], open: '08:30', close: '18:00' }],
        ...at(),
        radiusM: 5000,
        synthetic: true,
      });
    }
  });
  return { needs, resources };
}
