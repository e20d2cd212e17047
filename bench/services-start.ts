/**
 * Integrated services: newborn applications started per second on PostgreSQL — each one started
 * (form checked, eligibility, 12 materials read from an in-memory evidence source standing in for
 * the gateway, the draft written and audited) and submitted (materials confirmed, 6 steps written,
 * the first wave opened with its time limit on the working-day calendar, 2 timers, notices, audit) —
 * against a baseline measured in the same run: the same rows (1 application, 6 steps, 2 timers)
 * written by bare INSERTs into bare tables, two transactions per application, same concurrency.
 *
 *   ./node_modules/.bin/node bench/services-start.ts [--applications 2000] [--concurrency 8] [--smoke]
 *
 * The gateway is left out on purpose (bench/gateway-exchange.ts measures it): this is the engine.
 */
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { AuditLog, auditMigrations } from '../src/modules/audit/index.ts';
import { NotifyService, notifyMigrations } from '../src/modules/notify/index.ts';
import { createServices, loadBundleFiles, servicesMigrations } from '../src/modules/services/index.ts';
import type { Principal } from '../src/platform/access.ts';
import { WorkingDayCalendar } from '../src/platform/calendar/calendar.ts';
import { ManualClock } from '../src/platform/clock.ts';
import type { Db } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { openTestDatabase } from '../src/platform/db/testing.ts';
import { createLogger } from '../src/platform/logger.ts';
import { size, smokeBanner } from './smoke.ts';

const { values: args } = parseArgs({
  options: {
    applications: { type: 'string', default: size('2000', '60') },
    concurrency: { type: 'string', default: size('8', '4') },
    smoke: { type: 'boolean', default: false },
  },
});
smokeBanner();
const N = Number(args.applications);
const C = Number(args.concurrency);

const MOTHER = '500103199203150028';
const FATHER = '500103199011080015';
const RECORDS: Record<string, Record<string, unknown>> = {
  'demo-bd-e-licences': {
    licence_no: 'L',
    licence_type: '居民身份证',
    holder_name: '刘*雯',
    holder_id: MOTHER,
  },
  'demo-ps-household': { household_no: 'H', person_id: MOTHER },
  'demo-ca-marriage': { cert_no: 'J', wife_id: MOTHER, husband_id: FATHER },
  'demo-hc-births': { record_no: 'B', mother_id: MOTHER },
  'demo-pnr-property': { cert_no: 'P', owner_id: FATHER },
  'demo-hrss-insured': { person_id: MOTHER, insurance: '生育保险' },
};
let reads = 0;
const evidence = {
  async read(r: { resourceId: string; fields: string[] }) {
    const row = RECORDS[r.resourceId];
    reads++;
    return row
      ? {
          found: true as const,
          exchangeId: `x${reads}`,
          row: Object.fromEntries(r.fields.map((f) => [f, row[f] ?? null])),
        }
      : { found: false as const, reason: 'no record held' };
  },
};
const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFAAIBoeHysQAAAABJRU5ErkJggg==';

async function pool(n: number, c: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: c }, async () => {
      for (let i = next++; i < n; i = next++) await job(i);
    }),
  );
  return (performance.now() - t0) / 1000;
}

async function main(): Promise<void> {
  const database = await openTestDatabase('postgres');
  try {
    const db = database.db;
    await migrateToLatest(db, [auditMigrations, notifyMigrations, servicesMigrations]);
    const clock = new ManualClock('2026-12-02T09:00:00+08:00');
    const services = await createServices(
      {
        db,
        audit: new AuditLog(clock),
        clock,
        notifier: new NotifyService({ db, clock, logger: createLogger('error') }),
        evidence,
        calendar: WorkingDayCalendar.load(),
        signingSeed: new Uint8Array(32),
        accounts: { byUsername: async () => undefined },
      },
      loadBundleFiles(),
    );
    const form = {
      motherIdNumber: MOTHER,
      fatherIdNumber: FATHER,
      newbornName: '陈语桐',
      birthDate: '2026-11-30',
      bornInCity: true,
      relation: 'mother',
    };
    const citizen = (i: number): Principal => ({
      kind: 'user',
      id: `citizen-${i}`,
      name: `c${i}`,
      roles: [],
      jurisdictionCode: '50',
      jurisdictionPath: '50',
      departmentCode: null,
    });
    // When each start finished, to compare the rate with few and with many applications open.
    const finished: number[] = [];
    const start = async (i: number) => {
      const p = citizen(i);
      const draft = await services.core.apply(p, { bundleId: 'newborn', form, consent: true });
      await services.core.submit(p, draft.id, {
        confirm: draft.materials.filter((m) => m.status === 'fetched').map((m) => m.code),
        provided: { 'newborn-photo': PNG, 'bank-account': '6222 0000 0000 1234' },
      });
      if (i >= 0) finished.push(performance.now());
    };
    await pool(Math.min(20, N), C, (i) => start(-1 - i)); // warm-up
    const engineS = await pool(N, C, start);
    const open = Number(
      (
        await sql<{
          n: string;
        }>`select count(*) as n from sv_application where status = 'in_progress'`.execute(db)
      ).rows[0]?.n,
    );
    // Rate over the first and the last tenth of the starts (open applications growing to N).
    const tenth = Math.max(2, Math.floor(N / 10));
    const rateOf = (xs: number[]) => ((xs.length - 1) * 1000) / ((xs.at(-1) ?? 0) - (xs[0] ?? 0) || 1);
    const firstRate = rateOf(finished.slice(0, tenth));
    const lastRate = rateOf(finished.slice(-tenth));

    await bareTables(db);
    const sample = await services.core.mine(citizen(0));
    const materials = JSON.stringify(sample[0]?.materials ?? []);
    const formJson = JSON.stringify(form);
    const bare = async (i: number) => {
      const id = `b-${i}`;
      const now = new Date();
      await db.transaction().execute(async (trx) => {
        await sql`insert into bare_application values (${id}, 'newborn', 1, ${`citizen-${i}`}, 'draft', ${formJson}::jsonb, ${materials}::jsonb, ${now}, ${now})`.execute(
          trx,
        );
      });
      await db.transaction().execute(async (trx) => {
        await sql`update bare_application set status = 'in_progress', updated_at = ${now} where id = ${id}`.execute(
          trx,
        );
        for (let s = 0; s < 6; s++)
          await sql`insert into bare_step values (${id}, ${`item-${s}`}, '50:health', ${s === 0 ? 'pending' : 'waiting'}, ${now})`.execute(
            trx,
          );
        for (const kind of ['remind', 'escalate'])
          await sql`insert into bare_timer (application_id, item, kind, fire_at) values (${id}, 'item-0', ${kind}, ${now})`.execute(
            trx,
          );
      });
    };
    const bareS = await pool(N, C, bare);
    const engineRate = N / engineS;
    const bareRate = N / bareS;
    console.log(`applications started (apply + submit), PostgreSQL, ${N} applications, concurrency ${C}`);
    console.log(
      `  open     ${open} applications in progress at once at the end; start rate over the first tenth ${firstRate.toFixed(0)}/s, over the last ${lastRate.toFixed(0)}/s (ratio ${(lastRate / firstRate).toFixed(2)})`,
    );
    console.log(
      `  engine   ${engineRate.toFixed(0).padStart(6)} applications/s  (${((engineS * 1000) / N).toFixed(2)} ms each, ${reads} evidence reads)`,
    );
    console.log(
      `  baseline ${bareRate.toFixed(0).padStart(6)} applications/s  (the same rows by bare INSERTs)`,
    );
    console.log(
      `  ratio    ${(engineRate / bareRate).toFixed(2)} of the bare INSERT rate; target ≥ 50 applications/s: ${engineRate >= 50 ? 'met' : 'NOT met'}`,
    );
  } finally {
    await database.close();
  }
}

async function bareTables(db: Db): Promise<void> {
  await sql`create table bare_application (id text primary key, bundle_id text, version int, applicant_id text,
    status text, form jsonb, materials jsonb, created_at timestamptz, updated_at timestamptz)`.execute(db);
  await sql`create table bare_step (application_id text, item text, department text, status text, started_at timestamptz,
    primary key (application_id, item))`.execute(db);
  await sql`create table bare_timer (id bigserial primary key, application_id text, item text, kind text, fire_at timestamptz)`.execute(
    db,
  );
}

await main();
