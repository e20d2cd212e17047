import { readFileSync, writeFileSync } from 'node:fs';
import { type CategoryTemplates, parseTemplates, type TemplateSet } from './corpus.templates.ts';
import type { LabelledComplaint } from './dataset.ts';
import { fnv1a, mulberry32 } from './prng.ts';

const OPENERS = [
  '你好，',
  '您好，我要反映个问题：',
  '领导好，',
  '12345你好，',
  '市民反映：',
  '我是附近的居民，',
  '喂，',
];
const ENDINGS = ['。', '！', '！！！', '。。。', '', '', '？', '，谢谢。'];
// Common slips when typing pinyin on a phone.
const TYPOS: [string, string][] = [
  ['噪音', '燥音'],
  ['已经', '以经'],
  ['垃圾', '拉圾'],
  ['处理', '处里'],
  ['麻烦', '麻繁'],
  ['在', '再'],
  ['的', '地'],
  ['投诉', '头诉'],
  ['小区', '小曲'],
  ['这边', '这遍'],
];
const TEST_SHARE = 0.2;

/** Generates the labelled corpus from the template set: deterministic for a given seed. */
export function generateCorpus(set: TemplateSet, seed = 20240601): LabelledComplaint[] {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const records: LabelledComplaint[] = [];
  for (const cat of set.categories) {
    const texts = new Set(cat.examples);
    for (let attempt = 0; texts.size < cat.count && attempt < cat.count * 50; attempt++) {
      texts.add(roughen(fill(pick(cat.templates), cat, set, pick), set, pick, rand));
    }
    if (texts.size < cat.count) throw new Error(`${cat.category}: only ${texts.size} distinct texts`);
    const items = [...texts].map((text, i) => ({ text, hash: fnv1a(`${cat.category}/${i}/${text}`) }));
    const nTest = Math.max(1, Math.round(items.length * TEST_SHARE));
    const testHashes = new Set(
      [...items]
        .sort((a, b) => a.hash - b.hash)
        .slice(0, nTest)
        .map((x) => x.hash),
    );
    for (const { text, hash } of items) {
      const id = `c${String(records.length + 1).padStart(4, '0')}`;
      const source = cat.examples.includes(text) ? 'hand' : 'template';
      records.push({
        id,
        text,
        category: cat.category,
        split: testHashes.has(hash) ? 'test' : 'train',
        source,
      });
    }
  }
  return records;
}

function fill(template: string, cat: CategoryTemplates, set: TemplateSet, pick: <T>(xs: readonly T[]) => T) {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const values = cat.slots[name] ?? set.shared[name];
    if (!values) throw new Error(`${cat.category}: unknown slot {${name}}`);
    return pick(values);
  });
}

/** Adds the noise of real hotline text: openers, typos, odd punctuation, a second issue. */
function roughen(text: string, set: TemplateSet, pick: <T>(xs: readonly T[]) => T, rand: () => number) {
  let out = text;
  if (rand() < 0.25) out = pick(OPENERS) + out;
  if (rand() < 0.15) {
    const [right, wrong] = pick(TYPOS);
    out = out.replace(right, wrong);
  }
  if (rand() < 0.1) out = out.replaceAll('，', rand() < 0.5 ? ' ' : ',');
  if (rand() < 0.06) {
    // A second, minor issue: the label stays the main one, as dispatchers would file it.
    const other = pick(set.categories);
    const first = Object.values(other.slots)[0];
    if (first) out += `，还有旁边${pick(first)}也没人管`;
  }
  return out.replace(/[，, ]+$/, '') + pick(ENDINGS);
}

if (import.meta.main) {
  const dir = new URL('../../../data/classification/', import.meta.url);
  const set = parseTemplates(readFileSync(new URL('templates.v1.txt', dir), 'utf8'));
  const records = generateCorpus(set);
  writeFileSync(new URL('complaints.v1.jsonl', dir), `${records.map((r) => JSON.stringify(r)).join('\n')}\n`);
  const test = records.filter((r) => r.split === 'test').length;
  console.log(`${records.length} complaints (${test} test) in ${set.categories.length} categories`);
}
