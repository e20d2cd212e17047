import type { Features } from './features.ts';
import { NaiveBayes, softmax } from './naive-bayes.ts';

/** A featurised labelled example. */
export interface Example {
  features: Features;
  category: string;
}

/**
 * Chooses the softmax temperature that minimises the log loss of k-fold cross-validated
 * predictions on the training examples, so confidences are roughly calibrated probabilities
 * (Naive Bayes scores alone are far too sure of themselves).
 */
export function fitTemperature(examples: readonly Example[], alpha: number, folds = 5): number {
  const scored: { scores: number[]; labels: readonly string[]; truth: string }[] = [];
  for (let fold = 0; fold < folds; fold++) {
    const model = new NaiveBayes(alpha);
    for (const [i, e] of examples.entries()) if (i % folds !== fold) model.add(e.features, e.category);
    examples.forEach((e, i) => {
      if (i % folds === fold)
        scored.push({ scores: model.scores(e.features), labels: model.labels(), truth: e.category });
    });
  }
  let best = { temperature: 1, loss: Number.POSITIVE_INFINITY };
  for (let t = 0.25; t <= 256; t *= 1.15) {
    let loss = 0;
    for (const { scores, labels, truth } of scored) {
      const p = softmax(scores, t)[labels.indexOf(truth)] ?? 0;
      loss -= Math.log(Math.max(p, 1e-9));
    }
    if (loss < best.loss) best = { temperature: t, loss };
  }
  return best.temperature;
}
