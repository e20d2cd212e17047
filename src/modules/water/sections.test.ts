import { describe, expect, it } from 'vitest';
import { SectionSchema } from './network.schema.ts';
import { sectionStatus } from './sections.ts';

const puhe = SectionSchema.parse({
  id: 'puhe',
  name: '蒲河寨溪大桥断面',
  reach: 'r',
  fraction: 0.5,
  targetClass: 'III',
});

describe('sectionStatus (GB 3838 via the sensing module)', () => {
  it('DO is a minimum: 5 mg/L meets class III, 4.99 does not', () => {
    expect(sectionStatus(puhe, { O2: 5 })!.outOfStandard).toBe(false);
    const low = sectionStatus(puhe, { O2: 4.99, NH4: 0.4 })!;
    expect(low.outOfStandard).toBe(true);
    expect(low.grade).toBe('IV');
    expect(low.exceeding).toEqual([{ metric: 'O2', value: 4.99, grade: 'IV' }]);
  });

  it('worst parameter decides; unknown metrics alone give no assessment', () => {
    expect(sectionStatus(puhe, { O2: 8, NH4: 2.5 })!.grade).toBe('劣V');
    expect(sectionStatus(puhe, { turbidity: 3 })).toBeUndefined();
  });
});
