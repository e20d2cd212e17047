import type { Facts } from '../rules/evaluator.ts';
import type { Subject } from '../rules/predicate.ts';
import type { Rule } from '../rules/rule.schema.ts';

/**
 * Fills a rule's description template: {section} (monitoring section, else device name),
 * {device}, {deviceId}, {metric}, {value}, {limit}, {class}, {consecutive}, {minutes}, {change}.
 * Unknown placeholders stay as written so a typo is visible rather than silently empty.
 */
export function describeAlert(rule: Rule, subject: Subject, facts: Facts): string {
  const condition = rule.condition;
  const metric = 'metric' in condition ? condition.metric : '';
  const values: Record<string, string | number | null | undefined> = {
    ...facts,
    section: subject.sectionName ?? subject.name,
    device: subject.name,
    deviceId: subject.id,
    metric,
    class: facts.class ?? subject.targetClass,
  };
  return rule.alert.description.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = values[name];
    return v === undefined || v === null ? whole : String(v);
  });
}
