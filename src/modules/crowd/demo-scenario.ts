/** Counts of a crowd scenario, deterministic, at slightly irregular times (every ~sampleSeconds). */
import type { CrowdScenario } from './crowd.schema.ts';
import type { Sample } from './forecast.ts';

/** People-count samples per area for the `minutes` before `alertAt` (inclusive). */
export function scenarioCounts(scenario: CrowdScenario): Map<string, Sample[]> {
  const end = Date.parse(scenario.alertAt);
  const step = scenario.sampleSeconds * 1000;
  const n = Math.round((scenario.minutes * 60_000) / step);
  const out = new Map<string, Sample[]>();
  scenario.areas.forEach((a, j) => {
    const samples: Sample[] = [];
    for (let k = 0; k <= n; k++) {
      // Irregular timestamps (±4 s jitter, none on the last) exercise resampling.
      const jitter = k === n ? 0 : ((k % 3) - 1) * 4000;
      const t = end - (n - k) * step + jitter;
      const minutes = (t - (end - scenario.minutes * 60_000)) / 60_000;
      const trend = a.startCount + a.perMinute * minutes;
      samples.push({ t, value: Math.round(trend * (1 + scenario.noise * Math.sin(1.7 * k + j))) });
    }
    out.set(a.areaId, samples);
  });
  return out;
}
