import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, type DatabaseKind, openPglite, openPostgres } from './database.ts';

/** Server used for PostgreSQL tests (`CITYBRAIN_TEST_PG_URL`); each test database is created and dropped on it. */
const serverUrl = process.env.CITYBRAIN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Engines the storage tests run on: both unless `CITYBRAIN_TEST_BACKENDS` narrows them (comma-separated). */
export const testBackends: DatabaseKind[] = (process.env.CITYBRAIN_TEST_BACKENDS ?? 'pglite,postgres')
  .split(',')
  .map((s) => s.trim())
  .filter((s): s is DatabaseKind => s === 'pglite' || s === 'postgres');

/**
 * Opens a fresh, empty database of the given kind: in-memory PGlite, or a new PostgreSQL
 * database with a random name that `close()` drops again.
 */
export async function openTestDatabase(kind: DatabaseKind): Promise<Database> {
  if (kind === 'pglite') return openPglite('memory://');
  const name = `cb_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openPostgres(url.toString());
  return {
    ...database,
    close: async () => {
      await database.close();
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
