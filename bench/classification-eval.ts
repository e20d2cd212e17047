// Held-out evaluation of the complaint classifier against two baselines, in one run.
// ./node_modules/.bin/node bench/classification-eval.ts [--alpha 0.3] [--smoke]
import { readFileSync } from 'node:fs';
import { createClassifier, createSegmenter, loadDataset } from '../src/modules/classification/index.ts';
import { size, smokeBanner } from './smoke.ts';

const arg = (name: string) => process.argv[process.argv.indexOf(name) + 1];
const alpha = process.argv.includes('--alpha') ? Number(arg('--alpha')) : undefined;
const rows = loadDataset();
const train = rows.filter((r) => r.split === 'train');
const test = rows.filter((r) => r.split === 'test').slice(0, size(Infinity, 200));
smokeBanner();
const segmenter = createSegmenter();

let t0 = performance.now();
const classifier = createClassifier({ segmenter, alpha });
const trainMs = performance.now() - t0;
const results = test.map((r) => ({ ...r, out: classifier.classify(r.text) }));
t0 = performance.now();
const reps = size(10, 1);
for (let i = 0; i < reps; i++) for (const r of test) classifier.classify(r.text);
const perTextMs = (performance.now() - t0) / (reps * test.length);

// Baseline 1: always the most frequent training category.
const freq = new Map<string, number>();
for (const r of train) freq.set(r.category, (freq.get(r.category) ?? 0) + 1);
const majority = [...freq].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
// Baseline 2: keyword lookup on the responsibility list's own names (what a rule table would start from).
const list = JSON.parse(
  readFileSync(new URL('../data/organisation/responsibility-list.v1.json', import.meta.url), 'utf8'),
);
const keywords: [string, string[]][] = list.items.map((i: { category: string; zh: string }) => {
  const words = segmenter.cut(i.zh).filter((w) => !segmenter.isStopWord(w));
  const bigrams = [...i.zh].slice(1).map((ch, k) => i.zh[k] + ch);
  return [i.category, [...new Set([...words, ...bigrams])]];
});
const keywordGuess = (text: string) => {
  let best = { category: majority, hits: 0 };
  for (const [category, kws] of keywords) {
    const hits = kws.filter((k) => text.includes(k)).length;
    if (hits > best.hits) best = { category, hits };
  }
  return best.category;
};

const labels = [...new Set(rows.map((r) => r.category))].sort();
const report = (name: string, pairs: { truth: string; guess: string }[]) => {
  const acc = pairs.filter((p) => p.truth === p.guess).length / pairs.length;
  console.log(`${name.padEnd(28)} accuracy ${fmt(acc)}  macro-F1 ${fmt(macroF1(pairs).macro)}`);
};
const macroF1 = (pairs: { truth: string; guess: string }[]) => {
  const f1 = new Map<string, number>();
  for (const c of labels) {
    const tp = pairs.filter((p) => p.truth === c && p.guess === c).length;
    const fp = pairs.filter((p) => p.truth !== c && p.guess === c).length;
    const fn = pairs.filter((p) => p.truth === c && p.guess !== c).length;
    f1.set(c, tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn));
  }
  return { macro: [...f1.values()].reduce((a, b) => a + b, 0) / labels.length, f1 };
};
const fmt = (x: number) => x.toFixed(3);

console.log(
  `corpus ${rows.length} texts, ${labels.length} categories; train ${train.length}, held-out test ${test.length}`,
);
console.log(
  `build (segmenter shared, train + calibrate) ${trainMs.toFixed(0)} ms; ${JSON.stringify(classifier.stats())}`,
);
console.log(
  `classify ${(perTextMs * 1000).toFixed(0)} µs per text (${Math.round(1000 / perTextMs)} texts/s)\n`,
);
const nb = results.map((r) => ({ truth: r.category, guess: r.out.category }));
report(
  'majority-class baseline',
  test.map((r) => ({ truth: r.category, guess: majority })),
);
report(
  'keyword-lookup baseline',
  test.map((r) => ({ truth: r.category, guess: keywordGuess(r.text) })),
);
report('naive Bayes (this module)', nb);
const top3 = results.filter((r) =>
  [r.out.category, ...r.out.alternatives.slice(0, 2).map((a) => a.category)].includes(r.category),
);
console.log(`naive Bayes top-3 accuracy     ${fmt(top3.length / test.length)}`);
const hand = results.filter((r) => r.source === 'hand');
const handOk = hand.filter((r) => r.out.category === r.category).length;
console.log(
  `naive Bayes on hand-written test texts only: ${handOk}/${hand.length} = ${fmt(handOk / hand.length)}\n`,
);
// Written after the model was built, in wording independent of the templates; never trained or tuned on.
const probe = loadDataset(new URL('../data/classification/probe.v1.jsonl', import.meta.url));
const probeOuts = probe.map((r) => ({ truth: r.category, out: classifier.classify(r.text) }));
const probeOk = probeOuts.filter((o) => o.out.category === o.truth).length;
const probeAuto = probeOuts.filter((o) => !o.out.needsHuman);
report(
  'keyword baseline, probe set',
  probe.map((r) => ({ truth: r.category, guess: keywordGuess(r.text) })),
);
console.log(
  `naive Bayes on the out-of-template probe set: ${probeOk}/${probe.length} = ${fmt(probeOk / probe.length)}; ` +
    `auto-dispatched ${probeAuto.length}, of which right ${probeAuto.filter((o) => o.out.category === o.truth).length}`,
);
for (const o of probeOuts) {
  if (o.out.category !== o.truth)
    console.log(`  probe miss: ${o.truth} → ${o.out.category} (${o.out.confidence})`);
}
console.log();

console.log('threshold  auto-dispatched  accuracy(auto)  to humans');
for (const th of [0, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) {
  const auto = results.filter((r) => r.out.confidence >= th);
  const ok = auto.filter((r) => r.out.category === r.category).length;
  const mark = th === classifier.stats().threshold ? '  ← default' : '';
  console.log(
    `${th.toFixed(2).padStart(9)}  ${fmt(auto.length / test.length).padStart(15)}  ${fmt(auto.length ? ok / auto.length : 1).padStart(14)}  ${fmt(1 - auto.length / test.length).padStart(9)}${mark}`,
  );
}
const gibberish = ['asdfghjkl qwerty', '今天天气真好', '我想问一下公积金怎么提取', '哈哈哈哈哈', '123456789'];
const routed = gibberish.filter((g) => classifier.classify(g).needsHuman).length;
console.log(`off-topic probes routed to humans: ${routed}/${gibberish.length}\n`);

console.log('worst categories (F1) and their confusions on the test split:');
const { f1 } = macroF1(nb);
for (const [c, f] of [...f1].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 6)) {
  const confusions = new Map<string, number>();
  for (const p of nb)
    if ((p.truth === c) !== (p.guess === c)) {
      const key = p.truth === c ? `→ ${p.guess}` : `← ${p.truth}`;
      confusions.set(key, (confusions.get(key) ?? 0) + 1);
    }
  console.log(`  ${c.padEnd(26)} F1 ${fmt(f)}  ${[...confusions].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
}
