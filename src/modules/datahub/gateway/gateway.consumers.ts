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
  /** The jurisdiction its department serves: the city (`50`), a district (`500103`) or a street (`500103003`). */
  jurisdictionCode: string;
  /** Its department's level: a district's or a street's consumer sees only rows of its jurisdiction. */
  level: 'city' | 'district' | 'street';
}

type ConsumerRow = {
  id: string;
  name: string;
  department_code: string;
  jurisdiction_code: string;
  jurisdiction_level: Consumer['level'];
};
const fromRow = (r: ConsumerRow): Consumer => ({
  id: r.id,
  name: r.name,
  departmentCode: r.department_code,
  jurisdictionCode: r.jurisdiction_code,
  level: r.jurisdiction_level,
});

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

  /**
   * Registers a department's application (a city, district or street department's) and issues its
   * key (shown once). The consumer keeps its department's jurisdiction: the gateway limits a
   * district's or a street's consumer to the rows of that jurisdiction.
   */
  async register(principal: Principal, body: ConsumerBody): Promise<ConsumerCreated> {
    requireRole(principal, 'data_authority');
    const department = await this.deps.departments.find(body.departmentCode);
    if (!department)
      throw new AppError('invalid_data', `unknown department '${body.departmentCode}'`, {
        field: 'departmentCode',
      });
    const key = await this.deps.keys.issue(`datahub:${body.name}`, body.departmentCode);
    await this.deps.db.transaction().execute(async (trx) => {
      const row = {
        id: key.id,
        name: body.name,
        department_code: body.departmentCode,
        jurisdiction_code: department.jurisdictionCode,
        jurisdiction_level: department.level,
      };
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
        details: {
          name: body.name,
          departmentCode: body.departmentCode,
          jurisdictionCode: department.jurisdictionCode,
          level: department.level,
        },
      });
    });
    return {
      id: key.id,
      name: body.name,
      departmentCode: body.departmentCode,
      jurisdictionCode: department.jurisdictionCode,
      level: department.level,
      key: key.secret,
    };
  }

  /**
   * The platform's own department application of this name and department, registered (data
   * authority only) when there is none yet. Its key is never shown: the platform calls the gateway
   * in-process as that consumer (`asPrincipal`), so its reads are logged and decided like any other.
   */
  async ensure(principal: Principal, body: ConsumerBody): Promise<Consumer> {
    const db = forTables<GatewayTables>(this.deps.db);
    const found = await this.repo.consumerByName(db, body.name, body.departmentCode);
    if (found) return fromRow(found);
    const { key: _shownOnce, ...created } = await this.register(principal, body);
    return created;
  }

  /**
   * The principal an in-process caller presents for a consumer, as identity makes it of the
   * consumer's key (the gateway reads its kind and id; the path is the department's top code).
   */
  static asPrincipal(consumer: Consumer): Principal {
    const { jurisdictionCode } = consumer;
    return {
      kind: 'api_key',
      id: consumer.id,
      name: consumer.name,
      roles: [],
      jurisdictionCode,
      jurisdictionPath: jurisdictionCode,
      departmentCode: consumer.departmentCode,
    };
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
    const consumer = fromRow(row);
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
