import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Principal, type Role, SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import {
  checkDepartment,
  type IdentityContext,
  inTransaction,
  isUniqueViolation,
  nodeOf,
  tables,
  toApiKeyDto,
} from './identity.context.ts';
import {
  assertCanManage,
  assertGrantable,
  assertNodeInScope,
  assertOutranks,
  assertRolesFitLevel,
} from './identity.policy.ts';
import type { ApiKeyRow } from './identity.repository.ts';
import type { ApiKeyDto, CreateApiKeyInput } from './identity.schema.ts';

/** SHA-256 of a key's secret: what is stored and looked up (the secret has enough entropy that no salt is needed). */
export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** API keys of systems: created by managers in their jurisdiction, shown once, stored only as a hash. */
export class ApiKeyAdmin {
  private readonly ctx: IdentityContext;

  constructor(ctx: IdentityContext) {
    this.ctx = ctx;
  }

  /** Creates a key; the secret (`cbk_<id>_<random>`) is returned here and never again. */
  async create(
    actor: Principal,
    input: CreateApiKeyInput,
    secret?: string,
  ): Promise<{ apiKey: ApiKeyDto; secret: string }> {
    assertCanManage(actor);
    const node = await nodeOf(this.ctx, input.jurisdictionCode);
    assertNodeInScope(actor, node);
    assertGrantable(actor, input.roles);
    assertRolesFitLevel(input.roles, node);
    await checkDepartment(this.ctx, input.departmentCode, node.path);
    const id = randomBytes(8).toString('hex');
    const key = secret ?? `cbk_${id}_${randomBytes(24).toString('base64url')}`;
    try {
      const row = await inTransaction(this.ctx, async (trx, raw) => {
        const inserted = await this.ctx.repo.insertApiKey(trx, {
          id,
          name: input.name,
          key_hash: hashApiKey(key),
          roles: input.roles,
          jurisdiction_code: node.code,
          jurisdiction_path: node.path,
          department_code: input.departmentCode ?? null,
          created_by: `${actor.kind}:${actor.id}`,
          created_at: this.ctx.clock.now(),
          revoked_at: null,
        });
        await this.audit(raw, actor, 'api_key.created', inserted, { roles: inserted.roles });
        return inserted;
      });
      return { apiKey: toApiKeyDto(row), secret: key };
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError('conflict', `a live API key named '${input.name}' exists`, { name: input.name });
      throw error;
    }
  }

  /** Makes sure a live key `name` with exactly this secret exists (a changed secret replaces the old key); for seeding. */
  async ensure(
    name: string,
    secret: string,
    input: Omit<CreateApiKeyInput, 'name'>,
  ): Promise<{ apiKey: ApiKeyDto; created: boolean }> {
    if (secret.length < 16)
      throw new AppError('invalid_data', 'an API key secret must be at least 16 characters');
    const live = await this.ctx.repo.liveApiKeyByName(tables(this.ctx.db), name);
    if (live?.key_hash === hashApiKey(secret)) return { apiKey: toApiKeyDto(live), created: false };
    if (live) await this.revoke(SYSTEM_PRINCIPAL, live.id);
    const made = await this.create(SYSTEM_PRINCIPAL, { ...input, name }, secret);
    return { apiKey: made.apiKey, created: true };
  }

  /** Keys in the actor's jurisdiction, revoked ones included. */
  async list(actor: Principal): Promise<ApiKeyDto[]> {
    assertCanManage(actor);
    return (await this.ctx.repo.listApiKeys(tables(this.ctx.db), actor)).map(toApiKeyDto);
  }

  /** Revokes a key in the actor's jurisdiction; revoking twice changes nothing. */
  async revoke(actor: Principal, id: string): Promise<ApiKeyDto> {
    assertCanManage(actor);
    const row = await this.ctx.repo.visibleApiKey(tables(this.ctx.db), actor, id);
    if (!row) throw notFound('api key', id);
    assertOutranks(actor, row.roles);
    if (row.revoked_at) return toApiKeyDto(row);
    const revoked = await inTransaction(this.ctx, async (trx, raw) => {
      const updated = await this.ctx.repo.revokeApiKey(trx, id, this.ctx.clock.now());
      await this.audit(raw, actor, 'api_key.revoked', updated, {});
      return updated;
    });
    return toApiKeyDto(revoked);
  }

  /** The principal of a presented key; unauthenticated when unknown or revoked. */
  async authenticate(secret: string): Promise<Principal> {
    const row = await this.ctx.repo.apiKeyByHash(tables(this.ctx.db), hashApiKey(secret));
    if (!row) throw new AppError('unauthenticated', 'unknown API key', { reason: 'invalid_api_key' });
    if (row.revoked_at)
      throw new AppError('unauthenticated', 'API key revoked', { reason: 'api_key_revoked' });
    return {
      kind: 'api_key',
      id: row.id,
      name: row.name,
      roles: row.roles as Role[],
      jurisdictionCode: row.jurisdiction_code,
      jurisdictionPath: row.jurisdiction_path,
      departmentCode: row.department_code,
    };
  }

  private async audit(
    raw: Kysely<unknown>,
    actor: Principal,
    action: string,
    row: ApiKeyRow,
    extra: Record<string, unknown>,
  ): Promise<void> {
    await this.ctx.audit.append(raw, {
      actor,
      action,
      subjectType: 'api_key',
      subjectId: row.id,
      jurisdictionPath: row.jurisdiction_path,
      details: { name: row.name, jurisdictionCode: row.jurisdiction_code, ...extra },
    });
  }
}
