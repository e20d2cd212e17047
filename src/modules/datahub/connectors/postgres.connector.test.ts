import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.ts';
import { guard } from './breaker.ts';
import { connectorContract, PERMITS } from './connector.contract.testing.ts';
import { PostgresConnector, pgPoolRunner } from './postgres.connector.ts';

const URL = process.env.CITYBRAIN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describe('PostgreSQL connector (real server)', () => {
  const table = `dh_test_permits_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: URL });
  let connector: PostgresConnector;

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`create table ${table} (permit_no text primary key, company text not null,
      district text not null, discharge_t double precision not null, issued_at timestamptz not null)`);
    for (const p of PERMITS) {
      await admin.query(`insert into ${table} values ($1, $2, $3, $4, $5)`, [
        p.permit_no,
        p.company,
        p.district,
        p.discharge_t,
        p.issued_at,
      ]);
    }
    connector = new PostgresConnector({ id: 'ecology-pg', runner: pgPoolRunner(URL), tables: [table] });
  });
  afterAll(async () => {
    await connector?.close();
    await admin.query(`drop table if exists ${table}`);
    await admin.end();
  });

  connectorContract(() => ({ connector, resource: table }));

  it('a server that is down is source_unavailable naming the source, and the breaker opens', async () => {
    const clock = new ManualClock('2026-12-07T08:00:00Z');
    const down = guard(
      new PostgresConnector({
        id: 'police-cloud',
        runner: pgPoolRunner('postgres://spy:Sup3r-Secret-PW@127.0.0.1:1/none', { connectTimeoutMs: 500 }),
      }),
      clock,
      { failures: 2, openMs: 5000 },
    );
    for (let i = 0; i < 2; i++) {
      const error = await down.describe().catch((e) => e);
      expect(error).toMatchObject({ code: 'source_unavailable', details: { source: 'police-cloud' } });
      expect(JSON.stringify({ m: error.message, d: error.details })).not.toMatch(
        /Sup3r|spy|127\.0\.0\.1|ECONN/,
      );
    }
    expect(down.breaker.state).toBe('open');
    await expect(down.describe()).rejects.toMatchObject({
      code: 'source_unavailable',
      details: { reason: 'breaker open', retryAfterSeconds: 5 },
    });
    expect(await down.health()).toEqual({ ok: false, breaker: 'open' });
    await down.close();
  });
});
