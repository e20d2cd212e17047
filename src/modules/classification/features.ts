import type { Segmenter } from './segmenter.ts';

/** Sparse feature vector: feature key → weight. Keys are `w:` words, `b:` word bigrams, `c:` character bigrams. */
export type Features = Map<string, number>;

const PLACE = '〈地名〉';

/** Turns a text into weighted features (sublinear term frequency 1 + ln tf). */
export function extractFeatures(text: string, segmenter: Segmenter): Features {
  // Place names say where, not what: they become one token so they cannot act as spurious cues.
  const words = segmenter.cut(text).map((w) => (segmenter.isPlace(w) ? PLACE : w));
  const counts = new Map<string, number>();
  const add = (key: string) => counts.set(key, (counts.get(key) ?? 0) + 1);
  const content = words.filter((w) => !segmenter.isStopWord(w) && w !== PLACE && !/^\d+$/.test(w));
  for (const w of content) add(`w:${w}`);
  for (let i = 1; i < content.length; i++) add(`b:${content[i - 1]}_${content[i]}`);
  // Character bigrams catch typos and words jieba splits differently in short colloquial texts.
  for (const run of words
    .filter((w) => w !== PLACE)
    .join('')
    .match(/\p{Script=Han}{2,}/gu) ?? []) {
    for (let i = 1; i < run.length; i++) add(`c:${run[i - 1]}${run[i]}`);
  }
  for (const [key, tf] of counts) counts.set(key, 1 + Math.log(tf));
  return counts;
}

/** The readable part of a feature key (`b:露天_烧烤` → `露天 烧烤`). */
export function featureTerm(key: string): string {
  return key.slice(2).replace('_', ' ');
}

/** The kind of a feature key. */
export function featureKind(key: string): 'word' | 'bigram' | 'chars' {
  return key.startsWith('w:') ? 'word' : key.startsWith('b:') ? 'bigram' : 'chars';
}
