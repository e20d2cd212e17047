import type { Principal } from '../../platform/access.ts';
import { WorkingDayCalendar } from '../../platform/calendar/calendar.ts';
import type { ManualClock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import { createLogger } from '../../platform/logger.ts';
import { AuditLog } from '../audit/index.ts';
import { NotifyService } from '../notify/index.ts';
import type { LoadedBundle } from './services.bundle.ts';
import {
  liaison,
  memoryAccounts,
  memoryEvidence,
  NEWBORN_RECORDS,
  PNG_DATA_URL,
  TEST_SIGNING_SEED,
} from './services.fixtures.ts';
import { createServices, type IntegratedServices } from './services.module.ts';
import type { ApplicationDto } from './services.schema.ts';

/** The module over a test database, with the newborn family's records and in-memory accounts. */
export function testServices(db: Db, clock: ManualClock, files: LoadedBundle[]): Promise<IntegratedServices> {
  return createServices(
    {
      db,
      audit: new AuditLog(clock),
      clock,
      notifier: new NotifyService({ db, clock, logger: createLogger('error') }),
      evidence: memoryEvidence(NEWBORN_RECORDS),
      calendar: WorkingDayCalendar.load(),
      signingSeed: TEST_SIGNING_SEED,
      accounts: memoryAccounts([]),
    },
    files,
  );
}

/** The demo enterprise's start-up form. */
export const STARTUP_FORM = {
  enterpriseName: '重庆山城智造有限公司',
  legalRepIdNumber: '500103199203150028',
  shareholderIdNumber: '500103199011080015',
  companyType: 'limited_company',
  employees: 3,
};

/**
 * Files an application without consent (every material given by the applicant: files as a PNG,
 * text as words) and, unless `approve` is false, has each desk approve its steps wave by wave.
 */
export async function fileApplication(
  services: IntegratedServices,
  clock: ManualClock,
  applicant: Principal,
  bundleId: string,
  form: Record<string, string | number | boolean>,
  approve = true,
): Promise<ApplicationDto> {
  const draft = await services.core.apply(applicant, { bundleId, form, consent: false });
  const provided = Object.fromEntries(
    draft.materials
      .filter((m) => m.status === 'needed')
      .map((m) => [m.code, m.format === 'text' ? `${m.titleZh}：见附件` : PNG_DATA_URL]),
  );
  let app = await services.core.submit(applicant, draft.id, { confirm: [], provided });
  for (let wave = 0; approve && app.status === 'in_progress' && wave < 10; wave++) {
    clock.advance(10 * 60_000);
    for (const s of app.steps.filter((x) => x.status === 'pending'))
      app = await services.desk.decide(liaison(s.department), app.id, s.item, { decision: 'approve' });
  }
  return app;
}
