import { type Kysely, type Selectable, sql } from 'kysely';
import { escapeLike } from '../../platform/access.ts';
import type { PlannedNode, StoredKey } from './jurisdictions.import.ts';
import type {
  Jurisdiction,
  JurisdictionSummary,
  JurisdictionTables,
  Level,
  ListQuery,
} from './jurisdictions.schema.ts';

type Db = Kysely<JurisdictionTables>;
type Row = Selectable<JurisdictionTables['jurisdictions']>;

const SUMMARY = [
  'code',
  'name',
  'name_en',
  'level',
  'parent_code',
  'path',
  'bbox_west',
  'bbox_south',
  'bbox_east',
  'bbox_north',
  'label_lon',
  'label_lat',
  'approximate',
  'properties',
] as const;

// Rows per INSERT: large enough that ~1,000 shapes take a handful of statements, small enough for any driver.
const BATCH = 200;

/** All SQL of the jurisdictions module. */
export class JurisdictionRepository {
  /** Serialises imports: each one plans against the tree as it is and writes before the next looks. */
  async lockForImport(trx: Db): Promise<void> {
    await sql`lock table jurisdictions in share row exclusive mode`.execute(trx);
  }

  /** Code, level, parent and path of every stored node (the tree is small reference data). */
  async keys(db: Db): Promise<Map<string, StoredKey>> {
    const rows = await db
      .selectFrom('jurisdictions')
      .select(['code', 'level', 'parent_code', 'path'])
      .execute();
    return new Map(
      rows.map((r) => [r.code, { code: r.code, level: r.level, parentCode: r.parent_code, path: r.path }]),
    );
  }

  /** Inserts or updates the nodes in file order (parents before children), a batch per statement. */
  async upsert(trx: Db, nodes: PlannedNode[], at: Date): Promise<void> {
    for (let i = 0; i < nodes.length; i += BATCH) {
      const values = nodes.slice(i, i + BATCH).map((n) => ({
        code: n.code,
        name: n.name,
        name_en: n.nameEn,
        level: n.level,
        parent_code: n.parentCode,
        path: n.path,
        geometry: JSON.stringify(n.geometry),
        bbox_west: n.bbox[0],
        bbox_south: n.bbox[1],
        bbox_east: n.bbox[2],
        bbox_north: n.bbox[3],
        label_lon: n.label[0],
        label_lat: n.label[1],
        approximate: n.approximate,
        properties: JSON.stringify(n.properties),
        updated_at: at,
      }));
      await trx
        .insertInto('jurisdictions')
        .values(values)
        .onConflict((oc) =>
          oc.column('code').doUpdateSet((eb) => ({
            name: eb.ref('excluded.name'),
            name_en: eb.ref('excluded.name_en'),
            geometry: eb.ref('excluded.geometry'),
            bbox_west: eb.ref('excluded.bbox_west'),
            bbox_south: eb.ref('excluded.bbox_south'),
            bbox_east: eb.ref('excluded.bbox_east'),
            bbox_north: eb.ref('excluded.bbox_north'),
            label_lon: eb.ref('excluded.label_lon'),
            label_lat: eb.ref('excluded.label_lat'),
            approximate: eb.ref('excluded.approximate'),
            properties: eb.ref('excluded.properties'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
  }

  /** One node with its geometry. */
  async get(db: Db, code: string): Promise<Jurisdiction | undefined> {
    const row = await db
      .selectFrom('jurisdictions')
      .select([...SUMMARY, 'geometry'])
      .where('code', '=', code)
      .executeTakeFirst();
    return row && toShape(row);
  }

  /** The path of one node. */
  async pathOf(db: Db, code: string): Promise<string | undefined> {
    const row = await db
      .selectFrom('jurisdictions')
      .select('path')
      .where('code', '=', code)
      .executeTakeFirst();
    return row?.path;
  }

  /** Nodes matching the filters, by code, without geometry. */
  async list(db: Db, query: ListQuery): Promise<JurisdictionSummary[]> {
    return (await this.filtered(db, query).select(SUMMARY).orderBy('code').execute()).map(toSummary);
  }

  /** Nodes matching the filters, by code, with geometry. */
  async shapes(db: Db, query: ListQuery): Promise<Jurisdiction[]> {
    const rows = await this.filtered(db, query)
      .select([...SUMMARY, 'geometry'])
      .orderBy('code')
      .execute();
    return rows.map(toShape);
  }

  private filtered(db: Db, query: ListQuery) {
    let q = db.selectFrom('jurisdictions');
    if (query.level) q = q.where('level', '=', query.level);
    if (query.parent) q = q.where('parent_code', '=', query.parent);
    if (query.q) {
      const text = `%${escapeLike(query.q)}%`;
      q = q.where((eb) =>
        eb.or([
          eb('name', 'ilike', text),
          eb('name_en', 'ilike', text),
          eb('code', 'like', `${escapeLike(query.q!)}%`),
        ]),
      );
    }
    return q;
  }
}

function toSummary(row: Omit<Row, 'geometry' | 'updated_at'>): JurisdictionSummary {
  return {
    code: row.code,
    name: row.name,
    nameEn: row.name_en,
    level: row.level as Level,
    parentCode: row.parent_code,
    path: row.path,
    approximate: row.approximate,
    bbox: [row.bbox_west, row.bbox_south, row.bbox_east, row.bbox_north],
    label: [row.label_lon, row.label_lat],
    properties: row.properties,
  };
}

function toShape(row: Omit<Row, 'updated_at'>): Jurisdiction {
  return { ...toSummary(row), geometry: row.geometry };
}
