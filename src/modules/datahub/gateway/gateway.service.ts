import type { Principal } from '../../../platform/access.ts';
import type { Unlisten } from '../../../platform/db/notifications.ts';
import { AppError } from '../../../platform/errors.ts';
import type { CatalogueService } from '../catalogue.service.ts';
import type { Filter, QueryResult } from '../connectors/index.ts';
import { CACHE_DEFAULTS } from '../datahub.cache.ts';
import { listenForChanges } from '../datahub.changes.ts';
import type { Decision, ResourceDto } from '../datahub.schema.ts';
import {
  ConsumerQuota,
  DEFAULT_MASK_POLICY,
  ExchangeLog,
  type ExchangeRecord,
  type FieldClass,
  type MaskPolicy,
  maskRows,
} from '../exchange/index.ts';
import type { NegativeListService } from '../negative-list.service.ts';
import { ConnectorRegistry } from './connector.registry.ts';
import { ExchangeBatcher } from './exchange.batcher.ts';
import { ApplicationService } from './gateway.applications.ts';
import { type Consumer, ConsumerService } from './gateway.consumers.ts';
import type { GatewayDeps } from './gateway.deps.ts';
import type { ExchangeBody, ExchangePending, ExchangeResult, ExchangeScope } from './gateway.schema.ts';
import { scopedFilters, scopeLabel, scopeOf } from './gateway.scope.ts';
import { ApplicationTimers } from './gateway.timers.ts';

/** What an exchange answers: the data (200) or, for conditional access, the application filed (202). */
export type ExchangeAnswer = { status: 200; body: ExchangeResult } | { status: 202; body: ExchangePending };

/**
 * The exchange gateway: authenticate the consumer → quota → catalogue resource → negative-list
 * decision → connector query → masking → one record in the hash-chained exchange log (batched;
 * the answer waits for its batch to commit) → the data. The resource and the list's version check
 * come from per-process caches, dropped by the changes every process announces (LISTEN, started
 * with the first exchange) and trusted for the TTL at most.
 */
export class ExchangeGateway {
  readonly consumers: ConsumerService;
  readonly applications: ApplicationService;
  /** The applications' time limits: reminder at 75 %, escalation when overdue (start it to sweep). */
  readonly applicationTimers: ApplicationTimers;
  readonly connectors = new ConnectorRegistry();
  readonly log: ExchangeLog;
  readonly quota: ConsumerQuota;
  private readonly batcher: ExchangeBatcher;
  private readonly deps: GatewayDeps;
  private readonly catalogue: CatalogueService;
  private readonly list: NegativeListService;
  /** Listening for other processes' changes: set once listening (or trying), until `close`. */
  private listening: Promise<Unlisten | undefined> | undefined;
  /** When listening last failed (ms on the clock): tried again after a TTL. */
  private listenFailedAt = Number.NEGATIVE_INFINITY;

  constructor(deps: GatewayDeps, catalogue: CatalogueService, list: NegativeListService) {
    this.deps = deps;
    this.catalogue = catalogue;
    this.list = list;
    this.consumers = new ConsumerService(deps);
    this.applications = new ApplicationService(deps);
    this.applicationTimers = new ApplicationTimers(deps, this.applications);
    this.log = new ExchangeLog(deps.db);
    this.quota = new ConsumerQuota(deps.clock, deps.quota ?? { perSecond: 200, burst: 400 });
    this.batcher = new ExchangeBatcher(this.log, { windowMs: deps.batchWindowMs ?? 0 });
  }

  /** One exchange, from the caller's key to the logged, masked data. */
  async exchange(principal: Principal | undefined, body: ExchangeBody): Promise<ExchangeAnswer> {
    const consumer = await this.consumers.authenticate(principal);
    this.quota.take(consumer.id);
    await (this.listening ?? this.listen());
    // The list's version check does not depend on the resource: both (cached) reads go out together.
    const refreshed = this.list.refreshCached();
    refreshed.catch(() => {}); // awaited (and its failure answered) in decide()
    const resource = await this.catalogue.lookup(body.resourceId);
    const scope = scopeOf(consumer, resource);
    const decision = { ...(await this.decide(consumer, resource, body, refreshed)), scope };
    const record = this.record(consumer, resource, body.purpose, decision, scope);
    if (decision.decision === 'deny') return this.deny(record, decision);
    if (decision.decision === 'needs_approval')
      return this.fileApplication(consumer, resource, body, decision, record);
    const result = await this.query(resource, body, scope, record);
    const masked = maskRows(
      result.rows,
      askedFields(resource, body.fields),
      maskPolicy(consumer, resource, decision),
    );
    const seq = await this.batcher.append({
      ...record,
      maskedFields: masked.maskedFields,
      rowCount: masked.rows.length,
    });
    return {
      status: 200,
      body: { exchangeId: String(seq), decision, ...masked, truncated: result.truncated },
    };
  }

  /** Recomputes the exchange log's chain. */
  async verify(): Promise<{ ok: boolean; checked: number; firstBroken?: { seq: number; reason: string } }> {
    await this.batcher.flush();
    const { ok, checked, firstBroken } = await this.log.verify();
    return firstBroken ? { ok, checked, firstBroken } : { ok, checked };
  }

  /** Stops the applications' sweep and the listening, writes what is queued and closes every connector. */
  async close(): Promise<void> {
    await this.applicationTimers.stop();
    const listening = this.listening;
    this.listening = Promise.resolve(undefined); // no new listener once closed
    await (await listening)?.();
    await this.batcher.flush();
    await this.connectors.close();
  }

  /**
   * Starts listening for catalogue and list changes, once (when `deps.changes` is given). If that
   * fails the exchange goes on with the TTL alone; a later exchange tries again after a TTL.
   */
  private listen(): Promise<unknown> {
    const changes = this.deps.changes;
    const now = this.deps.clock.now().getTime();
    if (!changes || now - this.listenFailedAt < (this.deps.cache?.ttlMs ?? CACHE_DEFAULTS.ttlMs))
      return Promise.resolve();
    const listening: Promise<Unlisten | undefined> = listenForChanges(changes, {
      resources: (ids) => this.catalogue.invalidate(ids),
      list: () => this.list.invalidate(),
    }).catch((error: unknown) => {
      this.deps.logger?.error({ err: error }, 'datahub: cannot listen for catalogue and list changes');
      this.listenFailedAt = now;
      if (this.listening === listening) this.listening = undefined; // not when closed meanwhile
      return undefined;
    });
    this.listening = listening;
    return listening;
  }

  private async decide(
    consumer: Consumer,
    resource: ResourceDto,
    body: ExchangeBody,
    refreshed: Promise<void>,
  ): Promise<Decision> {
    checkFields(resource, body);
    const ownerApproval = body.applicationId
      ? await this.applications.approves(body.applicationId, consumer, resource.id)
      : false;
    await refreshed;
    return this.list.policy.decide({
      resource,
      requesterDepartment: consumer.departmentCode,
      roles: [],
      purpose: body.purpose,
      ...(body.fields ? { fields: body.fields } : {}),
      ownerApproval,
      at: this.deps.clock.now(),
    });
  }

  private async deny(record: ExchangeRecord, decision: Decision): Promise<never> {
    await this.batcher.append(record);
    throw new AppError('forbidden', 'the data-sharing negative list does not share this resource', {
      reason: 'negative_list',
      listVersion: decision.listVersion,
      entries: decision.entries.map((e) => ({ id: e.id, basis: e.basis })),
    });
  }

  private async fileApplication(
    consumer: Consumer,
    resource: ResourceDto,
    body: ExchangeBody,
    decision: Decision & { scope: ExchangeScope },
    record: ExchangeRecord,
  ): Promise<ExchangeAnswer> {
    const application = await this.applications.file(consumer, resource, body.purpose, decision);
    const seq = await this.batcher.append(record);
    return { status: 202, body: { exchangeId: String(seq), decision, application } };
  }

  /**
   * The source's answer to the consumer's filters and the scope's (pushed down together, so rows
   * outside the consumer's jurisdiction never leave the source); a failed query is logged too
   * (decision `failed:<code>`) before its error goes back.
   */
  private async query(
    resource: ResourceDto,
    body: ExchangeBody,
    scope: ExchangeScope,
    record: ExchangeRecord,
  ): Promise<QueryResult> {
    try {
      const { connector, native } = this.connectors.resolve(resource.sourceSystem, resource.id);
      return await connector.query(native, scopedFilters(body.filters as Filter[], scope), body.limit);
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'internal';
      await this.batcher.append({ ...record, decision: `failed:${code}` });
      throw error;
    }
  }

  private record(
    consumer: Consumer,
    resource: ResourceDto,
    purpose: string,
    d: Decision,
    scope: ExchangeScope,
  ): ExchangeRecord {
    return {
      at: this.deps.clock.now(),
      consumerApp: consumer.id,
      consumerDept: consumer.departmentCode,
      ownerDept: resource.ownerDepartment,
      resourceId: resource.id,
      purpose,
      decision: d.decision,
      policyVersion: String(d.listVersion),
      entries: d.entries.map((e) => e.id),
      maskedFields: [],
      rowCount: 0,
      scope: scopeLabel(scope),
    };
  }
}

/** Fields asked for and filtered on must be catalogued; restricted fields cannot be filtered on (400 naming the field). */
function checkFields(resource: ResourceDto, body: ExchangeBody): void {
  for (const name of body.fields ?? [])
    if (!resource.fields.some((f) => f.name === name))
      throw new AppError('invalid_request', `resource '${resource.id}' has no field '${name}'`, {
        field: name,
      });
  for (const filter of body.filters) {
    const field = resource.fields.find((f) => f.name === filter.field);
    if (!field || field.class === 'restricted')
      throw new AppError('invalid_request', `cannot filter '${resource.id}' on '${filter.field}'`, {
        field: filter.field,
      });
  }
}

function askedFields(resource: ResourceDto, fields?: string[]) {
  return resource.fields.filter((f) => !fields || fields.includes(f.name));
}

/** Personal and sensitive fields masked and restricted ones dropped, plus the classes the decision masks; none for a department's own data. */
function maskPolicy(consumer: Consumer, resource: ResourceDto, decision: Decision): MaskPolicy {
  if (consumer.departmentCode === resource.ownerDepartment) return { mask: [], drop: [] };
  const mask = new Set<FieldClass>(DEFAULT_MASK_POLICY.mask);
  for (const f of decision.maskedFields) if (!DEFAULT_MASK_POLICY.drop.includes(f.class)) mask.add(f.class);
  return { mask: [...mask], drop: DEFAULT_MASK_POLICY.drop };
}
