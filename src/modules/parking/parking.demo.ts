/**
 * The demo city's SYNTHETIC shared parking, generated deterministically (nothing is fetched):
 * 370 sites (OffStreetParking) of offices, malls and residential compounds in the six central
 * districts, 40 shared spaces (ParkingSpot) each — 14,800 — grouped (ParkingGroup) by the window
 * their owner offers them in. Site i stands where one of its own sensors stands;
 * the sensors ps-…(16·i) … ps-…(16·i + 15) are fitted to its first 16 spaces (6,000 sensors in
 * all), so occupancy reaches the spaces through the real MQTT path. Every record is labelled
 * `synthetic`.
 */
import fs from 'node:fs';
import type { OfferWindow } from './parking.windows.ts';

/** Who owns a site, and so when it shares its spaces. */
export const OWNER_KINDS = ['office', 'mall', 'residential'] as const;
/** One owner kind. */
export type OwnerKind = (typeof OWNER_KINDS)[number];

const WEEKDAYS = [1, 2, 3, 4, 5];
/**
 * Staggered sharing by owner: offices share weekday nights and whole weekends, malls the late
 * night and early morning, residential compounds weekday daytime (07:30–19:30, when residents are
 * at work — overlapping the offices' 19:00, so some space is offered at every hour of a weekday).
 * `ownerUse` is the share of the owner's own hours its own users park (for utilisation before sharing).
 */
export const OWNER_OFFERS: Record<OwnerKind, { windows: OfferWindow[]; ownerUse: number; zh: string }> = {
  office: {
    windows: [
      { days: WEEKDAYS, from: '19:00', to: '08:00' },
      { days: [6, 7], from: '00:00', to: '24:00' },
    ],
    ownerUse: 0.8,
    zh: '写字楼',
  },
  mall: {
    windows: [{ days: [1, 2, 3, 4, 5, 6, 7], from: '22:00', to: '10:00' }],
    ownerUse: 0.55,
    zh: '商场',
  },
  residential: { windows: [{ days: WEEKDAYS, from: '07:30', to: '19:30' }], ownerUse: 0.85, zh: '小区' },
};

/** Sites, spaces and sensors of the synthetic demo. */
export const DEMO_SITES = 370;
export const DEMO_SPACES_PER_SITE = 40;
const SENSORS_PER_SITE = 16;

/** A generated site with its spaces. */
export interface DemoSite {
  id: string;
  name: string;
  ownerKind: OwnerKind;
  districtCode: string;
  lon: number;
  lat: number;
  spaces: { id: string; sensor: string | null }[];
}

/** A parking sensor of the demo device registry (id and position). */
interface Sensor {
  id: string;
  lon: number;
  lat: number;
  name: string;
}

/** The ParkingSpot devices of the demo registry CSV (id, type, model, name, lon, lat, …), in file order. */
export function demoSensors(csvFile: string): Sensor[] {
  const out: Sensor[] = [];
  for (const line of fs.readFileSync(csvFile, 'utf8').split('\n')) {
    const c = line.split(',');
    if (c[1] === 'ParkingSpot') out.push({ id: c[0]!, name: c[3]!, lon: Number(c[4]), lat: Number(c[5]) });
  }
  return out;
}

/** The synthetic shared parking of the demo (deterministic for a given sensor list). */
export function buildDemoParking(sensors: Sensor[]): DemoSite[] {
  const sites: DemoSite[] = [];
  for (let i = 0; i < DEMO_SITES; i++) {
    // Within the site's own sensors, the one that puts consecutive sites in all six districts in turn.
    const anchor = sensors[(i * SENSORS_PER_SITE + (i % 6)) % sensors.length]!;
    // Consecutive sites go round the six districts; each district gets offices, malls and compounds in turn.
    const ownerKind = OWNER_KINDS[Math.floor(i / 6) % 3]!;
    const districtCode = anchor.id.split('-')[1] ?? '';
    const id = `site-${String(i).padStart(3, '0')}`;
    const spaces = [];
    for (let k = 0; k < DEMO_SPACES_PER_SITE; k++) {
      const s = i * SENSORS_PER_SITE + k;
      spaces.push({
        id: `${id}-${String(k).padStart(2, '0')}`,
        sensor: k < SENSORS_PER_SITE && s < sensors.length ? sensors[s]!.id : null,
      });
    }
    sites.push({
      id,
      name: `${anchor.name.replace(/泊位\d+$/, '')}${OWNER_OFFERS[ownerKind].zh}共享停车场${i}（合成）`,
      ownerKind,
      districtCode,
      lon: anchor.lon,
      lat: anchor.lat,
      spaces,
    });
  }
  return sites;
}
