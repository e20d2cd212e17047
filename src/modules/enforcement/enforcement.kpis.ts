import { z } from 'zod';
import type { Principal } from '../../platform/access.ts';
import { forTables } from '../../platform/db/database.ts';
import { ComplaintsRepository } from './complaints.repository.ts';
import { CalendarDay } from './complaints.schema.ts';
import type { EnforcementDeps } from './enforcement.deps.ts';
import { EnforcementRepository } from './enforcement.repository.ts';
import type { EnforcementTables } from './enforcement.tables.ts';
import { RecordsRepository } from './records.repository.ts';

export const EnforcementKpiQuerySchema = z.object({
  from: CalendarDay.default('2000-01-01'),
  to: CalendarDay.default('2999-12-31'),
});

const Figures = z.object({
  /** Planned inspections (one per department and enterprise): the unmerged plan's visits. */
  inspectionsPlanned: z.number().int(),
  visits: z.number().int(),
  jointVisits: z.number().int(),
  /** Share of visits carried out by more than one department. */
  jointShare: z.number(),
  enterprises: z.number().int(),
  visitsPerEnterprise: z.number(),
  unmergedVisitsPerEnterprise: z.number(),
  /** 1 − visits / planned inspections: what inspecting once saves. */
  visitCut: z.number(),
  /** Visits within the quiet period of another, made with a recorded reason. */
  flaggedRepeats: z.number().int(),
  /** Records whose penalty a credit repair lifted in the period (when repaired). */
  creditRepairs: z.number().int(),
  /** Complaints about repeated inspections received in the period (the complaints register). */
  repeatComplaints: z.number().int(),
  /** Of those, the ones with at least two visits within the quiet period ending at their date. */
  substantiatedComplaints: z.number().int(),
});
const ComplaintTotals = z.object({
  /** Enterprises of the register in the caller's scope (the denominator below). */
  registeredEnterprises: z.number().int(),
  complaintsPerThousandEnterprises: z.number(),
  /** The previous period of equal length, ending the day before `from`. */
  previousFrom: z.string(),
  previousTo: z.string(),
  previousRepeatComplaints: z.number().int(),
  /** repeatComplaints / previousRepeatComplaints − 1 (e.g. −0.68); null when the previous period has none. */
  repeatComplaintsChange: z.number().nullable(),
});
export const EnforcementKpisSchema = z.object({
  total: Figures.extend(ComplaintTotals.shape),
  byDistrict: z.array(Figures.extend({ districtCode: z.string() })),
  /** Per department: its planned inspections and the share carried out in joint visits. */
  byDepartment: z.array(
    z.object({
      department: z.string(),
      inspections: z.number().int(),
      inJointVisits: z.number().int(),
      jointShare: z.number(),
      /** Complaints naming the department, and the substantiated ones among them. */
      repeatComplaints: z.number().int(),
      substantiatedComplaints: z.number().int(),
    }),
  ),
  /** Countersigned records and the share of their visits' checklist points answered (findings outside are refused). */
  records: z.object({ count: z.number().int(), checklistCoverage: z.number() }),
});
export type EnforcementKpis = z.infer<typeof EnforcementKpisSchema>;

/** Midnight of a YYYY-MM-DD day in the city (UTC+8). */
const cityDay = (day: string) => new Date(`${day}T00:00:00+08:00`);

const round = (x: number) => Math.round(x * 1000) / 1000;

const DAY = 86_400_000;
const shift = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY).toISOString().slice(0, 10);

/** The period of equal length ending the day before `from` (dates inclusive). */
export function previousPeriod(from: string, to: string): { from: string; to: string } {
  // An empty window (to before from) has an empty previous period.
  const days = Math.max(
    0,
    Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY) + 1,
  );
  return { from: shift(from, -days), to: shift(from, -1) };
}

function figures(
  inspections: number,
  visits: number,
  joint: number,
  enterprises: number,
  flagged: number,
  complaints: { n: number; substantiated: number } = { n: 0, substantiated: 0 },
) {
  return {
    inspectionsPlanned: inspections,
    visits,
    jointVisits: joint,
    jointShare: visits ? round(joint / visits) : 0,
    enterprises,
    visitsPerEnterprise: enterprises ? round(visits / enterprises) : 0,
    unmergedVisitsPerEnterprise: enterprises ? round(inspections / enterprises) : 0,
    visitCut: inspections ? round(1 - visits / inspections) : 0,
    flaggedRepeats: flagged,
    repeatComplaints: complaints.n,
    substantiatedComplaints: complaints.substantiated,
  };
}

/**
 * Joint-enforcement KPIs per district in the caller's scope: joint share, visits per enterprise
 * against the unmerged plan, and complaints about repeated inspections against the previous period.
 */
export class EnforcementKpiService {
  private readonly repo = new EnforcementRepository();
  private readonly complaints = new ComplaintsRepository();
  private readonly deps: EnforcementDeps;
  constructor(deps: EnforcementDeps) {
    this.deps = deps;
  }

  async kpis(principal: Principal, q: { from: string; to: string }): Promise<EnforcementKpis> {
    const db = forTables<EnforcementTables>(this.deps.db);
    const { visits, inspections, departments, records } = await this.repo.kpiCounts(
      db,
      principal,
      q.from,
      q.to,
    );
    const complaints = await this.complaints.kpiCounts(db, principal, q.from, q.to);
    const previous = previousPeriod(q.from, q.to);
    const previousCount = await this.complaints.countBetween(db, principal, previous.from, previous.to);
    const registered = await this.complaints.registered(db, principal);
    const repairs = await new RecordsRepository().repairsByDistrict(
      db,
      principal,
      cityDay(q.from),
      new Date(cityDay(q.to).getTime() + DAY),
    );
    const planned = new Map(inspections.map((r) => [r.district, Number(r.n)]));
    const complained = new Map(complaints.byDistrict.map((c) => [c.district, c]));
    const visited = new Map(visits.map((v) => [v.district, v]));
    const districts = [...new Set([...visited.keys(), ...complained.keys(), ...repairs.keys()])];
    const byDistrict = districts
      .map((district) => {
        const v = visited.get(district);
        return {
          districtCode: district,
          ...figures(
            planned.get(district) ?? 0,
            Number(v?.visits ?? 0),
            Number(v?.joint ?? 0),
            Number(v?.enterprises ?? 0),
            Number(v?.flagged ?? 0),
            complained.get(district),
          ),
          creditRepairs: repairs.get(district) ?? 0,
        };
      })
      .sort((a, b) => a.districtCode.localeCompare(b.districtCode));
    const sum = (
      k:
        | 'inspectionsPlanned'
        | 'visits'
        | 'jointVisits'
        | 'enterprises'
        | 'flaggedRepeats'
        | 'repeatComplaints'
        | 'substantiatedComplaints',
    ) => byDistrict.reduce((a, d) => a + d[k], 0);
    const points = records.reduce((a, r) => a + this.deps.catalogue.checklistOf(r.items).length, 0);
    const answered = records.reduce((a, r) => a + r.answered, 0);
    const byComplaint = new Map(complaints.byDepartment.map((c) => [c.department, c]));
    const inspected = new Map(departments.map((d) => [d.department, d]));
    const total = sum('repeatComplaints');
    return {
      byDepartment: [...new Set([...inspected.keys(), ...byComplaint.keys()])]
        .map((department) => {
          const d = inspected.get(department);
          const n = Number(d?.n ?? 0);
          return {
            department,
            inspections: n,
            inJointVisits: Number(d?.joint ?? 0),
            jointShare: n ? round(Number(d?.joint ?? 0) / n) : 0,
            repeatComplaints: byComplaint.get(department)?.n ?? 0,
            substantiatedComplaints: byComplaint.get(department)?.substantiated ?? 0,
          };
        })
        .sort((a, b) => a.department.localeCompare(b.department)),
      records: { count: records.length, checklistCoverage: points ? round(answered / points) : 0 },
      total: {
        ...figures(
          sum('inspectionsPlanned'),
          sum('visits'),
          sum('jointVisits'),
          sum('enterprises'),
          sum('flaggedRepeats'),
          { n: total, substantiated: sum('substantiatedComplaints') },
        ),
        registeredEnterprises: registered,
        complaintsPerThousandEnterprises: registered ? round((1000 * total) / registered) : 0,
        previousFrom: previous.from,
        previousTo: previous.to,
        previousRepeatComplaints: previousCount,
        repeatComplaintsChange: previousCount ? round(total / previousCount - 1) : null,
        creditRepairs: [...repairs.values()].reduce((a, n) => a + n, 0),
      },
      byDistrict,
    };
  }
}
