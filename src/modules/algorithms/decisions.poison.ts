import { Counter } from 'prom-client';
import { metricsRegistry } from '../../platform/http/metrics.ts';

/** Decision-log records the database refused for their data, by what was done with them. */
export const decisionPoisonCounter = new Counter({
  name: 'citybrain_algorithm_decision_log_poison_total',
  help: 'Decision-log records refused by the database for their data: sanitised (written with a note) or quarantined (not written)',
  labelNames: ['action'],
  registers: [metricsRegistry],
});

/** Longest excerpt of a refused record kept in `algorithm_decision_quarantine`. */
export const EXCERPT_CHARS = 2_000;
/** Longest database error message kept. */
const REASON_CHARS = 500;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A string PostgreSQL accepts in text and jsonb: lone surrogates → U+FFFD, NUL removed. */
export function cleanText(s: string): string {
  return s.replace(LONE_SURROGATE, '\ufffd').replaceAll('\u0000', '');
}

/** `cleanText` applied to every string (and object key) of a JSON value. */
export function cleanJson(value: unknown): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (Array.isArray(value)) return value.map(cleanJson);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[cleanText(k)] = cleanJson(v);
    return out;
  }
  return value;
}

/** Cleans a serialised JSON column (null stays null). */
export function cleanJsonText(json: string | null): string | null {
  return json === null ? null : JSON.stringify(cleanJson(JSON.parse(json)));
}

/**
 * Whether the database refused the statement for the data in it rather than for its own state:
 * SQLSTATE class 22 (data exception: 22P05 untranslatable character, 22021 bad byte sequence,
 * 22003 out of range…), 23 (integrity: a duplicate id) or 54 (too large). Retrying such a
 * record can never succeed; anything else (connection lost, shutdown, lock timeout) may.
 */
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

/** The SQLSTATE of a database error, if it has one. */
export function sqlState(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : null;
}

/** A bounded, storable reason. */
export function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return cleanText(message.slice(0, REASON_CHARS)).toWellFormed();
}

/** A bounded, storable excerpt of a record: JSON escapes the bad characters, so they stay visible. */
export function excerptOf(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch (err) {
    text = `<not serialisable: ${reasonOf(err)}>`;
  }
  return cleanText(text.slice(0, EXCERPT_CHARS)).toWellFormed();
}
