import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Principal, SYSTEM_PRINCIPAL } from '../../../platform/access.ts';
import { ManualClock } from '../../../platform/clock.ts';
import type { Database } from '../../../platform/db/database.ts';
import { migrateToLatest } from '../../../platform/db/migrate.ts';
import { openTestDatabase, testBackends } from '../../../platform/db/testing.ts';
import { testPrincipal } from '../../../platform/http/testing.ts';
import { AuditLog, auditMigrations } from '../../audit/index.ts';
import { CsvConnector } from '../connectors/index.ts';
import type { DatahubDeps } from '../datahub.deps.ts';
import { testDirectory } from '../datahub.fixtures.ts';
import { datahubMigrations } from '../datahub.migrations.ts';
import { createDatahub, type Datahub } from '../datahub.module.ts';
import type { ListEntry, ResourceDto } from '../datahub.schema.ts';
import { exchangeMigrations } from '../exchange/index.ts';
import { gatewayMigrations } from './gateway.migrations.ts';
import type { ExchangeBody } from './gateway.schema.ts';
import { ExchangeGateway } from './gateway.service.ts';

const TTL = 5_000;
const field = (name: string) => ({ name, titleZh: name, class: 'public' as const });
const permits = (fields: string[]): ResourceDto => ({
  id: 'ee-permits',
  kind: 'dataset',
  titleZh: '排污许可',
  descriptionZh: '测试',
  ownerDepartment: '50:ecology_environment',
  theme: 'ENVI',
  sourceSystem: 'ecology-csv',
  updateFrequency: 'daily',
  legalBasis: '测试',
  sharing: 'unconditional',
  fields: fields.map(field),
  synthetic: true,
});
const NOT_SHARED: ListEntry = {
  id: 'NL-EE-1',
  kind: 'not_shared',
  basis: '《中华人民共和国数据安全法》第三十八条',
  description: '',
  scope: { ownerDepartment: '50:ecology_environment', resourceId: 'ee-permits' },
  maskClasses: [],
};
const CSV = 'permit_no,enterprise,river\nP-1,寨溪镇污水处理厂,蒲河\n';
const proposer = { ...testPrincipal('50', ['data_authority'], '50:big_data'), id: 'authority-1' };
const approver = { ...testPrincipal('50', ['data_authority'], '50:big_data'), id: 'authority-2' };
const ask = (resourceId: string, fields?: string[]): ExchangeBody => ({
  resourceId,
  purpose: 'water_pollution_tracing',
  filters: [],
  limit: 10,
  ...(fields ? { fields } : {}),
});
const status = (answer: Promise<{ status: number }>) =>
  answer.then(
    (a) => a.status,
    (error: { code?: string }) => error.code,
  );

/**
 * "Processes" A, B and C over one database, each with its own services and caches: A changes the
 * catalogue and the list; B listens for changes (as every process of the app does); C does not, so
 * only the TTL refreshes it — what a process that lost its notifications would see.
 */
describe.each(testBackends)('gateway caches across processes on %s', (kind) => {
  let database: Database;
  const clock = new ManualClock('2026-12-07T08:00:00Z');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cb-gw-cache-'));
  let a: Datahub;
  const gateways: ExchangeGateway[] = [];
  let b: ExchangeGateway;
  let c: ExchangeGateway;
  let consumer: Principal;

  const startProcess = async (deps: DatahubDeps) => {
    const datahub = createDatahub(deps);
    let keys = 0;
    const gateway = new ExchangeGateway(
      { ...deps, keys: { issue: async () => ({ id: `${kind}-k${++keys}`, secret: 's' }) } },
      datahub.catalogue,
      datahub.list,
    );
    const file = path.join(dir, 'permits.csv');
    const files = { 'ee-permits': file, 'ee-new': file };
    await gateway.connectors.register('ecology-csv', new CsvConnector({ id: 'ecology-csv', files }));
    gateways.push(gateway);
    return { datahub, gateway };
  };

  beforeAll(async () => {
    fs.writeFileSync(path.join(dir, 'permits.csv'), CSV);
    database = await openTestDatabase(kind);
    await migrateToLatest(database.db, [
      auditMigrations,
      datahubMigrations,
      exchangeMigrations,
      gatewayMigrations,
    ]);
    const deps = { db: database.db, audit: new AuditLog(clock), clock, departments: testDirectory };
    a = (await startProcess(deps)).datahub;
    b = (await startProcess({ ...deps, changes: database, cache: { ttlMs: TTL } })).gateway;
    c = (await startProcess({ ...deps, cache: { ttlMs: TTL } })).gateway;
    await a.catalogue.register(SYSTEM_PRINCIPAL, [permits(['permit_no', 'enterprise', 'river'])]);
    await a.list.install(SYSTEM_PRINCIPAL, []);
    const registered = await b.consumers.register(
      { ...SYSTEM_PRINCIPAL, roles: ['data_authority'] },
      { name: 'water', departmentCode: '50:water_resources' },
    );
    consumer = { ...testPrincipal('50', [], '50:water_resources'), kind: 'api_key', id: registered.id };
  }, 60_000);
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await database?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a list entry approved in one process denies the next exchange in another at once; without notifications after the TTL', async () => {
    // Both caches hold the resource and a current list-version check.
    expect(await status(b.exchange(consumer, ask('ee-permits')))).toBe(200);
    expect(await status(c.exchange(consumer, ask('ee-permits')))).toBe(200);

    const proposal = await a.list.propose(proposer, {
      baseVersion: 1,
      upsert: [NOT_SHARED],
      remove: [],
      note: '',
    });
    await a.list.approve(approver, proposal.id);

    // B heard the NOTIFY (PostgreSQL delivers it on B's own connection a moment after the commit).
    await vi.waitFor(
      async () => expect(await status(b.exchange(consumer, ask('ee-permits')))).toBe('forbidden'),
      {
        timeout: 2_000,
        interval: 20,
      },
    );
    // C heard nothing: within the TTL it still trusts its last check …
    clock.advance(TTL - 1);
    expect(await status(c.exchange(consumer, ask('ee-permits')))).toBe(200);
    // … and checks the version again once it has expired.
    clock.advance(1);
    expect(await status(c.exchange(consumer, ask('ee-permits')))).toBe('forbidden');

    const undo = await a.list.propose(proposer, {
      baseVersion: 2,
      upsert: [],
      remove: [NOT_SHARED.id],
      note: '',
    });
    await a.list.approve(approver, undo.id);
    await vi.waitFor(async () => expect(await status(b.exchange(consumer, ask('ee-permits')))).toBe(200), {
      timeout: 2_000,
      interval: 20,
    });
  });

  it('a resource registered or replaced in one process is what another reads next', async () => {
    clock.advance(TTL); // C's cache from the test before expires: both start warm below
    expect(await status(b.exchange(consumer, ask('ee-new')))).toBe('not_found');
    for (const g of [b, c])
      expect(await status(g.exchange(consumer, ask('ee-permits', ['river'])))).toBe(200);

    await a.catalogue.register(SYSTEM_PRINCIPAL, [
      { ...permits(['permit_no', 'enterprise', 'river']), id: 'ee-new' },
      permits(['permit_no', 'enterprise']), // replaced without 'river'
    ]);

    // A new resource is found at once (unknown ids are never cached) …
    expect(await status(b.exchange(consumer, ask('ee-new')))).toBe(200);
    expect(await status(c.exchange(consumer, ask('ee-new')))).toBe(200);
    // … and the replaced one is read again by B when the NOTIFY arrives, by C after the TTL.
    await vi.waitFor(
      async () =>
        expect(await status(b.exchange(consumer, ask('ee-permits', ['river'])))).toBe('invalid_request'),
      { timeout: 2_000, interval: 20 },
    );
    expect(await status(c.exchange(consumer, ask('ee-permits', ['river'])))).toBe(200);
    clock.advance(TTL);
    expect(await status(c.exchange(consumer, ask('ee-permits', ['river'])))).toBe('invalid_request');
  });
});
