import type { Features } from './features.ts';

/** Serialised form of a NaiveBayes model (plain JSON). */
export interface NaiveBayesJson {
  version: 1;
  alpha: number;
  classes: string[];
  classDocs: number[];
  classTotals: number[];
  nDocs: number;
  /** feature → [document frequency, [class index, weight sum]...] */
  features: Record<string, [number, [number, number][]]>;
}

interface FeatureStats {
  df: number;
  counts: number[];
  /** ln(count + alpha) per class, rebuilt lazily after the feature changes. */
  logs?: Float64Array;
}

/**
 * Multinomial Naive Bayes over weighted features, with IDF-weighted evidence at query time.
 * Training only adds counts, so learning one more example is O(features of the example).
 */
export class NaiveBayes {
  readonly alpha: number;
  private readonly classes: string[] = [];
  private readonly classIndex = new Map<string, number>();
  private readonly classDocs: number[] = [];
  private readonly classTotals: number[] = [];
  private readonly features = new Map<string, FeatureStats>();
  private nDocs = 0;

  constructor(alpha = 0.1) {
    this.alpha = alpha;
  }

  /** Adds one example (weight > 1 counts it as several). Unknown classes are created. */
  add(features: Features, category: string, weight = 1): void {
    const c = this.classOf(category);
    this.classDocs[c] = (this.classDocs[c] ?? 0) + weight;
    this.nDocs += weight;
    for (const [key, x] of features) {
      let stats = this.features.get(key);
      if (!stats) {
        stats = { df: 0, counts: [] };
        this.features.set(key, stats);
      }
      stats.df += weight;
      stats.logs = undefined;
      stats.counts[c] = (stats.counts[c] ?? 0) + x * weight;
      this.classTotals[c] = (this.classTotals[c] ?? 0) + x * weight;
    }
  }

  /** Class labels in creation order. */
  labels(): readonly string[] {
    return this.classes;
  }

  /** Number of examples seen (weighted) and distinct features. */
  size(): { docs: number; features: number } {
    return { docs: this.nDocs, features: this.features.size };
  }

  /** Inverse document frequency of a feature (smoothed; unseen features get the maximum). */
  idf(key: string): number {
    return Math.log((this.nDocs + 1) / ((this.features.get(key)?.df ?? 0) + 1)) + 1;
  }

  /** Log-scores per class (log prior + IDF-weighted log likelihood); features never seen are ignored. */
  scores(features: Features): number[] {
    const k = this.classes.length;
    const out = this.classes.map((_, c) => Math.log(((this.classDocs[c] ?? 0) + 1) / (this.nDocs + k)));
    const denominators = this.logDenominators();
    for (const [key, x] of features) {
      const stats = this.features.get(key);
      if (!stats) continue;
      const w = x * this.idf(key);
      const logs = this.logsOf(stats);
      for (let c = 0; c < k; c++)
        out[c] = (out[c] as number) + w * ((logs[c] as number) - (denominators[c] as number));
    }
    return out;
  }

  /** Per-feature evidence for class `category` relative to the mean over classes, largest first. */
  contributions(features: Features, category: string): { key: string; weight: number }[] {
    const c = this.classIndex.get(category);
    if (c === undefined) return [];
    const k = this.classes.length;
    const logDen = this.logDenominators();
    const out: { key: string; weight: number }[] = [];
    for (const [key, x] of features) {
      const stats = this.features.get(key);
      if (!stats) continue;
      const logs = this.logsOf(stats);
      const logP = (i: number) => (logs[i] as number) - (logDen[i] as number);
      let mean = 0;
      for (let i = 0; i < k; i++) mean += logP(i) / k;
      out.push({ key, weight: x * this.idf(key) * (logP(c) - mean) });
    }
    return out.sort((a, b) => b.weight - a.weight || (a.key < b.key ? -1 : 1));
  }

  /** Plain-JSON snapshot of the model. */
  toJSON(): NaiveBayesJson {
    const features: NaiveBayesJson['features'] = {};
    for (const [key, { df, counts }] of this.features) {
      const sparse: [number, number][] = [];
      counts.forEach((v, c) => {
        if (v) sparse.push([c, v]);
      });
      features[key] = [df, sparse];
    }
    const { alpha, nDocs } = this;
    const classes = [...this.classes];
    return {
      version: 1,
      alpha,
      classes,
      classDocs: [...this.classDocs],
      classTotals: [...this.classTotals],
      nDocs,
      features,
    };
  }

  /** Rebuilds a model from its JSON snapshot. */
  static fromJSON(json: NaiveBayesJson): NaiveBayes {
    const model = new NaiveBayes(json.alpha);
    for (const label of json.classes) model.classOf(label);
    model.classDocs.splice(0, Infinity, ...json.classDocs);
    model.classTotals.splice(0, Infinity, ...json.classTotals);
    model.nDocs = json.nDocs;
    for (const [key, [df, sparse]] of Object.entries(json.features)) {
      const counts: number[] = [];
      for (const [c, v] of sparse) counts[c] = v;
      model.features.set(key, { df, counts });
    }
    return model;
  }

  private logDenominators(): number[] {
    const smoothing = this.alpha * this.features.size;
    return this.classes.map((_, c) => Math.log((this.classTotals[c] ?? 0) + smoothing));
  }

  private logsOf(stats: FeatureStats): Float64Array {
    if (stats.logs?.length !== this.classes.length) {
      stats.logs = Float64Array.from(this.classes, (_, c) => Math.log((stats.counts[c] ?? 0) + this.alpha));
    }
    return stats.logs;
  }

  private classOf(label: string): number {
    let c = this.classIndex.get(label);
    if (c === undefined) {
      c = this.classes.length;
      this.classes.push(label);
      this.classIndex.set(label, c);
      this.classDocs[c] = 0;
      this.classTotals[c] = 0;
    }
    return c;
  }
}

/** Softmax of scores divided by a temperature; stable against large magnitudes. */
export function softmax(scores: readonly number[], temperature = 1): number[] {
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp((s - max) / temperature));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}
