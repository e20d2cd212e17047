/**
 * The traffic story: a morning peak on the Jiefangbei arterials. The detectors on the arterials
 * within 800 m of Jiefangbei report the build-up and 35 minutes at a crawl (back-dated readings,
 * two a minute), the links' travel-time index rises to severe, the congestion alert becomes an
 * event that the response plan dispatches to the traffic police; then the detectors report free
 * flow, the index falls and the alert clears. Runs in-process (the test) and against a running
 * demo (`citybrain simulate --story traffic`).
 */
import { operatorFor } from '../demo/story-staffing.ts';
import type { PlanDto } from '../modules/scenarios/index.ts';
import type { Driver, Json } from './driver.ts';
import type { StoryOutcome } from './outcomes.ts';

const MIN = 60_000;
const SLOT = 5 * MIN;
/** Jiefangbei (解放碑), 106.577 E 29.557 N. */
const JIEFANGBEI: [number, number] = [106.577, 29.557];
const RADIUS_M = 800;

interface Link {
  id: string;
  name: string;
  lengthM: number;
  coordinates: [number, number][];
  detectors: string[];
  tti: number | null;
  speedKmh: number | null;
  level: string | null;
}

const distM = (a: [number, number], b: [number, number]) =>
  Math.hypot((a[0] - b[0]) * 96_900, (a[1] - b[1]) * 110_900);

/** Story speeds: 38 km/h for 10 minutes, then a crawl (13–15 km/h) — the peak; later 46–48 km/h. */
const peakSpeed = (minute: number, k: number) => (minute < 10 ? 38 : 13 + ((minute + k) % 3));
const freeSpeed = (minute: number, k: number) => 46 + ((minute + k) % 3);

/** Length-weighted index and space-mean speed of the story links at one slot (from the links layer). */
async function linksAt(d: Driver, user: string, ids: Set<string>, at: number) {
  const r = await d.call(
    'GET',
    `/api/v1/traffic/links?area=500103&class=arterial&at=${encodeURIComponent(new Date(at).toISOString())}`,
    user,
  );
  const links = (r.body.items as Link[]).filter((l) => ids.has(l.id) && l.tti !== null);
  const len = links.reduce((s, l) => s + l.lengthM, 0);
  const tti = links.reduce((s, l) => s + l.lengthM * l.tti!, 0) / len;
  const hours = links.reduce((s, l) => s + l.lengthM / l.speedKmh!, 0);
  return {
    links: links.length,
    tti: Math.round(tti * 1000) / 1000,
    speed: Math.round((len / hours) * 10) / 10,
  };
}

/** Publishes two readings a minute from each detector over [from, from + minutes). */
async function report(
  d: Driver,
  detectors: string[],
  from: number,
  minutes: number,
  speed: (minute: number, k: number) => number,
): Promise<number> {
  let n = 0;
  for (const [k, id] of detectors.entries()) {
    const payloads = [];
    for (let m = 0; m < minutes; m++)
      for (const s of [0, 30_000])
        payloads.push({
          observedAt: new Date(from + m * MIN + s).toISOString(),
          averageVehicleSpeed: speed(m, k),
          intensity: 12,
          occupancy: 0.3,
        });
    await d.publish(id, payloads);
    n += payloads.length;
  }
  return n;
}

/** Runs the story; its outcome holds when the index reached severe, police were dispatched and it recovered. */
export async function trafficStory(d: Driver): Promise<{ outcome: StoryOutcome; plan: PlanDto | null }> {
  const op = operatorFor('500103');
  const now = d.now();
  const start = Math.floor((now - 95 * MIN) / SLOT) * SLOT;
  const layer = await d.call('GET', '/api/v1/traffic/links?area=500103&class=arterial', op);
  if (layer.status !== 200) throw new Error(`links: ${layer.status} ${JSON.stringify(layer.body)}`);
  const links = (layer.body.items as Link[])
    .filter((l) => l.detectors.length > 0 && l.coordinates.some((c) => distM(c, JIEFANGBEI) <= RADIUS_M))
    .slice(0, 8);
  if (links.length === 0) throw new Error('no arterial with detectors within 800 m of Jiefangbei');
  const ids = new Set(links.map((l) => l.id));
  const detectors = links.flatMap((l) => l.detectors.slice(0, 2));
  d.log(
    `解放碑 早高峰：${links.length} 条主干路（${[...new Set(links.map((l) => l.name))].join('、')}），${detectors.length} 个检测器`,
  );

  const sent = await report(d, detectors, start, 45, peakSpeed);
  d.log(`  检测器上报 45 分钟车速（${sent} 条）：38 km/h → 13–15 km/h`);
  const peakAt = start + 30 * MIN;
  const peak = await d.until('the peak in the links layer', async () => {
    const x = await linksAt(d, op, ids, peakAt + SLOT);
    return x.links > 0 && x.tti >= 2 ? x : null;
  });
  d.log(`  拥堵延时指数 ${peak.tti}（严重拥堵），主干路平均车速 ${peak.speed} km/h`);

  // The links of one jam make one event (alerts within 1 km of an open one join it): the first plan is the jam's.
  const storyPlans = async () => {
    const r = await d.call('GET', '/api/v1/plans?scenario=traffic&limit=200', op);
    return ((r.body.items as PlanDto[] | undefined) ?? [])
      .filter((p) => p.templateKey === 'traffic.congestion' && ids.has((p.analysis as Json)?.alert?.linkId))
      .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  };
  const plan = await d.until(
    'a congestion plan for a Jiefangbei arterial',
    async () => (await storyPlans())[0],
    90_000,
  );
  const police = plan.tasks.find((t) => t.departmentType === 'public_security');
  const task = police ? (await d.call('GET', `/api/v1/tasks/${police.taskId}`, op)).body : null;
  d.log(`  预案 ${plan.name}：${plan.summary}`);
  d.log(`  交巡警任务 ${task?.status ?? '—'}${task?.team ? ` → ${task.team.name}` : ''}`);

  const recoverFrom = start + 45 * MIN;
  const minutes = Math.floor((now - 5 * MIN - recoverFrom) / MIN);
  await report(d, detectors, recoverFrom, minutes, freeSpeed);
  d.log(`  检测器上报 ${minutes} 分钟畅通车速（46–48 km/h）`);
  const alertId = (plan.analysis as Json).alert.id as string;
  const cleared = await d.until(
    'the congestion alert clears',
    async () => {
      const r = await d.call('GET', '/api/v1/traffic/alerts?open=false&limit=200', op);
      return (r.body.items as Json[] | undefined)?.find((a) => a.id === alertId);
    },
    90_000,
  );
  const after = await linksAt(d, op, ids, recoverFrom + (minutes - 5) * MIN);
  d.log(
    `  恢复：拥堵延时指数 ${after.tti}，主干路平均车速 ${after.speed} km/h；预警 ${cleared.clearedAt} 解除`,
  );

  const plans = (await storyPlans()).length;
  const eventDispatched =
    Boolean(task?.team) &&
    ['assigned', 'accepted', 'en_route', 'arrived', 'completed'].includes(task?.status);
  const checks: [boolean, string][] = [
    [peak.tti >= 2, 'the arterials’ index reaches severe (≥ 2.0)'],
    [eventDispatched, 'the event is dispatched to a traffic police team'],
    [plan.tasks.some((t) => t.departmentType === 'transport'), 'the transport bureau has its task'],
    [
      plans <= 2,
      'one jam makes one or two events (links within 1 km of an open alert join its event), not one per link',
    ],
    [after.tti < 1.5, 'the index recovers below 1.5'],
    [cleared.clearedAt !== null, 'the congestion alert clears'],
    [after.speed > peak.speed, 'the arterial speed recovers'],
  ];
  const failed = checks.filter(([ok]) => !ok).map(([, what]) => what);
  return {
    plan,
    outcome: {
      story: 'traffic',
      holds: failed.length === 0,
      failed,
      links: links.length,
      detectors: detectors.length,
      peakTti: peak.tti,
      recoveredTti: after.tti,
      peakArterialSpeedKmh: peak.speed,
      arterialSpeedKmh: after.speed,
      eventDispatched,
      plans,
      policeTeam: task?.team?.name ?? null,
      alertCleared: cleared.clearedAt !== null,
    },
  };
}
