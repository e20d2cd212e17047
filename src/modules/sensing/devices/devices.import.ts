import { AppError } from '../../../platform/errors.ts';
import type { DeviceInput } from './devices.schema.ts';

/** Columns of a device CSV file (header row required; `metrics` separated by `|`). */
export const CSV_COLUMNS = [
  'id',
  'type',
  'model',
  'name',
  'lon',
  'lat',
  'department',
  'metrics',
  'section',
  'targetClass',
  'waterBody',
] as const;

/**
 * Splits RFC 4180 CSV text into rows of fields (quoted fields may hold commas, quotes and
 * newlines). Kept here, a few lines, rather than adding a dependency to the shared manifest.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.length > 1 || row[0] !== '') rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (quoted) throw new AppError('invalid_data', 'CSV ends inside a quoted field');
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const blankToUndefined = (s: string | undefined) =>
  s === undefined || s.trim() === '' ? undefined : s.trim();

/** Device inputs from CSV text, each with its 1-based line number (the header is line 1). */
export function devicesFromCsv(text: string): { row: number; input: DeviceInput }[] {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  if (!header) throw new AppError('invalid_data', 'CSV is empty');
  const index = new Map(header.map((h, i) => [h.trim(), i]));
  for (const required of ['id', 'type', 'name', 'lon', 'lat']) {
    if (!index.has(required))
      throw new AppError('invalid_data', `CSV header lacks column '${required}'`, { row: 1 });
  }
  const get = (r: string[], c: string) => blankToUndefined(index.has(c) ? r[index.get(c)!] : undefined);
  return rows.map((r, i) => {
    const metrics = get(r, 'metrics');
    const num = (c: string) => (get(r, c) === undefined ? undefined : Number(get(r, c)));
    return {
      row: i + 2,
      input: {
        id: get(r, 'id') ?? '',
        type: get(r, 'type') as DeviceInput['type'],
        model: get(r, 'model'),
        name: get(r, 'name') ?? '',
        lon: num('lon') as number,
        lat: num('lat') as number,
        departmentCode: get(r, 'department'),
        metrics: metrics ? metrics.split('|').map((m) => m.trim()) : undefined,
        sectionName: get(r, 'section'),
        targetClass: get(r, 'targetClass') as DeviceInput['targetClass'],
        waterBody: get(r, 'waterBody') as DeviceInput['waterBody'],
      },
    };
  });
}

/** Device inputs from a GeoJSON FeatureCollection of Points whose properties carry the CSV columns. */
export function devicesFromGeoJson(text: string): { row: number; input: DeviceInput }[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new AppError('invalid_data', `GeoJSON is not valid JSON: ${(error as Error).message}`);
  }
  const features = (doc as { type?: string; features?: unknown[] })?.features;
  if ((doc as { type?: string })?.type !== 'FeatureCollection' || !Array.isArray(features)) {
    throw new AppError('invalid_data', 'GeoJSON must be a FeatureCollection');
  }
  return features.map((f, i) => {
    const feature = f as {
      geometry?: { type?: string; coordinates?: unknown[] };
      properties?: Record<string, unknown>;
    };
    if (feature?.geometry?.type !== 'Point') {
      throw new AppError('invalid_data', `feature ${i + 1}: geometry must be a Point`, { row: i + 1 });
    }
    const [lon, lat] = feature.geometry.coordinates as number[];
    const p = feature.properties ?? {};
    const metrics = p.metrics;
    return {
      row: i + 1,
      input: {
        ...(p as object),
        ...(typeof metrics === 'string' ? { metrics: metrics.split('|') } : {}),
        lon,
        lat,
      } as DeviceInput,
    };
  });
}
