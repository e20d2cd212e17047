import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Principal } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { forTables } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import { readCollection } from './jurisdictions.geojson.ts';
import { planImport, summarise } from './jurisdictions.import.ts';
import { LocateIndex } from './jurisdictions.locate.ts';
import { JurisdictionRepository } from './jurisdictions.repository.ts';
import {
  type FeatureCollectionOut,
  ImportOptionsSchema,
  type ImportResult,
  type Jurisdiction,
  type JurisdictionSummary,
  type JurisdictionTables,
  type ListQuery,
  type Located,
  type StreetShape,
} from './jurisdictions.schema.ts';

/** What the service is built from. */
export interface JurisdictionDeps {
  db: Kysely<unknown>;
  audit: AuditLog;
  clock: Clock;
}

/** Options of an import as callers write them (defaults filled in by ImportOptionsSchema). */
export type ImportOptionsInput = z.input<typeof ImportOptionsSchema>;

/**
 * The city → district → street tree: imports it from GeoJSON, answers reads (public reference
 * data, no principal needed) and locates points through an in-memory index rebuilt after imports.
 */
export class JurisdictionService {
  private readonly repo = new JurisdictionRepository();
  private readonly db: Kysely<JurisdictionTables>;
  private readonly rawDb: Kysely<unknown>;
  private readonly audit: AuditLog;
  private readonly clock: Clock;
  private index: LocateIndex | undefined;
  private building: Promise<void> | undefined;
  private generation = 0;

  constructor(deps: JurisdictionDeps) {
    this.rawDb = deps.db;
    this.db = forTables<JurisdictionTables>(deps.db);
    this.audit = deps.audit;
    this.clock = deps.clock;
  }

  /** Builds the locate index unless it is built or being built; call at start-up. */
  async init(): Promise<void> {
    if (!this.index) await (this.building ?? this.reload());
  }

  /** Rebuilds the locate index from the database; a build that a newer one overtook is discarded. */
  async reload(): Promise<void> {
    const generation = ++this.generation;
    const build = this.repo.shapes(this.db, {}).then((rows) => {
      if (generation === this.generation) this.index = LocateIndex.build(rows);
    });
    this.building = build;
    try {
      await build;
    } finally {
      if (this.building === build) this.building = undefined;
    }
  }

  /** The chain from the city to the deepest node containing the point, or undefined outside every node. */
  async locate(lon: number, lat: number): Promise<Located | undefined> {
    if (!(Math.abs(lon) <= 180 && Math.abs(lat) <= 90)) {
      throw new AppError('invalid_request', 'lon must be within [-180, 180] and lat within [-90, 90]', {
        lon,
        lat,
      });
    }
    await this.init();
    return this.index?.locate(lon, lat);
  }

  /**
   * Validates a parsed GeoJSON FeatureCollection completely, then writes all of it in one
   * transaction with one audit entry, and rebuilds the locate index. Any problem: nothing is written.
   */
  async importGeoJson(
    actor: Principal,
    input: unknown,
    options: ImportOptionsInput,
    source?: string,
  ): Promise<ImportResult> {
    const parsedOptions = ImportOptionsSchema.safeParse(options);
    if (!parsedOptions.success) {
      throw new AppError(
        'invalid_request',
        `invalid import options: ${z.prettifyError(parsedOptions.error)}`,
      );
    }
    const opts = parsedOptions.data;
    const features = readCollection(input, opts.codeProperty);
    const result = await this.rawDb.transaction().execute(async (trx) => {
      const db = forTables<JurisdictionTables>(trx);
      await this.repo.lockForImport(db);
      const stored = await this.repo.keys(db);
      const nodes = planImport(features, opts, stored);
      await this.repo.upsert(db, nodes, this.clock.now());
      const { path: jurisdictionPath, ...summary } = summarise(nodes, stored);
      await this.audit.append(trx, {
        actor,
        action: 'jurisdiction.imported',
        subjectType: 'jurisdiction_import',
        subjectId: digest(input),
        jurisdictionPath,
        details: {
          level: opts.level,
          ...summary,
          file: { source: source ?? null, features: features.length },
        },
      });
      return summary;
    });
    // The import is committed: a failed rebuild must not report it as failed. Drop the stale index
    // instead, so the next locate rebuilds it and surfaces the error there.
    await this.reload().catch(() => {
      this.index = undefined;
    });
    return result;
  }

  /** Reads, parses and imports a GeoJSON file; an unreadable file or invalid JSON is invalid_data naming the file. */
  async importFile(actor: Principal, filePath: string, options: ImportOptionsInput): Promise<ImportResult> {
    let input: unknown;
    try {
      input = JSON.parse(await readFile(filePath, 'utf8'));
    } catch (error) {
      const why = error instanceof SyntaxError ? 'is not valid JSON' : 'cannot be read';
      throw new AppError('invalid_data', `${filePath} ${why}: ${(error as Error).message}`, {
        file: filePath,
      });
    }
    return this.importGeoJson(actor, input, options, path.basename(filePath));
  }

  /** One node with its geometry; not_found when unknown. */
  async get(code: string): Promise<Jurisdiction> {
    const found = await this.repo.get(this.db, code);
    if (!found) throw notFound('jurisdiction', code);
    return found;
  }

  /** Nodes matching the filters, without geometry, by code. */
  async list(query: ListQuery = {}): Promise<JurisdictionSummary[]> {
    return this.repo.list(this.db, query);
  }

  /** The direct children of a node; not_found when the node is unknown. */
  async children(code: string): Promise<JurisdictionSummary[]> {
    const [node, items] = await Promise.all([this.repo.pathOf(this.db, code), this.list({ parent: code })]);
    if (node === undefined) throw notFound('jurisdiction', code);
    return items;
  }

  /** The path (`50/500103/500103001`) other modules stamp on records of a place; not_found when unknown. */
  async pathOf(code: string): Promise<string> {
    const found = await this.repo.pathOf(this.db, code);
    if (found === undefined) throw notFound('jurisdiction', code);
    return found;
  }

  /** Nodes matching the filters as a GeoJSON FeatureCollection, for map layers. */
  async geojson(query: Pick<ListQuery, 'level' | 'parent'> = {}): Promise<FeatureCollectionOut> {
    const nodes = await this.repo.shapes(this.db, query);
    return {
      type: 'FeatureCollection',
      features: nodes.map(({ code, name, level, parentCode, approximate, geometry }) => ({
        type: 'Feature' as const,
        properties: { code, name, level, parent: parentCode, approximate },
        geometry,
      })),
    };
  }
  /** Every street that has a shape, with its district and label point (for grids and networks over streets). */
  async streetShapes(): Promise<StreetShape[]> {
    const list = await this.list({ level: 'street' });
    const shapes = await this.geojson({ level: 'street' });
    const geometry = new Map(shapes.features.map((f) => [f.properties.code, f.geometry]));
    return list.flatMap((s): StreetShape[] => {
      const g = geometry.get(s.code);
      return g
        ? [
            {
              code: s.code,
              name: s.name,
              districtCode: s.parentCode ?? '',
              path: s.path,
              label: s.label,
              geometry: g as StreetShape['geometry'],
            },
          ]
        : [];
    });
  }
}

// Identifies the imported content in the audit log, so two entries can be told to be the same file or not.
function digest(input: unknown): string {
  return createHash('sha256').update(JSON.stringify(input)).digest('hex').slice(0, 16);
}
