import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Principal, SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import {
  checkDepartment,
  type IdentityContext,
  inTransaction,
  isUniqueViolation,
  nodeOf,
  tables,
  toUserDto,
  userChanges,
} from './identity.context.ts';
import {
  assertCanListUsers,
  assertCanManage,
  assertGrantable,
  assertNodeInScope,
  assertOutranks,
  assertRolesFitLevel,
  isSelf,
} from './identity.policy.ts';
import type { UserRow } from './identity.repository.ts';
import type {
  CreateUserInput,
  PasswordChangeInput,
  UpdateUserInput,
  UserDto,
  UserQuery,
} from './identity.schema.ts';

/** User administration, scoped to the acting principal's jurisdiction; every change audited in its transaction. */
export class UserAdmin {
  private readonly ctx: IdentityContext;

  constructor(ctx: IdentityContext) {
    this.ctx = ctx;
  }

  /** Users the actor may see (operators only; street operators see their street). */
  async list(actor: Principal, query: UserQuery): Promise<UserDto[]> {
    assertCanListUsers(actor);
    return (await this.ctx.repo.listUsers(tables(this.ctx.db), actor, query)).map(toUserDto);
  }

  /** One user: yourself, or a user in your jurisdiction if you are an operator; not_found otherwise. */
  async get(actor: Principal, id: string): Promise<UserDto> {
    return toUserDto(await this.visible(actor, id));
  }

  /** Creates a user at a node in the actor's jurisdiction with roles the actor holds. */
  async create(actor: Principal, input: CreateUserInput): Promise<UserDto> {
    assertCanManage(actor);
    const node = await nodeOf(this.ctx, input.jurisdictionCode);
    assertNodeInScope(actor, node);
    assertGrantable(actor, input.roles);
    assertRolesFitLevel(input.roles, node);
    await checkDepartment(this.ctx, input.departmentCode, node.path);
    const passwordHash = input.password === undefined ? null : await this.ctx.passwords.hash(input.password);
    const now = this.ctx.clock.now();
    try {
      return await inTransaction(this.ctx, async (trx, raw) => {
        const row = await this.ctx.repo.insertUser(trx, {
          id: randomUUID(),
          username: input.username,
          display_name: input.displayName,
          password_hash: passwordHash,
          roles: input.roles,
          jurisdiction_code: node.code,
          jurisdiction_path: node.path,
          department_code: input.departmentCode ?? null,
          active: true,
          created_at: now,
          updated_at: now,
        });
        await this.audit(raw, actor, 'user.created', row, {
          roles: row.roles,
          jurisdictionCode: node.code,
          departmentCode: row.department_code,
        });
        return toUserDto(row);
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError('conflict', `username '${input.username}' is taken`, { username: input.username });
      throw error;
    }
  }

  /** Creates the user unless the username exists (then leaves it as it is); for seeding. */
  async ensure(input: CreateUserInput): Promise<{ user: UserDto; created: boolean }> {
    const existing = await this.ctx.repo.userByUsername(tables(this.ctx.db), input.username);
    if (existing) return { user: toUserDto(existing), created: false };
    return { user: await this.create(SYSTEM_PRINCIPAL, input), created: true };
  }

  /** Changes display name (yourself or a manager), roles, active flag and department (managers only, not on yourself). */
  async update(actor: Principal, id: string, patch: UpdateUserInput): Promise<UserDto> {
    const current = await this.visible(actor, id);
    const self = isSelf(actor, id);
    const privileged =
      patch.roles !== undefined || patch.active !== undefined || patch.departmentCode !== undefined;
    if (self && privileged)
      throw new AppError('forbidden', 'you cannot change your own roles, active flag or department');
    if (!self) assertCanManage(actor);
    if (patch.roles) assertGrantable(actor, patch.roles);
    await checkDepartment(this.ctx, patch.departmentCode, current.jurisdiction_path);
    const node = patch.roles ? await nodeOf(this.ctx, current.jurisdiction_code) : undefined;
    return inTransaction(this.ctx, async (trx, raw) => {
      const row = await this.ctx.repo.visibleUser(trx, self ? SYSTEM_PRINCIPAL : actor, id, true);
      if (!row) throw notFound('user', id);
      if (!self) assertOutranks(actor, row.roles);
      if (patch.roles && node) assertRolesFitLevel(patch.roles, node);
      const { changes, set } = userChanges(row, patch);
      if (Object.keys(changes).length === 0) return toUserDto(row);
      // Deactivation also retires every token issued so far, so reactivating does not revive them.
      const updated = await this.ctx.repo.updateUser(
        trx,
        id,
        { ...set, updated_at: this.ctx.clock.now() },
        patch.active === false,
      );
      await this.audit(raw, actor, 'user.updated', row, { changes });
      return toUserDto(updated);
    });
  }

  /** Sets a new password: your own with the old one, or a manager's reset; earlier tokens stop working. */
  async changePassword(actor: Principal, id: string, input: PasswordChangeInput): Promise<void> {
    const row = await this.visible(actor, id);
    const self = isSelf(actor, id);
    if (self) {
      if (!(await this.ctx.passwords.verify(input.oldPassword ?? '', row.password_hash))) {
        throw new AppError('forbidden', 'the old password does not match', {
          reason: 'invalid_old_password',
        });
      }
    } else {
      assertCanManage(actor);
      assertOutranks(actor, row.roles);
    }
    const hash = await this.ctx.passwords.hash(input.newPassword);
    await inTransaction(this.ctx, async (trx, raw) => {
      await this.ctx.repo.updateUser(
        trx,
        id,
        { password_hash: hash, updated_at: this.ctx.clock.now() },
        true,
      );
      await this.audit(raw, actor, 'user.password_changed', row, { by: self ? 'self' : 'reset' });
    });
  }

  /** The user with this username if the actor may see it (for the CLI). */
  async findByUsername(actor: Principal, username: string): Promise<UserDto> {
    const row = await this.ctx.repo.userByUsername(tables(this.ctx.db), username);
    if (!row) throw notFound('user', username);
    return this.get(actor, row.id);
  }

  private async visible(actor: Principal, id: string): Promise<UserRow> {
    if (!isSelf(actor, id)) assertCanListUsers(actor);
    const db = tables(this.ctx.db);
    const row = isSelf(actor, id)
      ? await this.ctx.repo.userById(db, id)
      : await this.ctx.repo.visibleUser(db, actor, id);
    if (!row) throw notFound('user', id);
    return row;
  }

  /** Appends the entry of a change to `row`, stamped with the subject user's jurisdiction. */
  private async audit(raw: Kysely<unknown>, actor: Principal, action: string, row: UserRow, details: object) {
    await this.ctx.audit.append(raw, {
      actor,
      action,
      subjectType: 'user',
      subjectId: row.id,
      jurisdictionPath: row.jurisdiction_path,
      details: { username: row.username, ...details },
    });
  }
}
