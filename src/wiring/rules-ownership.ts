import pg from 'pg';
import type { Logger } from '../platform/logger.ts';

/** Advisory-lock namespaces (first int4 key): one for partitions, one for member slots. */
export const PARTITION_LOCK_NS = 1_128_464_385;
export const MEMBER_LOCK_NS = 1_128_464_386;

/** How a rules process takes part in the partition split. */
export interface OwnershipOptions {
  /** PostgreSQL URL: the locks live on one dedicated connection of this process. */
  connectionString: string;
  /** Who this is (recorded in the member table, for operators). */
  memberId: string;
  partitions: number;
  /** Pause between rounds (heartbeat, rebalance). Default 1,000 ms. */
  intervalMs?: number;
  logger: Logger;
  /** Called with partitions just locked; must prepare them (a throw unlocks them again). */
  onTake(partitions: number[]): Promise<void>;
  /** Called with partitions about to be unlocked (or already lost with the connection); must stop using them. */
  onRelease(partitions: number[]): Promise<void>;
  /** Called after every round with the partitions held then (metrics sampling); a throw is logged. */
  onRound?(owned: number[]): Promise<void> | void;
}

/**
 * Partition ownership among `rules` processes. A partition belongs to whoever holds the session
 * advisory lock (PARTITION_LOCK_NS, k) on its dedicated connection: when a process dies its
 * connection closes and the locks vanish, which is the failover. Balance: each member holds the
 * lock (MEMBER_LOCK_NS, slot) of its row in `sensing_rules_members`; the live members are the
 * rows whose lock is held (pg_locks), so a dead member drops out at once, not after a timeout.
 * Sorted by slot, member i of n wants the partitions with k % n == i: every round it releases
 * what it should not hold and tries to lock what it should (a partition still held by its former
 * owner is taken once that owner lets go in its own round). The heartbeat column only shows
 * operators who is alive.
 */
export class PartitionOwnership {
  private readonly options: Required<Omit<OwnershipOptions, 'onRound'>> & Pick<OwnershipOptions, 'onRound'>;
  private client: pg.Client | undefined;
  private slot: number | undefined;
  private readonly held = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private round$: Promise<void> = Promise.resolve();

  constructor(options: OwnershipOptions) {
    this.options = { intervalMs: 1000, ...options };
  }

  /** Partitions this process holds now. */
  get owned(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  /** Joins (registers, runs a first round) and keeps rebalancing every interval until `stop`. */
  async start(): Promise<void> {
    this.running = true;
    await this.round();
    const loop = () => {
      if (!this.running) return;
      this.timer = setTimeout(() => {
        this.round$ = this.round().finally(loop);
      }, this.options.intervalMs);
    };
    loop();
  }

  /** One round: (re)join if needed, heartbeat, release what is not ours, take what is. Never throws. */
  round(): Promise<void> {
    const run = this.round$.then(() => this.doRound());
    this.round$ = run;
    return run;
  }

  /** Leaves cleanly: gives every partition back, removes the member row, closes the connection. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.round$.catch(() => {});
    await this.releaseAll(true);
    const client = this.client;
    this.client = undefined;
    if (client && this.slot !== undefined) {
      await client.query('delete from sensing_rules_members where slot = $1', [this.slot]).catch(() => {});
    }
    await client?.end().catch(() => {});
  }

  /** For tests: drops the connection as a crash would (no unlock, no row removal); PostgreSQL frees the locks. */
  async crash(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    (client as unknown as { connection?: { stream?: { destroy(): void } } })?.connection?.stream?.destroy();
    await client?.end().catch(() => {});
  }

  private async doRound(): Promise<void> {
    try {
      const client = await this.connect();
      await client.query('update sensing_rules_members set heartbeat_at = now() where slot = $1', [
        this.slot,
      ]);
      // Rows whose member lock nobody holds are dead members; a row is only written after its lock is taken.
      await client.query(
        `delete from sensing_rules_members m where not exists (${HELD_SQL} and l.objid = m.slot::oid)`,
        [MEMBER_LOCK_NS],
      );
      const alive = (
        await client.query<{ slot: number }>('select slot from sensing_rules_members order by slot')
      ).rows.map((r) => r.slot);
      const n = alive.length;
      const i = alive.indexOf(this.slot!);
      if (i < 0) throw new Error('this member is not in the member table');
      const wanted = new Set<number>();
      for (let k = 0; k < this.options.partitions; k++) if (k % n === i) wanted.add(k);
      const give = [...this.held].filter((k) => !wanted.has(k));
      if (give.length) await this.release(give, true);
      const got: number[] = [];
      for (const k of wanted) {
        if (this.held.has(k)) continue;
        const r = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [
          PARTITION_LOCK_NS,
          k,
        ]);
        if (r.rows[0]!.ok) got.push(k);
      }
      if (got.length) {
        try {
          await this.options.onTake(got);
          for (const k of got) this.held.add(k);
        } catch (error) {
          this.options.logger.error({ err: error, partitions: got }, 'taking rules partitions failed');
          await this.unlock(got);
        }
      }
    } catch (error) {
      // Most likely the connection went: its locks are gone, so nothing held is ours any more.
      this.options.logger.warn(
        { err: error },
        'rules ownership round failed; giving partitions up and rejoining',
      );
      await this.releaseAll(false);
      const client = this.client;
      this.client = undefined;
      this.slot = undefined;
      await client?.end().catch(() => {});
    }
    try {
      await this.options.onRound?.(this.owned);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'rules ownership round hook failed');
    }
  }

  /** Opens the lock connection and registers as a member (lock first, then the row). */
  private async connect(): Promise<pg.Client> {
    if (this.client) return this.client;
    const client = new pg.Client({ connectionString: this.options.connectionString });
    client.on('error', (error) => {
      this.options.logger.warn({ err: error }, 'rules lock connection failed');
    });
    await client.connect();
    try {
      const slot = Number(
        (await client.query<{ slot: string }>("select nextval('sensing_rules_member_slot') as slot")).rows[0]!
          .slot,
      );
      await client.query('select pg_advisory_lock($1, $2)', [MEMBER_LOCK_NS, slot]);
      await client.query(
        `insert into sensing_rules_members (slot, member_id, partitions, started_at, heartbeat_at)
         values ($1, $2, $3, now(), now())`,
        [slot, this.options.memberId, this.options.partitions],
      );
      this.slot = slot;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    this.client = client;
    return client;
  }

  private async releaseAll(unlock: boolean): Promise<void> {
    if (this.held.size) await this.release([...this.held], unlock);
  }

  /** Stops using partitions, then unlocks them (not when the connection, and so the locks, are going anyway). */
  private async release(ks: number[], unlock: boolean): Promise<void> {
    for (const k of ks) this.held.delete(k);
    try {
      await this.options.onRelease(ks);
    } catch (error) {
      this.options.logger.error({ err: error, partitions: ks }, 'releasing rules partitions failed');
    }
    if (unlock) await this.unlock(ks);
  }

  private async unlock(ks: number[]): Promise<void> {
    const client = this.client;
    if (!client) return;
    for (const k of ks) {
      await client.query('select pg_advisory_unlock($1, $2)', [PARTITION_LOCK_NS, k]).catch(() => {});
    }
  }
}

/** Granted advisory locks of this database in a namespace (the two-int4 form: classid, objid, objsubid 2). */
const HELD_SQL = `select 1 from pg_locks l where l.locktype = 'advisory' and l.granted and l.objsubid = 2
  and l.database = (select oid from pg_database where datname = current_database()) and l.classid = $1::int8::oid`;
