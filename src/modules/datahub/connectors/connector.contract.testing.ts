import { expect, it } from 'vitest';
import type { Connector, Filter } from './connector.ts';

/** The rows every connector test puts into its source (discharge permits; one company name is an injection attempt). */
export const PERMITS = [
  {
    permit_no: 'P-001',
    company: '綦江化工',
    district: '綦江区',
    discharge_t: 120,
    issued_at: '2024-01-10T00:00:00Z',
  },
  {
    permit_no: 'P-002',
    company: '古南造纸',
    district: '綦江区',
    discharge_t: 80,
    issued_at: '2024-03-05T00:00:00Z',
  },
  {
    permit_no: 'P-003',
    company: '渝中印染',
    district: '渝中区',
    discharge_t: 45.5,
    issued_at: '2023-11-20T00:00:00Z',
  },
  {
    permit_no: 'P-004',
    company: '江北电镀',
    district: '江北区',
    discharge_t: 200,
    issued_at: '2025-02-01T00:00:00Z',
  },
  {
    permit_no: 'P-005',
    company: "x'; drop table permits; --",
    district: '渝中区',
    discharge_t: 10,
    issued_at: '2022-06-30T00:00:00Z',
  },
];

/** The checks every connector passes over PERMITS: description, push-down of each filter kind, limits, refusals. */
export function connectorContract(source: () => { connector: Connector; resource: string }): void {
  const ids = async (filters: Filter[], limit = 100) => {
    const { connector, resource } = source();
    const r = await connector.query(resource, filters, limit);
    return r.rows.map((row) => String(row.permit_no)).sort();
  };

  it('describes the resource with its fields and types', async () => {
    const { connector, resource } = source();
    const found = (await connector.describe()).find((r) => r.id === resource);
    expect(found?.fields.map((f) => f.name)).toEqual([
      'permit_no',
      'company',
      'district',
      'discharge_t',
      'issued_at',
    ]);
    expect(found?.fields.find((f) => f.name === 'discharge_t')?.type).toBe('number');
    expect(found?.fields.find((f) => f.name === 'issued_at')?.type).toBe('timestamp');
  });

  it('filters by equality, range, IN and time', async () => {
    expect(await ids([{ field: 'district', op: 'eq', value: '綦江区' }])).toEqual(['P-001', 'P-002']);
    expect(
      await ids([
        { field: 'discharge_t', op: 'gte', value: 45.5 },
        { field: 'discharge_t', op: 'lt', value: 120 },
      ]),
    ).toEqual(['P-002', 'P-003']);
    expect(await ids([{ field: 'district', op: 'in', values: ['渝中区', '江北区'] }])).toEqual([
      'P-003',
      'P-004',
      'P-005',
    ]);
    expect(await ids([{ field: 'issued_at', op: 'gte', value: '2024-01-01T00:00:00Z' }])).toEqual([
      'P-001',
      'P-002',
      'P-004',
    ]);
    expect(await ids([{ field: 'company', op: 'eq', value: "x'; drop table permits; --" }])).toEqual([
      'P-005',
    ]);
    expect(await ids([])).toHaveLength(5);
  });

  it('returns at most the limit and says when more matched', async () => {
    const { connector, resource } = source();
    const r = await connector.query(resource, [], 2);
    expect(r.rows).toHaveLength(2);
    expect(r.truncated).toBe(true);
    const all = await connector.query(resource, [], 5);
    expect(all.truncated).toBe(false);
  });

  it('refuses unknown resources, unknown fields and values of the wrong type, naming them', async () => {
    const { connector, resource } = source();
    await expect(connector.query('no_such_resource', [], 10)).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      connector.query(resource, [{ field: 'district"; drop table x; --', op: 'eq', value: 'a' }], 10),
    ).rejects.toMatchObject({ code: 'invalid_request', details: { field: 'district"; drop table x; --' } });
    await expect(
      connector.query(resource, [{ field: 'discharge_t', op: 'eq', value: 'abc' }], 10),
    ).rejects.toMatchObject({ code: 'invalid_request', details: { field: 'discharge_t' } });
    await expect(connector.query(resource, [], 0)).rejects.toMatchObject({ details: { field: 'limit' } });
  });

  it('reports its health', async () => {
    expect(await source().connector.health()).toMatchObject({ ok: true });
  });
}
