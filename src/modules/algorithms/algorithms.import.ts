import type { Kysely } from 'kysely';
import type { Principal } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import { actorOf, checkFileable } from './algorithms.lifecycle.ts';
import { indexed } from './algorithms.mapping.ts';
import type { RegisterRepository } from './algorithms.repository.ts';
import type { RegisterFields } from './algorithms.schema.ts';
import type { AlgorithmTables } from './algorithms.tables.ts';
import type { TransitionWriter } from './algorithms.transitions.ts';

/** A filing approved outside the platform, to be put on the register as approved or in use. */
export interface ImportEntry {
  key: string;
  version: string;
  status: 'approved' | 'in_use';
  register: RegisterFields;
}

/** What an import writes with. */
export interface ImportDeps {
  db: Kysely<AlgorithmTables>;
  repo: RegisterRepository;
  writer: TransitionWriter;
  clock: Clock;
}

/**
 * Puts a filing made and approved outside the platform (demo data, a paper register) on the
 * register, as the platform only. The version is recorded as filed and approved by
 * `import:<source>` (four-eyes applies to approvals made in the platform), then put in use
 * through the ordinary transition when asked. Returns false if the version is already there.
 */
export async function importFiling(deps: ImportDeps, actor: Principal, entry: ImportEntry, source: string) {
  if (actor.kind !== 'system')
    throw new AppError('forbidden', 'only the platform imports filings', { reason: 'role' });
  checkFileable(entry.register);
  const { db, repo, writer } = deps;
  return db.transaction().execute(async (trx) => {
    if (await repo.version(trx, entry.key, entry.version)) return false;
    const now = deps.clock.now();
    const by = `import:${source}`;
    const reason = `imported from ${source}`;
    if (!(await repo.algorithm(trx, entry.key))) {
      await repo.insertAlgorithm(trx, entry.key, entry.register.owner.departmentCode, now);
    }
    await repo.insertVersion(trx, {
      key: entry.key,
      version: entry.version,
      status: 'approved',
      ...indexed(entry.register),
      register: JSON.stringify(entry.register),
      created_by: by,
      created_at: now,
      updated_at: now,
      filed_by: by,
      filed_at: now,
      approved_by: by,
      approved_at: now,
    });
    await writer.history(trx, entry.key, entry.version, null, 'approved', reason, actorOf(actor));
    await writer.append(trx, actor, 'algorithm.version.imported', entry.key, entry.version, { source });
    const row = await repo.version(trx, entry.key, entry.version, true);
    if (entry.status === 'in_use' && row) await writer.apply(trx, actor, row, 'in_use', reason);
    else await repo.bumpCounter(trx);
    return true;
  });
}
