import { AppError } from '../../platform/errors.ts';
import {
  NEED_SOURCES,
  type NeedCategory,
  type NeedSource,
  needCategoryOf,
  RESOURCE_KINDS,
  type ResourceKind,
} from './matching.categories.ts';
import type { Need, Resource } from './matching.engine.ts';
import { minutesOf, type OpeningInterval } from './matching.hours.ts';

/** Why a row is refused (the `details.reason` of the 422 `invalid_data`). */
export type RowReason =
  | 'missing_coordinates'
  | 'invalid_coordinates'
  | 'unknown_category'
  | 'unknown_source'
  | 'unknown_kind'
  | 'missing_window'
  | 'invalid_time'
  | 'window_end_before_start'
  | 'invalid_quantity'
  | 'capacity_not_positive'
  | 'invalid_hours'
  | 'invalid_radius'
  | 'invalid_urgency'
  | 'missing_field'
  | 'duplicate_id';

interface Problem {
  row: number;
  id: string | null;
  field: string;
  reason: RowReason;
}

class RowError extends Error {
  readonly field: string;
  readonly reason: RowReason;
  constructor(field: string, reason: RowReason) {
    super(`${field}: ${reason}`);
    this.field = field;
    this.reason = reason;
  }
}

type Row = Record<string, unknown>;
const num = (v: unknown): number | undefined =>
  v === undefined || v === null || v === '' ? undefined : typeof v === 'number' ? v : Number(String(v));
const ID = /^[0-9A-Za-z_.:@-]{1,64}$/;

function coordinates(row: Row): { lon: number; lat: number } {
  const lon = num(row.lon ?? row.lng ?? row.longitude);
  const lat = num(row.lat ?? row.latitude);
  if (lon === undefined) throw new RowError('lon', 'missing_coordinates');
  if (lat === undefined) throw new RowError('lat', 'missing_coordinates');
  if (!Number.isFinite(lon) || lon < -180 || lon > 180) throw new RowError('lon', 'invalid_coordinates');
  if (!Number.isFinite(lat) || lat < -90 || lat > 90) throw new RowError('lat', 'invalid_coordinates');
  return { lon, lat };
}

function time(row: Row, field: string, fallback?: number): number {
  const v = row[field];
  if (v === undefined || v === null || v === '') {
    if (fallback !== undefined) return fallback;
    throw new RowError(field, 'missing_window');
  }
  const t = typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) ? Date.parse(v) : Number.NaN;
  if (!Number.isFinite(t)) throw new RowError(field, 'invalid_time');
  return t;
}

function integer(row: Row, field: string, dflt: number, min: number, max: number, reason: RowReason): number {
  const v = num(row[field]);
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min || v > max) throw new RowError(field, reason);
  return v;
}

function need(row: Row, now: number): Omit<Need, 'id'> {
  const category = needCategoryOf(row.category);
  if (!category) throw new RowError('category', 'unknown_category');
  const source = (row.source ?? 'citizen_request') as NeedSource;
  if (!NEED_SOURCES.includes(source)) throw new RowError('source', 'unknown_source');
  const where = coordinates(row);
  const windowStart = time(row, 'windowStart');
  const windowEnd = time(row, 'windowEnd');
  if (windowEnd <= windowStart) throw new RowError('windowEnd', 'window_end_before_start');
  return {
    source,
    category,
    ...where,
    windowStart,
    windowEnd,
    quantity: integer(row, 'quantity', 1, 1, 10_000, 'invalid_quantity'),
    durationMinutes: integer(row, 'durationMinutes', 30, 1, 24 * 60, 'invalid_quantity'),
    urgency: integer(row, 'urgency', 3, 1, 5, 'invalid_urgency'),
    createdAt: time(row, 'createdAt', now),
    synthetic: row.synthetic === true,
  };
}

function hours(v: unknown): OpeningInterval[] {
  if (!Array.isArray(v) || !v.length) throw new RowError('hours', 'invalid_hours');
  return v.map((h: { days?: unknown; open?: unknown; close?: unknown }, k) => {
    const days = h?.days;
    const open = minutesOf(h?.open);
    const close = minutesOf(h?.close);
    const okDays =
      Array.isArray(days) && days.length && days.every((d) => Number.isInteger(d) && d >= 1 && d <= 7);
    if (!okDays || open === undefined || close === undefined || close <= open)
      throw new RowError(`hours[${k}]`, 'invalid_hours');
    return { days: [...new Set(days as number[])].sort(), open: h.open as string, close: h.close as string };
  });
}

function resource(row: Row): Omit<Resource, 'id'> {
  const kind = row.kind as ResourceKind;
  if (!RESOURCE_KINDS.includes(kind)) throw new RowError('kind', 'unknown_kind');
  const cats = Array.isArray(row.categories) ? row.categories : [row.category];
  const categories = cats.map(needCategoryOf);
  if (!categories.length || categories.some((c) => !c)) throw new RowError('categories', 'unknown_category');
  if (typeof row.name !== 'string' || !row.name.trim()) throw new RowError('name', 'missing_field');
  const capacity = num(row.capacity);
  if (capacity === undefined) throw new RowError('capacity', 'missing_field');
  if (!Number.isInteger(capacity) || capacity <= 0) throw new RowError('capacity', 'capacity_not_positive');
  const where = coordinates(row);
  const radiusM = num(row.radiusM) ?? 1000;
  if (!Number.isFinite(radiusM) || radiusM <= 0 || radiusM > 50_000)
    throw new RowError('radiusM', 'invalid_radius');
  return {
    kind,
    name: row.name.trim(),
    categories: [...new Set(categories as NeedCategory[])],
    capacity,
    hours: hours(row.hours),
    ...where,
    radiusM,
    synthetic: row.synthetic === true,
  };
}

function parseAll<T>(
  rows: unknown[],
  what: string,
  make: (row: Row) => T,
  idOf: (k: number) => string,
): (T & { id: string })[] {
  const problems: Problem[] = [];
  const out: (T & { id: string })[] = [];
  const seen = new Set<string>();
  rows.forEach((raw, k) => {
    const row = (raw && typeof raw === 'object' ? raw : {}) as Row;
    const id = row.id === undefined || row.id === null || row.id === '' ? undefined : String(row.id);
    try {
      if (id !== undefined && !ID.test(id)) throw new RowError('id', 'missing_field');
      const finalId = id ?? idOf(k);
      if (seen.has(finalId)) throw new RowError('id', 'duplicate_id');
      seen.add(finalId);
      out.push({ ...make(row), id: finalId });
    } catch (err) {
      if (!(err instanceof RowError)) throw err;
      problems.push({ row: k + 1, id: id ?? null, field: err.field, reason: err.reason });
    }
  });
  const first = problems[0];
  if (first)
    throw new AppError(
      'invalid_data',
      `${what} row ${first.row}${first.id ? ` (id ${first.id})` : ''}: ${first.field} ${first.reason}`,
      { ...first, problemCount: problems.length, problems: problems.slice(0, 50) },
    );
  return out;
}

/** Validates needs, all or nothing: the first bad row is named (row from 1, field, reason). */
export function parseNeeds(rows: unknown[], now: number, idOf: (k: number) => string): Need[] {
  return parseAll(rows, 'need', (row) => need(row, now), idOf);
}

/** Validates resources, all or nothing: the first bad row is named (row from 1, field, reason). */
export function parseResources(rows: unknown[], idOf: (k: number) => string): Resource[] {
  return parseAll(rows, 'resource', resource, idOf);
}
