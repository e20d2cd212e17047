/**
 * Integrated services under SIGKILL, on PostgreSQL: a worker process starts newborn applications,
 * decides the desks' pending steps (each decision sent twice at once, as a retried request would)
 * and sweeps the step timers, on a clock running `--speed` times faster than the wall clock (so
 * time limits of working days pass in seconds); the parent kills it with SIGKILL at random moments
 * and starts it again, `--kills` times, then lets one last worker finish every open step and sweep.
 * Checked at the end: no application the worker reported as started is missing (0 lost), no step
 * was approved twice in the audit log (0 done twice), and no due timer is left unfired. Baseline:
 * the same workload in one worker never killed (applications per second of each). With
 * `--applications N` the soak goes on (killing at the same pace) until N applications were reported
 * started; the peak number of applications open at once (filed, not yet completed) is sampled every
 * second and printed.
 *
 *   ./node_modules/.bin/node bench/services-soak.ts [--kills 20] [--seconds 30] [--applications 10000] [--speed 20000] [--smoke]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { AuditLog, auditMigrations } from '../src/modules/audit/index.ts';
import { NotifyService, notifyMigrations } from '../src/modules/notify/index.ts';
import { createServices, loadBundleFiles, servicesMigrations } from '../src/modules/services/index.ts';
import type { Principal } from '../src/platform/access.ts';
import { WorkingDayCalendar } from '../src/platform/calendar/calendar.ts';
import { openPostgres } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { createLogger } from '../src/platform/logger.ts';
import { ARGS, option, SMOKE, size, smokeBanner } from './smoke.ts';

const SERVER = process.env.CITYBRAIN_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const EPOCH = Date.parse('2026-12-02T09:00:00+08:00');
const PNG =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFAAIBoeHysQAAAABJRU5ErkJggg==';
const FORM = {
  motherIdNumber: '500103199203150028',
  fatherIdNumber: '500103199011080015',
  newbornName: '陈语桐',
  birthDate: '2026-11-30',
  bornInCity: true,
  relation: 'mother',
};

if (ARGS[0] === '--worker')
  await worker(ARGS[1] as string, ARGS[2] as string, Number(ARGS[3]), ARGS[4] as string);
else await parent();

/** One worker process: applies, decides, sweeps until killed (or, with mode `drain`, until nothing is open). */
async function worker(url: string, mode: string, speed: number, t0: string): Promise<void> {
  const database = await openPostgres(url);
  const db = database.db;
  // Simulated time shared by every worker: EPOCH + (wall time since the soak began) × speed.
  const clock = { now: () => new Date(EPOCH + (Date.now() - Number(t0)) * speed) };
  const services = await createServices(
    {
      db,
      audit: new AuditLog(clock),
      clock,
      notifier: new NotifyService({ db, clock, logger: createLogger('error') }),
      evidence: {
        async read(r) {
          return r.resourceId === 'demo-hcs-rental'
            ? { found: false, reason: 'no record held' }
            : { found: true, exchangeId: 'soak', row: Object.fromEntries(r.fields.map((f) => [f, 'x'])) };
        },
      },
      calendar: WorkingDayCalendar.load(),
      signingSeed: new Uint8Array(32),
      accounts: { byUsername: async () => undefined },
    },
    loadBundleFiles(),
  );
  const admin: Principal = {
    kind: 'user',
    id: 'soak-admin',
    name: 'soak',
    roles: ['admin'],
    jurisdictionCode: '50',
    jurisdictionPath: '',
    departmentCode: null,
  };
  // The parent may be gone (killed with us): a write to a closed pipe is not an error worth a trace.
  process.stdout.on('error', () => {});
  const out = (line: string) => process.stdout.write(`${line}\n`);
  for (let n = 0; ; n++) {
    if (mode !== 'drain') {
      const p: Principal = { ...admin, id: `citizen-${process.pid}-${n}`, roles: [] };
      const draft = await services.core.apply(p, { bundleId: 'newborn', form: FORM, consent: true });
      const confirm = draft.materials.filter((m) => m.status === 'fetched').map((m) => m.code);
      await services.core.submit(p, draft.id, {
        confirm,
        provided: { 'newborn-photo': PNG, 'bank-account': '6222' },
      });
      out(`started ${draft.id}`);
    }
    const open = await services.desk.inbox(admin, undefined, 8);
    await Promise.all(
      open.flatMap((t) =>
        // The same decision twice at once: one must win, the other be a no-op.
        [0, 1].map(() =>
          services.desk
            .decide(admin, t.applicationId, t.step.item, { decision: 'approve' })
            .catch((err: Error) => {
              out(`refused ${t.applicationId} ${t.step.item} ${err.message}`);
            }),
        ),
      ),
    );
    await services.timers.tick();
    if (mode === 'drain' && open.length === 0) break;
  }
  const sweptAt = clock.now();
  await services.timers.tick();
  out(`swept ${sweptAt.toISOString()}`);
  await database.close();
}

async function parent(): Promise<void> {
  smokeBanner();
  const kills = Number(option('kills') ?? size(20, 2));
  const seconds = Number(option('seconds') ?? size(30, 3));
  const speed = Number(option('speed') ?? 20_000);
  const target = Number(option('applications') ?? 0);
  const name = `cb_soak_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: SERVER });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  const database = await openPostgres(url.toString());
  try {
    await migrateToLatest(database.db, [auditMigrations, notifyMigrations, servicesMigrations]);
    const t0 = String(Date.now());
    const started = new Set<string>();
    let sweptAt: Date | undefined;
    const run = (mode: string) => {
      const child = spawn(
        process.execPath,
        [import.meta.filename, '--worker', url.toString(), mode, String(speed), t0],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let buffer = '';
      let working: () => void = () => {};
      const firstStarted = new Promise<void>((r) => {
        working = r;
      });
      child.stdout?.on('data', (d: Buffer) => {
        buffer += d.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const l of lines)
          if (l.startsWith('swept ')) sweptAt = new Date(l.slice(6));
          else if (l.startsWith('started ')) {
            started.add(l.slice(8));
            working();
          }
      });
      return Object.assign(child, { firstStarted });
    };
    const exited = (c: ChildProcess) => new Promise<number | null>((r) => c.once('exit', (code) => r(code)));

    // Baseline: one worker working for the same time, never killed (its start-up not counted).
    const baseline = run('work');
    await baseline.firstStarted;
    const b0 = started.size;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    baseline.kill('SIGKILL');
    await exited(baseline);
    const baselineRate = (started.size - b0) / seconds;
    const afterBaseline = started.size;

    // Applications open at once (filed, not completed), sampled each second.
    let peakOpen = 0;
    const sampler = setInterval(() => {
      sql<{
        n: string;
      }>`select count(*) as n from sv_application where status in ('in_progress', 'correction')`
        .execute(database.db)
        .then((r) => {
          peakOpen = Math.max(peakOpen, Number(r.rows[0]?.n ?? 0));
        })
        .catch(() => undefined);
    }, 1000);

    // Soak: each worker is killed at a random moment once it works (start-up not counted); with
    // --applications, at the same pace until that many were started.
    const slice = (seconds * 1000) / kills;
    let killed = 0;
    let working = 0;
    for (let k = 0; k < kills || started.size < target; k++) {
      const child = run('work');
      await child.firstStarted;
      const t = slice * (0.2 + 1.6 * Math.random());
      await new Promise((r) => setTimeout(r, t));
      child.kill('SIGKILL');
      await exited(child);
      working += t / 1000;
      killed++;
    }
    const soakSeconds = working;
    const soakRate = (started.size - afterBaseline) / soakSeconds;
    // Let a last worker finish every open step and sweep the timers.
    const drain = run('drain');
    if ((await exited(drain)) !== 0) throw new Error('the draining worker failed');
    clearInterval(sampler);

    const db = database.db;
    const ids = [...started];
    const present = ids.length
      ? Number(
          (
            await sql<{ n: string }>`select count(*) as n from sv_application where id = any(${ids})`.execute(
              db,
            )
          ).rows[0]?.n,
        )
      : 0;
    const twice = await sql<{ n: string }>`select count(*) as n from (
        select subject_id, details->>'item' as item, details->>'round' as round from audit_log
        where action = 'services.step.approved' group by 1, 2, 3 having count(*) > 1) d`.execute(db);
    const unfired = await sql<{ n: string }>`select count(*) as n from sv_timer
        where fired_at is null and fire_at <= ${sweptAt ?? new Date(0)}`.execute(db);
    const incomplete = await sql<{ n: string }>`select count(*) as n from sv_application
        where status not in ('completed', 'draft')`.execute(db);
    const fired = await sql<{
      n: string;
    }>`select count(*) as n from sv_timer where fired_at is not null`.execute(db);
    const lost = ids.length - present;
    const doubled = Number(twice.rows[0]?.n ?? 0);
    const left = Number(unfired.rows[0]?.n ?? 0);
    console.log(`integrated services under SIGKILL, PostgreSQL, clock ×${speed}`);
    console.log(
      `  baseline  ${baselineRate.toFixed(1)} applications/s started, one worker never killed (${seconds} s)`,
    );
    console.log(
      `  soak      ${soakRate.toFixed(1)} applications/s started, ${killed} SIGKILLs in ${soakSeconds.toFixed(0)} s (ratio ${(soakRate / baselineRate).toFixed(2)})`,
    );
    console.log(
      `  open      at most ${peakOpen} applications filed and not completed at once (sampled each second)`,
    );
    console.log(
      `  checked   ${ids.length} reported started: ${lost} lost; ${doubled} steps approved twice; ${left} due timers unfired (${fired.rows[0]?.n} fired); ${incomplete.rows[0]?.n} filed applications not completed after the drain`,
    );
    if (!sweptAt || lost || doubled || left || Number(incomplete.rows[0]?.n)) process.exitCode = 1;
    if (SMOKE && ids.length === 0) process.exitCode = 1;
  } finally {
    await database.close();
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  }
}
