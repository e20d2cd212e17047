/**
 * Congestion runs of one link over its 5-minute slots: a run starts at the first slot at or
 * above the alert level, is raised once it has lasted `raiseMinutes`, and ends (clears) after
 * `clearMinutes` of slots below the level. A slot without data breaks a run that is not yet
 * raised (as a window without readings breaks sensing's consecutive windows) and neither
 * extends nor ends a raised one. Pure: the service walks each link from where its last alert
 * left it, so re-walking the same slots finds the same runs (idempotent).
 */

/** One slot of a link: start (ms) and its travel-time index. */
export interface SlotTti {
  t: number;
  tti: number;
}

/** A congested run found in the slots. */
export interface Run {
  /** First congested slot (ms). */
  startedAt: number;
  /** End of the slot that made the run `raiseMinutes` long (ms). */
  raisedAt: number;
  /** End of the last congested slot, when the link has recovered (ms). */
  clearedAt: number | null;
  peakTti: number;
}

/** Walk rules. */
export interface RunRules {
  slotMs: number;
  /** TTI at or above which a slot is congested. */
  threshold: number;
  raiseMinutes: number;
  clearMinutes: number;
}

/**
 * The runs in time-ordered slots. `open` is a run already raised before these slots (its
 * alert is open): the walk continues it until it clears. Returns the open run's fate (its new
 * peak and clear time) and every new run.
 */
export function findRuns(
  slots: readonly SlotTti[],
  rules: RunRules,
  open?: { startedAt: number; peakTti: number },
): { continued?: Run; runs: Run[] } {
  const need = Math.max(1, Math.ceil(rules.raiseMinutes / (rules.slotMs / 60_000)));
  const recover = Math.max(1, Math.ceil(rules.clearMinutes / (rules.slotMs / 60_000)));
  const runs: Run[] = [];
  let continued: Run | undefined;
  // A raised run being followed: its run object, the end of its last congested slot, good slots since.
  let raised: { run: Run; lastBad: number; good: number } | undefined;
  if (open) {
    continued = {
      startedAt: open.startedAt,
      raisedAt: open.startedAt,
      clearedAt: null,
      peakTti: open.peakTti,
    };
    raised = { run: continued, lastBad: open.startedAt + rules.slotMs, good: 0 };
  }
  // A run not yet raised: its slots so far.
  let pending: { start: number; count: number; peak: number; next: number } | undefined;
  for (const s of slots) {
    const bad = s.tti >= rules.threshold;
    if (raised) {
      if (bad) {
        raised.good = 0;
        raised.lastBad = s.t + rules.slotMs;
        if (s.tti > raised.run.peakTti) raised.run.peakTti = s.tti;
      } else if (++raised.good >= recover) {
        raised.run.clearedAt = raised.lastBad;
        raised = undefined;
      }
      continue;
    }
    if (!bad) {
      pending = undefined;
      continue;
    }
    if (pending && pending.next === s.t) {
      pending.count++;
      pending.next = s.t + rules.slotMs;
      pending.peak = Math.max(pending.peak, s.tti);
    } else pending = { start: s.t, count: 1, peak: s.tti, next: s.t + rules.slotMs };
    if (pending.count >= need) {
      const run: Run = {
        startedAt: pending.start,
        raisedAt: s.t + rules.slotMs,
        clearedAt: null,
        peakTti: pending.peak,
      };
      runs.push(run);
      raised = { run, lastBad: s.t + rules.slotMs, good: 0 };
      pending = undefined;
    }
  }
  return { ...(continued ? { continued } : {}), runs };
}
