import type { z } from 'zod';

/** The registry: subject name → zod schema of its payload. Modules declare theirs; the app merges them. */
export type SubjectMap = Record<string, z.ZodType>;

/** Subject names of a registry. */
export type SubjectOf<M extends SubjectMap> = keyof M & string;

/** What a publisher passes for a subject (the schema's input). */
export type PayloadIn<M extends SubjectMap, S extends SubjectOf<M>> = z.input<M[S]>;

/** What a handler receives for a subject (the schema's output). */
export type PayloadOut<M extends SubjectMap, S extends SubjectOf<M>> = z.output<M[S]>;

/** A subject or a NATS-style pattern: `*` matches one token, a trailing `>` one or more. */
export type Pattern<M extends SubjectMap> = SubjectOf<M> | `${string}*${string}` | `${string}>`;

// Token-by-token match of a subject against a pattern, at the type level, so a wildcard
// subscription's handler gets the union of exactly the payloads it can receive.
type Match<S extends string, P extends string> = P extends '>'
  ? true
  : P extends `${infer PH}.${infer PR}`
    ? S extends `${infer SH}.${infer SR}`
      ? PH extends '*' | SH
        ? Match<SR, PR>
        : false
      : false
    : S extends `${string}.${string}`
      ? false
      : P extends '*' | S
        ? true
        : false;

/** The registry's subjects that a pattern matches. */
export type Matching<M extends SubjectMap, P extends string> = {
  [K in SubjectOf<M>]: Match<K, P> extends true ? K : never;
}[SubjectOf<M>];

type MergeAll<T extends readonly unknown[]> = T extends readonly [infer H, ...infer R]
  ? H & MergeAll<R>
  : unknown;

const SUBJECT = /^[a-z][a-z0-9_-]*(\.[a-z0-9_-]+)+$/;
const PATTERN_TOKEN = /^([a-z0-9_-]+|\*|>)$/;

/** Declares a module's subjects; names are checked here so a typo fails at start, not on the wire. */
export function defineSubjects<const M extends SubjectMap>(map: M): M {
  for (const name of Object.keys(map)) {
    if (!SUBJECT.test(name))
      throw new Error(`invalid bus subject '${name}' (want e.g. 'sensing.alert.raised')`);
  }
  return map;
}

/** Merges modules' subject maps into the one registry; a subject declared twice is an error. */
export function mergeSubjects<const T extends readonly SubjectMap[]>(...maps: T): MergeAll<T> {
  const merged: SubjectMap = {};
  for (const map of maps) {
    for (const [name, schema] of Object.entries(map)) {
      if (merged[name]) throw new Error(`bus subject '${name}' is declared twice`);
      merged[name] = schema;
    }
  }
  return merged as MergeAll<T>;
}

/** Throws unless `pattern` is a subject or a well-formed wildcard pattern (`>` only last). */
export function assertPattern(pattern: string): void {
  const tokens = pattern.split('.');
  const ok = tokens.every((t, i) => PATTERN_TOKEN.test(t) && (t !== '>' || i === tokens.length - 1));
  if (!ok) throw new Error(`invalid bus subject pattern '${pattern}'`);
}

/** Whether a subject matches a pattern, with NATS wildcard rules. */
export function subjectMatches(pattern: string, subject: string): boolean {
  if (pattern === subject) return true;
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}
