import { canSee, type Principal, requireRole } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import { CATEGORIES, type Category, WALK_BUDGET_M, WALK_KMH, WALK_MINUTES } from './lifecircle.categories.ts';
import {
  type Coverage,
  computeCoverage,
  type StreetCoverage,
  streetCoverage,
} from './lifecircle.coverage.ts';
import { demoFacilities, type Facility } from './lifecircle.facilities.ts';
import { parseFacilities } from './lifecircle.import.ts';
import { buildModel, type CityModel, type SnappedFacilities, snapFacilities } from './lifecircle.model.ts';
import type { RoadInput, StreetInput } from './lifecircle.network.ts';
import { LifeCircleRepository } from './lifecircle.repository.ts';
import { bestSites, candidateNodes, type Gap, gapList, type Site } from './lifecircle.siting.ts';

/** What the life circle needs: storage, audit, clock, and the streets and roads of other modules. */
export interface LifeCircleDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  /** The streets with their shapes (jurisdictions). */
  streets: () => Promise<StreetInput[]>;
  /** The road links (traffic). */
  roads: () => Promise<RoadInput[]>;
}

/** What is synthetic in the figures: said on every answer. */
export interface DataLabels {
  walkingNetwork: string;
  population: string;
  facilities: { imported: number; synthetic: number };
}

/** Unmet needs per street code and life-circle category (from the need–resource matching). */
export type UnmetNeedsSource = () => Promise<{ streetCode: string; category: string; needs: number }[]>;

interface Computed {
  model: CityModel;
  snapped: SnappedFacilities;
  coverage: Coverage;
  labels: DataLabels;
}

/** The 15-minute life circle: coverage per street and category, the gap list, best sites for one more facility. */
export class LifeCircleService {
  private readonly deps: LifeCircleDeps;
  private readonly repo = new LifeCircleRepository();
  private model?: Promise<CityModel>;
  private computed?: Promise<Computed>;
  private unmetNeeds?: UnmetNeedsSource;

  constructor(deps: LifeCircleDeps) {
    this.deps = deps;
  }

  /** Turns the synthetic demo facilities on (the demo city; cheap: nothing is computed here). */
  async enableDemo(): Promise<void> {
    if ((await this.repo.setting(this.deps.db, 'demo')) === true) return;
    await this.repo.setSetting(this.deps.db, 'demo', true);
    this.computed = undefined;
  }

  /** Lets the gap list show unmet needs per street and category (set by the wiring of the matching). */
  setUnmetNeedsSource(source: UnmetNeedsSource): void {
    this.unmetNeeds = source;
  }

  /** The walking network, streets and population (built on first use), for other modules' distances. */
  walkingModel(): Promise<CityModel> {
    return this.cityModel();
  }

  /** Forgets the walking network and population (after the streets or roads changed). */
  invalidate(): void {
    this.model = undefined;
    this.computed = undefined;
  }

  /** Imports facilities (JSON or CSV), all or nothing; a refused row is named (422 `invalid_data`). */
  async importFacilities(
    principal: Principal,
    format: 'json' | 'csv',
    input: unknown,
  ): Promise<{ imported: number; byCategory: Record<string, number> }> {
    requireRole(principal, 'admin');
    const rows = parseFacilities(format, input);
    await this.deps.db.transaction().execute(async (trx) => {
      await this.repo.upsertFacilities(trx, rows, this.deps.clock.now());
      await this.deps.audit.append(trx, {
        actor: { kind: principal.kind, id: principal.id },
        action: 'lifecircle.facilities.imported',
        subjectType: 'facilities',
        subjectId: 'facilities',
        details: { rows: rows.length, format },
      });
    });
    this.computed = undefined;
    const byCategory: Record<string, number> = {};
    for (const r of rows) byCategory[r.category] = (byCategory[r.category] ?? 0) + 1;
    return { imported: rows.length, byCategory };
  }

  /** Imported facilities and, in the demo, the synthetic ones. */
  async facilities(): Promise<Facility[]> {
    const model = await this.cityModel();
    const imported = (await this.repo.facilities(this.deps.db)).map((r) => ({ ...r, synthetic: false }));
    const demo = (await this.repo.setting(this.deps.db, 'demo')) === true;
    return demo ? [...imported, ...demoFacilities(model.streets, model.network)] : imported;
  }

  /** Per-street coverage of the streets in scope (optionally one district or street). */
  async report(principal: Principal, q: { area?: string }) {
    const c = await this.compute();
    const streets = c.coverage.streets.filter((s) => this.visible(principal, s.path, q.area));
    const population = streets.reduce((a, s) => a + s.population, 0);
    const covered = (f: (s: StreetCoverage) => number) =>
      population ? Math.round((streets.reduce((a, s) => a + f(s), 0) / population) * 10_000) / 10_000 : 0;
    return {
      ...this.header(c),
      population,
      allShare: covered((s) => s.allCovered),
      share: Object.fromEntries(CATEGORIES.map((k) => [k, covered((s) => s.covered[k])])) as Record<
        Category,
        number
      >,
      streets,
    };
  }

  /** One street's coverage, computed for it alone. */
  async street(principal: Principal, code: string) {
    const model = await this.cityModel();
    const c = await this.compute();
    const s = model.streets.findIndex((x) => x.code === code);
    if (s < 0 || !canSee(principal, model.streets[s]!.path)) throw notFound('street', code);
    const t0 = performance.now();
    const figures = streetCoverage(model, c.snapped, s);
    return { ...this.header(c), computeSeconds: (performance.now() - t0) / 1000, street: figures };
  }

  /** Street × category gaps, most residents beyond 15 minutes first. */
  async gaps(principal: Principal, q: { category?: Category; area?: string; limit: number }) {
    const c = await this.compute();
    const unmet = new Map<string, number>();
    for (const u of (await this.unmetNeeds?.()) ?? []) unmet.set(`${u.streetCode}|${u.category}`, u.needs);
    const items: Gap[] = gapList(c.coverage, {
      unmet,
      ...(q.category ? { category: q.category } : {}),
      keep: (path) => this.visible(principal, path, q.area),
    });
    return { ...this.header(c), total: items.length, items: items.slice(0, q.limit) };
  }

  /** Where one more facility of a category would bring the most residents within 15 minutes. */
  async bestSites(
    principal: Principal,
    q: { category: Category; area?: string; candidates: number; limit: number },
  ) {
    const c = await this.compute();
    const { model } = c;
    const keep = model.streets.map((s) => this.visible(principal, s.path, q.area));
    const candidates = candidateNodes(model, (s) => s >= 0 && keep[s]!, q.candidates);
    if (!candidates.length)
      throw new AppError('not_found', `no walking network in area '${q.area ?? ''}'`, { area: q.area });
    const t0 = performance.now();
    const sites: Site[] = bestSites(model, c.coverage, q.category, candidates, q.limit);
    const names = new Map(model.streets.map((s) => [s.code, s.name]));
    return {
      ...this.header(c),
      category: q.category,
      candidates: candidates.length,
      searchSeconds: (performance.now() - t0) / 1000,
      items: sites.map((s) => ({
        ...s,
        streetName: s.streetCode ? (names.get(s.streetCode) ?? null) : null,
      })),
    };
  }

  private visible(principal: Principal, path: string, area?: string): boolean {
    return canSee(principal, path) && (!area || path.split('/').includes(area));
  }

  private header(c: Computed) {
    return {
      walk: { kmh: WALK_KMH, minutes: WALK_MINUTES, budgetM: WALK_BUDGET_M },
      data: c.labels,
      network: {
        nodes: c.model.network.nodeCount,
        edges: c.model.network.edgeCount,
        cells: c.model.cells.count,
      },
      buildSeconds: c.model.buildSeconds,
      computeSeconds: c.coverage.computeSeconds,
    };
  }

  private cityModel(): Promise<CityModel> {
    this.model ??= (async () => buildModel(await this.deps.streets(), await this.deps.roads()))();
    this.model.catch(() => {
      this.model = undefined;
    });
    return this.model;
  }

  private compute(): Promise<Computed> {
    this.computed ??= (async () => {
      const model = await this.cityModel();
      if (!model.streets.length)
        throw new AppError('not_found', 'no streets imported yet', { reason: 'no_streets' });
      const facilities = await this.facilities();
      const snapped = snapFacilities(model, facilities);
      const synthetic = facilities.filter((f) => f.synthetic).length;
      return {
        model,
        snapped,
        coverage: computeCoverage(model, snapped),
        labels: {
          walkingNetwork: `synthetic: generated paths (${model.network.pathNodes} nodes) + ${model.network.roadNodes} road nodes`,
          population: `${model.cells.source}: ${model.cells.count} H3 res-9 cells`,
          facilities: { imported: facilities.length - synthetic, synthetic },
        },
      };
    })();
    this.computed.catch(() => {
      this.computed = undefined;
    });
    return this.computed;
  }
}
