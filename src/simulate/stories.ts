import { DATAHUB_USERS, DEMO_RESOURCES } from '../demo/datahub-demo.ts';
import { officerFor, operatorFor } from '../demo/story-staffing.ts';
import { areaOfDevices, loadCrowdFile, type PlanDto } from '../modules/scenarios/index.ts';
import { type Driver, type Json, PROOF_PNG } from './driver.ts';
import {
  dataSharingOutcome,
  jiaochangkouOutcome,
  jiefangbeiOutcome,
  liangpingOutcome,
  qijiangOutcome,
  type StoryOutcome,
  type StoryResult,
} from './outcomes.ts';

export type { StoryOutcome, StoryResult } from './outcomes.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const LOCAL = 8 * HOUR;

/** A story's result with its outcome (the one-line summary of `simulate --json`). */
export type StoryRun = StoryResult & { outcome: StoryOutcome };

/** Works one plan task as its department: accept, (en route, arrive,) photo, complete. */
async function workTask(
  d: Driver,
  task: PlanDto['tasks'][number],
  fallback: string,
  stepMs: number,
): Promise<void> {
  const dto = (await d.call('GET', `/api/v1/tasks/${task.taskId}`, fallback)).body;
  if (dto.status === 'pending') d.log(`  ! ${task.departmentCode} pending: ${dto.assignReason}`);
  const officer = dto.team ? officerFor(dto.team.departmentCode) : null;
  const user = officer && (await d.canLogin(officer)) ? officer : fallback;
  const act = async (action: string, body: unknown = {}) => {
    const r = await d.call('POST', `/api/v1/field/tasks/${task.taskId}/${action}`, user, body);
    if (r.status >= 300)
      throw new Error(`${action} ${task.key} as ${user}: ${r.status} ${JSON.stringify(r.body)}`);
  };
  await act('accept');
  d.log(
    `  ✓ ${task.departmentCode.padEnd(34)} acknowledged by ${user}${dto.team ? ` (${dto.team.name})` : ''}`,
  );
  await d.advance(stepMs);
  await act('arrive');
  const photo = await d.call('POST', `/api/v1/field/tasks/${task.taskId}/evidence`, user, PROOF_PNG, {
    'content-type': 'image/png',
  });
  if (photo.status !== 201)
    throw new Error(`evidence ${task.key}: ${photo.status} ${JSON.stringify(photo.body)}`);
  await act('complete', { note: `${task.title} 已完成` });
}

/** Prints a plan's tasks and progress. */
function show(d: Driver, plan: PlanDto): void {
  d.log(`  预案 ${plan.name} — ${plan.summary}`);
  for (const t of plan.tasks) {
    d.log(`  · [${t.status}] ${t.departmentCode} ${t.title}${t.team ? ` → ${t.team}` : ''}`);
    d.log(`      ${t.instructions}`);
  }
}

async function planFor(d: Driver, user: string, query: string, template: string): Promise<PlanDto> {
  return d.until(`plan ${template}`, async () => {
    const r = await d.call('GET', `/api/v1/plans?${query}`, user);
    return (r.body.items as PlanDto[] | undefined)?.find((p) => p.templateKey === template);
  });
}

async function finish(d: Driver, planId: string, user: string, stepMs: number): Promise<PlanDto> {
  let plan = (await d.call('GET', `/api/v1/plans/${planId}`, user)).body as PlanDto;
  for (const t of plan.tasks) {
    await workTask(d, t, user, stepMs);
    await d.advance(stepMs);
    plan = (await d.call('GET', `/api/v1/plans/${planId}`, user)).body;
    d.log(
      `  progress ${plan.progress.done}/${plan.progress.total} done, ${plan.progress.acknowledged} acknowledged, ${plan.progress.elapsedMinutes} min of ${plan.targetMinutes}`,
    );
  }
  return plan;
}

/** Liangping: a 300 m² oil slick on the Ruxi → suspects, arrival at the intake, checklist to 5 departments, each closes. */
export async function liangping(d: Driver): Promise<StoryRun> {
  const op = operatorFor('500155');
  d.log('梁平 汝溪河油污：巡河员上报 300 m² 油膜 (107.80 E, 30.60 N)');
  const r = await d.call('POST', '/api/v1/scenarios/water/spills', op, {
    lon: 107.8,
    lat: 30.6,
    areaM2: 300,
    substance: 'oil',
    observedAt: new Date(d.now() - 10 * MIN).toISOString(),
  });
  if (r.status !== 201) throw new Error(`spill report: ${r.status} ${JSON.stringify(r.body)}`);
  const plan0 = r.body.plan as PlanDto;
  const a = plan0.analysis as Json;
  d.log(
    `  suspects: ${a.trace.map((c: Json) => `${c.rank}. ${c.name} ${c.distanceKm} km${c.suspect ? ' (suspect)' : ''}`).join('; ')}`,
  );
  d.log(
    `  arrival at ${a.arrival.name}: earliest ${a.arrival.leadingEdgeH.toFixed(1)} h, peak ${a.arrival.peakH.toFixed(1)} h, ${a.arrival.peakMgL.toFixed(3)} mg/L`,
  );
  show(d, plan0);
  const plan = await finish(d, plan0.id, op, 5 * MIN);
  const event = (await d.call('GET', `/api/v1/events/${plan.eventId}`, op)).body;
  d.log(
    `  plan ${plan.status}: ${plan.progress.done}/${plan.progress.total} in ${plan.progress.elapsedMinutes} min (target ${plan.targetMinutes}); event ${event.status}`,
  );
  return { plan, event, outcome: liangpingOutcome({ plan, event }) };
}

/** The Puhe station's three local days of low DO (ending the day before yesterday) and a closing reading. */
export function qijiangReadings(now: number): { observedAt: string; O2: number }[] {
  const today = Math.floor((now + LOCAL) / DAY) * DAY - LOCAL;
  const out: { observedAt: string; O2: number }[] = [];
  for (let day = 4; day >= 2; day--) {
    for (let h = 0; h < 24; h++)
      out.push({
        observedAt: new Date(today - day * DAY + h * HOUR + 30 * MIN).toISOString(),
        O2: h % 2 ? 4.2 : 3.4,
      });
  }
  out.push({ observedAt: new Date(today - DAY + 3.5 * HOUR).toISOString(), O2: 3.8 });
  return out;
}

/** Qijiang: the Puhe Zhaixi bridge section below target 3 days → one event, the two sewage plants as suspects, water bureau, town, grassroots centre. */
export async function qijiang(d: Driver): Promise<StoryRun> {
  const op = operatorFor('500110');
  const started = d.now();
  const readings = qijiangReadings(d.now());
  d.log(
    `綦江 蒲河寨溪大桥断面：水质站 wq-puhe-zhaixi 发送 ${readings.length} 条溶解氧数据（3 个自然日，日均 3.8 mg/L）`,
  );
  await d.publish('wq-puhe-zhaixi', readings);
  const plan = await planFor(d, op, 'scenario=water', 'water.do-low');
  const a = plan.analysis as Json;
  d.log(
    `  suspects: ${a.trace.map((c: Json) => `${c.rank}. ${c.name} ${c.distanceKm} km${c.suspect ? ' (suspect)' : ''}`).join('; ')}`,
  );
  show(d, plan);
  const event = (await d.call('GET', `/api/v1/events/${plan.eventId}`, op)).body;
  const live = event.tasks.filter((t: Json) => t.status !== 'cancelled');
  d.log(
    `  event ${event.id.slice(0, 8)} ${event.category} (${event.status}); live tasks: ${live.map((t: Json) => t.departmentCode).join(', ')}`,
  );
  const notes =
    (await d.call('GET', `/api/v1/notifications?recipient=centre:${event.jurisdictionCode}`, op)).body
      .items ?? [];
  const told = notes.find((n: Json) => n.subjectId === event.id && n.title.startsWith('预案启动'));
  d.log(
    `  grassroots centre ${event.jurisdictionCode}: ${told ? `notified “${told.title}”` : 'not notified'}`,
  );
  // Sensor events of this story: low-DO events from the station's readings, filed since it started.
  const recent = (await d.call('GET', '/api/v1/events?limit=50', op)).body.items ?? [];
  const sensorEvents = recent.filter(
    (e: Json) =>
      e.source === 'sensor_alert' &&
      e.category === 'dissolved_oxygen_low' &&
      Date.parse(e.createdAt) >= started,
  ).length;
  const outcome = qijiangOutcome({ plan, event }, { sensorEvents, centreNotified: Boolean(told) });
  return { plan, event, outcome };
}

/** The crowd demo's counts, spread over the story devices of each area, timestamped up to `now`. */
export function jiefangbeiReadings(now: number, devices: { id: string; lon: number; lat: number }[]) {
  const file = loadCrowdFile();
  const scenario = file.demoScenario!;
  const areaOf = areaOfDevices(file, devices);
  const out = new Map<string, { observedAt: string; peopleCount: number }[]>();
  const step = scenario.sampleSeconds * 1000;
  const n = Math.round((scenario.minutes * MIN) / step);
  for (const a of scenario.areas) {
    const ids = [...areaOf].filter(([, area]) => area === a.areaId).map(([id]) => id);
    for (let k = 0; k <= n; k++) {
      const t = now - (n - k) * step;
      const count = Math.round(a.startCount + a.perMinute * ((k * step) / MIN));
      ids.forEach((id, i) => {
        const share = Math.floor(count / ids.length) + (i < count % ids.length ? 1 : 0);
        const list = out.get(id) ?? [];
        list.push({ observedAt: new Date(t).toISOString(), peopleCount: share });
        out.set(id, list);
      });
    }
  }
  return out;
}

/** Jiefangbei: counts rise → 3 risk points → dispersal plan to 6 departments → all done within 15 minutes. */
export async function jiefangbei(
  d: Driver,
  devices: { id: string; lon: number; lat: number }[],
  assess: boolean,
): Promise<StoryRun> {
  const op = operatorFor('500103');
  const readings = jiefangbeiReadings(d.now(), devices);
  const total = [...readings.values()].reduce((s, l) => s + l.length, 0);
  d.log(`解放碑 大客流：${readings.size} 个客流监测点发送 20 分钟的人数（${total} 条）`);
  for (const [id, list] of readings) await d.publish(id, list);
  if (assess) {
    const r = await d.call('POST', '/api/v1/scenarios/crowd/assess', op, {});
    if (r.status !== 200) throw new Error(`assess: ${r.status} ${JSON.stringify(r.body)}`);
  }
  const plan0 = await planFor(d, op, 'scenario=crowd', 'crowd.dispersal');
  const a = plan0.analysis as Json;
  d.log(
    `  risk points: ${a.points.map((p: Json) => `${p.name} ${p.density}/m² → ${p.forecastDensity}/m² (${p.level}, ${p.direction})`).join('; ')}`,
  );
  d.log(
    `  officers ${a.officers}; stations ${a.stations.join('、')} (lines ${a.linesLimited.join(', ')}); malls ${a.malls.length}`,
  );
  show(d, plan0);
  const plan = await finish(d, plan0.id, op, 45_000);
  d.log(
    `  plan ${plan.status}: ${plan.progress.done}/${plan.progress.total} in ${plan.progress.elapsedMinutes} min (target ${plan.targetMinutes}, on time: ${plan.progress.onTime})`,
  );
  const event = (await d.call('GET', `/api/v1/events/${plan.eventId}`, op)).body;
  return { plan, event, outcome: jiefangbeiOutcome({ plan, event }) };
}

/** Jiaochangkou (the event centre's story, driven from outside): barbecue smoke complaint → nearest squad → photo → verified → rated. */
export async function jiaochangkou(d: Driver): Promise<{ event: Json; outcome: StoryOutcome }> {
  d.log('较场口 夜市烧烤油烟：市民在门户提交诉求 (106.574 E, 29.551 N)');
  const filed = await d.call('POST', '/api/v1/citizen/requests', undefined, {
    description: '较场口夜市露天烧烤油烟太大',
    location: { lon: 106.574, lat: 29.551 },
    reporter: { name: '王' },
  });
  if (filed.status !== 201) throw new Error(`citizen request: ${filed.status} ${JSON.stringify(filed.body)}`);
  const { event, tasks, token } = filed.body;
  d.log(
    `  event ${event.id.slice(0, 8)} classified ${event.category} (${event.classifiedBy}), ${tasks.length} tasks`,
  );
  for (const t of tasks) {
    d.log(`  · ${t.role} ${t.departmentCode} → ${t.team?.name ?? 'pending'} (${t.assignReason ?? ''})`);
  }
  for (const t of tasks) {
    const officer = t.team ? officerFor(t.team.departmentCode) : '';
    const user = t.departmentCode === '500103003:urban_management' ? 'officer.jiefangbei' : officer;
    const act = async (action: string, body: unknown = {}) => {
      const r = await d.call('POST', `/api/v1/field/tasks/${t.id}/${action}`, user, body);
      if (r.status >= 300) throw new Error(`${action} as ${user}: ${r.status} ${JSON.stringify(r.body)}`);
    };
    await act('accept');
    await d.advance(10 * MIN);
    await act('arrive');
    await d.call('POST', `/api/v1/field/tasks/${t.id}/evidence`, user, PROOF_PNG, {
      'content-type': 'image/png',
    });
    await d.advance(30 * MIN);
    await act('complete', {
      note: t.role === 'lead' ? '已劝导摊主改用无烟炉具，油烟消除' : '油烟排放复查合格',
    });
    d.log(`  ✓ ${t.departmentCode} completed by ${user}`);
  }
  const verified = await d.call('POST', `/api/v1/events/${event.id}/verify`, 'street.jiefangbei', {
    approve: true,
    note: '经核查，油烟问题已整改',
  });
  d.log(`  verified by street.jiefangbei: ${verified.body.status}`);
  const inbox = (await d.call('GET', `/api/v1/citizen/notifications?token=${token}`)).body.items ?? [];
  d.log(`  citizen notified: ${inbox[0]?.title ?? 'no'}`);
  const rated = await d.call('POST', `/api/v1/citizen/requests/${event.id}/rating`, undefined, {
    token,
    rating: 5,
    comment: '处理及时',
  });
  d.log(`  rated 5★: ${rated.status === 200 ? 'ok' : rated.status}`);
  const outcome = jiaochangkouOutcome(
    { event: verified.body },
    { citizenNotified: inbox.length > 0, rated: rated.status === 200 },
  );
  return { event: verified.body, outcome };
}

/** Registers a department application as a gateway consumer (as the data authority); returns its key. */
async function consumerKey(d: Driver, name: string, departmentCode: string): Promise<string> {
  const r = await d.call('POST', '/api/v1/datahub/consumers', DATAHUB_USERS.authority, {
    name,
    departmentCode,
  });
  if (r.status !== 201) throw new Error(`consumer ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.key;
}

async function verifyLog(d: Driver): Promise<{ ok: boolean; checked: number }> {
  const r = await d.call('GET', '/api/v1/datahub/exchange-log/verify', DATAHUB_USERS.authority);
  if (r.status !== 200) throw new Error(`verify: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Data sharing: the water bureau reads the Qijiang suspects' permits (phone masked), tourism is denied police records, health approves a conditional request. */
export async function dataSharing(d: Driver): Promise<{ outcome: StoryOutcome }> {
  const before = await verifyLog(d);
  const water = await consumerKey(d, '水利局河长制应用', '50:water_resources');
  const tourism = await consumerKey(d, '文化旅游委智慧旅游应用', '50:culture_tourism');
  const ask = (key: string, body: Json) =>
    d.call('POST', '/api/v1/datahub/exchange', undefined, body, { 'x-api-key': key });
  d.log('数据共享：水利局河长制应用 读取生态环境局排污许可（綦江 蒲河 两座嫌疑污水处理厂）');
  const p = await ask(water, {
    resourceId: DEMO_RESOURCES.permits,
    purpose: 'river_chief_pollution_tracing',
    filters: [{ field: 'enterprise', op: 'in', values: ['寨溪镇污水处理厂', '蒲河场镇污水处理厂'] }],
  });
  for (const row of p.body.rows ?? [])
    d.log(`  ✓ ${row.permit_no} ${row.enterprise} ${row.river} 联系电话 ${row.contact_phone}`);
  d.log(`  ${p.status}: masked ${(p.body.maskedFields ?? []).join(', ')}; exchange ${p.body.exchangeId}`);
  d.log('文化旅游委 申请公安局人口基础信息');
  const x = await ask(tourism, { resourceId: DEMO_RESOURCES.personal, purpose: 'tourist_flow_analysis' });
  const entries = (x.body.error?.details?.entries ?? []) as { id: string; basis: string }[];
  for (const e of entries) d.log(`  ✗ ${x.status} 负面清单 ${e.id}：${e.basis}`);
  d.log('水利局 申请卫生健康委流感样病例周报（有条件共享）');
  const c = await ask(water, { resourceId: DEMO_RESOURCES.health, purpose: 'flood_health_risk' });
  const application = c.body.application as Json;
  d.log(
    `  ${c.status}: 申请 ${application?.id} 待 ${application?.ownerDepartment} 审批，期限 ${application?.dueAt}`,
  );
  const a = application
    ? await d.call(
        'POST',
        `/api/v1/datahub/applications/${application.id}/approve`,
        DATAHUB_USERS.healthLiaison,
      )
    : { status: 0, body: {} };
  d.log(`  ${DATAHUB_USERS.healthLiaison} 审批：${a.body.status ?? a.status}`);
  const s = await ask(water, {
    resourceId: DEMO_RESOURCES.health,
    purpose: 'flood_health_risk',
    applicationId: application?.id,
  });
  d.log(`  ${s.status}: ${(s.body.rows ?? []).length} rows`);
  const after = await verifyLog(d);
  d.log(
    `  exchange log: ${after.checked - before.checked} new records, verified ${after.ok ? 'ok' : 'BROKEN'}`,
  );
  const outcome = dataSharingOutcome({
    permits: { status: p.status, rows: p.body.rows ?? [], maskedFields: p.body.maskedFields ?? [] },
    personal: { status: x.status, entries },
    conditional: {
      filed: c.status,
      approved: a.body.status,
      served: s.status,
      rows: (s.body.rows ?? []).length,
    },
    exchangesLogged: after.checked - before.checked,
    logVerified: after.ok,
  });
  return { outcome };
}
