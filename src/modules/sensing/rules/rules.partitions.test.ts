import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../../platform/access.ts';
import { busOutboxMigrations, Outbox } from '../../../platform/bus/index.ts';
import { ManualClock } from '../../../platform/clock.ts';
import type { Database } from '../../../platform/db/database.ts';
import { migrateToLatest } from '../../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../../platform/db/testing.ts';
import { AuditLog, auditMigrations } from '../../audit/index.ts';
import { SENSING_SUBJECTS } from '../alerts/alerts.schema.ts';
import { ReadingsMessageSchema, readingsSubject } from '../readings.subjects.ts';
import { hourlyO2, PUHE_STATION, testLocator } from '../sensing.fixture.ts';
import { deviceChangeCounter, rulesFencedCounter, rulesMessageCounter } from '../sensing.metrics.ts';
import { sensingMigrations } from '../sensing.migrations.ts';
import { SensingService } from '../sensing.service.ts';
import { DEFAULT_RULES_DIR, loadRuleFiles } from './rules.loader.ts';
import { PartitionLostError, type PartitionMessage, partitionOf } from './rules.partitions.ts';

const rules = loadRuleFiles(DEFAULT_RULES_DIR);
const O2_RULE = 'water.o2.daily-mean-below-target';
const DESCRIPTION = '蒲河寨溪大桥断面 溶解氧日均值连续3日低于III类标准(5 mg/L)';
const P = 16;
const K = partitionOf(PUHE_STATION.id, P);

/**
 * Ingest hands readings over through the real outbox; `rules` workers apply them. The stream is
 * stood in for by the outbox rows in order, numbered 1, 2, 3 … as JetStream numbers them.
 */
describe.each(testBackends)('partitioned rules (ingest → outbox → rules workers) on %s', (kind) => {
  let database: Database;
  const clock = new ManualClock('2025-11-17T00:00:00+08:00');
  const audit = new AuditLog(clock);
  const outbox = new Outbox(SENSING_SUBJECTS, clock);
  let ingest: SensingService;
  let delivered = 0;

  const service = (withOut: boolean) =>
    new SensingService({
      db: database.db,
      audit,
      clock,
      locator: testLocator,
      rules,
      ...(withOut
        ? {
            readingsOut: {
              partitions: P,
              enqueue: async (trx, messages) => {
                await outbox.enqueueMany(
                  trx,
                  [...messages].map(([k, payload]) => ({ subject: readingsSubject(k), payload })),
                );
              },
            },
          }
        : {}),
    });

  /** Outbox rows not yet handed out, as the partition's stream messages (sequence = row order). */
  async function stream(): Promise<{ k: number; msg: PartitionMessage }[]> {
    const rows = await sql<{ subject: string; payload: unknown }>`
      select subject, payload from bus_outbox where subject like 'sensing.readings.%'
      order by seq offset ${delivered}`.execute(database.db);
    return rows.rows.map((r) => {
      delivered++;
      const payload = typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload;
      return {
        k: Number(r.subject.split('.p')[1]),
        msg: { seq: delivered, message: ReadingsMessageSchema.parse(payload) },
      };
    });
  }

  async function sendDay(day: string, mean: number) {
    for (const payload of hourlyO2(day, mean)) {
      clock.set(new Date(Date.parse(payload.observedAt) + 60_000));
      await ingest.ingestRaw(PUHE_STATION.id, JSON.stringify(payload));
    }
  }

  const openAlerts = () => ingest.alerts.list(SYSTEM_PRINCIPAL, { limit: 10, ruleId: O2_RULE });

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [auditMigrations, busOutboxMigrations, sensingMigrations]);
    ingest = service(true);
    await ingest.devices.register(SYSTEM_PRINCIPAL, PUHE_STATION);
  });
  afterAll(() => database?.close());

  it('hands one message per batch and partition, runs no rules in ingest, and sends nothing again for a redelivery', async () => {
    await sendDay('2025-11-17', 4.1);
    const messages = await stream();
    expect(messages).toHaveLength(24);
    expect(new Set(messages.map((m) => m.k))).toEqual(new Set([K]));
    expect(messages[0]!.msg.message).toMatchObject({
      d: [PUHE_STATION.id],
      m: ['O2'],
      ad: [PUHE_STATION.id],
    });
    // A redelivered message stores nothing new and hands nothing over.
    const again = hourlyO2('2025-11-17', 4.1)[5]!;
    const r = await ingest.ingestRaw(PUHE_STATION.id, JSON.stringify(again));
    expect(r).toMatchObject({ stored: 0, duplicates: 1 });
    expect(await stream()).toEqual([]);
    // The ingest ran no rules and saved no rule state.
    const states = await sql<{ n: number }>`select count(*)::int as n from sensing_rule_state`.execute(
      database.db,
    );
    expect(states.rows[0]!.n).toBe(0);
    delivered = 0; // replay the same stream to the rules below
  });

  it('applies in order, exactly once across redeliveries and an ownership change: one alert naming the section and rule', async () => {
    const counted = async () => ({
      applied:
        (await rulesMessageCounter.get()).values.find((v) => v.labels.outcome === 'applied')?.value ?? 0,
      skipped:
        (await rulesMessageCounter.get()).values.find((v) => v.labels.outcome === 'skipped')?.value ?? 0,
      fenced: (await rulesFencedCounter.get()).values[0]?.value ?? 0,
    });
    const before = await counted();
    const w1 = service(false).partitionedRules({ partitions: P, owner: 'w1' });
    const progress = await w1.take([...Array(P).keys()]);
    expect(progress.get(K)).toBe(0);
    const day1 = await stream();
    expect(
      await w1.apply(
        K,
        day1.map((m) => m.msg),
      ),
    ).toMatchObject({ applied: 24, skipped: 0 });
    // The same messages again (a lost ack, a redelivery): acknowledged without effect.
    expect(
      await w1.apply(
        K,
        day1.slice(10).map((m) => m.msg),
      ),
    ).toMatchObject({ applied: 0, skipped: 14 });
    await sendDay('2025-11-18', 4.3);
    const day2 = await stream();
    await w1.apply(
      K,
      day2.slice(0, 12).map((m) => m.msg),
    );

    // Another process takes the partition over mid-day: it resumes after w1's progress with w1's states.
    const w2 = service(false).partitionedRules({ partitions: P, owner: 'w2' });
    const resumed = await w2.take([K]);
    expect(resumed.get(K)).toBe(day2[11]!.msg.seq);
    // w1 is fenced off: its next transaction fails and it drops the partition.
    await expect(
      w1.apply(
        K,
        day2.slice(12).map((m) => m.msg),
      ),
    ).rejects.toBeInstanceOf(PartitionLostError);
    expect(w1.partitions).not.toContain(K);
    // w2 gets the whole of day 2 again (the consumer restarts after the progress): the first half is skipped.
    expect(
      await w2.apply(
        K,
        day2.map((m) => m.msg),
      ),
    ).toMatchObject({ applied: 12, skipped: 12 });
    expect(await openAlerts()).toEqual([]);
    // The metrics counted it: 24 + 12 + 12 applied, 14 + 12 skipped, one fenced transaction.
    const after = await counted();
    expect({
      applied: after.applied - before.applied,
      skipped: after.skipped - before.skipped,
      fenced: after.fenced - before.fenced,
    }).toEqual({ applied: 48, skipped: 26, fenced: 1 });

    await sendDay('2025-11-19', 4.6);
    // A reading past day 3's end + lateness closes its window.
    clock.set('2025-11-20T03:00:00+08:00');
    await ingest.ingestRaw(
      PUHE_STATION.id,
      JSON.stringify({ observedAt: '2025-11-20T02:40:00+08:00', O2: 4.0 }),
    );
    const rest = await stream();
    const result = await w2.apply(
      K,
      rest.map((m) => m.msg),
    );
    expect(result.raised).toHaveLength(1);
    const alerts = await openAlerts();
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      status: 'open',
      description: DESCRIPTION,
      alertSource: PUHE_STATION.id,
    });
    // Replaying everything to w2 changes nothing.
    expect(
      await w2.apply(
        K,
        rest.map((m) => m.msg),
      ),
    ).toMatchObject({ applied: 0 });
    expect(await openAlerts()).toHaveLength(1);
    const row = await sql<{ last_seq: number; owner: string }>`
      select last_seq, owner from sensing_rules_progress where partition = ${K}`.execute(database.db);
    expect(row.rows[0]).toMatchObject({ last_seq: rest.at(-1)!.msg.seq, owner: 'w2' });
  });

  it('runs the no-data rule only for owned partitions, on the owner’s timer', async () => {
    // The ingest's timer still writes last-seen times to the registry (rules processes read them on take).
    clock.set('2025-11-20T03:00:30+08:00');
    await ingest.evaluateTimers();
    const seen = await ingest.devices.get(SYSTEM_PRINCIPAL, PUHE_STATION.id);
    expect(seen.lastSeenAt).toEqual(new Date('2025-11-20T03:00:00+08:00'));
    const w3 = service(false).partitionedRules({ partitions: P, owner: 'w3' });
    await w3.take([(K + 1) % P]);
    clock.set('2025-11-20T06:00:00+08:00');
    expect(await w3.tick(clock.now(), w3.partitions)).toEqual({ raised: 0, cleared: 0 });
    const w4 = service(false).partitionedRules({ partitions: P, owner: 'w4' });
    await w4.take([K]);
    const tick = await w4.tick(clock.now(), [K]);
    expect(tick.raised).toBe(1);
    const silent = await ingest.alerts.list(SYSTEM_PRINCIPAL, { limit: 10, ruleId: 'device.no-data-30min' });
    expect(silent.map((a) => a.subject)).toEqual([PUHE_STATION.id]);
  });

  it('a rules worker re-reads a device another process re-sectioned or removed (sensing.device.changed)', async () => {
    // Another process (an api process) changes the registry; its notices go out through the outbox.
    const api = new SensingService({
      db: database.db,
      audit,
      clock,
      locator: testLocator,
      rules,
      deviceChanges: {
        publish: async (trx, notice) => {
          await outbox.enqueue(trx, 'sensing.device.changed', notice, { key: notice.id });
        },
      },
    });
    const notices = async () =>
      (
        await sql<{
          payload: unknown;
        }>`select payload from bus_outbox where subject = 'sensing.device.changed'
          order by seq`.execute(database.db)
      ).rows.map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload));
    const w5 = service(false).partitionedRules({ partitions: P, owner: 'w5' });
    await w5.take([K]);
    await stream(); // what earlier tests left
    const ph = async (at: string, value: number) => {
      clock.set(new Date(Date.parse(at) + 1000));
      await ingest.ingestRaw(PUHE_STATION.id, JSON.stringify({ observedAt: at, pH: value }));
      return w5.apply(
        K,
        (await stream()).map((m) => m.msg),
      );
    };
    const phAlerts = () =>
      ingest.alerts.list(SYSTEM_PRINCIPAL, { limit: 10, ruleId: 'water.ph.out-of-range' });

    // The worker has the device in its cache (a reading within limits), then the registry changes.
    expect((await ph('2025-11-20T06:05:00+08:00', 7)).raised).toEqual([]);
    await api.devices.update(SYSTEM_PRINCIPAL, PUHE_STATION.id, { sectionName: '寨溪新断面' });
    expect(await notices()).toEqual([{ id: PUHE_STATION.id, change: 'updated' }]);
    // Not yet told: the worker's registry cache still has the old section.
    expect((await ph('2025-11-20T06:10:00+08:00', 12)).raised.map((a) => a.description)).toEqual([
      '蒲河寨溪大桥断面 pH 12 超出 6–9',
    ]);
    expect((await ph('2025-11-20T06:11:00+08:00', 7)).cleared).toHaveLength(1);
    // The notice arrives: the worker re-reads the device and recompiles its rules.
    const seen = (await deviceChangeCounter.get()).values[0]?.value ?? 0;
    await w5.refreshDevices([PUHE_STATION.id]);
    expect((await deviceChangeCounter.get()).values[0]!.value).toBe(seen + 1);
    expect((await ph('2025-11-20T06:12:00+08:00', 12)).raised.map((a) => a.description)).toEqual([
      '寨溪新断面 pH 12 超出 6–9',
    ]);
    expect((await phAlerts()).filter((a) => a.status === 'open')).toHaveLength(1);

    // Removed: the worker drops it, and readings still in its partition's stream raise nothing.
    await api.devices.remove(SYSTEM_PRINCIPAL, PUHE_STATION.id);
    expect((await notices()).at(-1)).toEqual({ id: PUHE_STATION.id, change: 'removed' });
    await w5.refreshDevices([PUHE_STATION.id]);
    const last = Number(
      (
        await sql<{
          last_seq: number;
        }>`select last_seq from sensing_rules_progress where partition = ${K}`.execute(database.db)
      ).rows[0]!.last_seq,
    );
    const orphan = await w5.apply(K, [
      {
        seq: last + 1,
        message: {
          d: [PUHE_STATION.id],
          m: ['pH'],
          t: [Date.parse('2025-11-20T06:13:00+08:00')],
          v: [2],
          ad: [PUHE_STATION.id],
          at: [clock.now().getTime()],
        },
      },
    ]);
    expect(orphan).toMatchObject({ applied: 1, raised: [], cleared: [] });
  });
});
