import { randomBytes } from 'node:crypto';
import mariadb, { type Connection } from 'mariadb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../platform/clock.ts';
import { guard } from './breaker.ts';
import { connectorContract, PERMITS } from './connector.contract.testing.ts';
import { MariaDbConnector } from './mariadb.connector.ts';

const HOST = process.env.CITYBRAIN_TEST_MARIADB_HOST ?? '127.0.0.1';
const server = { host: HOST, port: 3306, user: 'root', password: '', database: 'test' };

describe('MariaDB connector (real server)', () => {
  const table = `dh_test_permits_${randomBytes(4).toString('hex')}`;
  let admin: Connection;
  let connector: MariaDbConnector;

  beforeAll(async () => {
    admin = await mariadb.createConnection(server);
    await admin.query(`create table ${table} (permit_no varchar(20) primary key, company varchar(100) not null,
      district varchar(20) not null, discharge_t double not null, issued_at datetime not null) character set utf8mb4`);
    for (const p of PERMITS) {
      await admin.query(`insert into ${table} values (?, ?, ?, ?, ?)`, [
        p.permit_no,
        p.company,
        p.district,
        p.discharge_t,
        p.issued_at.slice(0, 19).replace('T', ' '),
      ]);
    }
    connector = new MariaDbConnector({ id: 'ecology-maria', ...server, tables: [table] });
  });
  afterAll(async () => {
    await connector?.close();
    await admin?.query(`drop table if exists ${table}`);
    await admin?.end();
  });

  connectorContract(() => ({ connector, resource: table }));

  it('a wrong password is source_unavailable and the password appears nowhere in the error', async () => {
    const password = 'Wr0ng-Pa55word-zq';
    const bad = guard(
      new MariaDbConnector({ id: 'public-security', ...server, password, tables: [table] }),
      new ManualClock(),
    );
    const error = await bad.query(table, [], 10).catch((e) => e);
    expect(error).toMatchObject({ code: 'source_unavailable', details: { source: 'public-security' } });
    const shown = JSON.stringify({
      message: error.message,
      details: error.details,
      stack: error.stack,
      cause: error.cause,
    });
    expect(shown).not.toContain(password);
    expect(shown).not.toMatch(/Access denied|root@|mariadb\/lib/);
    await bad.close();
  });
});
