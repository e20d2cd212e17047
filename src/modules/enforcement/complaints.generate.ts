// SYNTHETIC repeat-inspection complaints for the demo city, deterministic (mulberry32 and the draw's
// own PRNG): one year of the module's joint "double random" draws per district (drawJoint, month by
// month, the quiet period excluding recently visited enterprises, as bench/enforcement-draw.ts), then
//  - the previous year: the same plan shifted back one year and left unmerged — each department
//    visits on its own (one visit per planned inspection), as before "inspect once";
//  - the current year: the plan merged into joint visits (mergePlan).
// Each visit is given one day in its window. A fixed 15% of the enterprises (drawn once, the same
// in both years) complain once a year, at the first visit that came within the quiet period of an
// earlier one (0–3 days later, still within it). So any fall between the years comes from merging
// alone. Assumptions (see the README): drawn inspections only — no targeted, complaint-driven or
// campaign inspections —, whole-month windows, one complaint per complaining enterprise and year.
import type { Catalogue, RiskClass } from './catalogue.ts';
import type { NewComplaint } from './complaints.repository.ts';
import { type DrawInputs, drawJoint } from './draw.ts';
import { mergePlan, type PlannedInspection } from './merge.ts';
import { mulberry32 } from './register.generate.ts';

/** An enterprise of the register, as the generator needs it. */
export interface ComplaintPopulation {
  code: string;
  industry: string;
  riskClass: RiskClass;
  district: string;
  path: string;
}

/** A visit on one day (the generator's plan). */
interface DatedVisit {
  id: string;
  enterprise: string;
  department: string;
  day: number;
}

const DAY = 86_400_000;
const dayOf = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY);
const dateOf = (day: number) => new Date(day * DAY).toISOString().slice(0, 10);
const monthStart = (year: number, m: number) => `${year}-${String(m).padStart(2, '0')}-01`;
const monthEnd = (year: number, m: number) => new Date(Date.UTC(year, m, 0)).toISOString().slice(0, 10);
/** A year's months (index 1–12): first and last date and day numbers. */
const monthsOf = (year: number) =>
  Array.from({ length: 13 }, (_, m) => {
    const start = monthStart(year, Math.max(m, 1));
    const end = monthEnd(year, Math.max(m, 1));
    return { start, end, first: dayOf(start), last: dayOf(end) };
  });

/** One district's year of joint draws: the planned inspections (one per department and enterprise). */
function yearPlan(
  catalogue: Catalogue,
  district: string,
  enterprises: ComplaintPopulation[],
  year: number,
): PlannedInspection[] {
  const quiet = catalogue.plans.quietPeriodDays;
  const population = enterprises.map((e) => ({ code: e.code, industry: e.industry, riskClass: e.riskClass }));
  const items = catalogue.file.items.map((i) => ({
    id: i.id,
    department: i.department,
    industries: i.industries,
  }));
  const lastEnd = new Map<string, number>();
  const out: PlannedInspection[] = [];
  const months = monthsOf(year);
  for (let m = 1; m <= 12; m++) {
    const { start: first, end: last, first: start, last: end } = months[m] as (typeof months)[number];
    const inputs: DrawInputs = {
      district,
      month: first.slice(0, 7),
      departments: catalogue.plans.departments.map((p) => p.department),
      items,
      rates: catalogue.plans.ratePerYearByRiskClass,
      inspectorsPerInspection: catalogue.plans.inspectorsPerInspection,
      enterprises: population,
      inspectors: [],
      exclude: [...lastEnd].filter(([, end]) => start - end < quiet).map(([code]) => code),
    };
    for (const s of drawJoint(`synthetic-complaints|${year}`, inputs).selections) {
      out.push({
        id: `${district}-${m}-${s.department}-${s.enterprise}`,
        enterprise: s.enterprise,
        department: s.department,
        start: first,
        end: last,
        items: s.items,
        inspectors: [],
      });
      lastEnd.set(s.enterprise, end);
    }
  }
  return out;
}

/**
 * The synthetic complaints of the previous year (unmerged plan shifted back) and of `year` (merged
 * plan), the latter only up to `until` (YYYY-MM-DD, the city's today). Deterministic.
 */
export function generateComplaints(options: {
  catalogue: Catalogue;
  enterprises: ComplaintPopulation[];
  year: number;
  until: string;
  share?: number;
  seed?: number;
}): NewComplaint[] {
  const { catalogue, year } = options;
  const quiet = catalogue.plans.quietPeriodDays;
  const share = options.share ?? 0.15;
  const rand = mulberry32(options.seed ?? 68);
  const enterprises = [...options.enterprises].sort((a, b) => (a.code < b.code ? -1 : 1));
  const complains = new Set(enterprises.filter(() => rand() < share).map((e) => e.code));
  const byCode = new Map(enterprises.map((e) => [e.code, e]));
  const byDistrict = new Map<string, ComplaintPopulation[]>();
  for (const e of enterprises) {
    const list = byDistrict.get(e.district) ?? [];
    list.push(e);
    byDistrict.set(e.district, list);
  }
  const earlier = monthsOf(year - 1);
  const out: NewComplaint[] = [];
  const until = dayOf(options.until);
  const complain = (visits: DatedVisit[], label: number) => {
    const byEnterprise = new Map<string, DatedVisit[]>();
    for (const v of visits) {
      const list = byEnterprise.get(v.enterprise) ?? [];
      list.push(v);
      byEnterprise.set(v.enterprise, list);
    }
    for (const [code, list] of [...byEnterprise].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      list.sort((a, b) => a.day - b.day || (a.id < b.id ? -1 : 1));
      const j = list.findIndex((v, i) => i > 0 && v.day - (list[i - 1] as DatedVisit).day < quiet);
      // Three draws per enterprise whatever happens, so `until` does not shift later districts' draws.
      const [u, v, s] = [rand(), rand(), rand()] as [number, number, number];
      const enterprise = byCode.get(code);
      if (j < 0 || !complains.has(code) || !enterprise) continue;
      const repeat = list[j] as DatedVisit;
      const gap = repeat.day - (list[j - 1] as DatedVisit).day;
      const day = repeat.day + Math.min(Math.floor(u * 4), quiet - gap);
      if (day > until) continue;
      const within = list.filter((v) => v.day <= day && v.day >= day - quiet);
      const minute = Math.floor(v * 600);
      out.push({
        id: `syn-complaint-${label}-${code}`,
        enterpriseCode: code,
        jurisdictionPath: enterprise.path,
        department: repeat.department,
        receivedAt: new Date((day * 1440 + minute) * 60_000),
        receivedDate: dateOf(day),
        source: s < 0.7 ? 'hotline' : s < 0.9 ? 'portal' : 'open311',
        text: `（合成投诉）${quiet} 天内第 ${within.length} 次上门检查（${within.map((v) => v.department).join('、')}），影响生产经营。`,
        substantiated: within.length >= 2,
        visitIds: within.map((v) => v.id),
        synthetic: true,
        recordedBy: 'synthetic',
      });
    }
  };
  const on = (first: number, last: number) => first + Math.floor(rand() * (last - first + 1));
  for (const [district, population] of [...byDistrict].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const plan = yearPlan(catalogue, district, population, year);
    // The previous year: the same plan one year earlier, each department visiting on its own.
    complain(
      plan.map((i) => {
        const month = earlier[Number(i.start.slice(5, 7))] as (typeof earlier)[number];
        return {
          id: `syn-visit-${year - 1}-${i.id}`,
          enterprise: i.enterprise,
          department: i.department,
          day: on(month.first, month.last),
        };
      }),
      year - 1,
    );
    // This year: inspect once.
    complain(
      mergePlan(plan, quiet).visits.map((v) => ({
        id: `syn-visit-${year}-${v.id}`,
        enterprise: v.enterprise,
        department: v.leadDepartment,
        day: on(dayOf(v.start), dayOf(v.end)),
      })),
      year,
    );
  }
  return out;
}
