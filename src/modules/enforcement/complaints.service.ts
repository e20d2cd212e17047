import { randomUUID } from 'node:crypto';
import { assertVisible, type Principal, ROLE_GROUPS, requireRole } from '../../platform/access.ts';
import { forTables } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { RiskClass } from './catalogue.ts';
import { generateComplaints } from './complaints.generate.ts';
import { ComplaintsRepository, toComplaint } from './complaints.repository.ts';
import type { ComplaintBody, ComplaintDto, ComplaintQuery } from './complaints.schema.ts';
import type { EnforcementDeps } from './enforcement.deps.ts';
import { EnforcementRepository } from './enforcement.repository.ts';
import type { EnforcementTables } from './enforcement.tables.ts';
import { RegisterService } from './register.service.ts';

const DAY = 86_400_000;
/** The city's date (UTC+8) of an instant. */
const cityDate = (at: Date) => new Date(at.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
const minusDays = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) - days * DAY).toISOString().slice(0, 10);

/**
 * The register of complaints about repeated inspections (12345 hotline, portal, Open311), each
 * assessed at intake against the visits table: substantiated when the enterprise had at least two
 * visits within the quiet period ending at the complaint's date.
 */
export class ComplaintService {
  private readonly repo = new ComplaintsRepository();
  private readonly register = new EnforcementRepository();
  private readonly deps: EnforcementDeps;
  constructor(deps: EnforcementDeps) {
    this.deps = deps;
  }

  private get db() {
    return forTables<EnforcementTables>(this.deps.db);
  }

  /** The departments the catalogue knows (its items' and the annual plans'). */
  private departments(): Set<string> {
    const { catalogue } = this.deps;
    return new Set([
      ...catalogue.file.items.map((i) => i.department),
      ...catalogue.plans.departments.map((p) => p.department),
    ]);
  }

  /**
   * Records a caller's complaint (operators; 400 invalid_credit_code for a malformed code, 422 for an
   * enterprise not in the register or a department the catalogue does not know, 404 for an
   * enterprise outside the caller's jurisdiction) with its assessment; audited.
   */
  async record(principal: Principal, body: ComplaintBody): Promise<ComplaintDto> {
    requireRole(principal, ...ROLE_GROUPS.operators);
    RegisterService.assertCode(body.enterpriseCode);
    if (body.department !== undefined && !this.departments().has(body.department))
      throw new AppError('invalid_data', `'${body.department}' is not a department of the catalogue`, {
        field: 'department',
        department: body.department,
      });
    const now = this.deps.clock.now();
    const receivedAt = body.receivedAt ? new Date(body.receivedAt) : now;
    if (receivedAt.getTime() > now.getTime())
      throw new AppError('invalid_data', 'receivedAt lies in the future', {
        field: 'receivedAt',
        receivedAt: body.receivedAt,
      });
    const quiet = this.deps.catalogue.plans.quietPeriodDays;
    const date = cityDate(receivedAt);
    return this.deps.db.transaction().execute(async (trx) => {
      const db = forTables<EnforcementTables>(trx);
      const enterprise = await this.register.enterprise(db, body.enterpriseCode);
      if (!enterprise)
        throw new AppError('invalid_data', `enterprise '${body.enterpriseCode}' is not in the register`, {
          field: 'enterpriseCode',
          enterpriseCode: body.enterpriseCode,
        });
      assertVisible(principal, enterprise.jurisdiction_path, 'enterprise', body.enterpriseCode);
      const visitIds = await this.repo.visitsWithin(db, body.enterpriseCode, minusDays(date, quiet), date);
      const id = randomUUID();
      await this.repo.insert(
        db,
        [
          {
            id,
            enterpriseCode: body.enterpriseCode,
            jurisdictionPath: enterprise.jurisdiction_path,
            department: body.department ?? null,
            receivedAt,
            receivedDate: date,
            source: body.source,
            text: body.text,
            substantiated: visitIds.length >= 2,
            visitIds,
            synthetic: false,
            recordedBy: principal.name,
          },
        ],
        now,
      );
      await this.deps.audit.append(trx, {
        actor: principal,
        action: 'enforcement.complaint.recorded',
        subjectType: 'complaint',
        subjectId: id,
        jurisdictionPath: enterprise.jurisdiction_path,
        details: {
          enterpriseCode: body.enterpriseCode,
          department: body.department ?? null,
          source: body.source,
          substantiated: visitIds.length >= 2,
          visits: visitIds.length,
        },
      });
      return toComplaint((await this.repo.get(db, id)) as never, quiet);
    });
  }

  /** Complaints in the caller's jurisdiction received between the dates, newest first. */
  async list(principal: Principal, q: ComplaintQuery): Promise<ComplaintDto[]> {
    const quiet = this.deps.catalogue.plans.quietPeriodDays;
    return (await this.repo.list(this.db, principal, q)).map((r) => toComplaint(r, quiet));
  }

  async count(): Promise<number> {
    return this.repo.count(this.db);
  }

  /**
   * Seeds the SYNTHETIC complaints of the demo (admin; complaints.generate.ts): the previous year's
   * from the unmerged plan, this year's from the merged visits, up to today. Audited.
   */
  async seedSynthetic(principal: Principal, options: { share?: number } = {}): Promise<number> {
    requireRole(principal, 'admin');
    const now = this.deps.clock.now();
    const today = cityDate(now);
    const rows = await this.repo.population(this.db);
    const complaints = generateComplaints({
      catalogue: this.deps.catalogue,
      enterprises: rows.map((r) => ({
        code: r.credit_code,
        industry: r.industry,
        riskClass: r.risk_class as RiskClass,
        district: r.district_code,
        path: r.jurisdiction_path,
      })),
      year: Number(today.slice(0, 4)),
      until: today,
      ...(options.share === undefined ? {} : { share: options.share }),
    });
    await this.deps.db.transaction().execute(async (trx) => {
      await this.repo.insert(forTables<EnforcementTables>(trx), complaints, now);
      await this.deps.audit.append(trx, {
        actor: principal,
        action: 'enforcement.complaints.seeded',
        subjectType: 'enforcement_complaints',
        subjectId: 'synthetic',
        details: { complaints: complaints.length, synthetic: true },
      });
    });
    return complaints.length;
  }
}
