import { describe, expect, it } from 'vitest';
import { RuleEngine, type StoredState } from './engine.ts';
import type { Subject } from './predicate.ts';
import { type Rule, RuleSchema } from './rule.schema.ts';

const MIN = 60_000;
const options = { latenessMs: 2 * 60 * MIN, idleCloseMs: 10 * MIN, dayOffsetMinutes: 480 };
const rule: Rule = RuleSchema.parse({
  id: 'device.no-data-30min',
  version: 1,
  name: '设备30分钟无数据',
  condition: { kind: 'no_data', minutes: 30 },
  alert: { category: 'security', subCategory: 'deviceOffline', severity: 'low', description: 'x' },
});
const stopped = Date.parse('2026-12-07T08:00:00+08:00');
const restarted = stopped + 3 * 60 * MIN;
/** Devices that reported until the process stopped, 3 hours before it started again. */
const devices: Subject[] = Array.from({ length: 50 }, (_, i) => ({
  id: `tf-${i}`,
  type: 'TrafficFlowObserved',
  name: `detector ${i}`,
  jurisdictionPath: '50/500103',
  lon: 106.57,
  lat: 29.55,
  sectionName: null,
  targetClass: null,
  waterBody: null,
  lastSeenAt: stopped,
}));
/** Their persisted states (fresh objects: the engine works on them in place). */
const stored = (): StoredState[] =>
  devices.map((d) => ({
    ruleId: rule.id,
    subject: d.id,
    version: 1,
    active: false,
    state: { active: false, arrival: stopped } as StoredState['state'],
  }));

describe('no-data rule after a restart', () => {
  it('by default reports every device silent at the first tick after a long stop', () => {
    const engine = new RuleEngine([rule], options);
    engine.load(stored());
    expect(engine.onTick(restarted, devices).filter((t) => t.kind === 'raise')).toHaveLength(50);
  });

  it('with the grace (noDataSince = the start) counts silence from the start: nothing at once, then only the still silent', () => {
    const engine = new RuleEngine([rule], options);
    engine.setNoDataSince(restarted);
    engine.load(stored());
    expect(engine.onTick(restarted, devices)).toEqual([]);
    expect(engine.onTick(restarted + 29 * MIN, devices)).toEqual([]);
    // 40 devices report again after the start; 10 stay silent and are reported 30 minutes after it.
    for (const d of devices.slice(0, 40)) engine.onReadings(d, [], restarted + 5 * MIN);
    const raised = engine.onTick(restarted + 31 * MIN, devices).filter((t) => t.kind === 'raise');
    expect(raised.map((t) => t.subject.id).sort()).toEqual(
      devices
        .slice(40)
        .map((d) => d.id)
        .sort(),
    );
  });
});
