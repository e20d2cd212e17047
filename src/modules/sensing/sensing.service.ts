import { canSee, type Principal } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AuditLog } from '../audit/index.ts';
import { type AlertPublisher, noopAlertPublisher } from './alerts/alerts.schema.ts';
import { AlertService } from './alerts/alerts.service.ts';
import type { Locator } from './devices/devices.schema.ts';
import { type DeviceChangePublisher, DeviceRegistry } from './devices/devices.service.ts';
import { type DeadLetterQuery, DeadLetterRepository } from './intake/deadletters.repository.ts';
import { type BatcherOptions, decodeRaw, IngestBatcher } from './intake/intake.batcher.ts';
import { limitsOf } from './intake/intake.limits.ts';
import {
  commitBatch,
  type IngestResult,
  prepareBatch,
  type RawObservation,
  type ReadingsObserver,
} from './intake/intake.service.ts';
import { subjectOf } from './intake/intake.subjects.ts';
import { RuleEngine } from './rules/engine.ts';
import type { Rule } from './rules/rule.schema.ts';
import { PartitionedRules, type ReadingsOut } from './rules/rules.partitions.ts';
import { RuleStateStore } from './rules/rules.store.ts';
import { alertCounter } from './sensing.metrics.ts';
import { type SensingOptions, type SensingOptionsInput, SensingOptionsSchema } from './sensing.options.ts';
import { SensingQueries } from './store/sensing.queries.ts';
import { ObservationStore } from './store/store.repository.ts';

/** Everything the sensing module needs, passed in by the composition root. */
export interface SensingDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  locator: Locator;
  alertPublisher?: AlertPublisher;
  logger?: Logger;
  /** The rule set (see loadRuleFiles); none when omitted. */
  rules?: Rule[];
  options?: SensingOptionsInput;
  /**
   * An ingest process whose rules run in `rules` processes (`serve --role ingest`): new readings
   * are handed over here in the batch's transaction and this process runs no rules.
   */
  readingsOut?: ReadingsOut;
  /** Where registry changes are announced to other processes (outbox rows on `sensing.device.changed`). */
  deviceChanges?: DeviceChangePublisher;
  /** Modules that check and receive readings of their device types (the traffic road network). */
  observers?: readonly ReadingsObserver[];
}

const DAY_MS = 86_400_000;

/**
 * The sensing module: device registry, observation intake and storage, the streaming rules
 * engine and alerts. `start()` loads rule state and runs the timer loop; `stop()` ends it.
 */
export class SensingService {
  readonly devices: DeviceRegistry;
  readonly alerts: AlertService;
  readonly queries: SensingQueries;
  readonly options: SensingOptions;
  private readonly deps: SensingDeps;
  private readonly engine: RuleEngine;
  private readonly store = new ObservationStore();
  private readonly ruleStates = new RuleStateStore();
  private engineLoaded = false;
  private queue: Promise<unknown> = Promise.resolve();
  private chores: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private lastRetention = 0;

  constructor(deps: SensingDeps) {
    this.deps = deps;
    this.options = SensingOptionsSchema.parse(deps.options ?? {});
    this.devices = new DeviceRegistry(deps);
    this.alerts = new AlertService({ ...deps, publisher: deps.alertPublisher ?? noopAlertPublisher });
    this.queries = new SensingQueries(deps.db, this.devices, this.options.dayOffsetMinutes);
    this.engine = new RuleEngine(deps.rules ?? [], {
      latenessMs: this.options.latenessMinutes * 60_000,
      idleCloseMs: this.options.idleCloseMinutes * 60_000,
      dayOffsetMinutes: this.options.dayOffsetMinutes,
    });
    this.devices.onChange = (id) => this.engine.refreshSubject(id);
  }

  /** The injected clock's time (routes stamp arrivals with it). */
  now(): Date {
    return this.deps.clock.now();
  }

  /** The active rules. */
  get rules(): readonly Rule[] {
    return this.engine.ruleSet;
  }

  /**
   * Re-reads devices another process changed (a `sensing.device.changed` notice) into the
   * registry cache and recompiles their rules, on the ingest queue so no batch runs the engine
   * meanwhile. A `rules` process refreshes through its PartitionedRules instead.
   */
  refreshDevices(ids: Iterable<string>): Promise<void> {
    const list = [...ids];
    return this.serial(() => this.devices.refresh(list));
  }

  /** Ingests a batch (validation now, then commitBatch in call order, so rule state stays ordered). */
  ingest(batch: RawObservation[]): Promise<IngestResult> {
    const parts = this.intakeParts();
    // Validation runs at once (overlapping the previous batch's database work); commits keep call order.
    const prepared = prepareBatch(parts, batch);
    // Handled below once its turn comes; this only keeps an early failure from counting as unhandled.
    prepared.catch(() => {});
    return this.serial(async () => commitBatch(parts, await prepared));
  }

  /**
   * Ingests observations sent by a caller that names their devices (an admin API key through the
   * HTTP batch endpoint). A device the caller may not see — registered outside its jurisdiction,
   * or not registered at all — answers not_found for the batch, as a read of it would (the answer
   * does not tell the two apart), and nothing of the batch is stored.
   */
  async ingestAs(principal: Principal, batch: RawObservation[]): Promise<IngestResult> {
    const known = await this.devices.cache.resolve(batch.map((b) => b.deviceId));
    batch.forEach((b, i) => {
      const device = known.get(b.deviceId);
      if (!device || !canSee(principal, device.jurisdictionPath))
        throw new AppError('not_found', `item ${i}: no device '${b.deviceId}'`);
    });
    return this.ingest(batch);
  }

  /** Ingests bytes as a transport received them: invalid JSON is dead-lettered; an array is several observations. */
  ingestRaw(
    deviceId: string,
    bytes: Uint8Array | string,
    receivedAt: Date = this.deps.clock.now(),
  ): Promise<IngestResult> {
    return this.ingest(decodeRaw(deviceId, bytes, receivedAt, limitsOf(this.options)));
  }

  /**
   * A batcher for transports that deliver messages one at a time (MQTT): `submit(deviceId,
   * bytes)` resolves once the message is stored, so the transport acknowledges only then.
   */
  batcher(options: Omit<BatcherOptions, 'now'> = {}): IngestBatcher {
    return new IngestBatcher((batch) => this.ingest(batch), {
      limits: limitsOf(this.options),
      ...options,
      now: () => this.deps.clock.now(),
    });
  }

  /**
   * Clock-driven work: no-data rules and windows of silent devices, devices gone offline, partitions
   * ahead, and (hourly) retention. Called by the timer loop; tests call it with a simulated time.
   * Only the rules' part (and retention) takes the ingest queue; last-seen, offline marking and
   * rollup folding touch nothing an ingest batch writes, so they run beside it in their own
   * transaction — holding the queue for them stalled ingest ~0.1–0.3 s every tick.
   */
  async evaluateTimers(
    now: Date = this.deps.clock.now(),
  ): Promise<{ raised: number; cleared: number; offline: string[] }> {
    const alerts = await this.serial(async () => {
      // Rules handed to `rules` processes: they run the clock-driven rules of the partitions they own.
      if (this.deps.readingsOut) {
        const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
        const ahead = Array.from(
          { length: this.options.partitionsAheadDays + 1 },
          (_, i) => today + i * DAY_MS,
        );
        await this.store.ensurePartitions(this.deps.db, ahead);
        return { raised: 0, cleared: 0 };
      }
      await this.ensureEngine();
      const today = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
      const ahead = Array.from(
        { length: this.options.partitionsAheadDays + 1 },
        (_, i) => today + i * DAY_MS,
      );
      await this.store.ensurePartitions(this.deps.db, ahead);
      const all = await this.devices.cache.all();
      const transitions = this.engine.onTick(now.getTime(), [...all.values()].map(subjectOf));
      try {
        const result = await this.deps.db.transaction().execute(async (trx) => {
          await this.ruleStates.save(trx, this.engine.takeDirty(), now);
          const applied = await this.alerts.apply(trx, transitions);
          return { raised: applied.raised.length, cleared: applied.cleared.length };
        });
        alertCounter.inc({ transition: 'raised' }, result.raised);
        alertCounter.inc({ transition: 'cleared' }, result.cleared);
        return result;
      } catch (error) {
        this.engineLoaded = false;
        throw error;
      }
    });
    const offline = await this.housekeeping(now);
    if (now.getTime() - this.lastRetention >= 3_600_000) await this.serial(() => this.applyRetention(now));
    return { ...alerts, offline };
  }

  /** Last-seen and offline marking, rollup folding and closed days: one at a time, off the ingest queue. */
  private housekeeping(now: Date): Promise<string[]> {
    const work = async () => {
      const before = new Date(now.getTime() - this.options.offlineAfterMinutes * 60_000);
      return this.deps.db.transaction().execute(async (trx) => {
        const offline = await this.devices.cache.flushSeen(trx, before);
        await this.store.compact(trx, this.options.dayOffsetMinutes * 60);
        await this.store.finalizeDays(trx, new Date(now.getTime() - this.options.latenessMinutes * 60_000));
        return offline;
      });
    };
    const run = this.chores.then(work, work);
    this.chores = run.catch(() => {});
    return run;
  }

  /** Drops raw partitions past the raw retention and hourly rollups past theirs. */
  async applyRetention(
    now: Date = this.deps.clock.now(),
  ): Promise<{ droppedPartitions: string[]; hourlyDeleted: number }> {
    this.lastRetention = now.getTime();
    const raw = new Date(now.getTime() - this.options.rawRetentionDays * DAY_MS);
    const hourly = new Date(now.getTime() - this.options.hourlyRetentionDays * DAY_MS);
    const droppedPartitions = await this.store.dropPartitionsBefore(this.deps.db, raw);
    const hourlyDeleted = await this.store.pruneHourly(this.deps.db, hourly);
    return { droppedPartitions, hourlyDeleted };
  }

  /** Dead letters visible to an admin principal. */
  async deadLetters(principal: Principal, q: DeadLetterQuery) {
    if (!principal.roles.includes('admin'))
      throw new AppError('forbidden', 'requires one of the roles: admin');
    return new DeadLetterRepository().list(this.deps.db, principal, q);
  }

  /**
   * The rules of a `rules` process (`serve --role rules`): this service's engine then holds only
   * the states of the partitions taken through the returned object; do not `start()` the service
   * as well (its timer would run every subject's rules).
   */
  partitionedRules(options: {
    partitions: number;
    owner: string;
    onCommitted?: () => void;
  }): PartitionedRules {
    return new PartitionedRules({
      db: this.deps.db,
      clock: this.deps.clock,
      engine: this.engine,
      ruleStates: this.ruleStates,
      alerts: this.alerts,
      registry: this.devices,
      ...options,
    });
  }

  /** Loads rule state and starts the timer loop. */
  async start(): Promise<void> {
    if (this.options.noDataGraceAtStart) this.engine.setNoDataSince(this.deps.clock.now().getTime());
    await this.evaluateTimers();
    this.timer = setInterval(() => {
      this.evaluateTimers().catch((error) =>
        this.deps.logger?.error({ err: error }, 'sensing timers failed'),
      );
    }, this.options.tickSeconds * 1000);
    this.timer.unref();
  }

  /** Stops the timer loop and waits for work in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([this.queue.catch(() => {}), this.chores.catch(() => {})]);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }

  private async ensureEngine(): Promise<void> {
    if (this.engineLoaded) return;
    this.engine.load(await this.ruleStates.all(this.deps.db));
    this.engineLoaded = true;
  }

  private intakeParts() {
    return {
      ...this.deps,
      options: this.options,
      registry: this.devices,
      store: this.store,
      engine: this.engine,
      ruleStates: this.ruleStates,
      alerts: this.alerts,
      ensureEngine: () => this.ensureEngine(),
      dropEngine: () => {
        this.engineLoaded = false;
      },
    };
  }
}
