import { randomUUID } from 'node:crypto';
import { canSee, type Principal, ROLE_GROUPS, requireRole } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { AuditLog } from '../audit/index.ts';
import type { CityModel, Facility } from '../lifecircle/index.ts';
import { NEED_CATEGORIES, type NeedCategory } from './matching.categories.ts';
import { demoSupplyAndDemand, facilityResources } from './matching.demo.ts';
import { matchNeeds } from './matching.engine.ts';
import { candidatesOf, place } from './matching.reach.ts';
import { MatchingRepository, type ResultInsert } from './matching.repository.ts';
import { parseNeeds, parseResources } from './matching.validate.ts';

/** What matching needs: storage, audit, clock, and the life circle's walking network and facilities. */
export interface MatchingDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  /** The walking network and streets (undefined: straight line × 1.3 everywhere). */
  model: () => Promise<CityModel | undefined>;
  /** Life-circle facilities, offered as resources with default capacity and hours. */
  facilities: () => Promise<Facility[]>;
}

/** The median and 90th percentile of a list (nearest rank), or null when empty. */
export function percentiles(values: number[]): { median: number | null; p90: number | null } {
  if (!values.length) return { median: null, p90: null };
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return { median: at(0.5), p90: at(0.9) };
}

/** Need — resource — match: stores needs and resources, runs the matching, explains and measures it. */
export class MatchingService {
  private readonly deps: MatchingDeps;
  private readonly repo = new MatchingRepository();

  constructor(deps: MatchingDeps) {
    this.deps = deps;
  }

  /** Turns the synthetic demo needs, providers and volunteers on (stored at the first run). */
  async enableDemo(): Promise<void> {
    if ((await this.repo.setting(this.deps.db, 'demo')) === undefined)
      await this.repo.setSetting(this.deps.db, 'demo', 'pending');
  }

  /** Stores new needs, all or nothing; an id already stored is a 409 `conflict` naming the row. */
  async addNeeds(principal: Principal, rows: unknown[]): Promise<{ stored: number; ids: string[] }> {
    requireRole(principal, ...ROLE_GROUPS.operators);
    const now = this.deps.clock.now();
    const needs = parseNeeds(rows, now.getTime(), () => `need-${randomUUID()}`);
    await this.deps.db.transaction().execute(async (trx) => {
      const taken = new Set(
        await this.repo.existingNeedIds(
          trx,
          needs.map((n) => n.id),
        ),
      );
      const row = needs.findIndex((n) => taken.has(n.id));
      if (row >= 0)
        throw new AppError('conflict', `need row ${row + 1} (id ${needs[row]!.id}): already stored`, {
          row: row + 1,
          id: needs[row]!.id,
          field: 'id',
          reason: 'already_stored',
        });
      await this.repo.insertNeeds(trx, needs, now);
      await this.deps.audit.append(trx, {
        actor: { kind: principal.kind, id: principal.id },
        action: 'matching.needs.added',
        subjectType: 'needs',
        subjectId: 'needs',
        details: { rows: needs.length },
      });
    });
    return { stored: needs.length, ids: needs.map((n) => n.id) };
  }

  /** Stores resources (replaced by id), all or nothing. */
  async addResources(principal: Principal, rows: unknown[]): Promise<{ stored: number; ids: string[] }> {
    requireRole(principal, 'city_operator', 'district_operator');
    const resources = parseResources(rows, () => `resource-${randomUUID()}`);
    const bad = resources.findIndex((r) => r.id.startsWith('facility:'));
    if (bad >= 0)
      throw new AppError(
        'invalid_data',
        `resource row ${bad + 1}: id prefix 'facility:' is the life circle's`,
        {
          row: bad + 1,
          id: resources[bad]!.id,
          field: 'id',
          reason: 'reserved_id',
        },
      );
    await this.deps.db.transaction().execute(async (trx) => {
      await this.repo.upsertResources(trx, resources, this.deps.clock.now());
      await this.deps.audit.append(trx, {
        actor: { kind: principal.kind, id: principal.id },
        action: 'matching.resources.stored',
        subjectType: 'resources',
        subjectId: 'resources',
        details: { rows: resources.length },
      });
    });
    return { stored: resources.length, ids: resources.map((r) => r.id) };
  }

  /**
   * Matches the open needs in the caller's jurisdiction (greedy by urgency, then distance) against
   * every resource within reach; matches made earlier are kept. Needs in no street: city level only.
   */
  async run(principal: Principal) {
    requireRole(principal, 'city_operator', 'district_operator');
    const { db, clock } = this.deps;
    const model = await this.deps.model();
    await this.seedDemo(model);
    const t0 = performance.now();
    const open = await this.repo.openNeeds(db);
    const placedOpen = place(model, open);
    const cityLevel = !principal.jurisdictionPath.includes('/');
    const keep = open.map((_, k) => {
      const s = placedOpen.street[k]!;
      return s >= 0 && model ? canSee(principal, model.streets[s]!.path) : cityLevel;
    });
    const needs = open.filter((_, k) => keep[k]);
    const placed = {
      node: placedOpen.node.filter((_, k) => keep[k]),
      snapM: placedOpen.snapM.filter((_, k) => keep[k]),
      street: placedOpen.street.filter((_, k) => keep[k]),
    };
    const stored = await this.repo.resources(db);
    const facilities = facilityResources(await this.deps.facilities());
    const resources = [...stored, ...facilities];
    const index = new Map(resources.map((r, k) => [r.id, k]));
    const used = new Map<string, number>();
    for (const u of await this.repo.used(db)) {
      const k = index.get(u.resource_id);
      if (k !== undefined) used.set(`${k}|${u.slot_day}`, u.units);
    }
    const candidates = candidatesOf(needs, resources, model, placed);
    const outcomes = matchNeeds(needs, resources, candidates, used);
    const seconds = (performance.now() - t0) / 1000;
    const at = clock.now();
    const runId = `run-${at.toISOString()}-${randomUUID().slice(0, 8)}`;
    const results: ResultInsert[] = outcomes.map((o) => {
      const need = needs[o.need]!;
      const s = placed.street[o.need]!;
      const street = s >= 0 && model ? model.streets[s]! : undefined;
      const matched = o.resource >= 0;
      return {
        need_id: need.id,
        run_id: runId,
        status: matched ? 'matched' : 'unmet',
        resource_id: matched ? resources[o.resource]!.id : null,
        street_code: street?.code ?? null,
        street_path: street?.path ?? null,
        distance_m: 'distanceM' in o ? o.distanceM : null,
        slot_start: 'slotStart' in o ? new Date(o.slotStart) : null,
        slot_day: 'slotStart' in o ? o.explanation.slot.day : null,
        quantity: need.quantity,
        decided_at: at,
        explanation: o.explanation,
      };
    });
    const matched = results.filter((r) => r.status === 'matched').length;
    const summary = {
      runId,
      needs: needs.length,
      matched,
      unmet: needs.length - matched,
      resources: { stored: stored.length, facilities: facilities.length },
      distance: model ? 'walk (life circle network), else straight line × 1.3' : 'straight line × 1.3',
      seconds,
    };
    await db.transaction().execute(async (trx) => {
      await this.repo.saveRun(
        trx,
        {
          id: runId,
          at,
          needs: needs.length,
          matched,
          unmet: needs.length - matched,
          seconds,
          details: summary,
        },
        results,
      );
      await this.deps.audit.append(trx, {
        actor: { kind: principal.kind, id: principal.id },
        action: 'matching.run',
        subjectType: 'matching_run',
        subjectId: runId,
        details: { needs: needs.length, matched },
      });
    });
    return summary;
  }

  /** Decisions with their explanations, newest first, in the caller's jurisdiction. */
  async matches(principal: Principal, q: { status?: 'matched' | 'unmet'; limit: number; offset: number }) {
    const rows = await this.repo.results(this.deps.db, principal, q);
    return {
      items: rows.map((r) => ({
        needId: r.need_id,
        runId: r.run_id,
        status: r.status,
        category: r.category,
        source: r.source,
        resourceId: r.resource_id,
        streetCode: r.street_code,
        distanceM: r.distance_m,
        slotStart: r.slot_start?.toISOString() ?? null,
        createdAt: r.created_at.toISOString(),
        decidedAt: r.decided_at.toISOString(),
        synthetic: r.synthetic,
        explanation: r.explanation as Record<string, unknown>,
      })),
    };
  }

  /** Share of needs met and time to match (need created → matched), overall and per category. */
  async kpis(principal: Principal) {
    requireRole(principal, ...ROLE_GROUPS.oversight);
    const rows = await this.repo.kpiRows(this.deps.db, principal);
    const perCategory = (cat?: string) => {
      const mine = cat ? rows.filter((r) => r.category === cat) : rows;
      const matched = mine.filter((r) => r.status === 'matched');
      const times = matched.map((r) => (r.decided_at!.getTime() - r.created_at.getTime()) / 1000);
      const { median, p90 } = percentiles(times);
      return {
        needs: mine.length,
        matched: matched.length,
        unmet: mine.filter((r) => r.status === 'unmet').length,
        pending: mine.filter((r) => !r.status).length,
        shareMet: mine.length ? Math.round((matched.length / mine.length) * 10_000) / 10_000 : 0,
        medianMatchSeconds: median,
        p90MatchSeconds: p90,
      };
    };
    const unmetReasons: Record<string, number> = {};
    for (const r of rows)
      if (r.status === 'unmet') {
        const reason = (r.explanation as { reason: string }).reason;
        unmetReasons[reason] = (unmetReasons[reason] ?? 0) + 1;
      }
    const counts = await this.repo.counts(this.deps.db);
    return {
      ...perCategory(),
      resources: counts.resources,
      unmetReasons,
      byCategory: Object.fromEntries(
        (Object.keys(NEED_CATEGORIES) as NeedCategory[]).map((c) => [c, perCategory(c)]),
      ),
    };
  }

  /** Unmet needs per street code and life-circle category (the life circle's gap list reads this). */
  async unmetByStreet(): Promise<{ streetCode: string; category: string; needs: number }[]> {
    const rows = await this.repo.unmetByStreet(this.deps.db);
    const sum = new Map<string, number>();
    for (const r of rows) {
      const key = `${r.streetCode}|${NEED_CATEGORIES[r.category].lifeCircle}`;
      sum.set(key, (sum.get(key) ?? 0) + r.needs);
    }
    return [...sum].map(([k, needs]) => {
      const [streetCode, category] = k.split('|') as [string, string];
      return { streetCode, category, needs };
    });
  }

  /** Stores the synthetic demo needs and resources once, when the demo is on and the network is there. */
  private async seedDemo(model: CityModel | undefined): Promise<void> {
    if (!model || (await this.repo.setting(this.deps.db, 'demo')) !== 'pending') return;
    // Two runs at once may both seed: needs keep the first copy (same ids), resources are replaced.
    const { needs, resources } = demoSupplyAndDemand(model, this.deps.clock.now().getTime());
    const at = this.deps.clock.now();
    await this.deps.db.transaction().execute(async (trx) => {
      await this.repo.insertNeeds(trx, needs, at);
      await this.repo.upsertResources(trx, resources, at);
      await this.repo.setSetting(trx, 'demo', 'seeded');
    });
  }
}
