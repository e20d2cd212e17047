import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../platform/errors.ts';
import { FIWARE_TO_GB3838 } from '../../water/index.ts';
import { DEVICE_TYPES, isMetricOf } from '../sensing.catalogue.ts';
import { conditionMetrics } from './conditions.ts';
import { type Rule, RuleSchema } from './rule.schema.ts';

/**
 * Validates rules: the schema, unique ids, metrics that exist for the types in scope, and
 * gb3838 tests only on metrics that have a GB 3838 parameter. Errors name the source.
 */
export function parseRules(sources: { name: string; json: unknown }[]): Rule[] {
  const rules: Rule[] = [];
  const ids = new Set<string>();
  for (const { name, json } of sources) {
    for (const [i, item] of (Array.isArray(json) ? json : [json]).entries()) {
      const where = `${name}${Array.isArray(json) ? `[${i}]` : ''}`;
      const parsed = RuleSchema.safeParse(item);
      if (!parsed.success) {
        const issue = parsed.error.issues[0]!;
        throw new AppError('invalid_data', `${where}: ${issue.path.join('.')}: ${issue.message}`, {
          issues: parsed.error.issues,
        });
      }
      const rule = parsed.data;
      if (ids.has(rule.id))
        throw new AppError('invalid_data', `${where}: rule id '${rule.id}' is used twice`);
      ids.add(rule.id);
      const types = rule.scope.deviceTypes ?? DEVICE_TYPES;
      for (const metric of conditionMetrics(rule.condition)) {
        if (!types.some((t) => isMetricOf(t, metric))) {
          throw new AppError('invalid_data', `${where}: no device type in scope reports '${metric}'`);
        }
      }
      if (JSON.stringify(rule.condition).includes('"gb3838"')) {
        const unmapped = conditionMetrics(rule.condition).filter((m) => !FIWARE_TO_GB3838[m]);
        if (unmapped.length)
          throw new AppError('invalid_data', `${where}: '${unmapped[0]}' has no GB 3838 limit`);
      }
      rules.push(rule);
    }
  }
  return rules;
}

/** Loads every `*.json` rule file of a directory (a file holds one rule or an array), sorted by name. */
export function loadRuleFiles(dir: string): Rule[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  return parseRules(
    files.map((f) => {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      try {
        return { name: f, json: JSON.parse(text) };
      } catch (error) {
        throw new AppError('invalid_data', `${f}: ${(error as Error).message}`);
      }
    }),
  );
}

/** The rule files shipped with citybrain (data/sensing/rules). */
export const DEFAULT_RULES_DIR = path.resolve(import.meta.dirname, '../../../../data/sensing/rules');
