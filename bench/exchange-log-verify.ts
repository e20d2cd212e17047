/**
 * The data hub's hash-chained exchange log: append N exchange records in batches (chain computed
 * in memory per batch, head row locked, one INSERT … unnest per batch into daily partitions),
 * then verify the whole chain (pipelined keyset pages, SHA-256 per record). Baselines in the same
 * run: a plain multi-row INSERT … unnest of the same rows into a bare unpartitioned table with no
 * chaining, the same rows read back without hashing, and SHA-256 over the same bytes in memory.
 * Issue 13's target: verifying 1,000,000 records ≤ 10 s.
 *
 *   ./node_modules/.bin/node bench/exchange-log-verify.ts [--entries 1000000] [--batch 5000] [--backends postgres,pglite]
 */
import { hash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { ExchangeRepository } from '../src/modules/datahub/exchange/exchange.repository.ts';
import {
  ExchangeLog,
  type ExchangeRecord,
  exchangeMigrations,
} from '../src/modules/datahub/exchange/index.ts';
import type { DatabaseKind, Db } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { openTestDatabase } from '../src/platform/db/testing.ts';
import { size, smokeBanner } from './smoke.ts';

const { values: args } = parseArgs({
  options: {
    entries: { type: 'string', default: size('1000000', '5000') },
    batch: { type: 'string', default: size('5000', '500') },
    backends: { type: 'string', default: 'postgres' },
    smoke: { type: 'boolean', default: false },
  },
});
smokeBanner();
const ENTRIES = Number(args.entries);
const BATCH = Number(args.batch);
const START = Date.parse('2026-12-06T00:00:00Z');
const DEPTS = ['water', 'ecology', 'police', 'culture', 'transport', 'health', 'housing', 'emergency'];

/** Exchange i of a synthetic day-and-a-half of traffic between eight departments. */
function record(i: number): ExchangeRecord {
  const denied = i % 17 === 0;
  return {
    at: new Date(START + Math.floor((i / ENTRIES) * 36 * 3_600_000)),
    consumerApp: `app-${DEPTS[i % 8]}-${i % 5}`,
    consumerDept: DEPTS[i % 8] as string,
    ownerDept: DEPTS[(i * 3 + 1) % 8] as string,
    resourceId: `res-${(i * 7919) % 12000}`,
    purpose: i % 3 === 0 ? 'pollution-trace' : 'case-handling',
    decision: denied ? 'deny' : 'allow',
    policyVersion: 'v12',
    entries: denied ? [`NL-${i % 40}`] : [],
    maskedFields: i % 2 ? ['contact_phone', 'legal_person'] : [],
    rowCount: denied ? 0 : i % 50,
    scope: i % 3 === 0 ? 'within:500110:district_code' : 'all:50',
  };
}

async function plainInsert(db: Db, rows: ExchangeRecord[], from: number): Promise<void> {
  const col = <T>(f: (r: ExchangeRecord) => T) => rows.map(f);
  await sql`
    insert into bench_plain (seq, at, consumer_app, consumer_dept, owner_dept, resource_id, purpose, decision,
      policy_version, entries, masked_fields, row_count)
    select seq, to_timestamp(ms / 1000), app, cd, od, res, p, d, pv, string_to_array(e, chr(31)),
      string_to_array(m, chr(31)), n
    from unnest(${rows.map((_, k) => from + k)}::int8[], ${col((r) => r.at.getTime())}::float8[],
      ${col((r) => r.consumerApp)}::text[], ${col((r) => r.consumerDept)}::text[], ${col((r) => r.ownerDept)}::text[],
      ${col((r) => r.resourceId)}::text[], ${col((r) => r.purpose)}::text[], ${col((r) => r.decision)}::text[],
      ${col((r) => r.policyVersion)}::text[], ${col((r) => r.entries.join('\u001f'))}::text[],
      ${col((r) => r.maskedFields.join('\u001f'))}::text[], ${col((r) => r.rowCount)}::int4[])
      as t(seq, ms, app, cd, od, res, p, d, pv, e, m, n)`.execute(db);
}

async function run(kind: DatabaseKind): Promise<void> {
  const database = await openTestDatabase(kind);
  try {
    const db = database.db;
    await migrateToLatest(db, [exchangeMigrations]);
    await sql`create table bench_plain (seq bigint primary key, at timestamptz not null, consumer_app text not null,
      consumer_dept text not null, owner_dept text not null, resource_id text not null, purpose text not null,
      decision text not null, policy_version text not null, entries text[] not null, masked_fields text[] not null,
      row_count integer not null)`.execute(db);
    const log = new ExchangeLog(db);

    // Generating the records is outside both timings.
    let appendMs = 0;
    let plainMs = 0;
    for (let b = 0; b < ENTRIES; b += BATCH) {
      const rows = Array.from({ length: Math.min(BATCH, ENTRIES - b) }, (_, k) => record(b + k));
      // Alternate which goes first, so neither always runs on a warmer cache.
      const order = (b / BATCH) % 2 === 0;
      for (const which of order ? ['log', 'plain'] : ['plain', 'log']) {
        const t = performance.now();
        if (which === 'log') await log.append(rows);
        else await plainInsert(db, rows, b + 1);
        if (which === 'log') appendMs += performance.now() - t;
        else plainMs += performance.now() - t;
      }
    }
    const appendRate = ENTRIES / (appendMs / 1000);
    const plainRate = ENTRIES / (plainMs / 1000);
    console.log(
      `${kind.padEnd(8)} append: ${fmt(ENTRIES)} records in batches of ${fmt(BATCH)} in ${s(appendMs)} = ${fmt(appendRate)} records/s`,
    );
    console.log(
      `${kind.padEnd(8)} baseline plain INSERT … unnest, bare table, no chain: ${s(plainMs)} = ${fmt(plainRate)} rows/s; ratio append/plain = ${(appendRate / plainRate).toFixed(2)}`,
    );

    await sql`vacuum analyze`.execute(db);
    const t0 = performance.now();
    const result = await log.verify();
    const verifyMs = performance.now() - t0;
    if (!result.ok || result.checked !== ENTRIES)
      throw new Error(`verification failed: ${JSON.stringify(result)}`);

    // Baseline 1: the same pages read back (the verifier's own read), no decoding or hashing.
    const repo = new ExchangeRepository();
    const t1 = performance.now();
    let read = 0;
    for (let after = 0; ; ) {
      const lines = await repo.encodedPage(db, after, ENTRIES, 20_000);
      if (lines.length === 0) break;
      read += lines.length;
      after = Number((lines[lines.length - 1] as string).split('\u001e', 1)[0]);
    }
    const readMs = performance.now() - t1;
    // Baseline 2: SHA-256 of the same bytes in memory.
    const bodies = Array.from({ length: Math.min(ENTRIES, 200_000) }, (_, i) =>
      JSON.stringify([i + 1, START, ...Object.values(record(i)).slice(1), '0'.repeat(64)]),
    );
    const t2 = performance.now();
    for (const body of bodies) hash('sha256', body, 'hex');
    const hashMs = ((performance.now() - t2) * ENTRIES) / bodies.length;

    console.log(
      `${kind.padEnd(8)} verify: ${fmt(result.checked)} records in ${s(verifyMs)} = ${fmt(ENTRIES / (verifyMs / 1000))} records/s (target ≤ 10 s for 1,000,000: ${verifyMs * (1_000_000 / ENTRIES) <= 10_000 ? 'met' : 'missed'}, scaled ${s(verifyMs * (1_000_000 / ENTRIES))})`,
    );
    console.log(
      `${kind.padEnd(8)} baseline read of the same pages (verifier's read, no hashing): ${fmt(read)} rows in ${s(readMs)}; ratio verify/read = ${(verifyMs / readMs).toFixed(2)}`,
    );
    console.log(
      `${kind.padEnd(8)} baseline SHA-256 of the same bytes in memory: ${s(hashMs)} for ${fmt(ENTRIES)}; ratio verify/(read + hash) = ${(verifyMs / (readMs + hashMs)).toFixed(2)}`,
    );
  } finally {
    await database.close();
  }
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function s(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

for (const kind of args.backends.split(',') as DatabaseKind[]) await run(kind);
