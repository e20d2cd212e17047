import { type Insertable, type Kysely, type Selectable, sql, type Updateable } from 'kysely';
import { escapeLike, inScope, type Principal } from '../../platform/access.ts';
import type { IdentityTables, UserQuery } from './identity.schema.ts';

/** A stored user row. */
export type UserRow = Selectable<IdentityTables['users']>;
/** A stored API key row. */
export type ApiKeyRow = Selectable<IdentityTables['api_keys']>;

type Db = Kysely<IdentityTables>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** All SQL of the identity module. Reads on behalf of a principal are filtered by its jurisdiction. */
export class IdentityRepository {
  /** The user with this id, whatever its scope (for authentication). */
  async userById(db: Db, id: string): Promise<UserRow | undefined> {
    if (!UUID.test(id)) return undefined;
    return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The user with this username, whatever its scope (for login). */
  async userByUsername(db: Db, username: string): Promise<UserRow | undefined> {
    return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  }

  /** The user with this id if it lies in the principal's jurisdiction; `lock` holds the row for an update. */
  async visibleUser(db: Db, principal: Principal, id: string, lock = false): Promise<UserRow | undefined> {
    if (!UUID.test(id)) return undefined;
    let q = db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .where(inScope(principal, 'jurisdiction_path'));
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  /** Users in the principal's jurisdiction matching the filters, by username. */
  async listUsers(db: Db, principal: Principal, query: UserQuery): Promise<UserRow[]> {
    let q = db.selectFrom('users').selectAll().where(inScope(principal, 'jurisdiction_path'));
    if (query.jurisdictionCode) q = q.where('jurisdiction_code', '=', query.jurisdictionCode);
    if (query.role) q = q.where(sql<boolean>`${query.role} = any(roles)`);
    if (query.active !== undefined) q = q.where('active', '=', query.active);
    if (query.q) {
      const like = `%${escapeLike(query.q.toLowerCase())}%`;
      q = q.where((eb) =>
        eb.or([eb('username', 'like', like), eb(eb.fn('lower', ['display_name']), 'like', like)]),
      );
    }
    return q.orderBy('username').limit(query.limit).offset(query.offset).execute();
  }

  /** Stores a new user. */
  async insertUser(db: Db, row: Insertable<IdentityTables['users']>): Promise<UserRow> {
    return db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
  }

  /** Changes a user; `bumpTokens` makes every token issued so far stop working. */
  async updateUser(
    db: Db,
    id: string,
    patch: Updateable<IdentityTables['users']>,
    bumpTokens = false,
  ): Promise<UserRow> {
    const set = bumpTokens ? { ...patch, token_version: sql<number>`token_version + 1` } : patch;
    return db.updateTable('users').set(set).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  }

  /** Stores a new API key. */
  async insertApiKey(db: Db, row: Insertable<IdentityTables['api_keys']>): Promise<ApiKeyRow> {
    return db.insertInto('api_keys').values(row).returningAll().executeTakeFirstOrThrow();
  }

  /** The key whose secret hashes to `hash`, revoked or not. */
  async apiKeyByHash(db: Db, hash: string): Promise<ApiKeyRow | undefined> {
    return db.selectFrom('api_keys').selectAll().where('key_hash', '=', hash).executeTakeFirst();
  }

  /** The live (unrevoked) key with this name. */
  async liveApiKeyByName(db: Db, name: string): Promise<ApiKeyRow | undefined> {
    return db
      .selectFrom('api_keys')
      .selectAll()
      .where('name', '=', name)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  }

  /** The key with this id if it lies in the principal's jurisdiction. */
  async visibleApiKey(db: Db, principal: Principal, id: string): Promise<ApiKeyRow | undefined> {
    return db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', id)
      .where(inScope(principal, 'jurisdiction_path'))
      .executeTakeFirst();
  }

  /** Keys in the principal's jurisdiction, newest first. */
  async listApiKeys(db: Db, principal: Principal): Promise<ApiKeyRow[]> {
    return db
      .selectFrom('api_keys')
      .selectAll()
      .where(inScope(principal, 'jurisdiction_path'))
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .execute();
  }

  /** Marks a key revoked (once); returns the row. */
  async revokeApiKey(db: Db, id: string, at: Date): Promise<ApiKeyRow> {
    return db
      .updateTable('api_keys')
      .set({ revoked_at: sql<Date>`coalesce(revoked_at, ${at})` })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Failed logins for `username` since `since`. */
  async countFailures(db: Db, username: string, since: Date): Promise<number> {
    const row = await db
      .selectFrom('login_failures')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('username', '=', username)
      .where('at', '>', since)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Notes a failed login and forgets failures older than the window (for every username). */
  async addFailure(db: Db, username: string, at: Date, forgetBefore: Date): Promise<void> {
    await db.deleteFrom('login_failures').where('at', '<=', forgetBefore).execute();
    await db.insertInto('login_failures').values({ username, at }).execute();
  }

  /** Forgets the failures of a username after it signed in. */
  async clearFailures(db: Db, username: string): Promise<void> {
    await db.deleteFrom('login_failures').where('username', '=', username).execute();
  }
}
