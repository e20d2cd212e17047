import { type Kysely, type Selectable, sql } from 'kysely';
import type { Level } from './organisation.catalogue.ts';
import type { OrganisationTables } from './organisation.tables.ts';
import type { Domain, Rule } from './responsibility.file.ts';
import type { RevisionDto, RuleVersion } from './responsibility.schema.ts';

type Db = Kysely<OrganisationTables>;
type ItemRow = Selectable<OrganisationTables['org_responsibility_item']>;
type RevisionRow = Selectable<OrganisationTables['org_responsibility_revision']>;

/** A revision with the domains it defines. */
export type StoredRevision = RevisionDto & { domains: Domain[] };

/** SQL for the versioned responsibility list. */
export class ResponsibilityRepository {
  /** Serialises writers of the list for the rest of the transaction, so revision numbers never collide. */
  async lock(trx: Db): Promise<void> {
    await sql`lock table org_responsibility_revision in exclusive mode`.execute(trx);
  }

  /** The newest revision, or undefined before any list was loaded. */
  async latest(db: Db): Promise<StoredRevision | undefined> {
    const row = await db
      .selectFrom('org_responsibility_revision')
      .selectAll()
      .orderBy('revision', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && toRevision(row);
  }

  /** One revision by number, or by the file version it was loaded from. */
  async find(
    db: Db,
    by: { revision: number } | { fileVersion: string },
  ): Promise<StoredRevision | undefined> {
    let q = db.selectFrom('org_responsibility_revision').selectAll();
    q =
      'revision' in by ? q.where('revision', '=', by.revision) : q.where('file_version', '=', by.fileVersion);
    const row = await q.executeTakeFirst();
    return row && toRevision(row);
  }

  /** Every revision, oldest first. */
  async all(db: Db): Promise<StoredRevision[]> {
    const rows = await db.selectFrom('org_responsibility_revision').selectAll().orderBy('revision').execute();
    return rows.map(toRevision);
  }

  /** Writes a revision and its full set of rules. */
  async insert(db: Db, revision: StoredRevision, items: Rule[]): Promise<void> {
    await db
      .insertInto('org_responsibility_revision')
      .values({
        revision: revision.revision,
        file_version: revision.fileVersion,
        effective_from: new Date(revision.effectiveFrom),
        source: revision.source,
        created_at: new Date(revision.createdAt),
        created_by: revision.createdBy,
        note: revision.note,
        domains: JSON.stringify(revision.domains),
      })
      .execute();
    await db
      .insertInto('org_responsibility_item')
      .values(
        items.map((r) => ({
          revision: revision.revision,
          category: r.category,
          zh: r.zh,
          en: r.en,
          domain: r.domain,
          department_type: r.departmentType,
          co_department_types: r.coDepartmentTypes,
          level: r.level,
          skill: r.skill,
          accept_minutes: r.limits.acceptMinutes,
          arrive_minutes: r.limits.arriveMinutes,
          resolve_minutes: r.limits.resolveMinutes,
          city_power: r.cityPower,
        })),
      )
      .execute();
  }

  /** The rules of one revision, by category. */
  async items(db: Db, revision: number, domain?: string): Promise<Rule[]> {
    let q = db.selectFrom('org_responsibility_item').selectAll().where('revision', '=', revision);
    if (domain) q = q.where('domain', '=', domain);
    const rows = await q.orderBy('category').execute();
    return rows.map(toRule);
  }

  /** One rule in one revision. */
  async item(db: Db, revision: number, category: string): Promise<Rule | undefined> {
    const row = await db
      .selectFrom('org_responsibility_item')
      .selectAll()
      .where('revision', '=', revision)
      .where('category', '=', category)
      .executeTakeFirst();
    return row && toRule(row);
  }

  /** A rule in every revision that has it, oldest first. */
  async versions(db: Db, category: string): Promise<RuleVersion[]> {
    const rows = await db
      .selectFrom('org_responsibility_item as i')
      .innerJoin('org_responsibility_revision as r', 'r.revision', 'i.revision')
      .selectAll('i')
      .select('r.effective_from')
      .where('i.category', '=', category)
      .orderBy('i.revision')
      .execute();
    return rows.map((row) => ({
      ...toRule(row),
      revision: row.revision,
      effectiveFrom: row.effective_from.toISOString(),
    }));
  }
}

function toRevision(r: RevisionRow): StoredRevision {
  return {
    revision: r.revision,
    fileVersion: r.file_version,
    effectiveFrom: r.effective_from.toISOString(),
    source: r.source as RevisionDto['source'],
    createdAt: r.created_at.toISOString(),
    createdBy: r.created_by,
    note: r.note,
    domains: r.domains,
  };
}

function toRule(r: ItemRow): Rule {
  return {
    category: r.category,
    zh: r.zh,
    en: r.en,
    domain: r.domain,
    departmentType: r.department_type,
    coDepartmentTypes: r.co_department_types,
    level: r.level as Level,
    skill: r.skill as Rule['skill'],
    limits: {
      acceptMinutes: r.accept_minutes,
      arriveMinutes: r.arrive_minutes,
      resolveMinutes: r.resolve_minutes,
    },
    cityPower: r.city_power,
  };
}
