import { isDeepStrictEqual } from 'node:util';
import type { Kysely } from 'kysely';
import { type Principal, requireRole } from '../../platform/access.ts';
import { forTables } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { DepartmentType } from './organisation.catalogue.ts';
import { OrganisationRepository } from './organisation.repository.ts';
import type { OrganisationDeps } from './organisation.service.ts';
import type { OrganisationTables } from './organisation.tables.ts';
import {
  RESPONSIBILITY_FILE,
  type Rule,
  readResponsibilityFile,
  validateRule,
} from './responsibility.file.ts';
import { ResponsibilityRepository, type StoredRevision } from './responsibility.repository.ts';
import type { ResponsibilityListDto, RevisionDto, RulePatch, RuleVersion } from './responsibility.schema.ts';

/**
 * The unified responsibility list (权责清单): which department type handles which category of event,
 * at which level, with which skill and time limits. Every change makes a new revision holding the whole
 * list; older revisions stay readable. The current list is the newest revision.
 */
export class ResponsibilityService {
  private readonly repo = new ResponsibilityRepository();
  private readonly org = new OrganisationRepository();
  private readonly deps: OrganisationDeps;
  private readonly departmentTypes: DepartmentType[];

  constructor(deps: OrganisationDeps, departmentTypes: DepartmentType[]) {
    this.deps = deps;
    this.departmentTypes = departmentTypes;
  }

  /** Loads a list file as a new revision; a file version already loaded is a no-op. */
  async loadFile(
    actor: Principal,
    file: string | URL = RESPONSIBILITY_FILE,
  ): Promise<{ loaded: boolean; revision: number }> {
    requireRole(actor, 'admin');
    const list = readResponsibilityFile(file, this.departmentTypes);
    return this.deps.db.transaction().execute(async (trx) => {
      const db = forTables<OrganisationTables>(trx);
      await this.repo.lock(db);
      const existing = await this.repo.find(db, { fileVersion: list.version });
      if (existing) return { loaded: false, revision: existing.revision };
      const revision = ((await this.repo.latest(db))?.revision ?? 0) + 1;
      await this.repo.insert(
        db,
        this.newRevision(actor, {
          revision,
          source: 'file',
          fileVersion: list.version,
          effectiveFrom: list.effectiveFrom,
          note: null,
          domains: list.domains,
        }),
        list.items,
      );
      await this.deps.audit.append(trx, {
        actor,
        action: 'responsibility.list_loaded',
        subjectType: 'responsibility_list',
        subjectId: String(revision),
        jurisdictionPath: await this.org.cityPath(db),
        details: {
          revision,
          fileVersion: list.version,
          items: list.items.length,
          domains: list.domains.length,
        },
      });
      return { loaded: true, revision };
    });
  }

  /** The current rule for a category (used by the event centre); not_found when the list has none. */
  async lookup(category: string): Promise<RuleVersion> {
    const db = this.db();
    const current = await this.current(db);
    const rule = await this.repo.item(db, current.revision, category);
    if (!rule) throw notFound('responsibility category', category);
    return { ...rule, revision: current.revision, effectiveFrom: current.effectiveFrom };
  }

  /** A whole revision of the list (default: the current one), optionally one domain only. */
  async list(options: { revision?: number; domain?: string } = {}): Promise<ResponsibilityListDto> {
    const db = this.db();
    const stored =
      options.revision === undefined
        ? await this.current(db)
        : await this.repo.find(db, { revision: options.revision });
    if (!stored) throw notFound('responsibility list revision', options.revision ?? 0);
    const { domains, ...revision } = stored;
    return { revision, domains, items: await this.repo.items(db, stored.revision, options.domain) };
  }

  /** Every revision, oldest first. */
  async revisions(): Promise<RevisionDto[]> {
    return (await this.repo.all(this.db())).map(({ domains: _, ...revision }) => revision);
  }

  /** The revisions in which a category's rule was added or changed, oldest first. */
  async history(category: string): Promise<RuleVersion[]> {
    const all = await this.repo.versions(this.db(), category);
    if (all.length === 0) throw notFound('responsibility category', category);
    return all.filter((v, i) => i === 0 || !isDeepStrictEqual(ruleOf(v), ruleOf(all[i - 1]!)));
  }

  /** The domains of the current list, with how many categories and city-level powers each holds. */
  async domains(): Promise<
    (ResponsibilityListDto['domains'][number] & { categories: number; cityPowers: number })[]
  > {
    const { domains, items } = await this.list();
    return domains.map((d) => {
      const mine = items.filter((i) => i.domain === d.code);
      return { ...d, categories: mine.length, cityPowers: mine.filter((i) => i.cityPower).length };
    });
  }

  /**
   * Changes (or adds) one category's rule as a new revision of the whole list, audited. Admin or
   * city operator only. An invalid result is refused with invalid_data and nothing is written; a
   * patch that changes nothing returns the current rule without a new revision.
   */
  async update(actor: Principal, category: string, patch: RulePatch): Promise<RuleVersion> {
    requireRole(actor, 'city_operator');
    return this.deps.db.transaction().execute(async (trx) => {
      const db = forTables<OrganisationTables>(trx);
      await this.repo.lock(db);
      const latest = await this.current(db);
      const items = await this.repo.items(db, latest.revision);
      const before = items.find((i) => i.category === category);
      const { note, limits, ...fields } = patch;
      const merged = {
        ...before,
        ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
        category,
        limits: { ...before?.limits, ...limits },
      };
      const rule = validateRule(merged, {
        departmentTypes: this.departmentTypes,
        domains: latest.domains.map((d) => d.code),
      });
      if (before && isDeepStrictEqual(before, rule))
        return { ...before, revision: latest.revision, effectiveFrom: latest.effectiveFrom };
      const revision = this.newRevision(actor, {
        revision: latest.revision + 1,
        source: 'api',
        fileVersion: null,
        effectiveFrom: this.deps.clock.now().toISOString(),
        note: note ?? null,
        domains: latest.domains,
      });
      await this.repo.insert(db, revision, [...items.filter((i) => i.category !== category), rule]);
      await this.deps.audit.append(trx, {
        actor,
        action: 'responsibility.updated',
        subjectType: 'responsibility',
        subjectId: category,
        jurisdictionPath: await this.org.cityPath(db),
        details: {
          revision: revision.revision,
          previousRevision: latest.revision,
          before: before ?? null,
          after: rule,
          note: note ?? null,
        },
      });
      return { ...rule, revision: revision.revision, effectiveFrom: revision.effectiveFrom };
    });
  }

  private async current(db: Kysely<OrganisationTables>): Promise<StoredRevision> {
    const latest = await this.repo.latest(db);
    if (!latest) throw new AppError('unavailable', 'the responsibility list has not been loaded');
    return latest;
  }

  private newRevision(
    actor: Principal,
    fields: Omit<StoredRevision, 'createdAt' | 'createdBy'>,
  ): StoredRevision {
    const effectiveFrom = new Date(fields.effectiveFrom).toISOString();
    return { ...fields, effectiveFrom, createdAt: this.deps.clock.now().toISOString(), createdBy: actor.id };
  }

  private db(): Kysely<OrganisationTables> {
    return forTables<OrganisationTables>(this.deps.db);
  }
}

function ruleOf(v: RuleVersion): Rule {
  const { revision: _r, effectiveFrom: _e, ...rule } = v;
  return rule;
}
