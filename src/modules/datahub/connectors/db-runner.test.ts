import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../platform/db/database.ts';
import { openTestDatabase, testBackends } from '../../../platform/db/testing.ts';
import { PERMITS } from './connector.contract.testing.ts';
import { dbRunner, PostgresConnector } from './postgres.connector.ts';

describe.each(testBackends)("PostgreSQL connector over the platform's own database on %s", (kind) => {
  let database: Database;
  let connector: PostgresConnector;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await sql`create table permits (permit_no text primary key, company text, district text,
      discharge_t double precision, issued_at timestamptz)`.execute(database.db);
    for (const p of PERMITS) {
      await sql`insert into permits values (${p.permit_no}, ${p.company}, ${p.district}, ${p.discharge_t}, ${p.issued_at})`.execute(
        database.db,
      );
    }
    connector = new PostgresConnector({ id: 'platform', runner: dbRunner(database.db) });
  });
  afterAll(() => database?.close());

  it('describes and queries with pushed-down filters', async () => {
    expect((await connector.describe()).map((r) => r.id)).toEqual(['permits']);
    const r = await connector.query(
      'permits',
      [
        { field: 'district', op: 'in', values: ['綦江区', '江北区'] },
        { field: 'issued_at', op: 'lt', value: '2025-01-01T00:00:00Z' },
      ],
      10,
    );
    expect(r.rows.map((x) => x.permit_no).sort()).toEqual(['P-001', 'P-002']);
    expect(r.pushedDown).toBe(2);
  });
});
