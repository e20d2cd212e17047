import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Role, SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { testBackends } from '../../platform/db/testing.ts';
import { AppError } from '../../platform/errors.ts';
import { asPrincipal, PASSWORD, seedUsers, setupIdentity } from './identity.fixtures.ts';
import type { CreateUserInput } from './identity.schema.ts';

type Setup = Awaited<ReturnType<typeof setupIdentity>>;

/** The error code `promise` rejects with. */
async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return 'ok';
}

const newUser = (
  username: string,
  jurisdictionCode: string,
  roles: Role[] = ['field_officer'],
): CreateUserInput => ({
  username,
  displayName: username,
  password: PASSWORD,
  roles,
  jurisdictionCode,
});

describe.each(testBackends)('scoped user administration on %s', (kind) => {
  let s: Setup;
  let u: Awaited<ReturnType<typeof seedUsers>>;
  const as = (name: keyof typeof u) => asPrincipal(u[name]);
  const names = async (who: keyof typeof u) =>
    (await s.identity.users.list(as(who), { limit: 100, offset: 0 })).map((x) => x.username);

  beforeAll(async () => {
    s = await setupIdentity(kind);
    u = await seedUsers(s.identity);
  });
  afterAll(() => s?.database.close());

  it('lists by level: the city sees all, a district its streets, a street itself', async () => {
    expect(await names('city')).toEqual([
      'admin',
      'aud',
      'city',
      'd103',
      'd104',
      'f1031',
      's1031',
      's1032',
      's1041',
    ]);
    expect(await names('d103')).toEqual(['d103', 'f1031', 's1031', 's1032']);
    expect(await names('d104')).toEqual(['d104', 's1041']);
    expect(await names('s1031')).toEqual(['f1031', 's1031']);
    expect(await codeOf(names('f1031'))).toBe('forbidden');
    expect(await codeOf(names('aud'))).toBe('forbidden');
  });

  it('filters within scope', async () => {
    const list = (q: object) => s.identity.users.list(as('d103'), { limit: 100, offset: 0, ...q });
    expect((await list({ role: 'street_operator' })).map((x) => x.username)).toEqual(['s1031', 's1032']);
    expect((await list({ jurisdictionCode: '500103001' })).map((x) => x.username)).toEqual([
      'f1031',
      's1031',
    ]);
    expect((await list({ jurisdictionCode: '500104001' })).map((x) => x.username)).toEqual([]);
    expect((await list({ q: 'USER S103' })).map((x) => x.username)).toEqual(['s1031', 's1032']);
    expect((await list({ limit: 1, offset: 1 })).map((x) => x.username)).toEqual(['f1031']);
  });

  it('hides users of other streets and districts as not_found, for reads and changes', async () => {
    expect(await codeOf(s.identity.users.get(as('s1031'), u.s1032.id))).toBe('not_found');
    expect(await codeOf(s.identity.users.update(as('s1031'), u.s1032.id, { displayName: 'x' }))).toBe(
      'not_found',
    );
    expect(
      await codeOf(s.identity.users.changePassword(as('s1031'), u.s1032.id, { newPassword: 'hijacked!!' })),
    ).toBe('not_found');
    expect(await codeOf(s.identity.users.get(as('d103'), u.s1041.id))).toBe('not_found');
    expect(await codeOf(s.identity.users.update(as('d103'), u.d104.id, { active: false }))).toBe('not_found');
    expect(await codeOf(s.identity.users.get(as('d103'), 'not-a-uuid'))).toBe('not_found');
    expect((await s.identity.users.get(as('s1031'), u.f1031.id)).username).toBe('f1031');
    expect((await s.identity.users.get(as('d103'), u.s1032.id)).username).toBe('s1032');
    expect((await s.identity.users.get(as('city'), u.s1041.id)).username).toBe('s1041');
    // Anyone may read themselves.
    expect((await s.identity.users.get(as('f1031'), u.f1031.id)).username).toBe('f1031');
  });

  it('lets managers create only inside their jurisdiction and grant only what they may', async () => {
    const d103 = as('d103');
    const made = await s.identity.users.create(d103, newUser('new.officer', '500103002'));
    expect(made).toMatchObject({
      jurisdictionPath: '50/500103/500103002',
      roles: ['field_officer'],
      active: true,
    });
    expect(await codeOf(s.identity.users.create(d103, newUser('x1', '500104001')))).toBe('not_found');
    expect(await codeOf(s.identity.users.create(d103, newUser('x2', '500103', ['admin'])))).toBe('forbidden');
    expect(await codeOf(s.identity.users.create(d103, newUser('x3', '500103', ['auditor'])))).toBe(
      'forbidden',
    );
    expect(await codeOf(s.identity.users.create(as('s1031'), newUser('x4', '500103001')))).toBe('forbidden');
    expect(await codeOf(s.identity.users.create(d103, newUser('x5', '999999')))).toBe('invalid_data');
    expect(await codeOf(s.identity.users.create(d103, newUser('new.officer', '500103001')))).toBe('conflict');
    expect(await codeOf(s.identity.users.create(as('admin'), newUser('x6', '50', ['auditor'])))).toBe('ok');
  });

  it('keeps operator roles at their level', async () => {
    const admin = as('admin');
    expect(await codeOf(s.identity.users.create(admin, newUser('op1', '500103', ['street_operator'])))).toBe(
      'invalid_data',
    );
    expect(await codeOf(s.identity.users.create(admin, newUser('op2', '50', ['district_operator'])))).toBe(
      'invalid_data',
    );
    expect(await codeOf(s.identity.users.create(admin, newUser('op3', '500103001', ['city_operator'])))).toBe(
      'invalid_data',
    );
    expect(await codeOf(s.identity.users.update(admin, u.s1031.id, { roles: ['district_operator'] }))).toBe(
      'invalid_data',
    );
    expect(
      await codeOf(s.identity.users.create(admin, newUser('op4', '500103001', ['street_operator']))),
    ).toBe('ok');
    expect(
      await codeOf(s.identity.users.create(admin, newUser('op5', '500104', ['district_operator']))),
    ).toBe('ok');
  });

  it('refuses changing users who outrank you, and your own roles', async () => {
    const admin = as('admin');
    const boss = await s.identity.users.create(admin, newUser('d103.admin', '500103', ['admin']));
    expect(await codeOf(s.identity.users.update(as('d103'), boss.id, { active: false }))).toBe('forbidden');
    expect(
      await codeOf(s.identity.users.changePassword(as('d103'), boss.id, { newPassword: 'takeover123' })),
    ).toBe('forbidden');
    expect(await codeOf(s.identity.users.update(as('d103'), u.d103.id, { roles: [] }))).toBe('forbidden');
    expect(await codeOf(s.identity.users.update(as('s1031'), u.f1031.id, { displayName: 'x' }))).toBe(
      'forbidden',
    );
    expect(
      (await s.identity.users.update(as('f1031'), u.f1031.id, { displayName: 'Officer Li' })).displayName,
    ).toBe('Officer Li');
  });

  it('checks departments with the organisation resolver', async () => {
    const d103 = as('d103');
    expect(
      (await s.identity.users.update(d103, u.s1031.id, { departmentCode: 'chengguan' })).departmentCode,
    ).toBe('chengguan');
    expect(await codeOf(s.identity.users.update(d103, u.s1031.id, { departmentCode: 'nope' }))).toBe(
      'invalid_data',
    );
  });

  it('changes your own password only with the old one', async () => {
    const me = as('s1031');
    expect(await codeOf(s.identity.users.changePassword(me, me.id, { newPassword: 'new password 1' }))).toBe(
      'forbidden',
    );
    expect(
      await codeOf(
        s.identity.users.changePassword(me, me.id, { oldPassword: 'wrong', newPassword: 'new password 1' }),
      ),
    ).toBe('forbidden');
    await s.identity.users.changePassword(me, me.id, {
      oldPassword: PASSWORD,
      newPassword: 'new password 1',
    });
    await expect(s.identity.login('s1031', 'new password 1')).resolves.toBeTruthy();
    expect(await codeOf(s.identity.login('s1031', PASSWORD))).toBe('unauthenticated');
  });

  it('audits every change in its transaction, stamped with the subject’s jurisdiction', async () => {
    const all = await s.audit.list(s.database.db, SYSTEM_PRINCIPAL, { limit: 1000, subjectId: u.s1031.id });
    const entries = all.filter((e) => e.action.startsWith('user.'));
    expect(entries.map((e) => e.action).reverse()).toEqual([
      'user.created',
      'user.updated',
      'user.password_changed',
    ]);
    expect(entries.every((e) => e.jurisdictionPath === '50/500103/500103001')).toBe(true);
    expect(entries[1]?.details).toEqual({
      username: 's1031',
      changes: { departmentCode: { from: null, to: 'chengguan' } },
    });
    expect(entries[0]).toMatchObject({ actorId: u.s1031.id, details: { by: 'self' } });
    // A district auditor sees its district's user changes, not the city's.
    const districtView = await s.audit.list(
      s.database.db,
      { ...SYSTEM_PRINCIPAL, jurisdictionPath: '50/500104' },
      { limit: 1000 },
    );
    expect(districtView.every((e) => e.jurisdictionPath.startsWith('50/500104'))).toBe(true);
    expect((await s.audit.verify(s.database.db)).ok).toBe(true);
  });

  it('stores only scrypt hashes, and ensureUser leaves existing users alone', async () => {
    const rows = await sql<{ password_hash: string }>`select password_hash from users`.execute(s.database.db);
    expect(rows.rows.every((r) => r.password_hash.startsWith('scrypt$1024$8$1$'))).toBe(true);
    const again = await s.identity.ensureUser({
      ...newUser('s1031', '500104001'),
      displayName: 'changed?',
    });
    expect(again).toMatchObject({
      created: false,
      user: { jurisdictionCode: '500103001', displayName: 'User s1031' },
    });
    expect(await codeOf(s.identity.ensureUser(newUser('Bad Name!', '50')))).toBe('invalid_data');
  });
});

describe.each(testBackends)('departments named in user and API key writes on %s', (kind) => {
  let s: Awaited<ReturnType<typeof setupIdentity>>;
  let u: Awaited<ReturnType<typeof seedUsers>>;
  beforeAll(async () => {
    s = await setupIdentity(kind);
    u = await seedUsers(s.identity);
  });
  afterAll(() => s?.database.close());

  it('refuses a department of another district as not found, on create, update and API keys', async () => {
    const d103 = asPrincipal(u.d103);
    const other = { departmentCode: '500104:urban_management' };
    const refused = await s.identity.users.update(d103, u.s1031.id, other).catch((e: AppError) => e);
    expect(refused).toMatchObject({
      code: 'not_found',
      message: "department '500104:urban_management' not found",
    });
    expect((await s.identity.users.get(d103, u.s1031.id)).departmentCode).not.toBe(other.departmentCode);
    const input = { displayName: 'x', roles: ['field_officer' as const], jurisdictionCode: '500103001' };
    expect(await codeOf(s.identity.users.create(d103, { ...input, username: 'x.1', ...other }))).toBe(
      'not_found',
    );
    expect(
      await codeOf(
        s.identity.apiKeys.create(d103, { name: 'x', roles: [], jurisdictionCode: '500103', ...other }),
      ),
    ).toBe('not_found');
    // Its own district's department and the city's (above it) are fine.
    for (const departmentCode of ['500103:urban_management', '50:water']) {
      expect((await s.identity.users.update(d103, u.s1031.id, { departmentCode })).departmentCode).toBe(
        departmentCode,
      );
    }
    const made = await s.identity.users.create(d103, {
      ...input,
      username: 'x.2',
      departmentCode: '500103:urban_management',
    });
    expect(made.departmentCode).toBe('500103:urban_management');
  });
});
