import { hasRole, type Principal, requireRole } from '../../../platform/access.ts';
import { forTables } from '../../../platform/db/database.ts';
import { AppError } from '../../../platform/errors.ts';
import type { GatewayDeps } from './gateway.deps.ts';
import { GatewayRepository } from './gateway.repository.ts';
import type { ConsumerBody, ConsumerCreated } from './gateway.schema.ts';
import type { GatewayTables } from './gateway.tables.ts';

/** How many consumers `authenticate` remembers before it starts over (far more than a city has). */
const MAX_KNOWN = 10_000;

/** A consumer application as the gateway knows it after authentication. */
export interface Consumer {
  id: string;
  name: string;
  departmentCode: string;
}

/** Department applications that may call the gateway, registered by the data authority. */
export class ConsumerService {
  private readonly deps: GatewayDeps;
  private readonly repo = new GatewayRepository();
  /**
   * Consumers found so far, by key id: a consumer row is never changed or removed (revoking the
   * identity key stops a consumer before it gets here), so a found one is not asked for again.
   * Keys that are no consumer's are not remembered (another process may register them).
   */
  private readonly known = new Map<string, Consumer>();

  constructor(deps: GatewayDeps) {
    this.deps = deps;
  }

  /** Registers a department's application and issues its key (shown once). */
  async register(principal: Principal, body: ConsumerBody): Promise<ConsumerCreated> {
    requireRole(principal, 'data_authority');
    const departments = await this.deps.departments.list();
    if (!departments.some((d) => d.code === body.departmentCode))
      throw new AppError('invalid_data', `unknown department '${body.departmentCode}'`, {
        field: 'departmentCode',
      });
    const key = await this.deps.keys.issue(`datahub:${body.name}`, body.departmentCode);
    await this.deps.db.transaction().execute(async (trx) => {
      const row = { id: key.id, name: body.name, department_code: body.departmentCode };
      const at = this.deps.clock.now();
      await this.repo.insertConsumer(forTables<GatewayTables>(trx), {
        ...row,
        created_by: principal.id,
        created_at: at,
      });
      await this.deps.audit.append(trx, {
        actor: { kind: principal.kind, id: principal.id },
        action: 'datahub.consumer.registered',
        subjectType: 'datahub_consumer',
        subjectId: key.id,
        details: { name: body.name, departmentCode: body.departmentCode },
      });
    });
    return { id: key.id, name: body.name, departmentCode: body.departmentCode, key: key.secret };
  }

  /** The consumer behind a request's key (401 without one, or with a key that is no consumer's). */
  async authenticate(principal: Principal | undefined): Promise<Consumer> {
    if (principal?.kind !== 'api_key')
      throw new AppError('unauthenticated', 'the gateway needs a consumer application key (x-api-key)', {
        reason: 'consumer_key_required',
      });
    const known = this.known.get(principal.id);
    if (known) return known;
    const row = await this.repo.consumer(forTables<GatewayTables>(this.deps.db), principal.id);
    if (!row)
      throw new AppError('unauthenticated', 'this key belongs to no datahub consumer application', {
        reason: 'not_a_consumer',
      });
    const consumer = { id: row.id, name: row.name, departmentCode: row.department_code };
    if (this.known.size >= MAX_KNOWN) this.known.clear();
    this.known.set(consumer.id, consumer);
    return consumer;
  }

  /** Whether a user may decide an application owned by `ownerDept`. */
  static mayDecide(principal: Principal, ownerDept: string): boolean {
    if (hasRole(principal, 'data_authority')) return true;
    return hasRole(principal, 'department_liaison') && principal.departmentCode === ownerDept;
  }
}
