import { AppError } from '../../../platform/errors.ts';
import { DEFAULT_METRICS } from '../sensing.catalogue.ts';
import { newDeviceSecret } from './devices.credentials.ts';
import type { DeviceRecord } from './devices.repository.ts';
import { type DeviceInput, DeviceInputSchema, type Locator } from './devices.schema.ts';

/** Validates and locates device inputs; a bad row throws an error naming it (`row N:` when importing many). */
export async function prepareDevices(
  rows: { row: number; input: unknown }[],
  many: boolean,
  locator: Locator,
  now: Date,
): Promise<{ device: DeviceRecord; secret: string }[]> {
  const seen = new Set<string>();
  const out: { device: DeviceRecord; secret: string }[] = [];
  for (const { row, input } of rows) {
    const at = many ? `row ${row}: ` : '';
    const parsed = DeviceInputSchema.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
      const first = issues[0]!;
      throw new AppError('invalid_data', `${at}${first.path || 'device'}: ${first.message}`, { row, issues });
    }
    const d = parsed.data;
    if (seen.has(d.id)) throw new AppError('conflict', `${at}device '${d.id}' appears twice`, { row });
    seen.add(d.id);
    const located = await locator.locate(d.lon, d.lat);
    if (!located) {
      throw new AppError('outside_city', `${at}(${d.lon}, ${d.lat}) lies outside the city`, {
        row,
        lon: d.lon,
        lat: d.lat,
      });
    }
    const { secret, hash } = newDeviceSecret();
    out.push({
      secret,
      device: {
        id: d.id,
        type: d.type,
        model: d.model,
        name: d.name,
        lon: d.lon,
        lat: d.lat,
        jurisdictionPath: located.path,
        jurisdictionCode: located.chain.at(-1)?.code ?? located.path.split('/').at(-1)!,
        departmentCode: d.departmentCode ?? null,
        metrics: d.metrics ?? DEFAULT_METRICS[d.type],
        sectionName: d.sectionName ?? null,
        targetClass: d.targetClass ?? null,
        waterBody: d.waterBody ?? null,
        secretHash: hash,
        status: 'offline',
        lastSeenAt: null,
        createdAt: now,
        updatedAt: now,
      },
    });
  }
  return out;
}

/** A stored device as registration input (for re-validating an update). */
export function asInput(d: DeviceRecord): DeviceInput {
  return {
    id: d.id,
    type: d.type,
    model: d.model,
    name: d.name,
    lon: d.lon,
    lat: d.lat,
    departmentCode: d.departmentCode,
    metrics: d.metrics,
    sectionName: d.sectionName,
    targetClass: d.targetClass,
    waterBody: d.waterBody,
  };
}
