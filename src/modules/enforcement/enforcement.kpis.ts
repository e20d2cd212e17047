import { z } from 'zod';
import type { Principal } from '../../platform/access.ts';
import { forTables } from '../../platform/db/database.ts';
import type { EnforcementDeps } from './enforcement.deps.ts';
import { EnforcementRepository } from './enforcement.repository.ts';
import type { EnforcementTables } from './enforcement.tables.ts';
import { RecordsRepository } from './records.repository.ts';

export const EnforcementKpiQuerySchema = z.object({
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .default('2000-01-01'),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .default('2999-12-31'),
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
});
export const EnforcementKpisSchema = z.object({
  total: Figures,
  byDistrict: z.array(Figures.extend({ districtCode: z.string() })),
  /** Per department: its planned inspections and the share carried out in joint visits. */
  byDepartment: z.array(
    z.object({
      department: z.string(),
      inspections: z.number().int(),
      inJointVisits: z.number().int(),
      jointShare: z.number(),
    }),
  ),
  /** Countersigned records and the share of their visits' checklist points answered (findings outside are refused). */
  records: z.object({ count: z.number().int(), checklistCoverage: z.number() }),
});
export type EnforcementKpis = z.infer<typeof EnforcementKpisSchema>;

/** Midnight of a YYYY-MM-DD day in the city (UTC+8). */
const cityDay = (day: string) => new Date(`${day}T00:00:00+08:00`);

const round = (x: number) => Math.round(x * 1000) / 1000;

function figures(inspections: number, visits: number, joint: number, enterprises: number, flagged: number) {
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
  };
}

/** Joint-enforcement KPIs per district in the caller's scope: joint share, visits per enterprise against the unmerged plan. */
export class EnforcementKpiService {
  private readonly repo = new EnforcementRepository();
  private readonly deps: EnforcementDeps;
  constructor(deps: EnforcementDeps) {
    this.deps = deps;
  }

  async kpis(principal: Principal, q: { from: string; to: string }): Promise<EnforcementKpis> {
    const { visits, inspections, departments, records } = await this.repo.kpiCounts(
      forTables<EnforcementTables>(this.deps.db),
      principal,
      q.from,
      q.to,
    );
    const repairs = await new RecordsRepository().repairsByDistrict(
      forTables<EnforcementTables>(this.deps.db),
      principal,
      cityDay(q.from),
      new Date(cityDay(q.to).getTime() + 86_400_000),
    );
    const planned = new Map(inspections.map((r) => [r.district, Number(r.n)]));
    const byDistrict = visits
      .map((v) => ({
        districtCode: v.district,
        ...figures(
          planned.get(v.district) ?? 0,
          Number(v.visits),
          Number(v.joint),
          Number(v.enterprises),
          Number(v.flagged),
        ),
        creditRepairs: repairs.get(v.district) ?? 0,
      }))
      .sort((a, b) => a.districtCode.localeCompare(b.districtCode));
    const sum = (k: 'inspectionsPlanned' | 'visits' | 'jointVisits' | 'enterprises' | 'flaggedRepeats') =>
      byDistrict.reduce((a, d) => a + d[k], 0);
    const points = records.reduce((a, r) => a + this.deps.catalogue.checklistOf(r.items).length, 0);
    const answered = records.reduce((a, r) => a + r.answered, 0);
    return {
      byDepartment: departments
        .map((d) => ({
          department: d.department,
          inspections: Number(d.n),
          inJointVisits: Number(d.joint),
          jointShare: Number(d.n) ? round(Number(d.joint) / Number(d.n)) : 0,
        }))
        .sort((a, b) => a.department.localeCompare(b.department)),
      records: { count: records.length, checklistCoverage: points ? round(answered / points) : 0 },
      total: {
        ...figures(
          sum('inspectionsPlanned'),
          sum('visits'),
          sum('jointVisits'),
          sum('enterprises'),
          sum('flaggedRepeats'),
        ),
        creditRepairs: [...repairs.values()].reduce((a, n) => a + n, 0),
      },
      byDistrict,
    };
  }
}
