import { type RawBuilder, sql } from 'kysely';
import { DailyPartitions } from '../../../platform/db/daily-partitions.ts';
import type { Db } from '../../../platform/db/database.ts';
import type { ChainedExchange } from './exchange.hash.ts';

/** Separates list items in the insert's text columns (entry ids and field names never hold it). */
export const LIST_SEPARATOR = '\u001f';

/** Partition names only (no state): see the instance's `partitions` for creating them. */
const NAMES = new DailyPartitions('dh_exchange_log');

/** Name of the partition holding the UTC day that starts at `dayStart` (ms). */
export function exchangePartitionName(dayStart: number): string {
  return NAMES.name(dayStart);
}

/** Separate fields and rows in a verifier page (no text field of the log may hold them, or U+001F). */
export const FIELD_SEPARATOR = '\u001e';
export const ROW_SEPARATOR = '\u001d';

/** All SQL of the exchange log. */
export class ExchangeRepository {
  /** Per instance: a fresh database (tests) starts with none of its partitions known. */
  private readonly partitions = new DailyPartitions('dh_exchange_log');

  /** Creates the daily partitions for these UTC days (ms at 00:00Z) that do not exist yet. */
  ensurePartitions(db: Db, dayStarts: Iterable<number>): Promise<void> {
    return this.partitions.ensure(db, dayStarts);
  }

  /** Locks the chain head for the rest of the transaction, so appenders in every process take turns. */
  async lockHead(trx: Db): Promise<{ seq: number; hash: string }> {
    const r = await sql<{ seq: number; hash: string }>`
      select seq, hash from dh_exchange_head where id = 1 for update`.execute(trx);
    const head = r.rows[0];
    if (!head) throw new Error('dh_exchange_head is missing: run the datahub exchange migrations');
    return { seq: Number(head.seq), hash: head.hash };
  }

  /** The head as stored. */
  async head(db: Db): Promise<{ seq: number; hash: string }> {
    const r = await sql<{
      seq: number;
      hash: string;
    }>`select seq, hash from dh_exchange_head where id = 1`.execute(db);
    const head = r.rows[0];
    if (!head) throw new Error('dh_exchange_head is missing: run the datahub exchange migrations');
    return { seq: Number(head.seq), hash: head.hash };
  }

  /** Inserts a chained batch in one statement (column arrays through unnest) and moves the head to its end. */
  async insert(trx: Db, rows: ChainedExchange[]): Promise<void> {
    await insertRows(rows).execute(trx);
    const last = rows[rows.length - 1] as ChainedExchange;
    await sql`update dh_exchange_head set seq = ${last.seq}, hash = ${last.hash} where id = 1`.execute(trx);
  }

  /**
   * Appends a batch chained onto `expected` in ONE statement (one round trip, its own
   * transaction): it locks the head row, and only if the head is still `expected` inserts the
   * rows and moves the head to their end. Another appender that moved the head first holds the
   * lock until it commits; this statement then re-reads the head (READ COMMITTED re-checks a row
   * locked `for update` once its locker commits), finds it moved and writes nothing. Returns
   * whether it wrote, and the head it found (to chain onto next time).
   */
  async appendIfHead(
    db: Db,
    expected: { seq: number; hash: string },
    rows: ChainedExchange[],
  ): Promise<{ written: boolean; seq: number; hash: string }> {
    const last = rows[rows.length - 1] as ChainedExchange;
    const r = await sql<{ seq: string | number; hash: string; written: string | number }>`
      with head as (select seq, hash from dh_exchange_head where id = 1 for update),
      ok as (select 1 from head where seq = ${expected.seq} and hash = ${expected.hash}),
      ins as (${insertRows(rows, sql`where exists (select 1 from ok)`)} returning 1),
      moved as (
        update dh_exchange_head set seq = ${last.seq}, hash = ${last.hash}
        where id = 1 and seq = ${expected.seq} and exists (select 1 from ok) returning 1)
      select seq, hash, (select count(*) from moved) as written from head`.execute(db);
    const head = r.rows[0];
    if (!head) throw new Error('dh_exchange_head is missing: run the datahub exchange migrations');
    return { written: Number(head.written) === 1, seq: Number(head.seq), hash: head.hash };
  }

  /**
   * Rows after `afterSeq` up to `upToSeq` in chain order (keyset over the primary key), encoded by the server as one
   * string: rows joined by U+001D, fields by U+001E, list items by U+001F, in the order seq, time
   * (epoch ms), consumer app, consumer dept, owner dept, resource, purpose, decision, policy
   * version, entries, masked fields, row count, previous hash, hash, scope. One text value per page
   * instead of 14 typed columns per row makes reading 1,000,000 rows several times cheaper for
   * the client; the verifier still hashes every field's stored value itself.
   */
  async encodedPage(db: Db, afterSeq: number, upToSeq: number, limit: number): Promise<string[]> {
    const r = await sql<{ page: string | null }>`
      select string_agg(line, chr(29) order by seq) as page from (
        select seq, concat_ws(chr(30), seq, floor(extract(epoch from at) * 1000)::bigint, consumer_app, consumer_dept,
          owner_dept, resource_id, purpose, decision, policy_version, array_to_string(entries, chr(31)),
          array_to_string(masked_fields, chr(31)), row_count, prev_hash, hash, scope) as line
        from dh_exchange_log where seq > ${afterSeq} and seq <= ${upToSeq} order by seq limit ${limit}
      ) t`.execute(db);
    const page = r.rows[0]?.page;
    return page ? page.split(ROW_SEPARATOR) : [];
  }
}

/**
 * `insert … select from unnest(column arrays)` of a chained batch (one statement whatever its
 * size), with an optional condition on the select (`where exists (…)`).
 */
function insertRows(rows: ChainedExchange[], condition: RawBuilder<unknown> = sql``) {
  const col = <T>(f: (r: ChainedExchange) => T) => rows.map(f);
  return sql`
    insert into dh_exchange_log (seq, at, consumer_app, consumer_dept, owner_dept, resource_id, purpose,
      decision, policy_version, entries, masked_fields, row_count, prev_hash, hash, scope)
    select seq, to_timestamp(ms / 1000), app, cdept, odept, res, purpose, decision, pv,
      string_to_array(entries, ${LIST_SEPARATOR}), string_to_array(masked, ${LIST_SEPARATOR}), n, prev, hash, scope
    from unnest(${col((r) => r.seq)}::int8[], ${col((r) => r.at.getTime())}::float8[],
      ${col((r) => r.consumerApp)}::text[], ${col((r) => r.consumerDept)}::text[], ${col((r) => r.ownerDept)}::text[],
      ${col((r) => r.resourceId)}::text[], ${col((r) => r.purpose)}::text[], ${col((r) => r.decision)}::text[],
      ${col((r) => r.policyVersion)}::text[], ${col((r) => r.entries.join(LIST_SEPARATOR))}::text[],
      ${col((r) => r.maskedFields.join(LIST_SEPARATOR))}::text[], ${col((r) => r.rowCount)}::int4[],
      ${col((r) => r.prevHash)}::text[], ${col((r) => r.hash)}::text[], ${col((r) => r.scope)}::text[])
      as t(seq, ms, app, cdept, odept, res, purpose, decision, pv, entries, masked, n, prev, hash, scope)
    ${condition}`;
}
