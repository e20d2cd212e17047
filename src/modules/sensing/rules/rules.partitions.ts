import { sql } from 'kysely';
import type { Clock } from '../../../platform/clock.ts';
import type { Db } from '../../../platform/db/database.ts';
import type { AlertDto } from '../alerts/alerts.schema.ts';
import type { AlertService } from '../alerts/alerts.service.ts';
import type { DeviceRecord } from '../devices/devices.repository.ts';
import type { DeviceRegistry } from '../devices/devices.service.ts';
import { subjectOf } from '../intake/intake.subjects.ts';
import type { ReadingsMessage } from '../readings.subjects.ts';
import {
  alertCounter,
  lateCounter,
  rulesFencedCounter,
  rulesMessageCounter,
  rulesTakeoverCounter,
} from '../sensing.metrics.ts';
import type { StoredReading } from '../store/store.repository.ts';
import type { RuleEngine, Transition } from './engine.ts';
import type { Reading } from './evaluator.ts';
import type { RuleStateStore } from './rules.store.ts';

/**
 * The partition of a rule subject. Every rule's subject is one device (the engine keys states by
 * rule and device id; a water station's section is an attribute of its device, no rule spans
 * devices), so the key is the device id: FNV-1a 32-bit, modulo the partition count. Stable
 * across processes, versions and platforms.
 */
export function partitionOf(deviceId: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < deviceId.length; i++) {
    h ^= deviceId.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/**
 * Where an ingest process that leaves the rules to `rules` processes puts the new readings:
 * `enqueue` runs inside the batch's transaction with one message per partition (outbox rows on
 * `sensing.readings.p<k>`), so the readings and their hand-over commit together and a
 * redelivery (nothing new stored) hands over nothing; `committed` is called after the commit
 * (wake the relay).
 */
export interface ReadingsOut {
  partitions: number;
  enqueue(trx: Db, messages: Map<number, ReadingsMessage>): Promise<void>;
  committed?(): void;
}

/** Splits a batch's new readings and arrivals into one message per partition that has any. */
export function splitByPartition(
  fresh: StoredReading[],
  arrivals: Map<DeviceRecord, number>,
  partitions: number,
): Map<number, ReadingsMessage> {
  const out = new Map<number, ReadingsMessage>();
  const part = new Map<string, number>();
  const of = (id: string) => {
    let k = part.get(id);
    if (k === undefined) {
      k = partitionOf(id, partitions);
      part.set(id, k);
    }
    let msg = out.get(k);
    if (!msg) {
      msg = { d: [], m: [], t: [], v: [], ad: [], at: [] };
      out.set(k, msg);
    }
    return msg;
  };
  for (const [device, at] of arrivals) {
    const msg = of(device.id);
    msg.ad.push(device.id);
    msg.at.push(at);
  }
  for (const r of fresh) {
    const msg = of(r.device_id);
    msg.d.push(r.device_id);
    msg.m.push(r.metric);
    msg.t.push(Number(r.t));
    msg.v.push(r.value);
  }
  return out;
}

/** One message of a partition's stream: its stream sequence and its readings. */
export interface PartitionMessage {
  seq: number;
  message: ReadingsMessage;
}

/** What one `apply` did. */
export interface ApplyResult {
  applied: number;
  /** Messages at or below the partition's recorded progress (redeliveries): acknowledged without effect. */
  skipped: number;
  raised: AlertDto[];
  cleared: AlertDto[];
}

/** The partition is no longer this process's (another took it over: its epoch moved on). */
export class PartitionLostError extends Error {
  readonly partition: number;
  constructor(partition: number) {
    super(`rules partition ${partition} is owned by another process now`);
    this.partition = partition;
  }
}

/** What the partitioned rules are built from (the sensing facade wires it). */
export interface PartitionedRulesParts {
  db: Db;
  clock: Clock;
  engine: RuleEngine;
  ruleStates: RuleStateStore;
  alerts: AlertService;
  registry: DeviceRegistry;
  partitions: number;
  /** Who owns the partitions taken here (recorded with the progress, for operators). */
  owner: string;
  /** Called after a transaction that changed alerts committed (wake the outbox relay). */
  onCommitted?: () => void;
}

/**
 * The rules of a `rules` process: the engine holds the states of the partitions this process
 * owns, and every change is one transaction that also checks and records the partition's
 * progress. Ownership itself (advisory locks, membership) is the caller's; here:
 *
 * - `take(ks)` bumps each partition's epoch (the fencing token: a former owner's later
 *   transactions fail on it, and the bump waits for its in-flight one), then loads the rule
 *   states of the partitions' subjects from the database (another process may have advanced them)
 *   and returns the last applied stream sequence, from which the caller resumes the stream.
 * - `apply(k, messages)` runs the rules on messages above the recorded progress, saves changed
 *   states, applies alert transitions and records the new progress, all in one transaction
 *   (exactly-once effect across crashes and ownership changes).
 * - `tick(now, ks)` runs the clock-driven rules (no data, windows of silent devices) for those
 *   partitions' subjects.
 *
 * All of it runs one call at a time (the engine and its dirty set are shared).
 */
export class PartitionedRules {
  private readonly p: PartitionedRulesParts;
  private readonly owned = new Map<number, number>();
  private readonly partitionCache = new Map<string, number>();
  /** Owned partitions whose in-memory states must be reloaded before use (a transaction failed). */
  private readonly stale = new Set<number>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(parts: PartitionedRulesParts) {
    this.p = parts;
  }

  /** Partitions currently owned here. */
  get partitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  /** The partition of a subject under this process's partition count. */
  partitionOf(subject: string): number {
    let k = this.partitionCache.get(subject);
    if (k === undefined) {
      k = partitionOf(subject, this.p.partitions);
      this.partitionCache.set(subject, k);
    }
    return k;
  }

  /** Takes partitions over (epoch bump, states reloaded); returns each one's last applied stream sequence. */
  take(ks: number[]): Promise<Map<number, number>> {
    return this.serial(async () => {
      const { db, clock, owner } = this.p;
      const progress = new Map<number, number>();
      for (const k of ks) {
        const r = await sql<{ last_seq: number; epoch: number }>`
          insert into sensing_rules_progress as p (partition, last_seq, epoch, owner, updated_at)
          values (${k}, 0, 1, ${owner}, ${clock.now()})
          on conflict (partition) do update set epoch = p.epoch + 1, owner = excluded.owner,
            updated_at = excluded.updated_at
          returning last_seq, epoch`.execute(db);
        const row = r.rows[0]!;
        rulesTakeoverCounter.inc();
        this.owned.set(k, Number(row.epoch));
        this.stale.add(k);
        progress.set(k, Number(row.last_seq));
      }
      // Last-seen times move on in the ingest processes: reload the registry so no_data resumes from them.
      this.p.registry.cache.invalidate();
      await this.reload(new Set(ks));
      for (const k of ks) this.stale.delete(k);
      return progress;
    });
  }

  /**
   * Re-reads devices another process changed (section, target class, location, removal…) and
   * recompiles their rules, between batches: a batch resolves its devices and feeds the engine
   * in one turn of this queue, so it never mixes the old record with the new one.
   */
  refreshDevices(ids: Iterable<string>): Promise<void> {
    const list = [...ids];
    return this.serial(() => this.p.registry.refresh(list));
  }

  /** Gives partitions up: their states leave memory (the next owner reloads them from the database). */
  release(ks: number[]): Promise<void> {
    return this.serial(async () => {
      const set = new Set(ks);
      for (const k of ks) {
        this.owned.delete(k);
        this.stale.delete(k);
      }
      this.p.engine.replaceSubjects((id) => set.has(this.partitionOf(id)), []);
    });
  }

  /** Applies a partition's messages (in stream order) in one transaction; see the class comment. */
  apply(k: number, messages: PartitionMessage[]): Promise<ApplyResult> {
    return this.serial(async () => {
      const epoch = this.owned.get(k);
      if (epoch === undefined) throw new PartitionLostError(k);
      await this.fresh(k);
      const { db, clock, engine, ruleStates, alerts, registry } = this.p;
      const ids = new Set<string>();
      for (const { message } of messages) for (const id of message.ad) ids.add(id);
      const devices = await registry.cache.resolve(ids);
      const now = clock.now();
      try {
        const result = await db.transaction().execute(async (trx) => {
          const last = await this.fence(trx, k, epoch);
          const fresh = messages.filter((m) => m.seq > last).sort((a, b) => a.seq - b.seq);
          if (fresh.length === 0) return { applied: 0, skipped: messages.length, raised: [], cleared: [] };
          const transitions: Transition[] = [];
          for (const { message } of fresh) transitions.push(...this.feed(message, devices));
          await ruleStates.save(trx, engine.takeDirty(), now);
          const changed = await alerts.apply(trx, transitions);
          await sql`update sensing_rules_progress set last_seq = ${fresh.at(-1)!.seq}, updated_at = ${now}
            where partition = ${k}`.execute(trx);
          return { applied: fresh.length, skipped: messages.length - fresh.length, ...changed };
        });
        rulesMessageCounter.inc({ outcome: 'applied' }, result.applied);
        rulesMessageCounter.inc({ outcome: 'skipped' }, result.skipped);
        this.committed(result.raised.length, result.cleared.length);
        return result;
      } catch (error) {
        await this.recover(k, error);
        throw error;
      }
    });
  }

  /** Clock-driven rules for the subjects of these owned partitions (one transaction per partition that changed). */
  tick(now: Date, ks: Iterable<number>): Promise<{ raised: number; cleared: number }> {
    return this.serial(async () => {
      const { db, engine, ruleStates, alerts, registry } = this.p;
      const want = new Set([...ks].filter((k) => this.owned.has(k)));
      if (want.size === 0) return { raised: 0, cleared: 0 };
      const byPartition = new Map<number, DeviceRecord[]>();
      for (const d of (await registry.cache.all()).values()) {
        const k = this.partitionOf(d.id);
        if (!want.has(k)) continue;
        let list = byPartition.get(k);
        if (!list) {
          list = [];
          byPartition.set(k, list);
        }
        list.push(d);
      }
      let raised = 0;
      let cleared = 0;
      for (const [k, list] of byPartition) {
        const epoch = this.owned.get(k)!;
        await this.fresh(k);
        const transitions = engine.onTick(now.getTime(), list.map(subjectOf));
        const dirty = engine.takeDirty();
        if (transitions.length === 0 && dirty.length === 0) continue;
        try {
          const r = await db.transaction().execute(async (trx) => {
            await this.fence(trx, k, epoch);
            await ruleStates.save(trx, dirty, now);
            return alerts.apply(trx, transitions);
          });
          raised += r.raised.length;
          cleared += r.cleared.length;
          this.committed(r.raised.length, r.cleared.length);
        } catch (error) {
          await this.recover(k, error);
          throw error;
        }
      }
      return { raised, cleared };
    });
  }

  /** Locks the partition's progress row; throws unless this process still holds its epoch. Returns the last applied sequence. */
  private async fence(trx: Db, k: number, epoch: number): Promise<number> {
    const r = await sql<{ last_seq: number; epoch: number }>`
      select last_seq, epoch from sensing_rules_progress where partition = ${k} for update`.execute(trx);
    const row = r.rows[0];
    if (!row || Number(row.epoch) !== epoch) {
      rulesFencedCounter.inc();
      throw new PartitionLostError(k);
    }
    return Number(row.last_seq);
  }

  /** Feeds one message to the engine: every device that sent something gets its arrival, with its new readings. */
  private feed(message: ReadingsMessage, devices: Map<string, DeviceRecord>): Transition[] {
    const byDevice = new Map<string, Reading[]>();
    for (let i = 0; i < message.d.length; i++) {
      const id = message.d[i]!;
      let list = byDevice.get(id);
      if (!list) {
        list = [];
        byDevice.set(id, list);
      }
      list.push({ metric: message.m[i]!, t: message.t[i]!, value: message.v[i]! });
    }
    const out: Transition[] = [];
    for (let i = 0; i < message.ad.length; i++) {
      const device = devices.get(message.ad[i]!);
      if (!device) continue; // removed since it reported
      const at = message.at[i]!;
      const subject = subjectOf(device);
      out.push(...this.p.engine.onReadings(subject, byDevice.get(device.id) ?? [], at));
      if ((subject.lastSeenAt ?? 0) < at) subject.lastSeenAt = at;
    }
    return out;
  }

  private committed(raised: number, cleared: number): void {
    lateCounter.inc(this.p.engine.late);
    this.p.engine.late = 0;
    alertCounter.inc({ transition: 'raised' }, raised);
    alertCounter.inc({ transition: 'cleared' }, cleared);
    if (raised + cleared > 0) this.p.onCommitted?.();
  }

  /** After a failed transaction the partition's in-memory states are suspect: reload before next use, or drop a lost partition. */
  private async recover(k: number, error: unknown): Promise<void> {
    this.p.engine.takeDirty();
    if (error instanceof PartitionLostError) {
      this.owned.delete(k);
      this.stale.delete(k);
      this.p.engine.replaceSubjects((id) => this.partitionOf(id) === k, []);
      return;
    }
    this.stale.add(k);
  }

  /** Reloads a partition's states if a failed transaction left them suspect (throws while the database is away). */
  private async fresh(k: number): Promise<void> {
    if (!this.stale.has(k)) return;
    await this.reload(new Set([k]));
    this.stale.delete(k);
  }

  /** Replaces the in-memory states of these partitions' subjects with the stored ones. */
  private async reload(ks: Set<number>): Promise<void> {
    const states = (await this.p.ruleStates.all(this.p.db)).filter((s) =>
      ks.has(this.partitionOf(s.subject)),
    );
    this.p.engine.replaceSubjects((id) => ks.has(this.partitionOf(id)), states);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => {});
    return run;
  }
}
