import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { devicesFromCsv } from '../devices/devices.import.ts';
import { DeviceInputSchema } from '../devices/devices.schema.ts';

const file = path.resolve(import.meta.dirname, '../../../../data/sensing/demo-devices.csv');

describe('the committed demo devices', () => {
  const rows = devicesFromCsv(fs.readFileSync(file, 'utf8'));

  it('holds 17,000 valid devices with unique ids', () => {
    expect(rows).toHaveLength(17_000);
    for (const { row, input } of rows) {
      const parsed = DeviceInputSchema.safeParse(input);
      if (!parsed.success) throw new Error(`row ${row}: ${parsed.error.message}`);
    }
    expect(new Set(rows.map((r) => r.input.id)).size).toBe(17_000);
  });

  it('includes the stations and counters the stories name', () => {
    const byId = new Map(rows.map((r) => [r.input.id, r.input]));
    expect(byId.get('wq-puhe-zhaixi')).toMatchObject({
      sectionName: '蒲河寨溪大桥断面',
      targetClass: 'III',
      lon: 106.65,
      lat: 29.03,
    });
    expect(byId.get('wq-ruxi-liangping')).toMatchObject({ lon: 107.8, lat: 30.6 });
    const jfb = rows.filter((r) => r.input.id.startsWith('cf-jfb-'));
    expect(jfb.length).toBeGreaterThanOrEqual(20);
    for (const { input } of jfb)
      expect(Math.hypot(input.lon - 106.577, input.lat - 29.557)).toBeLessThan(0.005);
  });

  it('spreads types as the city does: water on rivers, dense counters and parking in the centre', () => {
    const count = (t: string) => rows.filter((r) => r.input.type === t).length;
    expect([
      count('WaterQualityObserved'),
      count('CrowdFlowObserved'),
      count('TrafficFlowObserved'),
      count('ParkingSpot'),
    ]).toEqual([420, 4600, 5980, 6000]);
  });
});
