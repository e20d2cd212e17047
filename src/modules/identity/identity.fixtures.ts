import type { Principal } from '../../platform/access.ts';
import { ManualClock } from '../../platform/clock.ts';
import type { Database, DatabaseKind } from '../../platform/db/database.ts';
import { migrateToLatest } from '../../platform/db/migrate.ts';
import { openTestDatabase } from '../../platform/db/testing.ts';
import { AuditLog, auditMigrations } from '../audit/index.ts';
import { identityMigrations } from './identity.migrations.ts';
import type { JurisdictionNode, UserDto } from './identity.schema.ts';
import { type IdentityOptions, IdentityService } from './identity.service.ts';

/** A small fake jurisdiction tree for tests: the city, two districts, three streets. */
export const TREE: Record<string, JurisdictionNode> = {
  '50': { code: '50', path: '50', level: 'city' },
  '500103': { code: '500103', path: '50/500103', level: 'district' },
  '500104': { code: '500104', path: '50/500104', level: 'district' },
  '500103001': { code: '500103001', path: '50/500103/500103001', level: 'street' },
  '500103002': { code: '500103002', path: '50/500103/500103002', level: 'street' },
  '500104001': { code: '500104001', path: '50/500104/500104001', level: 'street' },
};

/** Test password of every seeded user. */
export const PASSWORD = 'correct horse battery';

/** Test token secret. */
export const SECRET = 'test-secret-that-is-at-least-32-characters';

/** A migrated test database with an identity service on a manual clock (cheap scrypt). */
export async function setupIdentity(kind: DatabaseKind, options: Partial<IdentityOptions> = {}) {
  const database: Database = await openTestDatabase(kind);
  await migrateToLatest(database.db, [auditMigrations, identityMigrations]);
  const clock = new ManualClock('2025-11-20T08:00:00Z');
  const audit = new AuditLog(clock);
  const identity = new IdentityService({
    db: database.db,
    audit,
    clock,
    tokenSecret: SECRET,
    tokenTtlSeconds: 3600,
    resolveJurisdiction: async (code) => TREE[code],
    resolveDepartment: async (code) =>
      ['chengguan', 'water', '50:water', '500103:urban_management', '500104:urban_management'].includes(code),
    scryptCost: 1024,
    ...options,
  });
  return { database, clock, audit, identity };
}

/** Users at every level of the tree, by username. */
export const SEED = {
  admin: { roles: ['admin'], at: '50' },
  city: { roles: ['city_operator'], at: '50' },
  d103: { roles: ['district_operator'], at: '500103' },
  d104: { roles: ['district_operator'], at: '500104' },
  s1031: { roles: ['street_operator'], at: '500103001' },
  s1032: { roles: ['street_operator'], at: '500103002' },
  s1041: { roles: ['street_operator'], at: '500104001' },
  f1031: { roles: ['field_officer'], at: '500103001' },
  aud: { roles: ['auditor'], at: '50' },
} as const;

/** Creates the SEED users; returns them by username. */
export async function seedUsers(identity: IdentityService): Promise<Record<keyof typeof SEED, UserDto>> {
  const out: Partial<Record<keyof typeof SEED, UserDto>> = {};
  for (const [username, { roles, at }] of Object.entries(SEED)) {
    const { user } = await identity.ensureUser({
      username,
      displayName: `User ${username}`,
      password: PASSWORD,
      roles: [...roles],
      jurisdictionCode: at,
    });
    out[username as keyof typeof SEED] = user;
  }
  return out as Record<keyof typeof SEED, UserDto>;
}

/** The principal a user acts as once signed in. */
export function asPrincipal(user: UserDto): Principal {
  return {
    kind: 'user',
    id: user.id,
    name: user.username,
    roles: user.roles,
    jurisdictionCode: user.jurisdictionCode,
    jurisdictionPath: user.jurisdictionPath,
    departmentCode: user.departmentCode,
  };
}
