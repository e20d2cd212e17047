import { type ConditionOptions, compileCondition, conditionMetrics } from './conditions.ts';
import { type CondState, type Evaluator, type Facts, newCtx, type Reading } from './evaluator.ts';
import type { Subject } from './predicate.ts';
import type { Rule } from './rule.schema.ts';

/** A rule's state for one subject as persisted between restarts. */
export interface StoredState {
  ruleId: string;
  subject: string;
  version: number;
  active: boolean;
  state: CondState;
}

/** A rule started (raise) or stopped (clear) holding for a subject. */
export interface Transition {
  kind: 'raise' | 'clear';
  rule: Rule;
  subject: Subject;
  /** Observation time (or clock time for timer decisions) the decision refers to. */
  at: number;
  validFrom: number;
  facts: Facts;
}

interface Entry {
  rule: Rule;
  subject: Subject;
  ev: Evaluator;
  state: CondState;
}

/** Engine settings: see ConditionOptions. */
export type EngineOptions = ConditionOptions;

/** True when the rule's scope covers the subject. */
export function inRuleScope(rule: Rule, s: Subject): boolean {
  const { deviceTypes, jurisdictionPrefix: prefix, deviceIds } = rule.scope;
  if (!rule.enabled) return false;
  if (deviceTypes && !deviceTypes.includes(s.type)) return false;
  if (deviceIds && !deviceIds.includes(s.id)) return false;
  return !prefix || s.jurisdictionPath === prefix || s.jurisdictionPath.startsWith(`${prefix}/`);
}

/**
 * The streaming rules core, free of I/O: holds compiled rules and every (rule, subject) state
 * in memory, turns readings and clock ticks into raise/clear transitions, and hands back the
 * states that changed so the caller persists them in the same transaction as the readings.
 */
export class RuleEngine {
  private rules: Rule[] = [];
  private readonly options: EngineOptions;
  private readonly entries = new Map<string, Entry>();
  /** Per subject id: every entry that applies to it. */
  private readonly bySubject = new Map<string, Entry[]>();
  private readonly restored = new Map<string, StoredState>();
  private readonly dirty = new Set<Entry>();
  /** Readings skipped because their window or moment had already been decided. */
  late = 0;

  constructor(rules: Rule[], options: EngineOptions) {
    this.options = options;
    this.setRules(rules);
  }

  /** Replaces the rule set; states of rules whose version changed start afresh (keeping whether they held). */
  setRules(rules: Rule[]): void {
    this.rules = rules;
    for (const [key, e] of this.entries) this.restored.set(key, this.serialize(e));
    this.entries.clear();
    this.bySubject.clear();
  }

  /** No-data rules compiled from now on count silence from `t` at the earliest (set before the first tick). */
  setNoDataSince(t: number): void {
    this.options.noDataSince = t;
  }

  /** The active rule set. */
  get ruleSet(): readonly Rule[] {
    return this.rules;
  }

  /** Loads persisted states (at start, or after a failed transaction threw away the in-memory ones). */
  load(states: StoredState[]): void {
    this.dirty.clear();
    this.entries.clear();
    this.bySubject.clear();
    this.restored.clear();
    for (const s of states) this.restored.set(key(s.ruleId, s.subject), s);
  }

  /**
   * Replaces the states of the subjects `owns` selects with `states` (a rules process taking a
   * partition over, or giving one up with none); every other subject's state stays as it is.
   */
  replaceSubjects(owns: (subject: string) => boolean, states: StoredState[]): void {
    for (const [k, e] of this.entries) {
      if (!owns(e.subject.id)) continue;
      this.entries.delete(k);
      this.dirty.delete(e);
    }
    for (const id of [...this.bySubject.keys()]) if (owns(id)) this.bySubject.delete(id);
    for (const [k, s] of this.restored) if (owns(s.subject)) this.restored.delete(k);
    for (const s of states) this.restored.set(key(s.ruleId, s.subject), s);
  }

  /** Forgets a subject's compiled rules (its device changed); its states are kept. */
  refreshSubject(id: string): void {
    for (const e of this.bySubject.get(id) ?? []) {
      const k = key(e.rule.id, id);
      this.restored.set(k, this.serialize(e));
      this.entries.delete(k);
    }
    this.bySubject.delete(id);
  }

  /** Metrics any rule reads: the only readings the intake needs to hand over. */
  get metricsInUse(): string[] {
    return [...new Set(this.rules.flatMap((r) => conditionMetrics(r.condition)))];
  }

  /**
   * Feeds an arrival from a subject at `arrival` (clock) and its new readings (any order, only
   * metrics in use needed; none for a redelivery); returns the transitions.
   */
  onReadings(subject: Subject, readings: Reading[], arrival: number): Transition[] {
    const out: Transition[] = [];
    const sorted = readings.length > 1 ? [...readings].sort((a, b) => a.t - b.t) : readings;
    for (const e of this.entriesFor(subject, arrival)) {
      const ctx = newCtx(arrival);
      e.ev.arrived?.(e.state, arrival, ctx);
      const metrics = e.ev.metrics;
      for (const r of sorted) if (metrics.has(r.metric)) e.ev.reading(e.state, r, ctx);
      this.collect(e, ctx, out);
    }
    return out;
  }

  /** Clock-driven evaluation: no_data timers and windows of silent subjects. */
  onTick(now: number, subjects: Iterable<Subject>): Transition[] {
    const out: Transition[] = [];
    for (const subject of subjects) {
      // Subjects that have reported get every rule (no_data must fire after a restart too).
      const entries =
        this.bySubject.get(subject.id) ?? this.entriesFor(subject, now, subject.lastSeenAt !== null);
      for (const e of entries) {
        const ctx = newCtx(now);
        e.ev.tick(e.state, now, ctx);
        this.collect(e, ctx, out);
      }
    }
    return out;
  }

  /** States changed since the last call, serialised for the store; clears their dirty marks. */
  takeDirty(): StoredState[] {
    const out = [...this.dirty].map((e) => this.serialize(e));
    this.dirty.clear();
    return out;
  }

  private collect(e: Entry, ctx: ReturnType<typeof newCtx>, out: Transition[]): void {
    this.late += ctx.late;
    if (ctx.dirty || ctx.decisions.length) this.dirty.add(e);
    for (const d of ctx.decisions) {
      out.push({
        kind: d.active ? 'raise' : 'clear',
        rule: e.rule,
        subject: e.subject,
        at: d.at,
        validFrom: d.validFrom,
        facts: d.facts,
      });
    }
  }

  /** The subject's entries; `create` compiles missing ones, otherwise only existing or persisted states count. */
  private entriesFor(subject: Subject, arrival: number, create = true): Entry[] {
    const cached = this.bySubject.get(subject.id);
    if (cached) return cached;
    const list: Entry[] = [];
    for (const rule of this.rules) {
      if (!inRuleScope(rule, subject)) continue;
      const k = key(rule.id, subject.id);
      const existing = this.entries.get(k);
      if (existing) {
        list.push(existing);
        continue;
      }
      const stored = this.restored.get(k);
      if (!create && !stored) continue;
      const ev = compileCondition(rule.condition, subject, this.options);
      if (!ev) continue;
      let state: CondState;
      if (stored && stored.version === rule.version) state = stored.state;
      else {
        state = ev.init(subject.lastSeenAt ?? arrival);
        if (stored) state.active = stored.active;
      }
      ev.restore?.(state, subject);
      this.restored.delete(k);
      const entry: Entry = { rule, subject, ev, state };
      // A fresh state needs no write (a restart would create the same one); a version change carries `active` over.
      if (stored && stored.version !== rule.version) this.dirty.add(entry);
      this.entries.set(k, entry);
      list.push(entry);
    }
    // Only a complete list (every applicable rule compiled) may be cached.
    if (create) this.bySubject.set(subject.id, list);
    return list;
  }

  private serialize(e: Entry): StoredState {
    return {
      ruleId: e.rule.id,
      subject: e.subject.id,
      version: e.rule.version,
      active: e.state.active,
      state: e.state,
    };
  }
}

function key(ruleId: string, subject: string): string {
  return `${ruleId}\u0000${subject}`;
}
