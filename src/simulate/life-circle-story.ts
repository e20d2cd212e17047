/**
 * The life-circle story: the 15-minute life circle of every street of the city (TD/T 1062-2021's
 * eight facility categories, a 15-minute walk at 4.5 km/h), the streets furthest from an elderly
 * canteen, and where one more would help most. It asks the running demo's HTTP API as
 * the city auditor and as the 解放碑 street operator; then the 渝中 district operator runs the
 * need–resource matching (writes match results) and reads its KPIs. Runs in-process (the test) and against a
 * running demo (`citybrain simulate --story life-circle`).
 */
import type { Driver, Json } from './driver.ts';
import type { StoryOutcome } from './outcomes.ts';

const CITY_USER = 'auditor';
const DISTRICT_USER = 'district.yuzhong';
const STREET_USER = 'street.jiefangbei';
const STREET = '500103003';
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Runs the story; the outcome holds when every check passes. */
export async function lifeCircleStory(d: Driver): Promise<{ outcome: StoryOutcome }> {
  d.log('15 分钟社区生活圈：每个街道的设施步行可达覆盖（步行 4.5 km/h，15 分钟 = 1,125 m）');
  const t0 = Date.now();
  const report = await d.call('GET', '/api/v1/lifecircle/coverage', CITY_USER);
  if (report.status !== 200) throw new Error(`coverage: ${report.status} ${JSON.stringify(report.body)}`);
  const wallSeconds = (Date.now() - t0) / 1000;
  const r = report.body as Json;
  const streets = r.streets as Json[];
  const categories = Object.keys(r.share);
  const computeSeconds = Math.round((r.buildSeconds + r.computeSeconds) * 1000) / 1000;
  d.log(
    `  ${streets.length} 个街道，${categories.length} 类设施；步行网络 ${r.network.nodes} 节点，人口 ${r.network.cells} 个 H3 网格`,
  );
  d.log(
    `  数据：${r.data.walkingNetwork}；人口 ${r.data.population}；设施 合成 ${r.data.facilities.synthetic} / 导入 ${r.data.facilities.imported}`,
  );
  d.log(
    `  计算 ${computeSeconds} s（构建 ${r.buildSeconds.toFixed(2)} s + 等时圈与覆盖 ${r.computeSeconds.toFixed(2)} s）`,
  );
  for (const c of categories) d.log(`    ${c.padEnd(15)} ${pct(r.share[c])}`);
  d.log(`  八类设施全部 15 分钟可达的人口：${pct(r.allShare)}`);

  const gaps = (await d.call('GET', '/api/v1/lifecircle/gaps?category=elderly_care&limit=5', CITY_USER))
    .body as Json;
  d.log('  养老服务缺口最大的街道：');
  for (const g of gaps.items)
    d.log(`    ${g.name}（${g.code}）${g.uncovered} 人在 15 分钟外（覆盖 ${pct(g.share)}）`);
  const sorted = gaps.items.every(
    (g: Json, k: number) => k === 0 || gaps.items[k - 1].uncovered >= g.uncovered,
  );

  const best = (await d.call('GET', '/api/v1/lifecircle/best-sites?category=elderly_care&limit=3', CITY_USER))
    .body as Json;
  const site = best.items?.[0];
  const uncoveredElderly = streets.reduce((a, s) => a + s.population - s.covered.elderly_care, 0);
  if (site) {
    d.log(
      `  再建一处老年食堂的最佳位置（${best.candidates} 个候选点，${best.searchSeconds.toFixed(2)} s）：${site.streetName}（${site.lon}, ${site.lat}），新增覆盖 ${site.gain} 人`,
    );
  }

  const mine = (await d.call('GET', '/api/v1/lifecircle/coverage', STREET_USER)).body as Json;
  const one = (await d.call('GET', `/api/v1/lifecircle/streets/${STREET}`, STREET_USER)).body as Json;
  const inCity = streets.find((s) => s.code === STREET);
  d.log(
    `  解放碑街道单独计算 ${(one.computeSeconds * 1000).toFixed(1)} ms，八类全覆盖 ${pct(one.street?.allShare ?? 0)}`,
  );

  // Need — resource — match in 渝中区 (the district operator runs it for the district's open needs).
  d.log('需求—资源—匹配（渝中区；合成需求、服务商、志愿者，设施来自生活圈）');
  const run = await d.call('POST', '/api/v1/matching/runs', DISTRICT_USER);
  const ran = run.body as Json;
  if (run.status === 200)
    d.log(
      `  匹配 ${ran.needs} 项需求：满足 ${ran.matched}，未满足 ${ran.unmet}（资源 ${ran.resources.stored} + 设施 ${ran.resources.facilities}；${ran.seconds.toFixed(2)} s）`,
    );
  const kpis = (await d.call('GET', '/api/v1/matching/kpis', DISTRICT_USER)).body as Json;
  const matches = (await d.call('GET', '/api/v1/matching/matches?status=matched&limit=20', DISTRICT_USER))
    .body as Json;
  const example = matches.items?.[0];
  if (example)
    d.log(
      `  例：${example.needId}（${example.category}）→ ${example.resourceId}，步行 ${example.explanation.distance.m} m（上限 ${example.explanation.distance.limitM} m），${example.explanation.slot.start}，当日容量 ${example.explanation.capacity.usedAfter}/${example.explanation.capacity.capacity}，备选 ${example.explanation.alternative?.resourceId ?? '无'}`,
    );
  if (kpis.needs)
    d.log(
      `  满足率 ${pct(kpis.shareMet)}；匹配用时 中位 ${((kpis.medianMatchSeconds ?? 0) / 3600).toFixed(1)} h，P90 ${((kpis.p90MatchSeconds ?? 0) / 3600).toFixed(1)} h（合成需求创建于此前 48 小时内）；未满足原因 ${JSON.stringify(kpis.unmetReasons)}`,
    );
  const unmetGaps = (await d.call('GET', '/api/v1/lifecircle/gaps?area=500103&limit=10000', DISTRICT_USER))
    .body as Json;
  const unmetInGaps = (unmetGaps.items ?? []).reduce((a: number, g: Json) => a + g.unmetNeeds, 0);
  d.log(`  未满足需求进入缺口清单：${unmetInGaps} 项（按街道 × 类别）`);

  const shaped = streets.every(
    (s) =>
      Object.keys(s.share).length === 8 &&
      Object.values(s.share).every((v) => (v as number) >= 0 && (v as number) <= 1),
  );
  const checks: [boolean, string][] = [
    [streets.length === 1031, 'every one of the 1,031 streets has a coverage report'],
    [categories.length === 8 && shaped, 'each street has a 0–1 share for each of the 8 categories'],
    [r.allShare > 0 && r.allShare < 1, 'the share within 15 minutes of all categories is between 0 and 1'],
    [computeSeconds <= 60, 'isochrones and coverage for all streets take ≤ 60 s'],
    [
      String(r.data.population).startsWith('synthetic') && r.data.facilities.synthetic > 0,
      'synthetic population and facilities are labelled as such',
    ],
    [gaps.items.length > 0 && sorted, 'the gap list ranks streets by residents beyond 15 minutes'],
    [
      Boolean(site) && site.gain > 0 && site.gain <= uncoveredElderly,
      'the best site for one more elderly canteen covers residents not yet covered',
    ],
    [
      mine.streets?.length === 1 && JSON.stringify(one.street) === JSON.stringify(inCity),
      'a street sees its own street, computed alone the same as in the city run',
    ],
    [
      run.status === 200 && ran.needs > 0,
      'the district operator runs the need–resource matching over its open needs',
    ],
    [
      (matches.items ?? []).length > 0 &&
        matches.items.every(
          (m: Json) =>
            m.explanation.distance.m <= m.explanation.distance.limitM &&
            m.explanation.capacity.usedAfter <= m.explanation.capacity.capacity,
        ),
      'each match is explained and within reach and capacity',
    ],
    [
      kpis.needs > 0 && kpis.shareMet > 0 && kpis.shareMet <= 1 && kpis.medianMatchSeconds > 0,
      'share of needs met and time to match are measured',
    ],
    [unmetInGaps === kpis.unmet, 'every unmet need shows in the life-circle gap list'],
  ];
  const failed = checks.filter(([ok]) => !ok).map(([, what]) => what);
  return {
    outcome: {
      story: 'life-circle',
      holds: failed.length === 0,
      failed,
      streets: streets.length,
      categories: categories.length,
      populationCovered: r.allShare,
      populationCoveredByCategory: r.share,
      population: r.population,
      computeSeconds,
      firstAnswerSeconds: wallSeconds,
      oneStreetSeconds: one.computeSeconds ?? null,
      topGap: gaps.items[0]
        ? { code: gaps.items[0].code, name: gaps.items[0].name, uncovered: gaps.items[0].uncovered }
        : null,
      bestSite: site
        ? {
            streetCode: site.streetCode,
            streetName: site.streetName,
            lon: site.lon,
            lat: site.lat,
            gain: site.gain,
            gainShare: uncoveredElderly ? Math.round((site.gain / uncoveredElderly) * 10_000) / 10_000 : 0,
            candidates: best.candidates,
          }
        : null,
      needsMet: kpis.shareMet ?? null,
      medianMatchSeconds: kpis.medianMatchSeconds ?? null,
      p90MatchSeconds: kpis.p90MatchSeconds ?? null,
      needs: kpis.needs ?? 0,
      needsArea: '500103',
      synthetic: true,
    },
  };
}
