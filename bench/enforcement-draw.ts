// Joint enforcement: the year's double-random draws and inspect-once merging for 38 district teams
// over the 20,000-enterprise synthetic register — 38 teams × 12 months, each month one joint draw
// of the 8 department plans (commit-reveal's drawJoint), then every team's inspections merged into
// visits (mergePlan: overlapping windows joined, the quiet period respected).
// Baseline in the same run: the same plans drawn department by department (one draw each, own seed:
// 8× the shuffles), left unmerged. Also printed: visits per enterprise merged vs the unmerged plan
// (target cut ≥ 40%), and what merging would save if the departments drew independently.
// Run: ./node_modules/.bin/node bench/enforcement-draw.ts [--enterprises n] [--smoke]
import fs from 'node:fs';
import path from 'node:path';
import { Catalogue } from '../src/modules/enforcement/catalogue.ts';
import { type DrawInputs, drawJoint } from '../src/modules/enforcement/draw.ts';
import { mergePlan, type PlannedInspection } from '../src/modules/enforcement/merge.ts';
import { generateRegister, type StreetRef } from '../src/modules/enforcement/register.generate.ts';
import { option, size, smokeBanner } from './smoke.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const ENTERPRISES = Number(option('enterprises') ?? size(20_000, 2_000));
const MONTHS = size(12, 3);
smokeBanner();

const catalogue = Catalogue.load(
  path.join(ROOT, 'data/enforcement/inspection-catalogue.v1.json'),
  path.join(ROOT, 'data/enforcement/annual-plans.v1.json'),
);
const geo = JSON.parse(fs.readFileSync(path.join(ROOT, 'data/chongqing/jurisdictions.geojson'), 'utf8')) as {
  features: { properties: { code: string; name: string; level: string; parent: string } }[];
};
const streets: StreetRef[] = geo.features
  .filter((f) => f.properties.level === 'street')
  .map((f) => ({
    code: f.properties.code,
    name: f.properties.name,
    path: `50/${f.properties.parent}/${f.properties.code}`,
  }));
const register = generateRegister({ streets, industries: catalogue.file.industries, count: ENTERPRISES });
const departments = catalogue.plans.departments.map((p) => p.department);
const teams = [...new Set(streets.map((s) => s.code.slice(0, 6)))].sort();
const byTeam = new Map(teams.map((t) => [t, register.filter((e) => e.districtCode === t)]));
const items = catalogue.file.items.map((i) => ({
  id: i.id,
  department: i.department,
  industries: i.industries,
}));
const inspectorsOf = (team: string) =>
  catalogue.plans.departments.flatMap((p) =>
    Array.from({ length: 5 }, (_, n) => ({
      id: `insp-${team}-${p.department}-${n + 1}`,
      department: p.department,
      qualifications: n === 4 && p.items.length > 1 ? p.items.slice(0, -1) : p.items,
    })),
  );
const quiet = catalogue.plans.quietPeriodDays;
const DAY = 86_400_000;
const monthStart = (m: number) => `2026-${String(m).padStart(2, '0')}-01`;
const monthEnd = (m: number) => new Date(Date.UTC(2026, m, 0)).toISOString().slice(0, 10);

/** One team's year: draws month by month (the quiet period excludes recent visits), then the merge. */
function teamYear(team: string, joint: boolean) {
  const enterprises = (byTeam.get(team) ?? []).map((e) => ({
    code: e.creditCode,
    industry: e.industry,
    riskClass: e.riskClass,
  }));
  const inspectors = inspectorsOf(team);
  const lastEnd = new Map<string, number>();
  const inspections: PlannedInspection[] = [];
  for (let m = 1; m <= MONTHS; m++) {
    const start = Date.parse(`${monthStart(m)}T00:00:00Z`);
    const exclude = [...lastEnd].filter(([, end]) => (start - end) / DAY < quiet).map(([code]) => code);
    const base: DrawInputs = {
      district: team,
      month: monthStart(m).slice(0, 7),
      departments,
      items,
      rates: catalogue.plans.ratePerYearByRiskClass,
      inspectorsPerInspection: 2,
      enterprises,
      inspectors,
      exclude,
    };
    const results = joint
      ? [drawJoint(`seed-${team}-${m}`, base)]
      : departments.map((d) => drawJoint(`seed-${team}-${m}-${d}`, { ...base, departments: [d] }));
    for (const r of results)
      for (const s of r.selections) {
        inspections.push({
          id: `${team}-${m}-${s.department}-${s.enterprise}`,
          enterprise: s.enterprise,
          department: s.department,
          start: monthStart(m),
          end: monthEnd(m),
          items: s.items,
          inspectors: s.inspectors,
        });
        lastEnd.set(s.enterprise, Date.parse(`${monthEnd(m)}T00:00:00Z`));
      }
  }
  return inspections;
}

function run(joint: boolean, merge: boolean) {
  const t0 = performance.now();
  let inspections = 0;
  let visits = 0;
  let refused = 0;
  let joints = 0;
  for (const team of teams) {
    const planned = teamYear(team, joint);
    inspections += planned.length;
    if (merge) {
      const merged = mergePlan(planned, quiet);
      visits += merged.visits.length;
      refused += merged.refused.length;
      joints += merged.visits.filter((v) => v.departments.length > 1).length;
    } else visits += planned.length;
  }
  return { ms: performance.now() - t0, inspections, visits, refused, joints };
}

run(true, true); // warm-up
const baseline = run(false, false);
const joint = run(true, true);
const independentMerged = run(false, true);
const perEnterprise = (n: number) => (n / ENTERPRISES).toFixed(3);
const cut = 1 - joint.visits / joint.inspections;
console.log(
  `register: ${ENTERPRISES} synthetic enterprises, ${teams.length} teams, ${departments.length} department plans, ${MONTHS} months`,
);
console.log(
  `baseline  (per-department draws, unmerged): ${baseline.ms.toFixed(0)} ms, ${baseline.inspections} inspections = visits, ${perEnterprise(baseline.visits)} visits/enterprise`,
);
console.log(
  `joint draw + merge:                         ${joint.ms.toFixed(0)} ms, ${joint.inspections} inspections → ${joint.visits} visits (${joint.joints} joint, ${joint.refused} refused as repeats), ${perEnterprise(joint.visits)} visits/enterprise`,
);
console.log(
  `merging's cut in visits per enterprise vs the unmerged plan: ${(cut * 100).toFixed(1)}% (target ≥ 40%)`,
);
console.log(
  `if departments drew independently, merging would cut ${((1 - independentMerged.visits / independentMerged.inspections) * 100).toFixed(1)}%`,
);
console.log(
  `ratio: joint draw + merge time / baseline time = ${(joint.ms / baseline.ms).toFixed(2)} (target: whole run ≤ 30 s on 2 cores: ${(joint.ms / 1000).toFixed(2)} s)`,
);
if (!(joint.ms <= 30_000 && cut >= 0.4)) process.exitCode = size(1, 0);
