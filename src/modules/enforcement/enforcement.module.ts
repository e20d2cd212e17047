import { CodeService } from './codes.service.ts';
import { ComplaintService } from './complaints.service.ts';
import { CreditRepairService } from './credit.repair.ts';
import { DrawService } from './draws.service.ts';
import type { EnforcementDeps } from './enforcement.deps.ts';
import { EnforcementKpiService } from './enforcement.kpis.ts';
import { RecordService } from './records.service.ts';
import { RegisterService } from './register.service.ts';
import { VisitService } from './visits.service.ts';

/** The joint-enforcement services, built together from one set of dependencies. */
export interface Enforcement {
  register: RegisterService;
  draws: DrawService;
  visits: VisitService;
  codes: CodeService;
  records: RecordService;
  kpis: EnforcementKpiService;
  /** Credit repair after a completed credit-repair application (src/workflows/credit-repair.ts). */
  credit: CreditRepairService;
  complaints: ComplaintService;
}

/** Builds the enforcement services. */
export function createEnforcement(deps: EnforcementDeps): Enforcement {
  const register = new RegisterService(deps);
  const visits = new VisitService(deps);
  const codes = new CodeService(deps, register);
  return {
    register,
    visits,
    codes,
    draws: new DrawService(deps, visits),
    records: new RecordService(deps, codes, register),
    kpis: new EnforcementKpiService(deps),
    credit: new CreditRepairService(deps),
    complaints: new ComplaintService(deps),
  };
}
