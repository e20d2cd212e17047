import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../modules/audit/index.ts';
import {
  createDatahub,
  type Datahub,
  type DepartmentDirectory,
  ExchangeGateway,
  guard,
  type KeyIssuer,
  PlatformConnector,
  type PlatformReadModels,
  registerDatahubRoutes,
  registerGatewayRoutes,
} from '../modules/datahub/index.ts';
import type { IdentityService } from '../modules/identity/index.ts';
import type { Notifier } from '../modules/notify/index.ts';
import type { Organisation } from '../modules/organisation/index.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import type { Clock } from '../platform/clock.ts';
import type { Database, Db } from '../platform/db/database.ts';
import { AppError } from '../platform/errors.ts';
import type { Api } from '../platform/http/server.ts';

/** The source-system id of the platform's own data in the catalogue. */
export const PLATFORM_SOURCE = 'citybrain';

/**
 * The data middle platform: catalogue and negative list (datahub), the exchange gateway with its
 * consumers' keys issued as identity API keys (no roles, the consumer's department; stored hashed
 * by identity, presented as x-api-key), notices through notify, and the platform's own data
 * (devices, readings, events, alerts, KPIs through the owning modules' read models) as the
 * `citybrain` source. Departments' sources are registered by whoever
 * connects them (the demo: src/demo/datahub-demo.ts).
 */
export function wireDatahub(deps: {
  db: Db;
  http: Api;
  audit: AuditLog;
  clock: Clock;
  organisation: Organisation;
  identity: IdentityService;
  notifier: Notifier;
  /** The platform's own data (src/wiring/datahub-platform.ts), served as the `citybrain` source. */
  platform: PlatformReadModels;
  /** The database's LISTEN: the gateway's caches hear other processes' catalogue and list changes. */
  changes?: Pick<Database, 'listen'>;
}): { datahub: Datahub; gateway: ExchangeGateway } {
  const { db, audit, clock, organisation, identity, changes } = deps;
  const departments: DepartmentDirectory = {
    // Owners are city departments; consumers may be any level's (a district's rows are then scoped to it).
    list: async () =>
      (await organisation.structure.listDepartments({ level: 'city', limit: 2000, offset: 0 })).items,
    find: async (code) => {
      try {
        return await organisation.structure.getDepartment(code);
      } catch (error) {
        if (error instanceof AppError && error.code === 'not_found') return undefined;
        throw error;
      }
    },
  };
  const datahub = createDatahub({ db, audit, clock, departments });
  const keys: KeyIssuer = {
    async issue(name, departmentCode) {
      const { apiKey, secret } = await identity.createApiKey(SYSTEM_PRINCIPAL, {
        // Display names may repeat; identity wants live key names unique.
        name: `${name}:${randomBytes(4).toString('hex')}`,
        roles: [],
        jurisdictionCode: departmentCode.split(':')[0] ?? departmentCode,
        departmentCode,
      });
      return { id: apiKey.id, secret };
    },
  };
  const gateway = new ExchangeGateway(
    { db, audit, clock, departments, keys, notifier: deps.notifier, ...(changes ? { changes } : {}) },
    datahub.catalogue,
    datahub.list,
  );
  // Reminders and escalations of conditional-access applications, swept from the table (stopped by gateway.close).
  gateway.applicationTimers.start();
  // The platform's own data through its modules' read models (the catalogue's `cb-*` resources).
  void gateway.connectors.register(
    PLATFORM_SOURCE,
    guard(new PlatformConnector({ id: PLATFORM_SOURCE, read: deps.platform }), clock),
  );
  registerDatahubRoutes(deps.http, { datahub });
  registerGatewayRoutes(deps.http, { gateway });
  return { datahub, gateway };
}
