import type { Db } from '../../platform/db/database.ts';
import { forTables } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import { type Bundle, BundleFileError, BundleSchema, type LoadedBundle } from './services.bundle.ts';
import { ServicesRepository } from './services.repository.ts';
import type { ServicesTables } from './services.tables.ts';

/**
 * Every bundle version the platform has run. Loading the files records each new version; a file
 * that changed under an already-recorded version is refused (publish a new version instead), so an
 * application always reads the definition it started with, even after its file is gone.
 */
export class BundleRegistry {
  private readonly versions = new Map<string, Bundle>();
  private readonly latest = new Map<string, Bundle>();
  private readonly repo = new ServicesRepository();

  /** Records the loaded files' versions and reads every version back. */
  async load(db: Db, files: LoadedBundle[], now: Date): Promise<void> {
    const tdb = forTables<ServicesTables>(db);
    const stored = new Map(
      (await this.repo.bundleVersions(tdb)).map((r) => [`${r.bundle_id}@${r.version}`, r]),
    );
    for (const f of files) {
      const key = `${f.bundle.id}@${f.bundle.version}`;
      const known = stored.get(key);
      if (known && known.hash !== f.hash)
        throw new BundleFileError(
          f.file,
          'version',
          `version ${f.bundle.version} of ${f.bundle.id} was loaded before with other content; publish it as a new version`,
        );
      if (!known)
        await this.repo.insertBundleVersion(tdb, {
          bundle_id: f.bundle.id,
          version: f.bundle.version,
          hash: f.hash,
          definition: JSON.stringify(f.bundle),
          loaded_at: now,
        });
    }
    for (const r of await this.repo.bundleVersions(tdb)) {
      const def = typeof r.definition === 'string' ? JSON.parse(r.definition) : r.definition;
      this.versions.set(`${r.bundle_id}@${r.version}`, BundleSchema.parse(def));
    }
    // New applications take the newest version among the files given (a removed file offers nothing new).
    for (const f of files) {
      const cur = this.latest.get(f.bundle.id);
      if (!cur || cur.version < f.bundle.version) this.latest.set(f.bundle.id, f.bundle);
    }
  }

  /** The version a new application of this bundle starts on. */
  current(id: string): Bundle {
    const b = this.latest.get(id);
    if (!b) throw new AppError('not_found', `bundle '${id}' not found`, { kind: 'bundle', key: id });
    return b;
  }

  /** The version an application runs on. */
  version(id: string, version: number): Bundle {
    const b = this.versions.get(`${id}@${version}`);
    if (!b) throw new AppError('internal', `bundle ${id} v${version} is not loaded`);
    return b;
  }

  /** A recorded version, if there is one. */
  find(id: string, version: number): Bundle | undefined {
    return this.versions.get(`${id}@${version}`);
  }

  list(): Bundle[] {
    return [...this.latest.values()].sort((a, b) => a.id.localeCompare(b.id));
  }
}
