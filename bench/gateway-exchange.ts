/**
 * The data hub's exchange gateway against PostgreSQL with the exchange log kept. One resource of
 * a PostgreSQL connector (a 500-row table in the bench's own database, through its own pool),
 * asked with an equality filter (2 rows) across a department boundary, so its personal field is
 * masked. Baseline in the same run: the SAME query made directly through the connector.
 *
 * 1. Overhead: one caller, gateway and direct calls alternated; p50/p99 of each, overhead =
 *    gateway p50 − direct p50 (issue 13's target ≤ 2 ms).
 * 1b. The exchange log's append alone, one caller, alternated: the one-statement conditional
 *    append (`ExchangeLog.append`, one round trip) against the locked transaction every append
 *    was before (`appendLocked`: begin, lock the head, insert, move the head, commit), batches
 *    of 1 and of 64 records; p50 of each and their ratio.
 * 2. Sustained: `--concurrency` callers in flight for `--seconds` through one gateway in-process,
 *    every exchange logged (target ≥ 10,000/s on 2 cores), against the direct connector; then the
 *    same through HTTP (the real Fastify route, `inject`: no sockets), and a baseline with the
 *    gateway's caches bypassed: the catalogue resource read and the list's version checked on
 *    every exchange, as the gateway did before its caches.
 * 3. Two gateway processes (`--worker` children) sharing the database, each listening for the
 *    other's catalogue and list changes as the app's processes do, each running the sustained
 *    load at the same time; their combined rate, then the exchange log's chain verified (ok, and
 *    exactly as many records as exchanges were made: two appenders must not fork the chain).
 *
 *   ./node_modules/.bin/node bench/gateway-exchange.ts [--seconds 8] [--concurrency 64] [--samples 2000]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { sql } from 'kysely';
import pg from 'pg';
import { AuditLog, auditMigrations } from '../src/modules/audit/index.ts';
import { guard, PostgresConnector, pgPoolRunner } from '../src/modules/datahub/connectors/index.ts';
import { testDirectory } from '../src/modules/datahub/datahub.fixtures.ts';
import { ExchangeLog } from '../src/modules/datahub/exchange/index.ts';
import type { ExchangeBody } from '../src/modules/datahub/gateway/gateway.schema.ts';
import {
  createDatahub,
  datahubMigrations,
  ExchangeGateway,
  exchangeMigrations,
  gatewayMigrations,
  type ListEntry,
  type ResourceDto,
  registerGatewayRoutes,
} from '../src/modules/datahub/index.ts';
import { type Principal, SYSTEM_PRINCIPAL } from '../src/platform/access.ts';
import { systemClock } from '../src/platform/clock.ts';
import { type Database, openPostgres } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createTestApi } from '../src/platform/http/testing.ts';
import { option, SMOKE, size, smokeBanner } from './smoke.ts';

const SERVER = process.env.CITYBRAIN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SECONDS = Number(option('seconds') ?? size(8, 0.3));
const CONCURRENCY = Number(option('concurrency') ?? size(64, 16));
const SAMPLES = Number(option('samples') ?? size(2000, 100));
const WARMUP = size(300, 20);
/** The log batcher's window (the gateway's `batchWindowMs`), when not the gateway's default. */
const WINDOW_MS = option('window-ms');
const ROWS = 500;
const RIVERS = 250;
const SOURCE = 'bench-permits-db';
const TABLE = 'bench_permits';
const RESOURCE = 'bench-permits';

const field = (name: string, cls: ResourceDto['fields'][number]['class'] = 'public') => ({
  name,
  titleZh: name,
  class: cls,
});
const resource = (id: string, owner: string, fields: ResourceDto['fields']): ResourceDto => ({
  id,
  kind: 'dataset',
  titleZh: id,
  descriptionZh: '基准测试',
  ownerDepartment: owner,
  theme: 'ENVI',
  sourceSystem: SOURCE,
  updateFrequency: 'daily',
  legalBasis: '基准测试',
  sharing: 'unconditional',
  fields,
  synthetic: true,
});
const RESOURCES = [
  resource(RESOURCE, '50:ecology_environment', [
    field('permit_no'),
    field('enterprise'),
    field('river'),
    field('contact_phone', 'personal'),
  ]),
  resource('bench-persons', '50:public_security', [field('name', 'personal')]),
];
const ENTRIES: ListEntry[] = [
  {
    id: 'NL-BENCH-1',
    kind: 'not_shared',
    basis: '《中华人民共和国个人信息保护法》第三十四条',
    description: '',
    scope: { ownerDepartment: '50:public_security', resourceId: 'bench-persons' },
    maskClasses: [],
  },
];

const filters = (i: number) => [{ field: 'river', op: 'eq' as const, value: `river-${i % RIVERS}` }];
const body = (i: number): ExchangeBody => ({
  resourceId: RESOURCE,
  purpose: 'water_pollution_tracing',
  filters: filters(i),
  limit: 100,
});
const consumerPrincipal = (id: string): Principal => ({
  kind: 'api_key',
  id,
  name: 'bench-water',
  roles: [],
  jurisdictionCode: '50',
  jurisdictionPath: '50',
  departmentCode: '50:water_resources',
});

/** One gateway process's services over the shared database, with its own pool to the source. */
async function buildGateway(database: Database, url: string) {
  const deps = {
    db: database.db,
    audit: new AuditLog(systemClock),
    clock: systemClock,
    departments: testDirectory,
    changes: database,
  };
  const datahub = createDatahub(deps);
  const gateway = new ExchangeGateway(
    {
      ...deps,
      keys: { issue: async () => ({ id: `bench-${randomBytes(4).toString('hex')}`, secret: 'bench' }) },
      // The bench measures the gateway, not the quota's refusals.
      quota: { perSecond: 1e9, burst: 1e9 },
      ...(WINDOW_MS ? { batchWindowMs: Number(WINDOW_MS) } : {}),
    },
    datahub.catalogue,
    datahub.list,
  );
  const connector = guard(
    new PostgresConnector({ id: SOURCE, runner: pgPoolRunner(url, { max: 8 }), tables: [TABLE] }),
    systemClock,
  );
  await gateway.connectors.register(SOURCE, connector, { [RESOURCE]: TABLE });
  return { datahub, gateway, connector };
}

/** `concurrency` callers, each calling `call` again as soon as its last call answered, for `seconds`. */
async function closedLoop(call: (i: number) => Promise<unknown>, concurrency: number, seconds: number) {
  const latencies: number[] = [];
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const started = performance.now();
        await call(next++);
        latencies.push(performance.now() - started);
      }
    }),
  );
  const ms = performance.now() - t0;
  const used = process.cpuUsage(cpu0);
  // This process's CPU time over the wall time (1.0 = one core busy the whole time).
  const cpu = (used.user + used.system) / 1000 / ms;
  return { count: latencies.length, rate: latencies.length / (ms / 1000), latencies, cpu };
}

function pct(values: number[], p: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const ms = (x: number) => `${x.toFixed(2)} ms`;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** `--worker <url> --consumer <id>`: one gateway process running the sustained load when told to. */
async function worker(url: string, consumerId: string): Promise<void> {
  const database = await openPostgres(url);
  const { gateway } = await buildGateway(database, url);
  const principal = consumerPrincipal(consumerId);
  const call = (i: number) => gateway.exchange(principal, body(i));
  for (let i = 0; i < WARMUP; i++) await call(i);
  const send = (m: unknown) => new Promise<void>((resolve) => process.send?.(m, () => resolve()));
  process.once('message', async () => {
    const run = await closedLoop(call, CONCURRENCY, SECONDS);
    await gateway.close();
    await database.close();
    const p99 = pct(run.latencies, 99);
    await send({ count: run.count, rate: run.rate, logged: WARMUP + run.count, p99, cpu: run.cpu });
    process.disconnect();
  });
  await send({ ready: true });
}

interface WorkerResult {
  count: number;
  rate: number;
  logged: number;
  p99: number;
  cpu: number;
}

async function twoProcesses(url: string, consumerId: string): Promise<WorkerResult[]> {
  const args = ['--worker', url, '--consumer', consumerId, '--seconds', String(SECONDS)];
  if (WINDOW_MS) args.push('--window-ms', WINDOW_MS);
  args.push('--concurrency', String(CONCURRENCY), ...(SMOKE ? ['--smoke'] : []));
  const children: ChildProcess[] = [fork(import.meta.filename, args), fork(import.meta.filename, args)];
  const ready = children.map(
    (child) =>
      new Promise<void>((resolve, reject) => {
        child.once('message', () => resolve());
        child.once('exit', (code) => reject(new Error(`worker exited with ${code} before it was ready`)));
      }),
  );
  await Promise.all(ready);
  const results = children.map(
    (child) =>
      new Promise<WorkerResult>((resolve, reject) => {
        child.once('message', (m) => resolve(m as WorkerResult));
        child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
      }),
  );
  const exited = children.map((child) => new Promise((resolve) => child.once('exit', resolve)));
  for (const child of children) child.send({ go: true });
  const answers = await Promise.all(results);
  await Promise.all(exited);
  return answers;
}

async function main(): Promise<void> {
  smokeBanner();
  console.log(
    `load average at start: ${load()} (${os.cpus().length} cores); log batch window ${WINDOW_MS ? `${WINDOW_MS} ms` : "the gateway's default"}`,
  );
  const name = `cb_bench_gw_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const dbUrl = new URL(SERVER);
  dbUrl.pathname = `/${name}`;
  const url = dbUrl.toString();
  const database = await openPostgres(url);
  let failed = false;
  try {
    const db = database.db;
    await migrateToLatest(db, [auditMigrations, datahubMigrations, exchangeMigrations, gatewayMigrations]);
    await sql`create table bench_permits (permit_no text primary key, enterprise text not null,
      river text not null, contact_phone text not null)`.execute(db);
    await sql`insert into bench_permits
      select 'P-' || i, '企业' || i, 'river-' || (i % ${RIVERS}), '138' || lpad(i::text, 8, '0')
      from generate_series(1, ${ROWS}) i`.execute(db);
    await sql`create index on bench_permits (river)`.execute(db);
    await sql`analyze bench_permits`.execute(db);

    const { datahub, gateway, connector } = await buildGateway(database, url);
    await datahub.catalogue.register(SYSTEM_PRINCIPAL, RESOURCES);
    await datahub.list.install(SYSTEM_PRINCIPAL, ENTRIES);
    const registered = await gateway.consumers.register(
      { ...SYSTEM_PRINCIPAL, roles: ['data_authority'] },
      { name: 'bench-water', departmentCode: '50:water_resources' },
    );
    const principal = consumerPrincipal(registered.id);
    let logged = 0;
    const viaGateway = async (i: number) => {
      const answer = await gateway.exchange(principal, body(i));
      logged++;
      return answer;
    };
    const direct = (i: number) => connector.query(TABLE, filters(i), 100);

    const first = await viaGateway(1);
    if (
      first.status !== 200 ||
      first.body.rows.length !== ROWS / RIVERS ||
      first.body.maskedFields.join() !== 'contact_phone' ||
      String(first.body.rows[0]?.contact_phone).includes('00000')
    )
      throw new Error(`unexpected answer: ${JSON.stringify(first.body)}`);

    // 1. Overhead: one caller, the two alternated so neither always runs on a warmer cache.
    for (let i = 0; i < WARMUP; i++) {
      await viaGateway(i);
      await direct(i);
    }
    const gw: number[] = [];
    const dr: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      for (const which of i % 2 ? ['g', 'd'] : ['d', 'g']) {
        const t = performance.now();
        if (which === 'g') await viaGateway(i);
        else await direct(i);
        (which === 'g' ? gw : dr).push(performance.now() - t);
      }
    }
    const overhead = pct(gw, 50) - pct(dr, 50);
    console.log(
      `overhead, one caller, ${fmt(SAMPLES)} each: gateway p50 ${ms(pct(gw, 50))} p99 ${ms(pct(gw, 99))}; direct connector p50 ${ms(pct(dr, 50))} p99 ${ms(pct(dr, 99))}`,
    );
    console.log(
      `  overhead = gateway p50 − direct p50 = ${ms(overhead)} (target ≤ 2 ms: ${overhead <= 2 ? 'met' : 'missed'}); ratio gateway/direct p50 = ${(pct(gw, 50) / pct(dr, 50)).toFixed(2)}`,
    );

    // 1b. The log's append alone, one caller, alternated: the one-statement conditional append
    // (one round trip) against the locked transaction every append used before (five).
    const log = new ExchangeLog(db);
    const record = () => ({
      at: new Date(),
      consumerApp: registered.id,
      consumerDept: '50:water_resources',
      ownerDept: '50:ecology_environment',
      resourceId: RESOURCE,
      purpose: 'bench_log_only',
      decision: 'allow',
      policyVersion: '1',
      entries: [],
      maskedFields: ['contact_phone'],
      rowCount: 2,
      scope: 'all:50',
    });
    for (const size of [1, 64]) {
      const one: number[] = [];
      const locked: number[] = [];
      const rounds = size === 1 ? SAMPLES : Math.max(20, SAMPLES / 10);
      for (let i = 0; i < rounds; i++) {
        const batch = Array.from({ length: size }, record);
        for (const which of i % 2 ? ['o', 'l'] : ['l', 'o']) {
          const t = performance.now();
          if (which === 'o') await log.append(batch);
          else await log.appendLocked(batch);
          (which === 'o' ? one : locked).push(performance.now() - t);
          logged += size;
        }
      }
      console.log(
        `log append alone, batches of ${size}, ${fmt(rounds)} each: one statement p50 ${ms(pct(one, 50))} p99 ${ms(pct(one, 99))}; locked transaction (before) p50 ${ms(pct(locked, 50))} p99 ${ms(pct(locked, 99))}; ratio before/now p50 = ${(pct(locked, 50) / pct(one, 50)).toFixed(2)}`,
      );
    }

    // 2. Sustained, closed loop, one process.
    const base = await closedLoop(direct, CONCURRENCY, SECONDS);
    const inproc = await closedLoop(viaGateway, CONCURRENCY, SECONDS);
    const line = (label: string, r: typeof base) =>
      `${label}: ${fmt(r.rate)}/s (${fmt(r.count)} in ${SECONDS} s, ${CONCURRENCY} in flight, p50 ${ms(pct(r.latencies, 50))} p99 ${ms(pct(r.latencies, 99))}, this process ${(r.cpu * 100).toFixed(0)}% of a core)`;
    console.log(line('sustained, direct connector (baseline)', base));
    console.log(
      `${line('sustained, gateway in-process, every exchange logged', inproc)}; ratio gateway/direct = ${(inproc.rate / base.rate).toFixed(2)} (target ≥ 10,000/s: ${inproc.rate >= 10_000 ? 'met' : 'missed'})`,
    );
    const api = await createTestApi({ bench: principal });
    registerGatewayRoutes(api, { gateway });
    await api.ready();
    const viaHttp = async (i: number) => {
      const r = await api.inject({
        method: 'POST',
        url: '/api/v1/datahub/exchange',
        headers: { authorization: 'Bearer bench' },
        payload: body(i),
      });
      if (r.statusCode !== 200) throw new Error(`HTTP ${r.statusCode}: ${r.body}`);
      logged++;
    };
    const http = await closedLoop(viaHttp, CONCURRENCY, SECONDS);
    await api.close();
    console.log(
      `${line('sustained, gateway through HTTP (Fastify inject, no sockets)', http)}; ratio HTTP/direct = ${(http.rate / base.rate).toFixed(2)}, HTTP/in-process = ${(http.rate / inproc.rate).toFixed(2)}`,
    );

    // Baseline: another gateway with its caches bypassed, i.e. the resource read and the list's
    // version checked on every exchange, as before the caches (no sharing of concurrent reads).
    const uncached = await buildGateway(database, url);
    const { catalogue, list } = uncached.datahub;
    catalogue.lookup = (id) => catalogue.get(SYSTEM_PRINCIPAL, id);
    list.refreshCached = () => list.refresh();
    const viaUncached = async (i: number) => {
      const answer = await uncached.gateway.exchange(principal, body(i));
      logged++;
      return answer;
    };
    const off = await closedLoop(viaUncached, CONCURRENCY, SECONDS);
    await uncached.gateway.close();
    console.log(
      `${line('baseline, caches bypassed (resource read and list version checked per exchange, as before), in-process', off)}; gateway with caches / without = ${(inproc.rate / off.rate).toFixed(2)}`,
    );
    await gateway.close();

    // 3. Two gateway processes sharing the database.
    const workers = await twoProcesses(url, registered.id);
    const combined = workers.reduce((sum, w) => sum + w.rate, 0);
    console.log(
      `two gateway processes, ${CONCURRENCY} in flight each, ${SECONDS} s: ${workers.map((w) => `${fmt(w.rate)}/s (p99 ${ms(w.p99)}, ${(w.cpu * 100).toFixed(0)}% of a core)`).join(' + ')} = ${fmt(combined)}/s combined; ratio to one process in-process = ${(combined / inproc.rate).toFixed(2)}`,
    );
    const expected = logged + workers.reduce((sum, w) => sum + w.logged, 0);
    const t = performance.now();
    const verified = await new ExchangeLog(db).verify();
    console.log(
      `exchange log verified in ${ms(performance.now() - t)}: ok = ${verified.ok}, checked ${fmt(verified.checked)}, exchanges made ${fmt(expected)}${verified.checked === expected ? '' : ' — MISMATCH'}`,
    );
    if (!verified.ok || verified.checked !== expected) failed = true;
  } finally {
    console.log(`load average at end: ${load()}`);
    await database.close();
    const dropper = new pg.Client({ connectionString: SERVER });
    await dropper.connect();
    await dropper.query(`drop database if exists ${name} with (force)`);
    await dropper.end();
  }
  if (failed) process.exitCode = 1;
}

const workerUrl = option('worker');
if (workerUrl) await worker(workerUrl, option('consumer') ?? '');
else await main();
