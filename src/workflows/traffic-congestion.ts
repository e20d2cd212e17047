/**
 * Congestion alerts → the event centre: each `traffic.congestion.raised` becomes an event
 * (category `traffic_congestion`; the alerts of links within 1 km of an open one join its event)
 * and the response plan
 * `traffic.congestion` (data/scenarios/plans/traffic-congestion.v1.json) sends it to the district's
 * traffic police (public security, skill traffic_control) and transport bureau. A use case across
 * traffic, events and scenarios, so it lives here rather than in any of them.
 */
import type { EventService } from '../modules/events/index.ts';
import type { PlanDto, PlanService } from '../modules/scenarios/index.ts';
import {
  type CongestionAlert,
  CongestionAlertSchema,
  LEVEL_NAMES,
  type Level,
} from '../modules/traffic/index.ts';
import { SYSTEM_PRINCIPAL } from '../platform/access.ts';
import { AppError } from '../platform/errors.ts';
import type { Logger } from '../platform/logger.ts';

/** The part of the bus this uses: one subscription. */
export interface CongestionBus {
  subscribe(
    pattern: 'traffic.congestion.raised',
    options: { group: string; owner: string },
    handler: (envelope: { payload: unknown }) => Promise<void>,
  ): Promise<unknown>;
  stop(owner: string): Promise<void>;
}

/** What the response needs. */
export interface CongestionResponseDeps {
  bus?: CongestionBus;
  events: Pick<EventService, 'intake'>;
  plans: Pick<PlanService, 'activate'>;
  /** The alert that stands for a jam: the oldest open one within 1 km (`TrafficService.clusterOf`). */
  clusterOf?(alert: CongestionAlert): Promise<string>;
  logger: Logger;
}

const CLASS_ZH: Record<string, string> = { expressway: '快速路', arterial: '主干路', secondary: '次干路' };

/**
 * Makes the event of one congestion alert and activates its plan. Idempotent: the event's reference
 * is the id of the alert that stands for the jam (the oldest open alert within 1 km), so the links of
 * one jam make one event and one plan, and a redelivered alert returns them.
 */
export async function respondToCongestion(
  deps: CongestionResponseDeps,
  alert: CongestionAlert,
): Promise<PlanDto | null> {
  const level = LEVEL_NAMES[alert.level as Level]?.zh ?? alert.level;
  try {
    const jam = (await deps.clusterOf?.(alert)) ?? alert.id;
    const intake = await deps.events.intake(SYSTEM_PRINCIPAL, 'sensor_alert', {
      description: `【交通拥堵】${alert.linkName} 拥堵延时指数 ${alert.peakTti}（${level}），已持续 ${alert.minutes} 分钟`,
      location: alert.location,
      category: 'traffic_congestion',
      priority: alert.level === 'severe' ? 'urgent' : 'high',
      externalRef: `traffic:${jam}`,
      reporter: { deviceId: 'traffic.congestion' },
    });
    return await deps.plans.activate(SYSTEM_PRINCIPAL, {
      templateKey: 'traffic.congestion',
      eventId: intake.event.id,
      params: {
        linkName: alert.linkName,
        roadClass: CLASS_ZH[alert.roadClass] ?? alert.roadClass,
        peakTti: alert.peakTti.toFixed(2),
        minutes: alert.minutes,
        level,
        lon: alert.location.lon.toFixed(5),
        lat: alert.location.lat.toFixed(5),
        startedAt: alert.startedAt,
      },
      analysis: { alert },
    });
  } catch (err) {
    if (err instanceof AppError && err.status < 500) {
      deps.logger.warn(
        { alertId: alert.id, code: err.code, message: err.message },
        'congestion alert not dispatched',
      );
      return null;
    }
    throw err;
  }
}

/** Subscribes the response to raised congestion alerts; `stop()` removes it. */
export function wireCongestionResponse(deps: CongestionResponseDeps) {
  // One alert at a time: the alerts of one jam arrive together and must find each other's event.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = (alert: CongestionAlert) => {
    const run = queue.then(() => respondToCongestion(deps, alert));
    queue = run.catch(() => undefined);
    return run;
  };
  return {
    async start(): Promise<void> {
      await deps.bus?.subscribe(
        'traffic.congestion.raised',
        { group: 'traffic-congestion', owner: 'traffic-congestion' },
        async (e) => {
          const parsed = CongestionAlertSchema.safeParse(e.payload);
          if (!parsed.success) {
            deps.logger.warn({ issues: parsed.error.issues }, 'congestion alert ignored: bad shape');
            return;
          }
          await serial(parsed.data);
        },
      );
    },
    async stop(): Promise<void> {
      await deps.bus?.stop('traffic-congestion');
    },
  };
}
