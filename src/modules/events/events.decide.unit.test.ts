/** The event centre's decisions — classification and duplicate detection — no database. */
import { describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import type { Classification } from '../classification/index.ts';
import { CLASSIFY, classifyText, DEDUPE, type DedupeOutput, findDuplicate } from './events.decide.ts';
import type { EventDeps } from './events.deps.ts';
import type { EventRow } from './events.repository.ts';

const M = 1 / 111_195; // about one metre of latitude, in degrees
const NOW = new Date('2025-11-20T08:00:00Z');

interface Call {
  key: string;
  input: unknown;
  context: unknown;
}

/** Deps with a scripted classifier and a pass-through gate that records each call. */
function deps(options: {
  classification?: Partial<Classification>;
  similarity?: Record<string, number>;
  gate?: 'off';
}) {
  const calls: Call[] = [];
  const d = {
    classifier: {
      classify: (): Classification => ({
        category: 'street_vending',
        confidence: 0.91,
        needsHuman: false,
        alternatives: [
          { category: 'street_vending', p: 0.91 },
          { category: 'littering', p: 0.05 },
          { category: 'noise', p: 0.03 },
          { category: 'smoke', p: 0.01 },
        ],
        explanation: [
          { term: '摆摊', kind: 'word', weight: 2.1 },
          { term: '占道', kind: 'word', weight: 1.4 },
        ],
        ...options.classification,
      }),
      similarity: (_a: string, b: string) => options.similarity?.[b] ?? 0,
    },
    algorithms: {
      runOrFallback: async (
        key: string,
        input: unknown,
        impl: (i: unknown, m: { key: string; version: string }) => Promise<object> | object,
        context: unknown,
      ) => {
        calls.push({ key, input, context });
        if (options.gate === 'off')
          return { decided: false, decisionId: 'd0', reason: 'algorithm_not_in_use' };
        return {
          decided: true,
          decisionId: `d${calls.length}`,
          key,
          version: '1',
          subjects: [],
          ...(await impl(input, { key, version: '1' })),
        };
      },
    },
  } as unknown as EventDeps;
  return { deps: d, calls };
}

describe('classifyText', () => {
  it('passes the classifier’s answer through the gate with its reasons, in English and Chinese', async () => {
    const { deps: d, calls } = deps({});
    const decision = await classifyText(d, SYSTEM_PRINCIPAL, '解放碑有人占道摆摊', 'E1', '50/500103');
    if (!decision.decided) throw new Error('expected a decision');
    expect(decision.output).toEqual({
      category: 'street_vending',
      confidence: 0.91,
      needsHuman: false,
      alternatives: [
        { category: 'street_vending', p: 0.91 },
        { category: 'littering', p: 0.05 },
        { category: 'noise', p: 0.03 },
      ],
    });
    expect(decision.explanation).toMatchObject({
      text: 'classified as street_vending (confidence 0.91) from terms 摆摊、占道; next littering 0.05',
      zh: '判定为 street_vending（置信度 0.91），依据词语：摆摊、占道',
    });
    expect(calls).toEqual([
      {
        key: CLASSIFY,
        input: { text: '解放碑有人占道摆摊' },
        context: {
          principal: SYSTEM_PRINCIPAL,
          subjects: [{ type: 'event', id: 'E1' }],
          jurisdictionPath: '50/500103',
        },
      },
    ]);
  });

  it.each<[string, Partial<Classification>, string]>([
    [
      'below the threshold: says a person must look',
      { confidence: 0.42, needsHuman: true },
      'classified as street_vending (confidence 0.42, below threshold: human triage) from terms 摆摊、占道; next littering 0.05',
    ],
    [
      'one alternative only: no “next”',
      { alternatives: [{ category: 'street_vending', p: 1 }] },
      'classified as street_vending (confidence 0.91) from terms 摆摊、占道',
    ],
    [
      'no terms',
      { explanation: [], alternatives: [] },
      'classified as street_vending (confidence 0.91) from terms ',
    ],
  ])('explains the edge case %s', async (_, classification, text) => {
    const decision = await classifyText(deps({ classification }).deps, SYSTEM_PRINCIPAL, 'x', 'E1', '50');
    expect(decision.decided && decision.explanation.text).toBe(text);
  });

  it('answers not decided when the classifier is not in use (the event goes to triage)', async () => {
    const decision = await classifyText(deps({ gate: 'off' }).deps, SYSTEM_PRINCIPAL, 'x', 'E1', '50');
    expect(decision).toMatchObject({ decided: false, reason: 'algorithm_not_in_use' });
  });
});

const candidate = (id: string, over: { north?: number; minutesAgo?: number; text?: string } = {}) =>
  ({
    id,
    description: over.text ?? `text of ${id}`,
    lon: 106.5,
    lat: 29.5 + (over.north ?? 0) * M,
    created_at: new Date(NOW.getTime() - (over.minutesAgo ?? 10) * 60_000),
  }) as EventRow;

const input = {
  id: 'E9',
  text: '解放碑步行街占道摆摊',
  lon: 106.5,
  lat: 29.5,
  path: '50/500103/500103003',
  now: NOW,
};
const options = { radiusM: 200, minSimilarity: 0.35 };

async function dedupe(candidates: EventRow[], similarity: Record<string, number>, opts = options) {
  const { deps: d, calls } = deps({ similarity });
  const found = await findDuplicate(d, SYSTEM_PRINCIPAL, input, candidates, opts);
  return { found, calls, output: found?.decided ? (found.output as DedupeOutput) : undefined };
}

describe('findDuplicate', () => {
  it('merges into the most similar nearby event, saying how far, how long ago and how similar', async () => {
    const { found, output, calls } = await dedupe(
      [candidate('E1', { north: 50, minutesAgo: 30 }), candidate('E2', { north: 120, minutesAgo: 5 })],
      { 'text of E1': 0.4, 'text of E2': 0.72 },
    );
    expect(output).toEqual({
      mergeInto: 'E2',
      similarity: 0.72,
      distanceM: 120,
      candidates: [
        { id: 'E2', distanceM: 120, minutesAgo: 5, similarity: 0.72 },
        { id: 'E1', distanceM: 50, minutesAgo: 30, similarity: 0.4 },
      ],
    });
    expect(found?.decided && found.explanation).toMatchObject({
      text: 'duplicate of E2: 120 m away, 5 min earlier, text similarity 0.72 ≥ 0.35',
      zh: '与 E2 重复：相距 120 米，早 5 分钟，文本相似度 0.72',
    });
    expect(calls[0]).toMatchObject({
      key: DEDUPE,
      input: {
        text: input.text,
        candidates: [
          { id: 'E1', text: 'text of E1', distanceM: 50, minutesAgo: 30 },
          { id: 'E2', text: 'text of E2', distanceM: 120, minutesAgo: 5 },
        ],
      },
      context: { subjects: [{ type: 'event', id: 'E9' }], jurisdictionPath: input.path },
    });
  });

  it.each<[string, number, string | null]>([
    ['exactly at the threshold: a duplicate', 0.35, 'E1'],
    ['just below the threshold: not one', 0.349, null],
    ['identical text', 1, 'E1'],
    ['nothing in common', 0, null],
  ])('similarity %s', async (_, similarity, mergeInto) => {
    const { output } = await dedupe([candidate('E1', { north: 10 })], { 'text of E1': similarity });
    expect(output?.mergeInto).toBe(mergeInto);
  });

  it('says why it is not a duplicate', async () => {
    const { found } = await dedupe([candidate('E1'), candidate('E2', { north: 30 })], { 'text of E1': 0.2 });
    expect(found?.decided && found.explanation).toMatchObject({
      text: 'not a duplicate: best similarity 0.2 < 0.35 among 2 nearby events',
      zh: '非重复：附近 2 件中最高相似度 0.2',
    });
  });

  it('breaks a similarity tie by distance: the nearer event wins', async () => {
    const { output } = await dedupe(
      [candidate('far', { north: 150 }), candidate('near', { north: 20 }), candidate('mid', { north: 80 })],
      { 'text of far': 0.6, 'text of near': 0.6, 'text of mid': 0.6 },
    );
    expect(output?.mergeInto).toBe('near');
    expect(output?.candidates.map((c) => c.id)).toEqual(['near', 'mid', 'far']);
  });

  it('rounds similarity to three decimals before comparing', async () => {
    // 0.3496 rounds to 0.35, which meets the threshold.
    const { output } = await dedupe([candidate('E1')], { 'text of E1': 0.3496 });
    expect([output?.similarity, output?.mergeInto]).toEqual([0.35, 'E1']);
  });

  it.each<[string, number, boolean]>([
    ['inside the radius', 150, true],
    ['on the radius', 200, true],
    ['just outside the radius', 202, false],
  ])('keeps a candidate %s', async (_, north, kept) => {
    const { output, calls } = await dedupe([candidate('E1', { north })], { 'text of E1': 0.9 });
    expect(calls).toHaveLength(kept ? 1 : 0);
    expect(output?.mergeInto ?? null).toBe(kept ? 'E1' : null);
  });

  it('asks the gate nothing (and logs no decision) when no candidate is within the radius', async () => {
    const { found, calls } = await dedupe([candidate('E1', { north: 5000 })], { 'text of E1': 1 });
    expect(found).toBeNull();
    expect(calls).toEqual([]);
    expect((await dedupe([], {})).found).toBeNull();
  });

  it('reports the earlier event’s age in whole minutes', async () => {
    const { output } = await dedupe([candidate('E1', { minutesAgo: 44.6 })], { 'text of E1': 0.9 });
    expect(output?.candidates[0]?.minutesAgo).toBe(45);
  });
});
