import { type Principal, requireRole, SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import { forTables } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { createSegmenter, type Segmenter } from '../classification/index.ts';
import { toDcat } from './catalogue.dcat.ts';
import { CatalogueRepository } from './catalogue.repository.ts';
import { CACHE_DEFAULTS, TtlCache } from './datahub.cache.ts';
import { announce } from './datahub.changes.ts';
import type { DatahubDeps } from './datahub.deps.ts';
import type { ResourceDto, ResourcePage, ResourceQuery } from './datahub.schema.ts';
import type { DatahubTables } from './datahub.tables.ts';

/** The data resource catalogue (数据资源目录): registration, search, DCAT-AP export. */
export class CatalogueService {
  private readonly deps: DatahubDeps;
  private readonly repo = new CatalogueRepository();
  private segmenter?: Segmenter;
  /** Resources by id for `lookup` (the gateway's per-exchange read). */
  private readonly cache: TtlCache<ResourceDto>;

  constructor(deps: DatahubDeps) {
    this.deps = deps;
    this.cache = new TtlCache(
      deps.clock,
      deps.cache?.maxResources ?? CACHE_DEFAULTS.maxResources,
      deps.cache?.ttlMs ?? CACHE_DEFAULTS.ttlMs,
    );
  }

  /** Registers (or replaces) resources in one transaction with one audit entry; data authority only. */
  async register(principal: Principal, resources: readonly ResourceDto[]): Promise<{ registered: number }> {
    requireRole(principal, 'data_authority');
    const known = new Set((await this.deps.departments.list()).map((d) => d.code));
    const unknown = [...new Set(resources.map((r) => r.ownerDepartment).filter((c) => !known.has(c)))];
    if (unknown.length)
      throw new AppError('invalid_data', 'unknown owner department', { departments: unknown });
    const seg = this.tokens();
    const items = resources.map((resource) => ({ resource, tokens: seg(indexText(resource)) }));
    await this.deps.db.transaction().execute(async (trx) => {
      await this.repo.upsertMany(forTables<DatahubTables>(trx), items, this.deps.clock.now());
      await this.deps.audit.append(trx, {
        actor: { kind: principal.kind, id: principal.id },
        action: 'datahub.resources.registered',
        subjectType: 'datahub_catalogue',
        subjectId: 'catalogue',
        details: { count: resources.length, first: resources[0]?.id, last: resources.at(-1)?.id },
      });
      // Every process's cache drops them when this commits (this one's too, below, without waiting).
      await announce(trx, { kind: 'resources', ids: resources.map((r) => r.id) });
    });
    this.cache.invalidate(resources.map((r) => r.id));
    return { registered: resources.length };
  }

  /** One resource; not_found when absent. The catalogue is readable by every authenticated caller. */
  async get(_principal: Principal, id: string): Promise<ResourceDto> {
    const found = await this.repo.get(forTables<DatahubTables>(this.deps.db), id);
    if (!found) throw notFound('resource', id);
    return found;
  }

  /**
   * One resource as the gateway reads it: from this process's cache (LRU, entries trusted for the
   * TTL; dropped on registration here or, through `invalidate`, when another process announces one).
   * An unknown id is not cached: it is read again next time.
   */
  lookup(id: string): Promise<ResourceDto> {
    return this.cache.through(id, () => this.get(SYSTEM_PRINCIPAL, id));
  }

  /** Drops cached resources (all when no ids are given): another process registered them. */
  invalidate(ids?: readonly string[]): void {
    this.cache.invalidate(ids);
  }

  /** Resources by Chinese keywords (every jieba token must match), department and theme, paged. */
  async search(_principal: Principal, query: ResourceQuery): Promise<ResourcePage> {
    const tokens = query.q ? this.tokens()(query.q) : [];
    const page = await this.repo.search(forTables<DatahubTables>(this.deps.db), query, tokens);
    return { ...page, limit: query.limit, offset: query.offset };
  }

  /** The whole catalogue as DCAT-AP 3 JSON-LD. */
  async dcat(_principal: Principal, baseUrl: string): Promise<Record<string, unknown>> {
    const [resources, departments] = await Promise.all([
      this.repo.all(forTables<DatahubTables>(this.deps.db)),
      this.deps.departments.list(),
    ]);
    const names = new Map(departments.map((d) => [d.code, d.name]));
    const publisher = departments.find((d) => d.type === 'big_data')?.code ?? departments[0]?.code ?? 'city';
    return toDcat(resources, { baseUrl, publisher, departmentName: (c) => names.get(c) ?? c });
  }

  /** Distinct meaningful tokens of a text (stop words dropped). */
  private tokens(): (text: string) => string[] {
    this.segmenter ??= this.deps.segmenter ?? createSegmenter();
    const seg = this.segmenter;
    return (text) => [...new Set(seg.cut(text).filter((w) => !seg.isStopWord(w)))];
  }
}

function indexText(r: ResourceDto): string {
  return [r.titleZh, r.descriptionZh, r.sourceSystem, ...r.fields.map((f) => f.titleZh)].join(' ');
}
