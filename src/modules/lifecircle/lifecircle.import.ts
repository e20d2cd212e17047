import { parse } from 'csv-parse/sync';
import { AppError } from '../../platform/errors.ts';
import { CATEGORIES, type Category, categoryOf } from './lifecircle.categories.ts';

/** A facility row as imported (stored with source `import`). */
export interface FacilityRow {
  id: string;
  name: string;
  category: Category;
  lon: number;
  lat: number;
}

/** Why a row is refused (the `details.reason` of the 422). */
export type RowProblem =
  | 'missing_coordinates'
  | 'invalid_coordinates'
  | 'unknown_category'
  | 'missing_name'
  | 'duplicate_id';

const num = (v: unknown): number | undefined => {
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  return Number.isFinite(n) ? n : Number.NaN;
};

/** JSON rows: an array, `{ facilities: [...] }`, or a GeoJSON FeatureCollection of Points. */
function jsonRows(body: unknown): Record<string, unknown>[] {
  const b = body as { type?: string; features?: unknown[]; facilities?: unknown[] };
  if (Array.isArray(body)) return body as Record<string, unknown>[];
  if (b && Array.isArray(b.facilities)) return b.facilities as Record<string, unknown>[];
  if (b && b.type === 'FeatureCollection' && Array.isArray(b.features)) {
    return b.features.map((f) => {
      const feature = f as {
        properties?: Record<string, unknown>;
        geometry?: { type?: string; coordinates?: unknown };
      };
      const c = feature?.geometry?.type === 'Point' ? (feature.geometry.coordinates as unknown[]) : [];
      return { ...(feature?.properties ?? {}), lon: c?.[0], lat: c?.[1] };
    });
  }
  throw new AppError(
    'invalid_request',
    'expected an array of facilities, { facilities: [...] } or a GeoJSON FeatureCollection of Points',
    {
      reason: 'bad_shape',
    },
  );
}

function jsonOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AppError('invalid_request', `not JSON: ${(err as Error).message}`, { reason: 'bad_json' });
  }
}

/** CSV rows: a header row naming `name`, `category`, `lon`, `lat` and optionally `id`. */
function csvRows(text: string): Record<string, unknown>[] {
  try {
    return parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<
      string,
      unknown
    >[];
  } catch (err) {
    throw new AppError('invalid_request', `not a CSV file with a header row: ${(err as Error).message}`, {
      reason: 'bad_csv',
    });
  }
}

/** One row checked: the facility, or why it is refused. */
function checkRow(
  rec: Record<string, unknown>,
  id: string | null,
  seen: Set<string>,
): FacilityRow | { reason: RowProblem; message: string } {
  const lon = num(rec.lon ?? rec.longitude ?? rec.lng);
  const lat = num(rec.lat ?? rec.latitude);
  const name = typeof rec.name === 'string' ? rec.name.trim() : '';
  const category = categoryOf(String(rec.category ?? ''));
  if (lon === undefined || lat === undefined)
    return { reason: 'missing_coordinates', message: 'no coordinates (lon and lat)' };
  if (Number.isNaN(lon) || Number.isNaN(lat) || Math.abs(lon) > 180 || Math.abs(lat) > 90)
    return {
      reason: 'invalid_coordinates',
      message: `coordinates ${String(rec.lon)}, ${String(rec.lat)} are not degrees`,
    };
  if (!category)
    return {
      reason: 'unknown_category',
      message: `unknown category '${String(rec.category ?? '')}' (one of ${CATEGORIES.join(', ')})`,
    };
  if (!name) return { reason: 'missing_name', message: 'no name' };
  const key = id ?? `${category}@${lon.toFixed(6)},${lat.toFixed(6)}`;
  if (seen.has(key)) return { reason: 'duplicate_id', message: `id ${key} repeats an earlier row` };
  seen.add(key);
  return { id: key, name, category, lon, lat };
}

/**
 * Parses and checks a facilities file, all or nothing: a row without coordinates, with
 * coordinates that are not degrees, an unknown category, no name or a repeated id refuses the
 * file with 422 `invalid_data` naming the first such row (1-based, header not counted), with
 * `details: { row, id, reason, problems[≤50], problemCount }`.
 */
export function parseFacilities(format: 'json' | 'csv', input: unknown): FacilityRow[] {
  const raw =
    format === 'csv' ? csvRows(String(input)) : jsonRows(typeof input === 'string' ? jsonOf(input) : input);
  const rows: FacilityRow[] = [];
  const problems: { row: number; id: string | null; reason: RowProblem; message: string }[] = [];
  const seen = new Set<string>();
  raw.forEach((r, k) => {
    const row = k + 1;
    const rec = (r ?? {}) as Record<string, unknown>;
    const id =
      rec.id !== undefined && rec.id !== null && String(rec.id).trim() !== '' ? String(rec.id).trim() : null;
    const checked = checkRow(rec, id, seen);
    if ('reason' in checked) {
      problems.push({
        row,
        id,
        reason: checked.reason,
        message: `row ${row}${id ? ` (id ${id})` : ''}: ${checked.message}`,
      });
    } else rows.push(checked);
  });
  const first = problems[0];
  if (first) {
    throw new AppError('invalid_data', first.message, {
      row: first.row,
      id: first.id,
      reason: first.reason,
      problemCount: problems.length,
      problems: problems.slice(0, 50),
    });
  }
  if (!rows.length)
    throw new AppError('invalid_data', 'no facilities in the file', { reason: 'empty', problemCount: 0 });
  return rows;
}
