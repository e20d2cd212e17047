import type { Principal } from '../../platform/access.ts';
import { generateCatalogue, platformResources } from './catalogue.generate.ts';
import { CatalogueService } from './catalogue.service.ts';
import type { DatahubDeps } from './datahub.deps.ts';
import { SharingKpis } from './datahub.kpis.ts';
import type { ListEntry, ResourceDto } from './datahub.schema.ts';
import { NegativeListService } from './negative-list.service.ts';

/** The module's services, built together from one set of dependencies. */
export interface Datahub {
  catalogue: CatalogueService;
  list: NegativeListService;
  /** The data-sharing KPIs (exchanges, denials, approvals, collaboration rate). */
  kpis: SharingKpis;
  /** Registers the synthetic demo catalogue (and the platform's own data) and installs its negative list. */
  seedDemo(
    principal: Principal,
    options?: {
      count?: number;
      seed?: number;
      /** Resources and entries added to the generated ones (a story's own data). */
      extra?: { resources: ResourceDto[]; entries: ListEntry[] };
      /** Keeps only the generated entries this accepts (a story's resource must not meet a random entry). */
      keepEntry?: (entry: ListEntry) => boolean;
    },
  ): Promise<{ resources: number; entries: number; ms: number }>;
}

/** Builds the datahub services. */
export function createDatahub(deps: DatahubDeps): Datahub {
  const catalogue = new CatalogueService(deps);
  const list = new NegativeListService(deps, catalogue);
  return {
    catalogue,
    list,
    kpis: new SharingKpis(deps),
    async seedDemo(principal, options = {}) {
      const started = performance.now();
      const departments = (await deps.departments.list()).filter((d) => d.type !== 'government');
      const { resources, entries } = generateCatalogue({
        departments,
        count: options.count ?? 12_000,
        seed: options.seed,
      });
      const own = departments.find((d) => d.type === 'big_data')?.code;
      const all = [...resources, ...(own ? platformResources(own) : []), ...(options.extra?.resources ?? [])];
      const listed = [
        ...entries.filter(options.keepEntry ?? (() => true)),
        ...(options.extra?.entries ?? []),
      ];
      await catalogue.register(principal, all);
      await list.install(principal, listed);
      return { resources: all.length, entries: listed.length, ms: Math.round(performance.now() - started) };
    },
  };
}
