/**
 * The patrol story (issue 17): hot spots from incidents people reported — never from incidents
 * patrols found themselves — with published accuracy (PAI on held-out weeks, beside a count
 * baseline), a plan of beats whose hours no street may dominate, a plan breaking the cap refused
 * with the street named, the plan's reasons in the decision log, and a displacement check on the
 * rings around a past plan's beats. Asks the running demo's HTTP API as the 渝中区 district
 * operator and the city auditor. Runs in-process (the test) and against a running demo
 * (`citybrain simulate --story patrol`).
 */
import type { Driver, Json } from './driver.ts';
import type { StoryOutcome } from './outcomes.ts';

const DISTRICT_USER = 'district.yuzhong';
const AUDITOR = 'auditor';
const KEY = 'patrol.hotspot-plan';
const SHARE_CAP = 0.25;
const WEEK = 7 * 86_400_000;

/** Runs the story; the outcome holds when every check passes. */
export async function patrolStory(d: Driver): Promise<{ outcome: StoryOutcome }> {
  d.log('精准巡逻：以群众报警/举报事件的时空核密度预测热点，公布预测精度，巡逻时长设上限');
  const register = (await d.call('GET', '/api/v1/public/algorithms?lang=zh-CN')).body as Json;
  const filing = (register.items ?? []).find((a: Json) => a.key === KEY);
  const algorithmFiled = filing?.status === 'in_use';
  d.log(`  算法备案：${KEY} ${filing ? `${filing.name} v${filing.version}（${filing.status}）` : '未备案'}`);

  const hot = await d.call('GET', '/api/v1/patrol/hotspots?limit=10', DISTRICT_USER);
  if (hot.status !== 200) throw new Error(`hotspots: ${hot.status} ${JSON.stringify(hot.body)}`);
  const m = hot.body.model as Json;
  d.log(
    `  训练数据：${m.reportedIncidents} 起群众报告事件（来源 ${m.sources.join(', ')}；其中合成 ${m.synthetic}），排除 ${JSON.stringify(m.excluded)}`,
  );
  d.log(
    `  研究区 ${m.studyArea.cells} 个 H3-${m.cellResolution} 网格（${m.studyArea.streets} 个街道），模型刷新 ${m.refreshSeconds} s`,
  );
  d.log(`  留出 ${m.accuracy.testWeeks.length} 周（${m.accuracy.testIncidents} 起）的预测精度指数 PAI：`);
  m.accuracy.curve.forEach((p: Json, k: number) => {
    d.log(
      `    面积 ${(p.areaShare * 100).toFixed(1).padStart(4)}%  命中 ${(p.hitRate * 100).toFixed(1).padStart(5)}%  PAI ${p.pai.toFixed(1).padStart(5)}（逐格计数基线 ${m.baseline.curve[k].pai.toFixed(1)}）`,
    );
  });
  for (const c of (hot.body.cells as Json[]).slice(0, 3))
    d.log(`  热点 ${c.streetName} ${c.h3}（${c.lon}, ${c.lat}）密度 ${c.score}`);

  const planned = await d.call('POST', '/api/v1/patrol/plans', DISTRICT_USER, {
    beats: 10,
    totalHours: 80,
    shareCap: SHARE_CAP,
    capLevel: 'street',
  });
  if (planned.status !== 200) throw new Error(`plan: ${planned.status} ${JSON.stringify(planned.body)}`);
  const plan = planned.body as Json;
  d.log(`  巡逻方案 ${plan.id}：${plan.beats.length} 个巡区，共 ${plan.params.totalHours} 小时`);
  for (const b of plan.beats as Json[])
    d.log(`    ${b.id} ${b.streetName} ${b.cells.length} 格 风险 ${b.risk} → ${b.hours} h`);
  d.log(`  单个街道最大占比 ${(plan.maxAreaShare * 100).toFixed(1)}%（上限 ${SHARE_CAP * 100}%）`);

  const hours = Object.fromEntries(
    (plan.beats as Json[]).map((b: Json, k: number) => [b.id, k === 0 ? 60 : 20 / (plan.beats.length - 1)]),
  );
  const breaking = await d.call('POST', '/api/v1/patrol/plans', DISTRICT_USER, {
    beats: 10,
    shareCap: SHARE_CAP,
    capLevel: 'street',
    hours,
  });
  const refused = breaking.body?.error;
  d.log(
    `  手工把 60 小时压到一个巡区：${breaking.status} ${refused?.code ?? ''} ${refused?.details?.areaName ?? ''} 占 ${((refused?.details?.share ?? 0) * 100).toFixed(1)}%`,
  );

  const why = (await d.call('GET', `/api/v1/why?subjectType=patrol_plan&subjectId=${plan.id}`, AUDITOR))
    .body as Json;
  const decision = why.decisions?.[0];
  d.log(
    `  决策日志：${decision ? `${decision.outcome} — ${decision.explanation?.zh ?? decision.explanation?.text}` : '无'}`,
  );

  const asOf = new Date(d.now() - 8 * WEEK).toISOString();
  const past = await d.call('POST', '/api/v1/patrol/plans', DISTRICT_USER, {
    beats: 10,
    shareCap: SHARE_CAP,
    asOf,
  });
  const disp =
    past.status === 200
      ? ((await d.call('GET', `/api/v1/patrol/plans/${past.body.id}/displacement?weeks=4`, DISTRICT_USER))
          .body as Json)
      : undefined;
  if (disp)
    d.log(
      `  转移检查（8 周前方案，前后各 4 周，周边 2 环）：巡区 ${disp.before.treated}→${disp.after.treated}，周边 ${disp.before.buffer}→${disp.after.buffer}，对照 ${disp.before.control}→${disp.after.control}；WDQ ${disp.wdq ?? '—'}（${disp.finding}）`,
    );

  const fromReportedOnly =
    m.fromReportedOnly === true && plan.model.fromReportedOnly === true && (m.excluded.patrol ?? 0) > 0;
  const checks: [boolean, string][] = [
    [algorithmFiled, 'the hot-spot model is filed and in use'],
    [fromReportedOnly, 'the model learns from reported incidents only (patrol-found ones left out)'],
    [
      m.accuracy.testWeeks.length >= 4 && m.accuracy.pai >= 2,
      'held-out PAI at 1% of the area is well above 1',
    ],
    [
      plan.beats.length > 0 && plan.maxAreaShare <= SHARE_CAP,
      'no street takes more than the cap of patrol hours',
    ],
    [
      breaking.status === 422 && refused?.code === 'share_cap_exceeded' && Boolean(refused?.details?.area),
      'a plan breaking the cap is refused with the street named',
    ],
    [
      decision?.key === KEY && decision?.outcome === 'decided' && decision.decisionId !== '',
      'the plan is a logged decision with its reasons',
    ],
    [
      Boolean(disp) && disp.treatedCells > 0 && disp.bufferCells > 0,
      'a displacement check on the rings around the beats',
    ],
  ];
  const failed = checks.filter(([ok]) => !ok).map(([, what]) => what);
  return {
    outcome: {
      story: 'patrol',
      holds: failed.length === 0,
      failed,
      pai: m.accuracy.pai,
      paiBaseline: m.baseline.pai,
      paiCurve: m.accuracy.curve.map((p: Json) => ({
        areaShare: p.areaShare,
        pai: p.pai,
        hitRate: p.hitRate,
      })),
      testWeeks: m.accuracy.testWeeks.length,
      testIncidents: m.accuracy.testIncidents,
      maxAreaShare: plan.maxAreaShare,
      shareCap: SHARE_CAP,
      beats: plan.beats.length,
      fromReportedOnly,
      reportedIncidents: m.reportedIncidents,
      excludedPatrolFound: m.excluded.patrol ?? 0,
      algorithmFiled,
      refusedArea: refused?.details?.area ?? null,
      decisionId: plan.decisionId,
      refreshSeconds: m.refreshSeconds,
      displacement: disp ? { wdq: disp.wdq, finding: disp.finding } : null,
      synthetic: m.synthetic > 0,
    },
  };
}
