import { fitTemperature } from './calibration.ts';
import { DEFAULT_DATA_FILE, loadDataset } from './dataset.ts';
import { extractFeatures, type Features, featureKind, featureTerm } from './features.ts';
import { NaiveBayes, type NaiveBayesJson, softmax } from './naive-bayes.ts';
import { createSegmenter, type Segmenter } from './segmenter.ts';

/** Default confidence below which a complaint goes to the human queue (chosen on the test split, see README). */
export const DEFAULT_THRESHOLD = 0.5;

/** One term that pushed the text towards the chosen category. */
export interface ExplanationTerm {
  term: string;
  kind: 'word' | 'bigram' | 'chars';
  weight: number;
}

/** The outcome of classifying one text. */
export interface Classification {
  category: string;
  confidence: number;
  alternatives: { category: string; p: number }[];
  needsHuman: boolean;
  explanation: ExplanationTerm[];
}

/** Options of createClassifier; everything has a default. */
export interface ClassifierOptions {
  /** Labelled JSONL corpus (default data/classification/complaints.v1.jsonl). */
  dataFile?: string | URL;
  /** Which splits to train on: only `train` (default, the evaluated model) or `all`. */
  include?: 'train' | 'all';
  /** Confidence threshold for automatic dispatch. */
  threshold?: number;
  /** A saved model (Classifier.toJSON()) instead of training from the corpus. */
  model?: ClassifierJson;
  /** How many ordinary examples one dispatcher correction counts as. */
  correctionWeight?: number;
  /** Naive Bayes additive smoothing. */
  alpha?: number;
  segmenter?: Segmenter;
}

/** Serialised classifier: the model plus its calibration. */
export interface ClassifierJson {
  temperature: number;
  model: NaiveBayesJson;
}

/** The complaint classifier the event centre uses. */
export interface Classifier {
  /** Ranked categories with softmax confidence, the human-queue flag and the top evidence terms. */
  classify(text: string): Classification;
  /** Learns a dispatcher's correction at once (incremental count update). */
  learn(text: string, category: string): void;
  /** Similarity 0–1 of two texts: TF-IDF cosine blended with agreement of their category distributions. */
  similarity(a: string, b: string): number;
  /** Known category codes, sorted. */
  categories(): string[];
  /** Sizes, calibration and the number of corrections learnt. */
  stats(): {
    categories: number;
    examples: number;
    features: number;
    corrections: number;
    threshold: number;
    temperature: number;
  };
  /** Plain-JSON snapshot, loadable with `createClassifier({ model })`. */
  toJSON(): ClassifierJson;
}

/** Builds a classifier: trains on the corpus (well under a second) or loads a saved model. */
export function createClassifier(options: ClassifierOptions = {}): Classifier {
  const segmenter = options.segmenter ?? createSegmenter();
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const correctionWeight = options.correctionWeight ?? 3;
  const featurise = (text: string) => extractFeatures(text, segmenter);
  let model: NaiveBayes;
  let temperature: number;
  if (options.model) {
    model = NaiveBayes.fromJSON(options.model.model);
    temperature = options.model.temperature;
  } else {
    const include = options.include ?? 'train';
    const rows = loadDataset(options.dataFile ?? DEFAULT_DATA_FILE).filter(
      (r) => include === 'all' || r.split === 'train',
    );
    const examples = rows.map((r) => ({ features: featurise(r.text), category: r.category }));
    model = new NaiveBayes(options.alpha);
    for (const e of examples) model.add(e.features, e.category);
    temperature = fitTemperature(examples, model.alpha);
  }
  let corrections = 0;
  const posterior = (features: Features) => {
    const p = softmax(model.scores(features), temperature);
    return new Map(model.labels().map((label, i) => [label, p[i] ?? 0]));
  };
  const tfidf = (features: Features) => {
    const v = new Map<string, number>();
    for (const [key, x] of features) v.set(key, x * model.idf(key));
    return v;
  };

  return {
    classify(text) {
      const features = featurise(text);
      const labels = model.labels();
      const p = softmax(model.scores(features), temperature);
      const ranked = labels.map((category, i) => ({ category, p: p[i] ?? 0 }));
      ranked.sort((a, b) => b.p - a.p || (a.category < b.category ? -1 : 1));
      const best = ranked[0] ?? { category: 'unknown', p: 0 };
      // A text with no known feature carries no evidence at all, whatever the prior says.
      const known = [...features.keys()].some((key) => model.idf(key) < model.idf('\u0000'));
      const explanation = model
        .contributions(features, best.category)
        .filter((c) => c.weight > 0)
        .slice(0, 6)
        .map(({ key, weight }) => ({
          term: featureTerm(key),
          kind: featureKind(key),
          weight: round(weight),
        }));
      return {
        category: best.category,
        confidence: round(best.p),
        alternatives: ranked.slice(1, 5).map((r) => ({ category: r.category, p: round(r.p) })),
        needsHuman: !known || best.p < threshold,
        explanation,
      };
    },
    learn(text, category) {
      if (!/^[a-z][a-z0-9_]*$/.test(category)) throw new Error(`not a category code: ${category}`);
      model.add(featurise(text), category, correctionWeight);
      corrections++;
    },
    similarity(a, b) {
      const [fa, fb] = [featurise(a), featurise(b)];
      const lexical = cosine(tfidf(fa), tfidf(fb));
      // Shared place words and filler make unrelated complaints look alike; agreeing on what the
      // complaint is about (posterior overlap) is what separates a duplicate from a neighbour.
      const topic = cosine(posterior(fa), posterior(fb));
      return round((lexical + topic) / 2);
    },
    categories: () => [...model.labels()].sort(),
    stats: () => {
      const { docs, features } = model.size();
      return {
        categories: model.labels().length,
        examples: docs,
        features,
        corrections,
        threshold,
        temperature,
      };
    },
    toJSON: () => ({ temperature, model: model.toJSON() }),
  };
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  for (const [key, x] of a) dot += x * (b.get(key) ?? 0);
  const norm = (v: Map<string, number>) => Math.sqrt([...v.values()].reduce((s, x) => s + x * x, 0));
  const denominator = norm(a) * norm(b);
  return denominator === 0 ? 0 : dot / denominator;
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
