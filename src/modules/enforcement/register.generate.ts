// The synthetic enterprise register of the demo city: deterministic (mulberry32 keyed on a seed),
// every enterprise labelled synthetic, credit codes with valid GB 32100 / GB 11714 check characters.
import type { CatalogueFile, RiskClass } from './catalogue.ts';
import { riskClassOf } from './credit.ts';
import { makeUscc, USCC_CHARSET } from './uscc.ts';

/** A street or town the enterprises sit in (the jurisdictions module's street level). */
export interface StreetRef {
  code: string;
  name: string;
  path: string;
}

/** One enterprise of the register. */
export interface GeneratedEnterprise {
  creditCode: string;
  name: string;
  industry: string;
  streetCode: string;
  districtCode: string;
  jurisdictionPath: string;
  creditScore: number;
  riskClass: RiskClass;
  synthetic: boolean;
}

/** mulberry32: a small, well-known 32-bit PRNG; the same seed gives the same register everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  '宏达',
  '鑫源',
  '恒信',
  '瑞丰',
  '长江',
  '巴渝',
  '嘉陵',
  '山城',
  '金桥',
  '华南',
  '福顺',
  '兴旺',
  '佳美',
  '民安',
  '天成',
  '锦程',
];
const SUFFIX: Record<string, string> = {
  food_manufacturing: '食品有限公司',
  catering: '餐饮店',
  retail: '商贸有限公司',
  chemicals: '化工有限公司',
  manufacturing: '机械制造有限公司',
  construction: '建筑工程有限公司',
  logistics: '物流有限公司',
  hospitality: '酒店管理有限公司',
};

/**
 * `count` enterprises spread over the streets (central 街道 weighted ×3 against 镇/乡), industries by
 * the catalogue's weights, credit scores around 80 (sd ≈ 10) and the risk class they give.
 */
export function generateRegister(options: {
  streets: StreetRef[];
  industries: CatalogueFile['industries'];
  count: number;
  seed?: number;
}): GeneratedEnterprise[] {
  const rand = mulberry32(options.seed ?? 15);
  const streets = [...options.streets].sort((a, b) => a.code.localeCompare(b.code));
  if (streets.length === 0) throw new Error('no streets to place enterprises in');
  const streetWeights = streets.map((s) => (s.name.endsWith('街道') ? 3 : 1));
  const pickStreet = weighted(streetWeights, rand);
  const pickIndustry = weighted(
    options.industries.map((i) => i.weight),
    rand,
  );
  const out: GeneratedEnterprise[] = [];
  const used = new Set<string>();
  for (let n = 0; n < options.count; n++) {
    const street = streets[pickStreet()] as StreetRef;
    const industry = options.industries[pickIndustry()]?.code as string;
    const districtCode = street.code.slice(0, 6);
    let creditCode: string;
    do creditCode = makeUscc('91', districtCode, orgBody(rand));
    while (used.has(creditCode));
    used.add(creditCode);
    // Sum of three uniforms: a bell around 80 without a normal-distribution library.
    const score = Math.round(Math.min(100, Math.max(30, 80 + (rand() + rand() + rand() - 1.5) * 20)));
    const shortName = street.name.replace(/(街道|镇|乡)$/, '');
    out.push({
      creditCode,
      name: `${shortName}${WORDS[Math.floor(rand() * WORDS.length)]}${SUFFIX[industry] ?? '有限公司'}（合成${n + 1}）`,
      industry,
      streetCode: street.code,
      districtCode,
      jurisdictionPath: street.path,
      creditScore: score,
      riskClass: riskClassOf(score),
      synthetic: true,
    });
  }
  return out;
}

/** An 8-character organisation-code body in the new style: 'MA' and six characters of the shared set. */
function orgBody(rand: () => number): string {
  let body = 'MA';
  for (let i = 0; i < 6; i++) body += USCC_CHARSET[Math.floor(rand() * USCC_CHARSET.length)];
  return body;
}

function weighted(weights: number[], rand: () => number): () => number {
  const cumulative: number[] = [];
  let total = 0;
  for (const w of weights) {
    total += w;
    cumulative.push(total);
  }
  return () => {
    const x = rand() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
}
