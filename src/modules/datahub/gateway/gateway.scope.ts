import { AppError } from '../../../platform/errors.ts';
import { type Filter, nextCode } from '../connectors/index.ts';
import type { ResourceDto } from '../datahub.schema.ts';
import type { Consumer } from './gateway.consumers.ts';
import type { ExchangeScope } from './gateway.schema.ts';

/**
 * The scope of a consumer's exchange of a resource. A city department's consumer sees every row.
 * A district's or a street's sees only the rows whose scope field (the catalogue field flagged
 * `scope`, holding a division code) lies in its jurisdiction — `field ≥ code and field < next`,
 * two filters that every connector pushes down like the consumer's own. A resource without a
 * scope field holds no place per row: it is served as before, decided by the negative list alone.
 */
export function scopeOf(consumer: Consumer, resource: ResourceDto): ExchangeScope {
  const field = resource.fields.find((f) => f.scope)?.name ?? null;
  const base = { jurisdictionCode: consumer.jurisdictionCode, level: consumer.level, field };
  if (consumer.level === 'city') return { ...base, applied: 'all', filters: [] };
  if (!field) return { ...base, applied: 'unscoped', filters: [] };
  const code = consumer.jurisdictionCode;
  const next = nextCode(code);
  if (!next)
    throw new AppError('forbidden', `the jurisdiction '${code}' cannot be turned into a range of codes`, {
      reason: 'scope_unbounded',
      jurisdictionCode: code,
    });
  return {
    ...base,
    applied: 'within',
    filters: [
      { field, op: 'gte', value: code },
      { field, op: 'lt', value: next },
    ],
  };
}

/** The consumer's filters and the scope's: the source answers only rows that pass both. */
export function scopedFilters(filters: Filter[], scope: ExchangeScope): Filter[] {
  return scope.filters.length === 0 ? filters : [...filters, ...scope.filters];
}

/** The scope as the exchange log keeps it: `all:50`, `unscoped:500103`, `within:500103:district_code`. */
export function scopeLabel(scope: ExchangeScope): string {
  return scope.applied === 'within'
    ? `within:${scope.jurisdictionCode}:${scope.field}`
    : `${scope.applied}:${scope.jurisdictionCode}`;
}
