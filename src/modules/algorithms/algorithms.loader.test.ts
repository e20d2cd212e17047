import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import type { Database } from '../../platform/db/database.ts';
import { testBackends } from '../../platform/db/testing.ts';
import type { AuditLog } from '../audit/index.ts';
import type { AlgorithmRegistry } from './algorithms.service.ts';
import { openRegistry, people } from './algorithms.testing.ts';

const FILE = path.resolve(import.meta.dirname, '../../../data/algorithms/register.v1.json');
const KEYS = [
  'complaint.classify',
  'complaint.dedupe',
  'crowd.risk',
  'dispatch.nearest-team',
  'plan.generate',
  'rules.engine',
  'water.quality-class',
  'water.spill-arrival',
  'water.trace-upstream',
];

describe.each(testBackends)('demo register file on %s', (kind) => {
  let database: Database;
  let registry: AlgorithmRegistry;
  let audit: AuditLog;

  beforeAll(async () => {
    ({ database, registry, audit } = await openRegistry(kind));
    await registry.start();
  });
  afterAll(async () => {
    await registry?.stop();
    await database?.close();
  });

  it('files every platform algorithm as in use, once', async () => {
    const first = await registry.loadRegisterFile(FILE, SYSTEM_PRINCIPAL);
    expect(first.imported.map((k) => k.split('@')[0]).sort()).toEqual(KEYS);
    const again = await registry.loadRegisterFile(FILE, SYSTEM_PRINCIPAL);
    expect(again).toEqual({ imported: [], skipped: first.imported });
    const inUse = await registry.register.list({ status: 'in_use' });
    expect(inUse.map((v) => v.key).sort()).toEqual(KEYS);
    expect((await audit.verify(database.db)).ok).toBe(true);
  });

  it('lets each filed algorithm decide through the gate and shows them all publicly', async () => {
    for (const key of KEYS) {
      const r = await registry.runOrFallback(key, { x: 1 }, () => ({ output: key, explanation: 'demo' }));
      expect(r.decided, key).toBe(true);
    }
    const pub = await registry.publicRegister('en');
    expect(pub).toHaveLength(KEYS.length);
    expect(pub.find((p) => p.key === 'water.spill-arrival')).toMatchObject({
      riskCategory: 'high',
      status: 'in_use',
    });
  });

  it('refuses an invalid file and a non-system importer', async () => {
    const bad = path.join(tmpdir(), `register-bad-${process.pid}.json`);
    await writeFile(
      bad,
      JSON.stringify({ format: 'citybrain.algorithm-register/v1', algorithms: [{ key: 'x' }] }),
    );
    await expect(registry.loadRegisterFile(bad, SYSTEM_PRINCIPAL)).rejects.toMatchObject({
      code: 'invalid_data',
    });
    await expect(registry.loadRegisterFile(FILE, people.admin)).rejects.toMatchObject({ code: 'forbidden' });
  });
});
