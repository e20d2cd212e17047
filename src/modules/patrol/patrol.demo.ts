import type { StreetShape } from './patrol.grid.ts';
import { type Incident, WEEK } from './patrol.model.ts';

/** The demo's central districts that get synthetic incidents (渝中, 大渡口, 江北, 沙坪坝, 九龙坡, 南岸). */
export const DEMO_DISTRICTS = ['500103', '500104', '500105', '500106', '500107', '500108'];

function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small seeded generator of floats in [0, 1). */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function poisson(rand: () => number, lambda: number): number {
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > l);
  return k - 1;
}

const M_PER_DEG_LAT = 111_320;

/**
 * A year (52 weeks before `end`) of SYNTHETIC incidents for the demo city, deterministic for the
 * same streets and end: in each street of DEMO_DISTRICTS a background of citizen reports around
 * its label point (σ 700 m, 2–5 a week), and in about 40% of them a hot spot (σ 90 m, 5–16 a
 * week), some emerging or fading during the year; plus patrol-discovered incidents (source
 * 'patrol') piled around a few spots patrols already frequent — what the model must NOT learn from.
 */
export function demoIncidents(streets: StreetShape[], end: Date, weeks = 52): Incident[] {
  const chosen = streets.filter((s) => DEMO_DISTRICTS.includes(s.districtCode));
  const list = chosen.length ? chosen : streets;
  const out: Incident[] = [];
  const t0 = end.getTime() - weeks * WEEK;
  const around = (rand: () => number, c: [number, number], sigmaM: number): [number, number] => {
    const r = sigmaM * Math.sqrt(-2 * Math.log(1 - rand()));
    const a = 2 * Math.PI * rand();
    const dLat = (r * Math.sin(a)) / M_PER_DEG_LAT;
    const dLon = (r * Math.cos(a)) / (M_PER_DEG_LAT * Math.cos((c[1] * Math.PI) / 180));
    return [c[0] + dLon, c[1] + dLat];
  };
  const push = (rand: () => number, c: [number, number], sigma: number, week: number, source: string) => {
    const [lon, lat] = around(rand, c, sigma);
    const at = Math.floor(t0 + week * WEEK + rand() * WEEK);
    out.push({ id: `syn-${source}-${out.length}`, lon, lat, at, source, synthetic: true });
  };
  for (const s of list) {
    const rand = seeded(hash32(`patrol:${s.code}`));
    const base = 2 + 3 * rand();
    const hot = rand() < 0.4;
    const hotRate = 5 + 11 * rand();
    const hotAt = around(rand, s.label, 500);
    // 0: steady, 1: emerging from a week of the year, 2: fading after it.
    const shape = rand() < 0.7 ? 0 : rand() < 0.5 ? 1 : 2;
    const turn = Math.floor(rand() * weeks);
    for (let w = 0; w < weeks; w++) {
      for (let k = poisson(rand, base); k > 0; k--) push(rand, s.label, 700, w, 'citizen');
      if (!hot) continue;
      const on = shape === 0 || (shape === 1 ? w >= turn : w < turn);
      for (let k = poisson(rand, on ? hotRate : 0.5); k > 0; k--) push(rand, hotAt, 90, w, 'citizen');
    }
  }
  // Patrol-discovered incidents: where patrols already go (the first street of each district).
  const patrolled = DEMO_DISTRICTS.map((d) => list.find((s) => s.districtCode === d)).filter(
    (s): s is StreetShape => Boolean(s),
  );
  for (const s of patrolled.length ? patrolled : list.slice(0, 1)) {
    const rand = seeded(hash32(`patrol-found:${s.code}`));
    const spot = around(rand, s.label, 300);
    for (let w = 0; w < weeks; w++)
      for (let k = poisson(rand, 30); k > 0; k--) push(rand, spot, 60, w, 'patrol');
  }
  return out;
}
