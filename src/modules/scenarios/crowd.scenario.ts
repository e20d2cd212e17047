import fs from 'node:fs';
import path from 'node:path';
import { type Principal, SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import { AppError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AlgorithmRegistry } from '../algorithms/index.ts';
import {
  type AreaRisk,
  assessArea,
  type CrowdFile,
  CrowdFileSchema,
  distanceM,
  planDispersal,
  riskPoints,
  type Sample,
} from '../crowd/index.ts';
import type { EventService } from '../events/index.ts';
import type { SensingService } from '../sensing/index.ts';
import type { PlanDto } from './plans.schema.ts';
import type { PlanService } from './plans.service.ts';
import type { Scenario } from './scenario.ts';

/** The filed algorithm the crowd risk runs through. */
export const CROWD_RISK = 'crowd.risk';
/** The shipped Jiefangbei areas, stations and malls. */
export const JIEFANGBEI_FILE = path.resolve(import.meta.dirname, '../../../data/crowd/jiefangbei.json');
/** A counting device belongs to the area whose centre is nearest, within this distance. */
export const DEVICE_AREA_RADIUS_M = 400;

/** Loads an area file. */
export function loadCrowdFile(file = JIEFANGBEI_FILE): CrowdFile {
  return CrowdFileSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

/** Which area each counting device reports for: the nearest area centre within 400 m. */
export function areaOfDevices(
  file: CrowdFile,
  devices: readonly { id: string; lon: number; lat: number }[],
): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of devices) {
    let best: { id: string; m: number } | undefined;
    for (const a of file.areas) {
      const m = distanceM([d.lon, d.lat], a.centre);
      if (m <= DEVICE_AREA_RADIUS_M && (!best || m < best.m)) best = { id: a.id, m };
    }
    if (best) out.set(d.id, best.id);
  }
  return out;
}

/** One assessment: every area's risk, the risk points, the plan running for them. */
export type Assessment = { risks: AreaRisk[]; points: AreaRisk[]; plan: PlanDto | null };

/** What the crowd scenario needs. */
export interface CrowdDeps {
  clock: Clock;
  logger: Logger;
  algorithms: Pick<AlgorithmRegistry, 'runOrFallback'>;
  sensing: SensingService;
  events: Pick<EventService, 'intake'>;
  plans: PlanService;
  file?: CrowdFile;
  /** Counts looked at, minutes (default 20). */
  windowMinutes?: number;
  /** How often the timer assesses, ms (default 30 s; 0 = no timer). */
  intervalMs?: number;
}

/** Crowd management: people counts → per-area risk → risk points → dispersal plan to six departments. */
export class CrowdScenario implements Scenario {
  readonly id = 'crowd';
  readonly name = '大客流人群聚集管控';
  readonly nameEn = 'Crowd management';
  readonly deviceTypes = ['CrowdFlowObserved'];
  readonly rules = ['crowd.surge', 'crowd.dense-and-slow'];
  readonly analyses = [CROWD_RISK, 'plan.generate'];
  readonly planTemplates = ['crowd.dispersal'];
  readonly layers = [
    {
      id: 'crowd.areas',
      name: '人流监测区域',
      kind: 'polygons' as const,
      url: '/api/v1/scenarios/crowd/risk',
    },
  ];
  readonly kpis;
  readonly file: CrowdFile;
  private readonly deps: CrowdDeps;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  /** The latest assessment (for the cockpit). */
  last: { at: string; risks: AreaRisk[]; points: string[]; planId: string | null } | null = null;

  constructor(deps: CrowdDeps) {
    this.deps = deps;
    this.file = deps.file ?? loadCrowdFile();
    this.kpis = [
      {
        id: 'crowd.risk-points',
        name: '当前风险点',
        unit: 'points',
        value: async (_p: Principal) => this.last?.points.length ?? null,
      },
    ];
  }

  async start(): Promise<void> {
    const every = this.deps.intervalMs ?? 30_000;
    if (every > 0) {
      this.timer = setInterval(() => {
        if (this.running) return;
        this.running = this.assess()
          .catch((err) => this.deps.logger.warn({ err }, 'crowd assessment failed'))
          .finally(() => {
            this.running = undefined;
          });
      }, every);
      this.timer.unref();
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * Assesses every area from the counts of the last `windowMinutes` (gated `crowd.risk`); when
   * there are risk points and no dispersal plan is running, makes the event and starts the plan.
   */
  assess(actor: Principal = SYSTEM_PRINCIPAL): Promise<Assessment> {
    // One assessment at a time (the timer and an operator's request), so one plan per episode.
    const run = this.queue.then(() => this.assessNow(actor));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private queue: Promise<unknown> = Promise.resolve();

  private async assessNow(actor: Principal): Promise<Assessment> {
    const now = this.deps.clock.now();
    const from = new Date(now.getTime() - (this.deps.windowMinutes ?? 20) * 60_000);
    const devices = await this.deps.sensing.devices.list(SYSTEM_PRINCIPAL, {
      type: 'CrowdFlowObserved',
      limit: 5000,
    });
    const areaOf = areaOfDevices(this.file, devices);
    const perArea = new Map<string, Map<number, number>>();
    for (const [deviceId, areaId] of areaOf) {
      const series = await this.deps.sensing.queries.deviceSeries(SYSTEM_PRINCIPAL, deviceId, {
        from,
        to: now,
        metric: 'peopleCount',
        rollup: 'raw',
        limit: 10_000,
      });
      const byT = perArea.get(areaId) ?? new Map<number, number>();
      for (const p of series) byT.set(p.at.getTime(), (byT.get(p.at.getTime()) ?? 0) + p.value);
      perArea.set(areaId, byT);
    }
    const counts: Record<string, Sample[]> = {};
    for (const [areaId, byT] of perArea) {
      if (byT.size >= 3)
        counts[areaId] = [...byT].map(([t, value]) => ({ t, value })).sort((a, b) => a.t - b.t);
    }
    if (Object.keys(counts).length === 0) return { risks: [], points: [], plan: null };
    const decided = await this.deps.algorithms.runOrFallback(
      CROWD_RISK,
      { at: now.getTime(), counts },
      (input) => {
        const risks = this.file.areas
          .filter((a) => input.counts[a.id])
          .map((a) => assessArea(a, input.counts[a.id]!));
        const points = riskPoints(risks);
        return {
          output: risks,
          explanation: {
            text: `${points.length} risk points: ${points.map((p) => `${p.name} ${p.density.toFixed(2)}/m² → ${p.forecastDensity.toFixed(2)}/m² in ${p.horizonMin} min (${p.level})`).join('; ')}`,
            zh: `风险点 ${points.length} 个：${points.map((p) => p.name).join('、')}`,
          },
        };
      },
      { principal: actor, jurisdictionPath: '' },
    );
    if (!decided.decided) throw new AppError('conflict', `crowd risk not available (${decided.reason})`);
    const risks = decided.output;
    const points = riskPoints(risks);
    this.last = {
      at: now.toISOString(),
      risks,
      points: points.map((p) => p.areaId),
      planId: this.last?.planId ?? null,
    };
    if (points.length === 0) return { risks, points, plan: null };
    if (this.last.planId) {
      const running = await this.deps.plans.get(SYSTEM_PRINCIPAL, this.last.planId).catch(() => null);
      if (running?.status === 'active') return { risks, points, plan: running };
    }
    const plan = await this.startPlan(actor, points, now);
    this.last.planId = plan.id;
    return { risks, points, plan };
  }

  private async startPlan(actor: Principal, points: AreaRisk[], now: Date): Promise<PlanDto> {
    const d = planDispersal(points, this.file.areas, this.file.metroStations, this.file.malls);
    const first = this.file.areas.find((a) => a.id === points[0]!.areaId)!;
    const names = points.map((p) => p.name).join('、');
    const intake = await this.deps.events.intake(actor, 'sensor_alert', {
      description: `大客流预警：${names} 人员密度 ${points.map((p) => p.density.toFixed(2)).join('/')} 人/m²，${points[0]!.horizonMin} 分钟后预测 ${points.map((p) => p.forecastDensity.toFixed(2)).join('/')} 人/m²`,
      location: { lon: first.centre[0], lat: first.centre[1] },
      category: 'crowd_density',
      priority: 'urgent',
      externalRef: `crowd:${points.map((p) => p.areaId).join('+')}:${Math.floor(now.getTime() / 3_600_000)}`,
      reporter: { deviceId: 'crowd.risk' },
    });
    const max = (f: (p: AreaRisk) => number) => Math.max(...points.map(f)).toFixed(2);
    return this.deps.plans.activate(actor, {
      templateKey: 'crowd.dispersal',
      eventId: intake.event.id,
      params: {
        pointCount: points.length,
        pointNames: names,
        maxDensity: max((p) => p.density),
        maxForecast: max((p) => p.forecastDensity),
        horizon: points[0]!.horizonMin,
        officers: d.officers,
        pointOfficers: d.points.map((p) => `${p.name} ${p.officers} 人`).join('，'),
        stations: d.stations.map((s) => `${s.item.name}站`).join('、') || '无',
        lines: d.linesLimited.join('、') || '—',
        mallCount: d.malls.length,
        malls: d.malls.map((m) => m.item.name).join('、') || '无',
        message: d.messages[0]?.zh ?? '',
        exits: d.stations.map((s) => `${s.item.name}站以外出口`).join('、') || '外围道路',
      },
      analysis: {
        points: points.map((p) => ({
          areaId: p.areaId,
          name: p.name,
          level: p.level,
          density: Math.round(p.density * 100) / 100,
          forecastDensity: Math.round(p.forecastDensity * 100) / 100,
          trendPerMin: Math.round(p.trendPerMin * 1000) / 1000,
          direction: p.direction,
          minutesToLosF: p.minutesToLosF ?? null,
        })),
        officers: d.officers,
        stations: d.stations.map((s) => s.item.name),
        linesLimited: d.linesLimited,
        malls: d.malls.map((m) => m.item.name),
      },
    });
  }
}
