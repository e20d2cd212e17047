import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateCorpus } from './corpus.generate.ts';
import { parseTemplates } from './corpus.templates.ts';
import { DEFAULT_DATA_FILE, loadDataset } from './dataset.ts';
import { extractFeatures } from './features.ts';
import { createSegmenter } from './segmenter.ts';

const segmenter = createSegmenter();
const data = (name: string) => readFileSync(new URL(`../../../data/${name}`, import.meta.url), 'utf8');

describe('segmenter', () => {
  it('keeps city-governance terms and Chongqing place names whole', () => {
    expect(segmenter.cut('解放碑这边有人占道经营，井盖也没了')).toEqual(
      expect.arrayContaining(['解放碑', '占道经营', '井盖']),
    );
    expect(segmenter.cut('较场口夜市有人露天烧烤，油烟很大')).toEqual(
      expect.arrayContaining(['较场口', '露天烧烤', '油烟']),
    );
    expect(segmenter.cut('沙坪坝三峡广场渣土车乱倒建筑垃圾')).toEqual(
      expect.arrayContaining(['沙坪坝', '三峡广场', '渣土车', '建筑垃圾']),
    );
  });

  it('drops punctuation, folds full-width characters and knows stop words and places', () => {
    expect(segmenter.cut('ＡＢＣ，！！ 南坪')).toEqual(['abc', '南坪']);
    expect(segmenter.isStopWord('的')).toBe(true);
    expect(segmenter.isStopWord('油烟')).toBe(false);
    expect(segmenter.isPlace('观音桥')).toBe(true);
  });

  it('builds word, word-bigram and character-bigram features, with place names masked', () => {
    const keys = [...extractFeatures('较场口夜市露天烧烤油烟很大', segmenter).keys()];
    expect(keys).toEqual(expect.arrayContaining(['w:露天烧烤', 'b:露天烧烤_油烟', 'c:烧烤']));
    expect(keys.some((k) => k.includes('较场口') || k === 'c:较场')).toBe(false);
  });
});

describe('corpus', () => {
  const rows = loadDataset(DEFAULT_DATA_FILE);

  it('is exactly what the generator produces from the templates', () => {
    const regenerated = generateCorpus(parseTemplates(data('classification/templates.v1.txt')));
    expect(regenerated).toEqual(rows);
  });

  it('labels every text with a responsibility-list category and covers all 56, at least 8 each', () => {
    const list = JSON.parse(data('organisation/responsibility-list.v1.json')) as {
      items: { category: string }[];
    };
    const codes = new Set(list.items.map((i) => i.category));
    const perCategory = new Map<string, number>();
    for (const r of rows) perCategory.set(r.category, (perCategory.get(r.category) ?? 0) + 1);
    expect([...perCategory.keys()].sort()).toEqual([...codes].sort());
    expect(Math.min(...perCategory.values())).toBeGreaterThanOrEqual(8);
    expect(rows.length).toBeGreaterThanOrEqual(600);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it('holds out about a fifth of every category, with no text in both splits', () => {
    const test = rows.filter((r) => r.split === 'test');
    expect(test.length / rows.length).toBeGreaterThan(0.15);
    expect(test.length / rows.length).toBeLessThan(0.25);
    for (const code of new Set(rows.map((r) => r.category))) {
      expect(test.some((r) => r.category === code)).toBe(true);
    }
    const trainTexts = new Set(rows.filter((r) => r.split === 'train').map((r) => r.text));
    expect(test.filter((r) => trainTexts.has(r.text))).toEqual([]);
  });
});
