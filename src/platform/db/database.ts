import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import { type ChannelListener, checkChannel, listenPostgres, type Unlisten } from './notifications.ts';

// timestamptz as Date and bigint (count(*)) as number on both engines.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number(value));

/** Which engine a database runs on. */
export type DatabaseKind = 'pglite' | 'postgres';

/** A database handle or transaction over every module's tables; modules narrow it with `forTables`. */
// biome-ignore lint/suspicious/noExplicitAny: a handle (or transaction) over every module's tables; modules narrow it with forTables.
export type Db = Kysely<any>;

/** An open database: one Kysely instance whose SQL is the same on both engines. */
export interface Database {
  readonly db: Db;
  readonly kind: DatabaseKind;
  /**
   * Listens on a NOTIFY channel (`select pg_notify(channel, payload)`, delivered after commit):
   * PostgreSQL on a dedicated connection that reconnects after a drop; PGlite in-process. Closing
   * the database stops every listener.
   */
  listen(channel: string, listener: ChannelListener): Promise<Unlisten>;
  close(): Promise<void>;
}

/** Where to open the database: a PostgreSQL URL, or a PGlite directory (`memory://` keeps it in memory). */
export interface DatabaseOptions {
  url?: string;
  dataDir?: string;
}

/** Opens PostgreSQL when a URL is given, otherwise embedded PGlite persisted in `dataDir/pgdata`. */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) return openPostgres(options.url);
  const dir = options.dataDir ?? 'memory://';
  return openPglite(dir === 'memory://' ? dir : path.join(dir, 'pgdata'));
}

/** Opens PostgreSQL through a node-postgres pool. */
export async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle client that loses its server (restart, dropped database) emits 'error' on the pool;
  // unhandled, that would end the process. The next query reconnects.
  pool.on('error', (error) => {
    process.emitWarning(`PostgreSQL idle client error: ${error.message}`);
  });
  const db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool }) });
  await sql`select 1`.execute(db);
  const listeners = new Set<Unlisten>();
  return {
    db,
    kind: 'postgres',
    async listen(channel, listener) {
      const unlisten = await listenPostgres(url, channel, listener);
      const stop = async () => {
        listeners.delete(stop);
        await unlisten();
      };
      listeners.add(stop);
      return stop;
    },
    close: async () => {
      await Promise.all([...listeners].map((stop) => stop()));
      await db.destroy();
    },
  };
}

/** Opens embedded PGlite in a directory (created if missing) or in memory. */
export async function openPglite(dir: string): Promise<Database> {
  const release = dir === 'memory://' ? () => {} : lockDirectory(dir);
  try {
    const client = await PGlite.create(dir === 'memory://' ? undefined : dir);
    const db = new Kysely<unknown>({ dialect: new PGliteDialect(client) });
    return {
      db,
      kind: 'pglite',
      async listen(channel, listener) {
        const unlisten = await client.listen(checkChannel(channel), (payload) => listener.message(payload));
        listener.state?.(true);
        return async () => {
          if (!client.closed) await unlisten();
        };
      },
      close: async () => {
        await db.destroy();
        if (!client.closed) await client.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * PGlite is one process's database: a second process opening the same directory would
 * corrupt it. A lock file holding the owner's pid refuses that; a lock left by a dead process is taken over.
 */
function lockDirectory(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'citybrain.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(fs.readFileSync(file, 'utf8'));
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new DatabaseLockedError(
          `the embedded database in ${dir} is in use by process ${owner}; stop it first (or use its HTTP API)`,
        );
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new DatabaseLockedError(`could not lock ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Another live process holds the embedded database. */
export class DatabaseLockedError extends Error {
  override name = 'DatabaseLockedError';
}

/** Gives a module a Kysely typed with only its own tables, so it cannot reach into others'. */
export function forTables<T>(db: Db): Kysely<T> {
  return db as unknown as Kysely<T>;
}

/** Checks the database answers; used by /health. */
export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
