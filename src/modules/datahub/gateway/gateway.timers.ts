import { SYSTEM_PRINCIPAL } from '../../../platform/access.ts';
import { forTables } from '../../../platform/db/database.ts';
import { type ApplicationService, DATA_AUTHORITY } from './gateway.applications.ts';
import type { GatewayDeps } from './gateway.deps.ts';
import { GatewayRepository } from './gateway.repository.ts';
import type { GatewayTables } from './gateway.tables.ts';

/**
 * The time limit of conditional-access applications, swept from the table (no timer lives in
 * memory, so a restart loses nothing): at 75 % of the limit the owner department is reminded once;
 * past the due time an undecided application becomes `escalated` — the data authority and the
 * owner department are told, audited `datahub.application.escalated` — and stays decidable.
 * Rows are taken `FOR UPDATE SKIP LOCKED`, so several gateway processes may sweep. Time is the
 * injected clock's. Modelled on dispatch's EscalationScheduler (see the README for why the
 * applications are not dispatch tasks).
 */
export class ApplicationTimers {
  private readonly deps: GatewayDeps;
  private readonly applications: ApplicationService;
  private readonly repo = new GatewayRepository();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(deps: GatewayDeps, applications: ApplicationService) {
    this.deps = deps;
    this.applications = applications;
  }

  /** Sends due reminders and escalates overdue applications (in batches); returns how many of each. */
  async tick(batch = 50): Promise<{ reminded: number; escalated: number }> {
    const counts = { reminded: 0, escalated: 0 };
    for (;;) {
      const n = await this.deps.db.transaction().execute(async (trx) => {
        const db = forTables<GatewayTables>(trx);
        const now = this.deps.clock.now();
        const at = now.toISOString();
        const remind = await this.repo.dueForReminder(db, now, batch);
        for (const a of remind) {
          await this.repo.markReminded(db, a.id, now);
          const reminded = { ...a, remindedAt: at };
          await this.applications.audit(trx, SYSTEM_PRINCIPAL, 'datahub.application.reminded', reminded);
          await this.applications.notice(
            trx,
            [`department:${a.ownerDepartment}`],
            reminded,
            '数据共享申请即将超期，请尽快审批',
          );
        }
        const overdue = await this.repo.dueForEscalation(db, now, batch);
        for (const a of overdue) {
          await this.repo.markEscalated(db, a.id, now);
          const escalated = { ...a, status: 'escalated' as const, escalatedAt: at };
          await this.applications.audit(trx, SYSTEM_PRINCIPAL, 'datahub.application.escalated', escalated);
          await this.applications.notice(
            trx,
            [DATA_AUTHORITY, `department:${a.ownerDepartment}`],
            escalated,
            '数据共享申请超期未审批，已上报数据主管部门',
          );
        }
        counts.reminded += remind.length;
        counts.escalated += overdue.length;
        return Math.max(remind.length, overdue.length);
      });
      if (n < batch) return counts;
    }
  }

  /** Runs `tick` every `intervalMs` until `stop`. */
  start(intervalMs = 15_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .catch((err) => this.deps.logger?.error({ err }, 'application sweep failed'))
        .finally(() => {
          this.running = undefined;
        });
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the loop and waits for a running sweep. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
