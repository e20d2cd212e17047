import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { type Principal, SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AlgorithmRegistry } from '../algorithms/index.ts';
import { type EventDetail, type EventService, intakeAlert } from '../events/index.ts';
import {
  type PlanInputs,
  type Position,
  planarDistance,
  planInputs,
  RiverNetwork,
  slickMassKg,
  type TraceResult,
  traceUpstream,
} from '../water/index.ts';
import type { PlanDto } from './plans.schema.ts';
import type { PlanService } from './plans.service.ts';
import type { Scenario } from './scenario.ts';
import { type PermitLookup, suspectPermits } from './water.permits.ts';

const DATA = path.resolve(import.meta.dirname, '../../../data');
/** Filed algorithm keys the water scenario runs through the gate. */
export const WATER_TRACE = 'water.trace-upstream';
export const WATER_ARRIVAL = 'water.spill-arrival';

const WaterConfigSchema = z.object({
  stations: z.record(z.string(), z.string()),
  rules: z.record(z.string(), z.string()),
});

/** A spill reported by an officer or citizen: where, how big, what, when seen. */
export const SpillSchema = z
  .object({
    lon: z.number().min(-180).max(180).optional(),
    lat: z.number().min(-90).max(90).optional(),
    reach: z.string().optional(),
    fraction: z.number().min(0).max(1).default(0.5),
    areaM2: z.number().positive().max(10_000_000),
    substance: z.string().min(1).max(40).default('oil'),
    observedAt: z.iso.datetime({ offset: true }),
    description: z.string().max(500).optional(),
  })
  .refine((s) => s.reach || (s.lon !== undefined && s.lat !== undefined), 'give lon/lat or a reach');
export type SpillInput = z.infer<typeof SpillSchema>;

/** What the water scenario needs. */
export interface WaterDeps {
  clock: Clock;
  logger: Logger;
  algorithms: Pick<AlgorithmRegistry, 'runOrFallback'>;
  events: Pick<EventService, 'intake' | 'get' | 'categorise'>;
  plans: PlanService;
  isCategory: (code: string) => Promise<boolean>;
  network?: RiverNetwork;
  /** The suspects' discharge permits, read through the data hub's exchange gateway (app wiring). */
  permits?: PermitLookup;
}

const km = (m: number) => (m / 1000).toFixed(1);
const hours = (s: number) => (s / 3600).toFixed(1);

/** 巴渝治水: sections out of standard and spills → suspects upstream, arrival downstream, the checklist plan. */
export class WaterScenario implements Scenario {
  readonly id = 'water';
  readonly name = '巴渝治水';
  readonly nameEn = 'Water governance';
  readonly deviceTypes = ['WaterQualityObserved'];
  readonly rules: string[];
  readonly analyses = [WATER_TRACE, WATER_ARRIVAL, 'plan.generate'];
  readonly planTemplates = ['water.do-low', 'water.spill'];
  readonly layers = [
    {
      id: 'water.network',
      name: '河网',
      kind: 'lines' as const,
      url: '/api/v1/scenarios/water/layers/network',
    },
    {
      id: 'water.features',
      name: '断面/污染源/取水口/水库',
      kind: 'points' as const,
      url: '/api/v1/scenarios/water/layers/features',
    },
  ];
  readonly kpis;
  readonly net: RiverNetwork;
  private readonly deps: WaterDeps;
  private readonly config: z.infer<typeof WaterConfigSchema>;
  private readonly tz = 'Asia/Shanghai';

  constructor(deps: WaterDeps) {
    this.deps = deps;
    this.net =
      deps.network ??
      RiverNetwork.build(
        JSON.parse(fs.readFileSync(path.join(DATA, 'water/chongqing-network.json'), 'utf8')),
      );
    this.config = WaterConfigSchema.parse(
      JSON.parse(fs.readFileSync(path.join(DATA, 'scenarios/water.json'), 'utf8')),
    );
    this.rules = Object.keys(this.config.rules);
    this.kpis = [
      {
        id: 'water.active-plans',
        name: '进行中的水污染处置预案',
        unit: 'plans',
        value: async (p: Principal) =>
          (await deps.plans.list(p, { scenario: 'water', limit: 200 })).filter((x) => x.status === 'active')
            .length,
      },
    ];
  }

  /**
   * A sensing alert: if it is a water rule on a known station, the event (the event centre's own,
   * made idempotently from the alert id), the upstream trace and the source-check plan.
   */
  async onAlert(payload: unknown): Promise<PlanDto | null> {
    const alert = payload as {
      id?: string;
      ruleId?: string;
      alertSource?: string;
      description?: string;
      validFrom?: string;
      dateIssued?: string;
    };
    const pollutant = alert.ruleId ? this.config.rules[alert.ruleId] : undefined;
    const sectionId = alert.alertSource ? this.config.stations[alert.alertSource] : undefined;
    if (!pollutant || !sectionId || !alert.id) return null;
    const section = this.net.data.sections.find((s) => s.id === sectionId)!;
    let result = await intakeAlert(
      this.deps.events as EventService,
      this.deps.logger,
      payload,
      this.deps.isCategory,
    ).catch(
      // the event centre's subscription made the same event at the same moment: read it
      () => intakeAlert(this.deps.events as EventService, this.deps.logger, payload, this.deps.isCategory),
    );
    if (!result) return null;
    let event: EventDetail = await this.deps.events.get(SYSTEM_PRINCIPAL, result.event.id);
    if (event.status === 'triage') {
      event = await this.deps.events.categorise(SYSTEM_PRINCIPAL, event.id, {
        category: pollutant === 'O2' ? 'dissolved_oxygen_low' : 'water_pollution',
        reason: `巴渝治水：规则 ${alert.ruleId} 判定 ${section.name}`,
      });
    }
    result = null;
    const observedAt = Date.parse(alert.dateIssued ?? this.deps.clock.now().toISOString());
    const onsetAt = alert.validFrom ? Date.parse(alert.validFrom) : observedAt;
    const trace = await this.trace(event, { at: sectionId, pollutant, observedAt, onsetAt });
    const suspects = trace.candidates.filter((c) => c.suspect);
    const params: Record<string, string | number> = {
      section: section.name,
      description: (alert.description ?? '').replace(section.name, '').trim(),
      river: this.reachName(section.reach),
      suspects: suspects.map((c) => `${c.source.name}（上游 ${km(c.distanceM)} km）`).join('、') || '未发现',
      suspectLines: suspects
        .map(
          (c, i) =>
            `${i + 1}. ${c.source.name}（上游 ${km(c.distanceM)} km，约 ${hours(c.travelTimeS)} h 流程）`,
        )
        .join('；'),
    };
    suspects.slice(0, 2).forEach((c, i) => {
      params[`suspect${i + 1}`] = c.source.name;
      params[`suspect${i + 1}Km`] = km(c.distanceM);
    });
    const existing = await this.deps.plans.existing(event.id, 'water.do-low');
    if (existing) return this.deps.plans.get(SYSTEM_PRINCIPAL, existing);
    const planId = randomUUID();
    const { permitLines, ...permits } = await this.permits(planId, suspects);
    return this.deps.plans.activate(SYSTEM_PRINCIPAL, {
      templateKey: 'water.do-low',
      eventId: event.id,
      planId,
      params: { ...params, permitLines },
      analysis: { section: sectionId, pollutant, trace: summariseTrace(trace), ...permits },
    });
  }

  /** A reported spill: the event, the trace, the arrival at the intake and the checklist plan. */
  async reportSpill(actor: Principal, input: SpillInput): Promise<{ plan: PlanDto; eventId: string }> {
    const at = this.locate(input);
    const [lon, lat] =
      input.lon !== undefined && input.lat !== undefined ? [input.lon, input.lat] : this.net.pointAt(at);
    const observedAt = Date.parse(input.observedAt);
    const reach = this.reachName(at.reach);
    const ref = createHash('sha256')
      .update(`${at.reach}:${at.fraction.toFixed(3)}:${input.observedAt}:${input.substance}`)
      .digest('hex')
      .slice(0, 24);
    const intake = await this.deps.events.intake(actor, 'patrol', {
      description:
        input.description ??
        `${reach}发现${input.substance === 'oil' ? '油膜' : input.substance}约 ${input.areaM2} m²`,
      location: { lon, lat },
      category: 'oil_spill',
      externalRef: `spill:${ref}`,
    });
    const event = await this.deps.events.get(SYSTEM_PRINCIPAL, intake.event.id);
    const trace = await this.trace(event, { at, pollutant: input.substance, observedAt });
    const massKg = slickMassKg(input.areaM2);
    const subjects = [{ type: 'event', id: event.id }];
    const decided = await this.deps.algorithms.runOrFallback(
      WATER_ARRIVAL,
      { at, massKg, releasedAt: observedAt, now: this.deps.clock.now().getTime() },
      (q) => {
        const p = planInputs(this.net, {
          spill: { at: q.at, massKg: q.massKg, releasedAt: q.releasedAt },
          trace,
          now: q.now,
        });
        return {
          output: p,
          explanation: {
            text: `${p.intake.name}: earliest credible leading edge ${hours(p.arrival.leadingEdgeS)} h (Jobson 1996, maximum probable velocity), peak ${hours(p.arrival.peakS)} h at ${p.arrival.peakConcentrationMgL.toFixed(3)} mg/L; dam ${p.interceptDam.feasible ? 'feasible' : 'infeasible'}`,
            zh: `预计最早 ${hours(p.arrival.leadingEdgeS)} h 到达${p.intake.name}，峰值 ${hours(p.arrival.peakS)} h`,
          },
          subjects,
        };
      },
      { principal: actor, subjects, jurisdictionPath: event.jurisdictionPath },
    );
    if (!decided.decided)
      throw new AppError('conflict', `arrival prediction not available (${decided.reason})`);
    const p: PlanInputs = decided.output;
    const existing = await this.deps.plans.existing(event.id, 'water.spill');
    if (existing) return { plan: await this.deps.plans.get(SYSTEM_PRINCIPAL, existing), eventId: event.id };
    const planId = randomUUID();
    const { permitLines, ...permits } = await this.permits(
      planId,
      trace.candidates.filter((c) => c.suspect),
    );
    const plan = await this.deps.plans.activate(actor, {
      templateKey: 'water.spill',
      eventId: event.id,
      planId,
      params: { ...this.spillParams(input, reach, trace, p), permitLines },
      analysis: {
        ...permits,
        spill: { ...at, lon, lat, massKg, areaM2: input.areaM2, substance: input.substance },
        trace: summariseTrace(trace),
        arrival: {
          intake: p.intake.id,
          name: p.intake.name,
          distanceM: p.arrival.distanceM,
          leadingEdgeH: p.arrival.leadingEdgeS / 3600,
          leadingEdgeMostProbableH: p.arrival.leadingEdgeMostProbableS / 3600,
          peakH: p.arrival.peakS / 3600,
          peakMgL: p.arrival.peakConcentrationMgL,
          leadingEdgeAt: new Date(p.arrival.leadingEdgeAt).toISOString(),
          decisionId: decided.decisionId,
        },
        interceptDam: { ...p.interceptDam, upstreamLimit: undefined },
        dilutionRelease: p.dilutionRelease
          ? { ...p.dilutionRelease, reservoir: p.dilutionRelease.reservoir.id }
          : null,
        stopOrder: p.stopOrder
          ? { source: p.stopOrder.candidate.source.id, explanation: p.stopOrder.explanation }
          : null,
      },
      locations: {
        'intercept-dam': { lon: p.interceptDam.coordinates[0], lat: p.interceptDam.coordinates[1] },
        ...(p.stopOrder ? { 'stop-order': this.coordinatesOf(p.stopOrder.candidate.source) } : {}),
      },
    });
    return { plan, eventId: event.id };
  }

  private spillParams(input: SpillInput, reach: string, trace: TraceResult, p: PlanInputs) {
    const t = (ms: number) =>
      new Date(ms).toLocaleString('zh-CN', {
        timeZone: this.tz,
        hour12: false,
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
      });
    const suspects = trace.candidates.filter((c) => c.suspect);
    const top = p.stopOrder?.candidate ?? suspects[0];
    const second = trace.candidates.find((c) => c !== top);
    const dam = p.interceptDam;
    const release = p.dilutionRelease;
    return {
      substance: input.substance === 'oil' ? '油类' : input.substance,
      areaM2: input.areaM2,
      reach,
      intake: p.intake.name,
      population: p.intake.population,
      intakeHours: hours(p.arrival.leadingEdgeS),
      leadingEdgeAt: t(p.arrival.leadingEdgeAt),
      peakAt: t(p.arrival.peakAt),
      peakMgL: p.arrival.peakConcentrationMgL.toFixed(3),
      suspect1: top?.source.name ?? '未发现',
      suspect1Km: top ? km(top.distanceM) : '—',
      suspect1Share: top ? Math.round(top.share * 100) : '—',
      suspect2: second ? `${second.source.name}（${km(second.distanceM)} km）` : '',
      reservoir: release?.reservoir.name ?? '',
      releaseM3s: release?.releaseM3s ?? '',
      releaseStartAt: release ? (release.startNow ? '立即' : t(release.startAt)) : '',
      releaseHours: release ? hours(release.travelTimeToIntakeS) : '',
      peakAfterMgL: release ? release.peakAfterMgL.toFixed(3) : '',
      hasRelease: Boolean(release),
      damReach: dam.reachName,
      damKm: km(dam.distanceAboveIntakeM),
      damLon: dam.coordinates[0].toFixed(4),
      damLat: dam.coordinates[1].toFixed(4),
      damDeadline: t(dam.leadingEdgeAt),
      damMarginH: hours(dam.marginS),
      damNote: dam.feasible ? '时间可行' : `来不及构筑：${dam.explanation}`,
    };
  }

  /** The suspects' discharge permits, read through the gateway for this plan (never fails the plan). */
  private permits(planId: string, suspects: TraceResult['candidates']) {
    const names = [...new Set(suspects.map((c) => c.source.name))];
    return suspectPermits(this.deps.permits, names, `source_tracing:plan:${planId}`, this.deps.logger);
  }

  private async trace(
    event: EventDetail,
    query: { at: string | Position; pollutant: string; observedAt: number; onsetAt?: number },
  ): Promise<TraceResult> {
    const subjects = [{ type: 'event', id: event.id }];
    const r = await this.deps.algorithms.runOrFallback(
      WATER_TRACE,
      query,
      (q) => {
        const trace = traceUpstream(this.net, q);
        const top = trace.candidates.filter((c) => c.suspect);
        return {
          output: trace,
          explanation: {
            text: `${top.length} suspects of ${trace.candidates.length} candidates (${trace.reachesVisited} reaches): ${top.map((c) => `${c.source.name} ${km(c.distanceM)} km score ${c.score.toFixed(3)}`).join('; ')}`,
            zh: `疑似源：${top.map((c) => c.source.name).join('、')}`,
            data: { formula: trace.formula, explanation: top.map((c) => c.explanation) },
          },
          subjects,
        };
      },
      { principal: SYSTEM_PRINCIPAL, subjects, jurisdictionPath: event.jurisdictionPath },
    );
    if (!r.decided) throw new AppError('conflict', `upstream trace not available (${r.reason})`);
    return r.output;
  }

  /** The network position of a spill: a reach, a section within 300 m, or the nearest reach vertex. */
  locate(input: SpillInput): Position {
    if (input.reach) {
      if (!this.net.index.has(input.reach))
        throw new AppError('invalid_data', `unknown reach '${input.reach}'`);
      return { reach: input.reach, fraction: input.fraction };
    }
    const p: [number, number] = [input.lon!, input.lat!];
    for (const s of this.net.data.sections) {
      const pos = { reach: s.reach, fraction: s.fraction };
      if (planarDistance(this.net.pointAt(pos), p) < 300) return pos;
    }
    let best = { d: Number.POSITIVE_INFINITY, reach: '', fraction: 0 };
    for (const r of this.net.data.reaches) {
      r.geometry.forEach((c, i) => {
        const d = planarDistance(c as [number, number], p);
        if (d < best.d) best = { d, reach: r.id, fraction: i / (r.geometry.length - 1) };
      });
    }
    if (best.d > 2000)
      throw new AppError('invalid_data', 'the spill is not within 2 km of a river in the network');
    return { reach: best.reach, fraction: best.fraction };
  }

  private reachName(id: string): string {
    const r = this.net.data.reaches.find((x) => x.id === id) as { name?: string } | undefined;
    return r?.name ?? id;
  }

  private coordinatesOf(source: { reach: string; fraction: number }) {
    const [lon, lat] = this.net.pointAt({ reach: source.reach, fraction: source.fraction });
    return { lon, lat };
  }
}

/** The part of a trace kept with the plan (the decision log keeps the rest). */
function summariseTrace(t: TraceResult) {
  return t.candidates.slice(0, 5).map((c) => ({
    rank: c.rank,
    id: c.source.id,
    name: c.source.name,
    suspect: c.suspect,
    share: Math.round(c.share * 1000) / 1000,
    distanceKm: Math.round(c.distanceM / 100) / 10,
    travelTimeH: Math.round(c.travelTimeS / 360) / 10,
  }));
}
