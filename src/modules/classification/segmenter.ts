import { readFileSync } from 'node:fs';
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

const DATA_DIR = new URL('../../../data/classification/', import.meta.url);

/** Splits Chinese text into words (jieba) with the city-governance user dictionary. */
export interface Segmenter {
  /** Words of the text, in order, punctuation and whitespace dropped (stop words kept). */
  cut(text: string): string[];
  /** True for words that carry no meaning for classification. */
  isStopWord(word: string): boolean;
  /** True for place names of the user dictionary (tag `ns`). */
  isPlace(word: string): boolean;
}

let defaultJieba: Jieba | undefined;

/** Creates a segmenter; the default dictionary (~0.5 s to load) is loaded once per process and shared. */
export function createSegmenter(
  options: { userDict?: string | URL; stopWords?: string | URL } = {},
): Segmenter {
  const userDict = readFileSync(options.userDict ?? new URL('user-dict.txt', DATA_DIR));
  const stopText = readFileSync(options.stopWords ?? new URL('stopwords.txt', DATA_DIR), 'utf8');
  const stop = new Set(
    stopText
      .split('\n')
      .map((w) => w.trim())
      .filter(Boolean),
  );
  const places = new Set(
    userDict
      .toString('utf8')
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((parts) => parts[2] === 'ns')
      .map((parts) => parts[0] as string),
  );
  let jieba: Jieba;
  if (options.userDict === undefined) {
    // Loading the default dictionary dominates start-up, so the default configuration is shared.
    defaultJieba ??= withUserDict(userDict);
    jieba = defaultJieba;
  } else {
    jieba = withUserDict(userDict);
  }
  return {
    cut: (text) => jieba.cut(normalise(text), true).filter((w) => /[\p{L}\p{N}]/u.test(w)),
    isStopWord: (word) => stop.has(word),
    isPlace: (word) => places.has(word),
  };
}

function withUserDict(userDict: Buffer): Jieba {
  const jieba = Jieba.withDict(dict);
  jieba.loadDict(userDict);
  return jieba;
}

/** Full-width ASCII to half-width, lower case, runs of whitespace collapsed. */
export function normalise(text: string): string {
  return text
    .replace(/[\uff01-\uff5e]/g, (c) =>
      /[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/.test(c) ? String.fromCharCode(c.charCodeAt(0) - 0xfee0) : c,
    )
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();
}
