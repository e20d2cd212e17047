import { randomUUID } from 'node:crypto';
import { cellToLatLng } from 'h3-js';
import { canSee, type Principal, ROLE_GROUPS, requireRole } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { AlgorithmRegistry } from '../algorithms/index.ts';
import { demoIncidents } from './patrol.demo.ts';
import {
  buildStudyArea,
  CELL_RES,
  districtLocator,
  type StreetShape,
  type StudyArea,
} from './patrol.grid.ts';
import {
  type Accuracy,
  cellCounts,
  DEFAULT_KERNEL,
  evaluate,
  type Incident,
  type Prepared,
  prepareIncidents,
  REPORTED_SOURCES,
  ranking,
  round,
  stkde,
  WEEK,
} from './patrol.model.ts';
import { allocateHours, areaShares, type Beat, buildBeats, capBreach, displacement } from './patrol.plan.ts';
import { PatrolRepository } from './patrol.repository.ts';
import type { PatrolPlan, PlanRequest } from './patrol.schema.ts';

/** The filed algorithm every plan runs through. */
export const PATROL_ALGORITHM = 'patrol.hotspot-plan';
/** Held-out test weeks of the published accuracy. */
export const TEST_WEEKS = 8;

/** What the patrol module needs: storage, clock, the gate, and streets and incidents of other modules. */
export interface PatrolDeps {
  db: Db;
  clock: Clock;
  algorithms: Pick<AlgorithmRegistry, 'runOrFallback'>;
  /** The streets with their shapes (jurisdictions). */
  streets: () => Promise<StreetShape[]>;
  /** Incidents stored in the platform between two times, of every source (events); the model filters. */
  incidents: (from: Date, to: Date) => Promise<Incident[]>;
}

/** A fitted model as of a time. */
interface Fitted {
  until: number;
  area: StudyArea;
  prepared: Prepared;
  score: Float64Array;
  accuracy: Accuracy;
  baseline: Accuracy;
  refreshSeconds: number;
}

/** A district enters the study area with at least this share of the reported incidents. */
const MIN_DISTRICT_SHARE = 0.01;

const KERNEL = { ...DEFAULT_KERNEL, bandwidthRings: 1 };

/** Patrol hot spots from reported incidents, their held-out accuracy, capped patrol plans, displacement. */
export class PatrolService {
  private readonly deps: PatrolDeps;
  private readonly repo = new PatrolRepository();
  private readonly fitted = new Map<number, Promise<Fitted>>();
  private areaOf?: { key: string; area: StudyArea };
  private coarse?: { key: string; locate: (lon: number, lat: number) => string | undefined };

  constructor(deps: PatrolDeps) {
    this.deps = deps;
  }

  /** Turns the synthetic demo incidents on (cheap: nothing is computed here). */
  async enableDemo(): Promise<void> {
    if ((await this.repo.setting(this.deps.db, 'demo')) === true) return;
    await this.repo.setSetting(this.deps.db, 'demo', true);
    this.fitted.clear();
  }

  /** The hottest cells in scope and the model's figures. */
  async hotspots(principal: Principal, q: { area?: string; limit: number }) {
    const f = await this.fit(this.deps.clock.now().getTime());
    const order = ranking(f.score, this.keep(principal, f.area, q.area));
    const cells = Array.from(order.subarray(0, q.limit))
      .filter((c) => f.score[c]! > 0)
      .map((c) => {
        const [lat, lon] = cellToLatLng(f.area.h3[c]!);
        const s = f.area.streets[f.area.street[c]!]!;
        return {
          h3: f.area.h3[c]!,
          lon: round(lon),
          lat: round(lat),
          score: round(f.score[c]!),
          streetCode: s.code,
          streetName: s.name,
        };
      });
    return { model: this.info(f), cells };
  }

  /** Proposes (or checks a hand-set) patrol plan through the filed algorithm; refused if an area breaks the cap. */
  async plan(principal: Principal, r: PlanRequest): Promise<PatrolPlan> {
    requireRole(principal, ...ROLE_GROUPS.operators);
    const now = this.deps.clock.now();
    const asOf = r.asOf ? new Date(r.asOf) : now;
    if (asOf.getTime() > now.getTime())
      throw new AppError('invalid_request', 'asOf is in the future', { asOf: r.asOf });
    const f = await this.fit(asOf.getTime());
    const keep = this.keep(principal, f.area, r.area);
    const path = this.pathOf(principal, f.area, r.area);
    const id = randomUUID();
    const model = {
      pai: f.accuracy.pai,
      baselinePai: f.baseline.pai,
      reportedIncidents: f.prepared.count,
      fromReportedOnly: f.prepared.sources.every((s) => REPORTED_SOURCES.includes(s)),
      excluded: f.prepared.excluded,
      synthetic: f.prepared.synthetic,
    };
    let built: Beat[] = [];
    const input = { area: path, asOf: asOf.toISOString(), params: { ...r, hours: r.hours ?? null }, model };
    const decision = await this.deps.algorithms.runOrFallback(
      PATROL_ALGORITHM,
      input,
      () => {
        const order = ranking(f.score, keep);
        const raw = buildBeats(f.area, f.score, order, r.beats, r.cellsPerBeat);
        const beats = r.hours
          ? raw.map((b) => ({ ...b, hours: r.hours?.[b.id] ?? 0 }))
          : allocateHours(raw, r.totalHours, r.shareCap, r.capLevel);
        built = beats;
        const shares = areaShares(beats, r.capLevel);
        const breach = capBreach(beats, r.shareCap, r.capLevel);
        const names = new Map(f.area.streets.map((s) => [s.code, s.name]));
        const top = shares[0];
        const reasons = [
          `${beats.length} beats over the hottest of ${f.area.h3.length} cells (H3 res ${CELL_RES}) in ${path}`,
          `learnt from ${f.prepared.count} reported incidents (${f.prepared.sources.join(', ') || 'none'}); left out: ${JSON.stringify(f.prepared.excluded)} — patrol-found incidents would feed back`,
          `held-out PAI ${f.accuracy.pai} at 1% of the area over ${TEST_WEEKS} weeks (count-per-cell baseline ${f.baseline.pai})`,
          r.hours
            ? 'hours set by hand'
            : `${r.totalHours} h by risk, no ${r.capLevel} above ${r.shareCap * 100}% of hours`,
          top
            ? `largest ${r.capLevel} share ${names.get(top.area) ?? top.area} ${(top.share * 100).toFixed(1)}%`
            : 'no beats',
          ...(breach
            ? [
                `refused: ${r.capLevel} ${breach.area} would take ${(breach.share * 100).toFixed(1)}% > cap ${r.shareCap * 100}%`,
              ]
            : []),
        ];
        return {
          output: {
            planId: id,
            beats: beats.map((b) => ({ id: b.id, streetCode: b.streetCode, hours: b.hours })),
            breach: breach ?? null,
          },
          explanation: {
            text: reasons.join('; '),
            zh: breach
              ? `巡逻方案被拒：${breach.area} 占巡逻时长 ${(breach.share * 100).toFixed(1)}%，超过上限 ${r.shareCap * 100}%`
              : `${beats.length} 个巡区，仅以群众报警/举报训练（排除巡逻发现 ${f.prepared.excluded.patrol ?? 0} 起），留出周 PAI ${f.accuracy.pai}`,
            data: { beats: beats.length, maxAreaShare: top?.share ?? 0, pai: f.accuracy.pai },
          },
          subjects: [{ type: 'patrol_plan', id }],
        };
      },
      { principal, jurisdictionPath: path, subjects: [{ type: 'patrol_plan', id }] },
    );
    if (!decision.decided) {
      throw new AppError('conflict', `patrol planning is not available (${decision.reason}); plan by hand`, {
        reason: decision.reason,
        decisionId: decision.decisionId,
      });
    }
    const out = decision.output as {
      beats: { id: string; hours: number }[];
      breach: { area: string; share: number } | null;
    };
    if (out.breach) {
      const name = f.area.streets.find((s) => s.code === out.breach?.area)?.name ?? out.breach.area;
      throw new AppError(
        'share_cap_exceeded',
        `${r.capLevel} ${out.breach.area} (${name}) would take ${out.breach.share} of patrol hours, above the cap ${r.shareCap}`,
        {
          area: out.breach.area,
          areaName: name,
          level: r.capLevel,
          share: out.breach.share,
          shareCap: r.shareCap,
          decisionId: decision.decisionId,
        },
      );
    }
    const beats = built;
    const shares = areaShares(beats, r.capLevel);
    const plan: PatrolPlan = {
      id,
      createdAt: now.toISOString(),
      createdBy: `${principal.kind}:${principal.id}`,
      asOf: asOf.toISOString(),
      jurisdictionPath: path,
      decisionId: decision.decisionId,
      algorithm: { key: decision.key, version: decision.version },
      params: {
        beats: r.beats,
        cellsPerBeat: r.cellsPerBeat,
        totalHours: r.hours ? beats.reduce((a, b) => a + b.hours, 0) : r.totalHours,
        shareCap: r.shareCap,
        capLevel: r.capLevel,
        manualHours: Boolean(r.hours),
      },
      beats,
      shares,
      maxAreaShare: shares[0]?.share ?? 0,
      reasons: decision.explanation.text.split('; '),
      model,
    };
    await this.repo.insertPlan(this.deps.db, plan, plan.createdBy);
    return plan;
  }

  /** A stored plan in the caller's scope. */
  async getPlan(principal: Principal, id: string): Promise<PatrolPlan> {
    const plan = await this.repo.plan(this.deps.db, id);
    if (!plan || !canSee(principal, plan.jurisdictionPath)) throw notFound('patrol plan', id);
    return plan;
  }

  /** The newest plans in the caller's scope. */
  async plans(principal: Principal, limit: number): Promise<PatrolPlan[]> {
    return (await this.repo.plans(this.deps.db, 500))
      .filter((p) => canSee(principal, p.jurisdictionPath))
      .slice(0, limit);
  }

  /** The caller's beats: the newest plan whose area holds or lies in the caller's, its beats in the caller's area. */
  async myBeats(principal: Principal) {
    const mine = principal.jurisdictionPath;
    const covers = (p: string) => mine === p || mine.startsWith(`${p}/`) || canSee(principal, p);
    const plan = (await this.repo.plans(this.deps.db, 200)).find(
      (p) => covers(p.jurisdictionPath) && p.beats.some((b) => canSee(principal, b.streetPath)),
    );
    if (!plan) return { plan: null, beats: [] };
    const { id, createdAt, asOf, decisionId, jurisdictionPath } = plan;
    return {
      plan: { id, createdAt, asOf, decisionId, jurisdictionPath },
      beats: plan.beats.filter((b) => canSee(principal, b.streetPath)),
    };
  }

  /** Weighted displacement quotient of a plan's treated cells, weeks before and after its time. */
  async displacement(principal: Principal, id: string, q: { weeks: number; bufferRings: number }) {
    const plan = await this.getPlan(principal, id);
    const now = this.deps.clock.now().getTime();
    const f = await this.fit(now);
    const at = Date.parse(plan.asOf);
    const treated = plan.beats
      .flatMap((b) => b.cells.map((h) => f.area.index.get(h) ?? -1))
      .filter((c) => c >= 0);
    const d = displacement(f.area, f.prepared, treated, at, q.weeks, now, q.bufferRings);
    return { planId: id, at: plan.asOf, weeks: q.weeks, bufferRings: q.bufferRings, ...d };
  }

  /** Fits the model as of `until` (kept per minute of clock time). */
  fit(until: number): Promise<Fitted> {
    const key = Math.floor(until / 60_000) * 60_000;
    let f = this.fitted.get(key);
    if (!f) {
      f = this.compute(key);
      f.catch(() => this.fitted.delete(key));
      if (this.fitted.size > 8) this.fitted.clear();
      this.fitted.set(key, f);
    }
    return f;
  }

  private async compute(until: number): Promise<Fitted> {
    const from = until - KERNEL.windowDays * 86_400_000 - TEST_WEEKS * WEEK;
    const stored = await this.deps.incidents(new Date(from), new Date(until));
    const streets = await this.deps.streets();
    const demo = (await this.repo.setting(this.deps.db, 'demo')) === true;
    const incidents = demo ? [...stored, ...demoIncidents(streets, this.deps.clock.now())] : stored;
    const t0 = performance.now();
    // The study area: the streets of the districts holding at least 1% of the reported incidents.
    const districts = new Set<string>();
    for (const d of this.locate(streets, incidents)) districts.add(d);
    const inArea = streets.filter((s) => districts.has(s.districtCode));
    if (!inArea.length)
      throw new AppError('not_found', 'no reported incidents to learn from', { reason: 'no_incidents' });
    const key = inArea.map((s) => s.code).join(',');
    if (this.areaOf?.key !== key) this.areaOf = { key, area: buildStudyArea(inArea) };
    const area = this.areaOf.area;
    const prepared = prepareIncidents(
      area,
      incidents.filter((x) => x.at < until),
    );
    const scorer = stkde(KERNEL);
    const accuracy = evaluate(area, prepared, scorer, until, TEST_WEEKS);
    const baseline = evaluate(area, prepared, cellCounts(KERNEL.windowDays), until, TEST_WEEKS);
    const score = scorer(area, prepared, until);
    return {
      until,
      area,
      prepared,
      score,
      accuracy,
      baseline,
      refreshSeconds: (performance.now() - t0) / 1000,
    };
  }

  /**
   * Districts holding at least MIN_DISTRICT_SHARE of the reported incidents (only to choose the
   * study area: a few strays over a border must not pull a whole rural district in).
   */
  private locate(streets: StreetShape[], incidents: Incident[]): Set<string> {
    const key = streets.map((s) => s.code).join(',');
    if (this.coarse?.key !== key) this.coarse = { key, locate: districtLocator(streets) };
    const count = new Map<string, number>();
    const bySquare = new Map<string, string | undefined>();
    let total = 0;
    for (const x of incidents) {
      if (!REPORTED_SOURCES.includes(x.source)) continue;
      // One point-in-polygon per ~100 m square is plenty to find the districts.
      const k = `${Math.round(x.lon * 1000)},${Math.round(x.lat * 1000)}`;
      if (!bySquare.has(k)) bySquare.set(k, this.coarse.locate(x.lon, x.lat));
      const d = bySquare.get(k);
      total++;
      if (d) count.set(d, (count.get(d) ?? 0) + 1);
    }
    return new Set(
      [...count].filter(([, n]) => n >= Math.max(1, MIN_DISTRICT_SHARE * total)).map(([d]) => d),
    );
  }

  private keep(principal: Principal, area: StudyArea, code?: string): (c: number) => boolean {
    const ok = area.streets.map(
      (s) => canSee(principal, s.path) && (!code || s.path.split('/').includes(code)),
    );
    if (!ok.some(Boolean))
      throw new AppError('not_found', `no study-area cells in '${code ?? principal.jurisdictionPath}'`, {
        area: code,
      });
    return (c) => ok[area.street[c]!]!;
  }

  private pathOf(principal: Principal, area: StudyArea, code?: string): string {
    if (!code) return principal.jurisdictionPath;
    const s = area.streets.find((x) => x.path.split('/').includes(code))!;
    const parts = s.path.split('/');
    return parts.slice(0, parts.indexOf(code) + 1).join('/');
  }

  private info(f: Fitted) {
    return {
      method: 'space-time kernel density (quartic in H3 rings × exponential decay), reported incidents only',
      kernel: KERNEL,
      cellResolution: CELL_RES,
      studyArea: {
        cells: f.area.h3.length,
        streets: f.area.streets.length,
        districts: [...new Set(f.area.streets.map((s) => s.districtCode))].sort(),
      },
      trainedUntil: new Date(f.until).toISOString(),
      reportedIncidents: f.prepared.count,
      sources: f.prepared.sources,
      fromReportedOnly: f.prepared.sources.every((s) => REPORTED_SOURCES.includes(s)),
      excluded: f.prepared.excluded,
      outside: f.prepared.outside,
      synthetic: f.prepared.synthetic,
      accuracy: f.accuracy,
      baseline: f.baseline,
      refreshSeconds: round(f.refreshSeconds),
    };
  }
}
