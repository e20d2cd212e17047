import type { AuditLog } from '../modules/audit/index.ts';
import { type Consumer, ConsumerService, type ExchangeGateway } from '../modules/datahub/index.ts';
import type { IdentityService } from '../modules/identity/index.ts';
import type { NotifyService } from '../modules/notify/index.ts';
import type { Organisation } from '../modules/organisation/index.ts';
import {
  type CompletionListener,
  checkDepartments,
  createServices,
  type EvidenceSource,
  type IntegratedServices,
  loadBundleFiles,
  type PrecheckGate,
  registerServicesRoutes,
} from '../modules/services/index.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import { chinaCalendar } from '../platform/calendar/calendar.ts';
import type { Clock } from '../platform/clock.ts';
import type { Db } from '../platform/db/database.ts';
import { AppError } from '../platform/errors.ts';
import type { Api } from '../platform/http/server.ts';
import type { Logger } from '../platform/logger.ts';
import { persistentSecret } from '../platform/secrets.ts';

/** The purpose the services platform states at the gateway (the negative list may allow exactly it). */
export const ONCE_ONLY_PURPOSE = 'once_only_service';

/** The department application the services platform reads applicants' records as. */
export const SERVICES_CONSUMER = {
  name: '一件事一次办 政务服务平台',
  departmentCode: '50:big_data',
} as const;

/**
 * Applicants' records over the exchange gateway, in-process: each read is an exchange of the
 * services platform's consumer application (registered on first use), for the once-only purpose,
 * decided by the negative list, masked and logged like any other. A refusal, an application to
 * the owner department, or a source that is down is "not held" with its reason, so the material
 * is asked from the applicant instead.
 */
export function gatewayEvidence(
  gateway: ExchangeGateway,
  consumer: { name: string; departmentCode: string } = SERVICES_CONSUMER,
): EvidenceSource {
  let registered: Promise<Consumer> | undefined;
  const asConsumer = () => {
    registered ??= gateway.consumers.ensure(SYSTEM_PRINCIPAL, consumer).catch((err: unknown) => {
      registered = undefined;
      throw err;
    });
    return registered;
  };
  return {
    async read(request) {
      try {
        const principal = ConsumerService.asPrincipal(await asConsumer());
        const answer = await gateway.exchange(principal, {
          resourceId: request.resourceId,
          purpose: ONCE_ONLY_PURPOSE,
          filters: request.filters.map((f) => ({ field: f.field, op: 'eq' as const, value: f.value })),
          fields: request.fields,
          limit: 1,
        });
        if (answer.status === 202)
          return {
            found: false,
            reason: `the owner department must approve (application ${answer.body.application.id})`,
          };
        const { exchangeId, rows } = answer.body;
        const row = rows[0];
        return row
          ? { found: true, exchangeId, row }
          : { found: false, exchangeId, reason: 'no record held' };
      } catch (err) {
        // Whatever went wrong, the material is asked from the applicant instead, with the reason.
        if (err instanceof AppError) return { found: false, reason: `${err.code}: ${err.message}` };
        return { found: false, reason: `unavailable: ${err instanceof Error ? err.message : String(err)}` };
      }
    },
  };
}

/**
 * Integrated services (一件事一次办): bundle files validated at start (a bad one stops the start
 * naming file and field; departments must be the organisation's city-level ones), materials read
 * through the gateway, notices through notify (in-app, and the applicant's webhook), the step timers
 * swept every 15 s, the certificates' key derived from a secret kept in the data directory, the
 * parents of registered births found among identity's citizens.
 */
export async function wireServices(deps: {
  db: Db;
  http: Api;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  organisation: Organisation;
  notifier: NotifyService;
  gateway: ExchangeGateway;
  identity: IdentityService;
  dataDir: string;
  bundlesDir?: string;
  sweepMs?: number;
  /** Told when an application is completed (the credit-repair workflow). */
  completed?: CompletionListener;
  /** The filing gate the material pre-check runs through. */
  algorithms?: PrecheckGate;
}): Promise<IntegratedServices> {
  const departments = (
    await deps.organisation.structure.listDepartments({ level: 'city', limit: 2000, offset: 0 })
  ).items.map((d) => d.code);
  const files = loadBundleFiles(deps.bundlesDir);
  // Checked against the organisation when it is the bundles' city (the demo's bundles name 50:… departments);
  // before the organisation is loaded, or for another city, there is nothing to check them against.
  const city = (code: string) => code.split(':')[0];
  const cities = new Set(departments.map(city));
  if (files.some((f) => f.bundle.items.some((i) => cities.has(city(i.department)))))
    checkDepartments(files, new Set(departments));
  else
    deps.logger.warn({ cities: [...cities] }, 'bundle departments not checked: no departments of their city');
  const services = await createServices(
    {
      db: deps.db,
      audit: deps.audit,
      clock: deps.clock,
      logger: deps.logger,
      ...(deps.completed ? { completed: deps.completed } : {}),
      ...(deps.algorithms ? { algorithms: deps.algorithms } : {}),
      notifier: deps.notifier,
      evidence: gatewayEvidence(deps.gateway),
      calendar: chinaCalendar(),
      departmentName: (code) =>
        deps.organisation.structure.getDepartment(code).then(
          (d) => d.name,
          () => undefined,
        ),
      signingSeed: Buffer.from(persistentSecret(deps.dataDir, 'services-certificate-key'), 'base64url'),
      accounts: {
        // A citizen is a user without roles; an operator's account is never proposed a bundle.
        byUsername: async (username) => {
          const user = await deps.identity.users
            .findByUsername(SYSTEM_PRINCIPAL, username.trim().toLowerCase())
            .catch((err: unknown) => {
              // Not found is "no such citizen"; anything else (the database down) is the caller's 5xx.
              if (err instanceof AppError && err.code === 'not_found') return undefined;
              throw err;
            });
          return user && user.roles.length === 0 ? { id: user.id, name: user.displayName } : undefined;
        },
      },
    },
    files,
  );
  if (deps.sweepMs !== 0) services.timers.start(deps.sweepMs ?? 15_000);
  registerServicesRoutes(deps.http, { services });
  return services;
}
