import { randomUUID } from 'node:crypto';
import { assertVisible, type Principal, ROLE_GROUPS, requireRole } from '../../platform/access.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { EnforcementDeps } from './enforcement.deps.ts';
import { EnforcementRepository, toEnterprise, toVisit } from './enforcement.repository.ts';
import type { InspectionBody, MyVisitsDto, VisitDto } from './enforcement.schema.ts';
import type { EnforcementTables } from './enforcement.tables.ts';
import {
  gapDays,
  joinVisit,
  newVisit,
  type PlannedInspection,
  placeInspection,
  type Visit,
} from './merge.ts';

const rowToVisit = (v: VisitDto): Visit => ({
  id: v.id,
  enterprise: v.enterpriseCode,
  departments: v.departments,
  leadDepartment: v.leadDepartment,
  items: v.items,
  start: v.start,
  end: v.end,
  inspections: [],
  inspectors: v.inspectors,
  done: v.status === 'done',
  flagged: v.flagged,
  reason: v.reason,
});

/** Inspect once: places each department's planned inspection into a joint visit, or refuses a repeat. */
export class VisitService {
  private readonly repo = new EnforcementRepository();
  private readonly deps: EnforcementDeps;
  constructor(deps: EnforcementDeps) {
    this.deps = deps;
  }

  /** Schedules a targeted inspection (department liaisons and operators); 409 repeat_inspection within the quiet period without a reason. */
  async schedule(
    principal: Principal,
    body: InspectionBody,
  ): Promise<{ inspectionId: string; action: 'join' | 'new'; visit: VisitDto }> {
    requireRole(principal, ...ROLE_GROUPS.responders);
    if (body.end < body.start)
      throw new AppError('invalid_request', 'the window ends before it starts', body);
    try {
      return await this.deps.db
        .transaction()
        .execute((trx) =>
          this.place(trx, principal, { ...body, inspectors: [], source: 'targeted', drawId: null }),
        );
    } catch (error) {
      if (error instanceof AppError && error.code === 'repeat_inspection')
        await this.deps.audit.record(this.deps.db, {
          actor: principal,
          action: 'enforcement.inspection.refused',
          subjectType: 'enterprise',
          subjectId: body.enterpriseCode,
          details: { department: body.department, ...(error.details as object) },
        });
      throw error;
    }
  }

  /**
   * Places one inspection in the caller's transaction: joins an open visit whose window overlaps,
   * else opens a visit (flagged when within the quiet period and a reason is given; refused without).
   */
  async place(
    trx: Db,
    principal: Principal,
    i: Omit<InspectionBody, 'reason'> & {
      reason?: string;
      inspectors: string[];
      source: 'draw' | 'targeted';
      drawId: string | null;
    },
  ): Promise<{ inspectionId: string; action: 'join' | 'new'; visit: VisitDto }> {
    const db = forTables<EnforcementTables>(trx);
    const enterprise = await this.repo.enterprise(db, i.enterpriseCode, true);
    if (!enterprise)
      throw new AppError('not_found', `enterprise '${i.enterpriseCode}' not found`, {
        kind: 'enterprise',
        key: i.enterpriseCode,
      });
    assertVisible(principal, enterprise.jurisdiction_path, 'enterprise', i.enterpriseCode);
    const items = this.deps.catalogue.itemsFor(i.department, enterprise.industry).map((x) => x.id);
    if (items.length === 0)
      throw new AppError(
        'invalid_data',
        `${i.department} has no planned item for the industry ${enterprise.industry}`,
        {
          department: i.department,
          industry: enterprise.industry,
        },
      );
    const quiet = this.deps.catalogue.plans.quietPeriodDays;
    const visits = (await this.repo.visitsOf(db, i.enterpriseCode, true)).map((r) =>
      rowToVisit(toVisit(r, 0)),
    );
    const inspection: PlannedInspection = {
      id: randomUUID(),
      enterprise: i.enterpriseCode,
      department: i.department,
      start: i.start,
      end: i.end,
      items,
      inspectors: i.inspectors,
    };
    const placed = placeInspection(visits, inspection, quiet, i.reason);
    if (placed.action === 'refuse')
      throw new AppError(
        'repeat_inspection',
        `another visit to ${i.enterpriseCode} lies within the ${quiet}-day quiet period; record a reason to inspect again`,
        { visitId: placed.near.id, gapDays: gapDays(placed.near, inspection), quietPeriodDays: quiet },
      );
    if (placed.action === 'join' && placed.visit.departments.includes(i.department))
      throw new AppError('conflict', `${i.department} is already part of visit ${placed.visit.id}`, {
        visitId: placed.visit.id,
        department: i.department,
      });
    const at = this.deps.clock.now();
    const counts = (d: string) => this.deps.catalogue.itemsFor(d, enterprise.industry).length;
    const visit =
      placed.action === 'join'
        ? joinVisit(placed.visit, inspection, counts)
        : newVisit(randomUUID(), inspection, placed.flagged, placed.flagged ? (i.reason ?? null) : null);
    await this.repo.saveVisit(db, visit, enterprise.jurisdiction_path, at, placed.action === 'new');
    await this.repo.insertInspection(db, inspection, {
      source: i.source,
      drawId: i.drawId,
      visitId: visit.id,
      path: enterprise.jurisdiction_path,
      at,
    });
    await this.deps.audit.append(trx, {
      actor: principal,
      action: placed.action === 'join' ? 'enforcement.inspection.merged' : 'enforcement.visit.planned',
      subjectType: 'visit',
      subjectId: visit.id,
      jurisdictionPath: enterprise.jurisdiction_path,
      details: {
        inspection: inspection.id,
        department: i.department,
        source: i.source,
        flagged: visit.flagged,
      },
    });
    const saved = await this.repo.visit(db, visit.id);
    return {
      inspectionId: inspection.id,
      action: placed.action,
      visit: toVisit(saved as never, await this.repo.inspectionCount(db, visit.id)),
    };
  }

  async list(
    principal: Principal,
    q: { enterpriseCode?: string; districtCode?: string; limit: number },
  ): Promise<VisitDto[]> {
    return this.repo.listVisits(forTables<EnforcementTables>(this.deps.db), principal, q);
  }

  /**
   * The signed-in inspector's visits of a day (the city's date, UTC+8; today by default), for the
   * field app: planned visits in scope whose window holds the day where the inspector is drawn, or
   * their department takes part and none of its inspectors was drawn (targeted inspections name
   * none). Each with its enterprise and its combined published checklist. No inspector: an empty list.
   */
  async mine(principal: Principal, date?: string): Promise<MyVisitsDto> {
    requireRole(principal, ...ROLE_GROUPS.fieldWork);
    const db = forTables<EnforcementTables>(this.deps.db);
    const day = date ?? new Date(this.deps.clock.now().getTime() + 8 * 3600_000).toISOString().slice(0, 10);
    const me = await this.repo.inspectorByUsername(db, principal.name);
    if (!me) return { date: day, inspector: null, visits: [] };
    const q = me.qualifications as unknown;
    const inspector = {
      id: me.id,
      username: me.username,
      name: me.name,
      department: me.department,
      districtCode: me.district_code,
      qualifications: typeof q === 'string' ? (JSON.parse(q) as string[]) : (q as string[]),
      hasKey: me.public_key !== null,
    };
    const candidates = (await this.repo.plannedVisitsOn(db, principal, day)).filter((v) =>
      v.departments.includes(me.department),
    );
    const depts = await this.repo.departmentsOf(db, [...new Set(candidates.flatMap((v) => v.inspectors))]);
    const visits = candidates.filter(
      (v) => v.inspectors.includes(me.id) || !v.inspectors.some((id) => depts.get(id) === me.department),
    );
    const items = this.deps.catalogue.items;
    const out: MyVisitsDto['visits'] = [];
    for (const visit of visits) {
      const enterprise = await this.repo.enterprise(db, visit.enterpriseCode);
      if (!enterprise) continue;
      out.push({
        visit,
        enterprise: toEnterprise(enterprise),
        checklist: visit.items.flatMap((id) => {
          const item = items.get(id);
          return item
            ? [
                {
                  itemId: item.id,
                  department: item.department,
                  zh: item.zh,
                  en: item.en,
                  legalBasis: item.legalBasis,
                  checks: item.checklist.map((c) => ({ id: c.id, zh: c.zh, en: c.en })),
                },
              ]
            : [];
        }),
      });
    }
    return { date: day, inspector, visits: out };
  }

  /** One visit (404 outside scope). */
  async get(principal: Principal, id: string): Promise<VisitDto> {
    const db = forTables<EnforcementTables>(this.deps.db);
    const row = await this.repo.visit(db, id);
    if (!row) throw new AppError('not_found', `visit '${id}' not found`, { kind: 'visit', key: id });
    assertVisible(principal, row.jurisdiction_path, 'visit', id);
    return toVisit(row, await this.repo.inspectionCount(db, id));
  }
}
