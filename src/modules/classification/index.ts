export {
  type Classification,
  type Classifier,
  type ClassifierJson,
  type ClassifierOptions,
  createClassifier,
  DEFAULT_THRESHOLD,
  type ExplanationTerm,
} from './classifier.ts';
export { DEFAULT_DATA_FILE, LabelledComplaint, loadDataset } from './dataset.ts';
export { createSegmenter, type Segmenter } from './segmenter.ts';
