import { type Kysely, type Selectable, sql } from 'kysely';
import type { ResourceDto, ResourceQuery } from './datahub.schema.ts';
import type { DatahubTables } from './datahub.tables.ts';

type Row = Selectable<DatahubTables['dh_resource']>;

/** Rows per INSERT: 15 parameters each stays well under PostgreSQL's 65,535. */
const BATCH = 1000;

/** All SQL of the catalogue. */
export class CatalogueRepository {
  /** Inserts or replaces resources, `batch` rows per statement. */
  async upsertMany(
    db: Kysely<DatahubTables>,
    items: readonly { resource: ResourceDto; tokens: string[] }[],
    at: Date,
    batch = BATCH,
  ): Promise<void> {
    for (let i = 0; i < items.length; i += batch) {
      const values = items.slice(i, i + batch).map(({ resource: r, tokens }) => ({
        id: r.id,
        kind: r.kind,
        title_zh: r.titleZh,
        description_zh: r.descriptionZh,
        owner_department: r.ownerDepartment,
        theme: r.theme,
        source_system: r.sourceSystem,
        update_frequency: r.updateFrequency,
        legal_basis: r.legalBasis,
        sharing: r.sharing,
        fields: JSON.stringify(r.fields),
        search_tokens: tokens,
        synthetic: r.synthetic,
        registered_at: at,
      }));
      await db
        .insertInto('dh_resource')
        .values(values)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            kind: eb.ref('excluded.kind'),
            title_zh: eb.ref('excluded.title_zh'),
            description_zh: eb.ref('excluded.description_zh'),
            owner_department: eb.ref('excluded.owner_department'),
            theme: eb.ref('excluded.theme'),
            source_system: eb.ref('excluded.source_system'),
            update_frequency: eb.ref('excluded.update_frequency'),
            legal_basis: eb.ref('excluded.legal_basis'),
            sharing: eb.ref('excluded.sharing'),
            fields: eb.ref('excluded.fields'),
            search_tokens: eb.ref('excluded.search_tokens'),
            synthetic: eb.ref('excluded.synthetic'),
          })),
        )
        .execute();
    }
  }

  /** One resource, if it exists. */
  async get(db: Kysely<DatahubTables>, id: string): Promise<ResourceDto | undefined> {
    const row = await db.selectFrom('dh_resource').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toDto(row);
  }

  /** A page of resources matching every token, the department and the theme, with the total. */
  async search(
    db: Kysely<DatahubTables>,
    query: ResourceQuery,
    tokens: string[],
  ): Promise<{ items: ResourceDto[]; total: number }> {
    let q = db.selectFrom('dh_resource');
    if (tokens.length) q = q.where(sql<boolean>`search_tokens @> ${sql.val(tokens)}::text[]`);
    if (query.department) q = q.where('owner_department', '=', query.department);
    if (query.theme) q = q.where('theme', '=', query.theme);
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy('id').limit(query.limit).offset(query.offset).execute(),
      q.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toDto), total: Number(count.n) };
  }

  /** Every resource, in id order (the DCAT export). */
  async all(db: Kysely<DatahubTables>): Promise<ResourceDto[]> {
    const rows = await db.selectFrom('dh_resource').selectAll().orderBy('id').execute();
    return rows.map(toDto);
  }
}

function toDto(r: Row): ResourceDto {
  return {
    id: r.id,
    kind: r.kind as ResourceDto['kind'],
    titleZh: r.title_zh,
    descriptionZh: r.description_zh,
    ownerDepartment: r.owner_department,
    theme: r.theme,
    sourceSystem: r.source_system,
    updateFrequency: r.update_frequency as ResourceDto['updateFrequency'],
    legalBasis: r.legal_basis,
    sharing: r.sharing as ResourceDto['sharing'],
    fields: r.fields as ResourceDto['fields'],
    synthetic: r.synthetic,
  };
}
