import { distance } from 'geokdbush';
import type { Principal } from '../../platform/access.ts';
import type { Classification } from '../classification/index.ts';
import type { EventDeps } from './events.deps.ts';
import type { EventRow } from './events.repository.ts';

/** The filed algorithm keys the event centre runs through the registry's gate. */
export const CLASSIFY = 'complaint.classify';
/** Duplicate detection. */
export const DEDUPE = 'complaint.dedupe';

/** The classifier's answer as logged: category, confidence, whether a person must look. */
export type ClassifyOutput = Pick<Classification, 'category' | 'confidence' | 'needsHuman' | 'alternatives'>;

/** Classifies a complaint text through the gate; `decided: false` sends the event to triage. */
export async function classifyText(
  deps: EventDeps,
  actor: Principal,
  text: string,
  subject: string,
  path: string,
) {
  return deps.algorithms.runOrFallback<{ text: string }, ClassifyOutput>(
    CLASSIFY,
    { text },
    ({ text: t }) => {
      const c = deps.classifier.classify(t);
      const terms = c.explanation.map((e) => e.term).join('、');
      const alt = c.alternatives[1];
      return {
        output: {
          category: c.category,
          confidence: c.confidence,
          needsHuman: c.needsHuman,
          alternatives: c.alternatives.slice(0, 3),
        },
        explanation: {
          text: `classified as ${c.category} (confidence ${c.confidence.toFixed(2)}${c.needsHuman ? ', below threshold: human triage' : ''}) from terms ${terms}${alt ? `; next ${alt.category} ${alt.p.toFixed(2)}` : ''}`,
          zh: `判定为 ${c.category}（置信度 ${c.confidence.toFixed(2)}），依据词语：${terms}`,
          data: { terms: c.explanation },
        },
      };
    },
    { principal: actor, subjects: [{ type: 'event', id: subject }], jurisdictionPath: path },
  );
}

/** What duplicate detection decided: the event to merge into, or none. */
export interface DedupeOutput {
  mergeInto: string | null;
  similarity: number | null;
  distanceM: number | null;
  candidates: { id: string; distanceM: number; minutesAgo: number; similarity: number }[];
}

/**
 * Same category, within the radius and the time window, similar enough in text → a duplicate of
 * the most similar candidate. Runs through the gate so every merge is logged and explainable.
 */
export async function findDuplicate(
  deps: EventDeps,
  actor: Principal,
  input: { id: string; text: string; lon: number; lat: number; path: string; now: Date },
  candidates: EventRow[],
  options: { radiusM: number; minSimilarity: number },
) {
  const near = candidates
    .map((c) => ({ c, distanceM: Math.round(distance(input.lon, input.lat, c.lon, c.lat) * 1000) }))
    .filter((x) => x.distanceM <= options.radiusM);
  if (near.length === 0) return null;
  const logged = near.map((x) => ({
    id: x.c.id,
    text: x.c.description,
    distanceM: x.distanceM,
    minutesAgo: Math.round((input.now.getTime() - x.c.created_at.getTime()) / 60_000),
  }));
  return deps.algorithms.runOrFallback<{ text: string; candidates: typeof logged }, DedupeOutput>(
    DEDUPE,
    { text: input.text, candidates: logged },
    ({ text, candidates: cs }) => {
      const scored = cs.map((c) => ({
        id: c.id,
        distanceM: c.distanceM,
        minutesAgo: c.minutesAgo,
        similarity: round(deps.classifier.similarity(text, c.text)),
      }));
      scored.sort((a, b) => b.similarity - a.similarity || a.distanceM - b.distanceM);
      const best = scored[0];
      const hit = best && best.similarity >= options.minSimilarity ? best : undefined;
      return {
        output: {
          mergeInto: hit?.id ?? null,
          similarity: best?.similarity ?? null,
          distanceM: best?.distanceM ?? null,
          candidates: scored,
        },
        explanation: hit
          ? {
              text: `duplicate of ${hit.id}: ${hit.distanceM} m away, ${hit.minutesAgo} min earlier, text similarity ${hit.similarity} ≥ ${options.minSimilarity}`,
              zh: `与 ${hit.id} 重复：相距 ${hit.distanceM} 米，早 ${hit.minutesAgo} 分钟，文本相似度 ${hit.similarity}`,
            }
          : {
              text: `not a duplicate: best similarity ${best?.similarity ?? 0} < ${options.minSimilarity} among ${scored.length} nearby events`,
              zh: `非重复：附近 ${scored.length} 件中最高相似度 ${best?.similarity ?? 0}`,
            },
      };
    },
    { principal: actor, subjects: [{ type: 'event', id: input.id }], jurisdictionPath: input.path },
  );
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
