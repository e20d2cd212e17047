// Registering the demo catalogue (12,000 synthetic resources of 24 departments): jieba segmentation
// plus batched multi-row upserts in one transaction, against the same rows inserted one per
// statement (measured on a sample and scaled), on PGlite and PostgreSQL.
// Run: ./node_modules/.bin/node bench/catalogue-register.ts [--resources 12000] [--engines pglite,postgres]
import { AuditLog, auditMigrations } from '../src/modules/audit/index.ts';
import { createSegmenter } from '../src/modules/classification/index.ts';
import { generateCatalogue } from '../src/modules/datahub/catalogue.generate.ts';
import { CatalogueRepository } from '../src/modules/datahub/catalogue.repository.ts';
import { TEST_DEPARTMENTS, testDirectory } from '../src/modules/datahub/datahub.fixtures.ts';
import { datahubMigrations } from '../src/modules/datahub/datahub.migrations.ts';
import { createDatahub } from '../src/modules/datahub/datahub.module.ts';
import type { DatahubTables } from '../src/modules/datahub/datahub.tables.ts';
import { SYSTEM_PRINCIPAL } from '../src/platform/access.ts';
import { ManualClock } from '../src/platform/clock.ts';
import { type DatabaseKind, forTables } from '../src/platform/db/database.ts';
import { migrateToLatest } from '../src/platform/db/migrate.ts';
import { openTestDatabase } from '../src/platform/db/testing.ts';
import { option, size, smokeBanner } from './smoke.ts';

const RESOURCES = Number(option('resources') ?? size(12_000, 500));
const ENGINES = (option('engines') ?? size('pglite,postgres', 'pglite')).split(',') as DatabaseKind[];
const SAMPLE = size(500, 50);
smokeBanner();

const segmenter = createSegmenter();
segmenter.cut('预热'); // the dictionary loads on first use; not part of registering
const t0 = performance.now();
const { resources } = generateCatalogue({ departments: TEST_DEPARTMENTS, count: RESOURCES });
const genMs = performance.now() - t0;
const t1 = performance.now();
const tokens = resources.map((r) => segmenter.cut(`${r.titleZh} ${r.descriptionZh}`));
const segMs = performance.now() - t1;
console.log(
  `${RESOURCES} resources: generated in ${genMs.toFixed(0)} ms, jieba over titles+descriptions ${segMs.toFixed(0)} ms`,
);

for (const kind of ENGINES) {
  const database = await openTestDatabase(kind);
  try {
    await migrateToLatest(database.db, [auditMigrations, datahubMigrations]);
    const clock = new ManualClock('2026-12-07T08:00:00Z');
    const datahub = createDatahub({
      db: database.db,
      audit: new AuditLog(clock),
      clock,
      departments: testDirectory,
      segmenter,
    });
    const seeded = await datahub.seedDemo(SYSTEM_PRINCIPAL, { count: RESOURCES });
    // Baseline: the same rows one INSERT each, on a sample (ids moved so they are new rows).
    const sample = resources
      .slice(0, SAMPLE)
      .map((r, i) => ({ resource: { ...r, id: `one-${r.id}` }, tokens: tokens[i] ?? [] }));
    const t2 = performance.now();
    await database.db.transaction().execute(async (trx) => {
      await new CatalogueRepository().upsertMany(forTables<DatahubTables>(trx), sample, clock.now(), 1);
    });
    const perRowMs = (performance.now() - t2) / SAMPLE;
    const batchedPerRow = seeded.ms / seeded.resources;
    console.log(
      `${kind.padEnd(8)} seedDemo ${seeded.resources} resources + ${seeded.entries} list entries in ${seeded.ms} ms ` +
        `(${((seeded.resources / seeded.ms) * 1000).toFixed(0)} resources/s, all included); ` +
        `one row per INSERT ${perRowMs.toFixed(2)} ms/row → ${((perRowMs * seeded.resources) / 1000).toFixed(1)} s; ` +
        `ratio ${(perRowMs / batchedPerRow).toFixed(1)}×`,
    );
  } finally {
    await database.close();
  }
}
