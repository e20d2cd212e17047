// The "double random" draw (双随机一公开) as a pure, re-runnable function: which enterprises each
// department inspects this month and which two qualified inspectors go. Commit-reveal: the
// coordinator publishes sha256(seed) and the inputs' digest before the draw and the seed after;
// anyone re-runs drawJoint(seed, inputs) and must get the same result digest.
//
// The algorithm, precisely (so it can be re-implemented in any language):
//  1. inputs are canonical: enterprises by code, inspectors by id, departments, items, exclusions sorted;
//  2. PRNG: xoshiro128** seeded with the first 16 bytes (4 × uint32 little-endian) of
//     SHA-256("citybrain-draw-v1|" + seed + "|" + district + "|" + month); u() = next() / 2^32;
//  3. the eligible enterprises (not excluded: visited within the quiet period) are shuffled once
//     by Fisher–Yates (i from n−1 down to 1, j = floor(u() × (i+1))): the joint ranking;
//  4. per department (sorted), its population is the enterprises an item of its plan applies to;
//     per risk class c of N_c enterprises, month m takes floor(N_c·rate_c·m/12) − floor(N_c·rate_c·(m−1)/12)
//     eligible enterprises of class c, in ranking order (departments share the ranking: a joint draw);
//  5. per selection in output order, k inspectors of the department qualified for all its items are
//     drawn by a partial Fisher–Yates over them (sorted by id) with the same PRNG.
import { createHash } from 'node:crypto';
import type { RiskClass } from './catalogue.ts';

/** Everything the draw depends on; its digest is published with the commitment. */
export interface DrawInputs {
  district: string;
  /** YYYY-MM. */
  month: string;
  departments: string[];
  items: { id: string; department: string; industries: string[] }[];
  rates: Record<RiskClass, number>;
  inspectorsPerInspection: number;
  enterprises: { code: string; industry: string; riskClass: RiskClass }[];
  inspectors: { id: string; department: string; qualifications: string[] }[];
  /** Enterprises visited within the quiet period before the month: not drawn. */
  exclude: string[];
}

/** One drawn inspection. */
export interface Selection {
  department: string;
  enterprise: string;
  riskClass: RiskClass;
  items: string[];
  /** Empty when fewer qualified inspectors exist than needed (`unstaffed`). */
  inspectors: string[];
}

/** The draw's result and its digest (what a re-run must reproduce). */
export interface DrawResult {
  selections: Selection[];
  unstaffed: number;
  resultDigest: string;
}

/** SHA-256 hex of a string. */
export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The commitment published before the draw: SHA-256 (hex) of the seed text. */
export const commitmentOf = (seed: string): string => sha256Hex(seed);

/** The inputs in canonical order (the digest and the draw use this form). */
export function canonicalInputs(inputs: DrawInputs): DrawInputs {
  const byCode =
    <T>(key: (t: T) => string) =>
    (a: T, b: T) =>
      key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;
  return {
    district: inputs.district,
    month: inputs.month,
    departments: [...inputs.departments].sort(),
    items: inputs.items
      .map((i) => ({ id: i.id, department: i.department, industries: [...i.industries].sort() }))
      .sort(byCode((i) => i.id)),
    rates: { A: inputs.rates.A, B: inputs.rates.B, C: inputs.rates.C, D: inputs.rates.D },
    inspectorsPerInspection: inputs.inspectorsPerInspection,
    enterprises: inputs.enterprises
      .map((e) => ({ code: e.code, industry: e.industry, riskClass: e.riskClass }))
      .sort(byCode((e) => e.code)),
    inspectors: inputs.inspectors
      .map((i) => ({ id: i.id, department: i.department, qualifications: [...i.qualifications].sort() }))
      .sort(byCode((i) => i.id)),
    exclude: [...new Set(inputs.exclude)].sort(),
  };
}

/** SHA-256 of the canonical inputs' JSON: published with the commitment so the inputs cannot change after. */
export const inputsDigest = (inputs: DrawInputs): string =>
  sha256Hex(JSON.stringify(canonicalInputs(inputs)));

/** xoshiro128** (Blackman & Vigna) from four 32-bit words; returns uniform numbers in [0, 1). */
export function xoshiro128ss(s: Uint32Array): () => number {
  let [a, b, c, d] = [s[0] as number, s[1] as number, s[2] as number, s[3] as number];
  return () => {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return r / 4294967296;
  };
}
const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

/** Runs the joint draw; a pure function of the seed and the inputs. */
export function drawJoint(seed: string, raw: DrawInputs): DrawResult {
  const inputs = canonicalInputs(raw);
  const digest = createHash('sha256')
    .update(`citybrain-draw-v1|${seed}|${inputs.district}|${inputs.month}`)
    .digest();
  const u = xoshiro128ss(new Uint32Array(digest.buffer.slice(digest.byteOffset, digest.byteOffset + 16)));
  const excluded = new Set(inputs.exclude);
  const ranking = inputs.enterprises.filter((e) => !excluded.has(e.code));
  for (let i = ranking.length - 1; i > 0; i--) {
    const j = Math.floor(u() * (i + 1));
    const t = ranking[i] as (typeof ranking)[number];
    ranking[i] = ranking[j] as (typeof ranking)[number];
    ranking[j] = t;
  }
  const month = Number(inputs.month.slice(5, 7));
  const selections: Selection[] = [];
  let unstaffed = 0;
  for (const department of inputs.departments) {
    const items = inputs.items.filter((i) => i.department === department);
    // Per industry once (the draw looks it up for every enterprise, twice).
    const byIndustry = new Map<string, string[]>();
    const itemsOf = (industry: string) => {
      let its = byIndustry.get(industry);
      if (!its) {
        its = items.filter((i) => i.industries.includes(industry)).map((i) => i.id);
        byIndustry.set(industry, its);
      }
      return its;
    };
    const population = new Map<RiskClass, number>();
    for (const e of inputs.enterprises)
      if (itemsOf(e.industry).length) population.set(e.riskClass, (population.get(e.riskClass) ?? 0) + 1);
    const quota = new Map<RiskClass, number>();
    for (const [c, n] of population) {
      const rate = n * inputs.rates[c];
      quota.set(c, Math.floor((rate * month) / 12) - Math.floor((rate * (month - 1)) / 12));
    }
    const staff = inputs.inspectors.filter((i) => i.department === department);
    for (const e of ranking) {
      const left = quota.get(e.riskClass) ?? 0;
      if (left <= 0) continue;
      const its = itemsOf(e.industry);
      if (its.length === 0) continue;
      quota.set(e.riskClass, left - 1);
      const qualified = staff
        .filter((s) => its.every((id) => s.qualifications.includes(id)))
        .map((s) => s.id);
      const k = inputs.inspectorsPerInspection;
      let chosen: string[] = [];
      if (qualified.length >= k) {
        for (let i = 0; i < k; i++) {
          const j = i + Math.floor(u() * (qualified.length - i));
          const t = qualified[i] as string;
          qualified[i] = qualified[j] as string;
          qualified[j] = t;
        }
        chosen = qualified.slice(0, k);
      } else unstaffed++;
      selections.push({
        department,
        enterprise: e.code,
        riskClass: e.riskClass,
        items: [...its],
        inspectors: chosen,
      });
    }
  }
  return { selections, unstaffed, resultDigest: sha256Hex(JSON.stringify(selections)) };
}
