import { SYSTEM_PRINCIPAL } from '../../platform/access.ts';
import type { ServicesCore } from './services.service.ts';

/** Who hears of an overdue step besides its department: the city's government-service supervision. */
export const ESCALATION_RECIPIENT = 'department:50:government';

/**
 * The durable timers of the steps (reminder at 75 % of the time limit, escalation at the limit),
 * rows of `sv_timer` written with the step in the same transaction. A sweep on the injected clock
 * takes due, unfired rows `FOR UPDATE SKIP LOCKED` — so several processes may sweep, and a timer
 * that came due while the process was down fires at the first sweep after the restart — and
 * marks each fired in the transaction that acts on it: at most once. A timer of a step that was
 * decided meanwhile, or of an older round (reopened after a correction), is marked fired and does
 * nothing.
 */
export class StepTimers {
  private readonly core: ServicesCore;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(core: ServicesCore) {
    this.core = core;
  }

  /** Fires every due timer (in batches); returns how many reminded, escalated and were void. */
  async tick(batch = 100): Promise<{ reminded: number; escalated: number; void: number }> {
    const counts = { reminded: 0, escalated: 0, void: 0 };
    const { core } = this;
    for (;;) {
      const n = await core.deps.db.transaction().execute(async (trx) => {
        const db = core.db(trx);
        const now = core.deps.clock.now();
        const due = await core.repo.dueTimers(db, now, batch);
        for (const t of due) {
          await core.repo.markFired(db, t.id, now);
          const step = await core.repo.step(db, t.application_id, t.item);
          if (step?.status !== 'pending' || step.round !== t.round) {
            counts.void++;
            continue;
          }
          const dueAt = step.due_at ? new Date(step.due_at).toISOString() : '';
          if (t.kind === 'remind') {
            await core.repo.updateStep(db, t.application_id, t.item, { reminded_at: now });
            await core.audit(trx, SYSTEM_PRINCIPAL, 'services.step.reminded', t.application_id, {
              item: t.item,
            });
            await core.notify(trx, [`department:${step.department}`], t.application_id, {
              code: 'services.stepReminded',
              params: { item: t.item, due: dueAt },
              title: `即将超期：${t.item}`,
              body: `办理时限至 ${dueAt}，请尽快审批。`,
            });
            counts.reminded++;
          } else {
            await core.repo.updateStep(db, t.application_id, t.item, { escalated_at: now });
            await core.audit(trx, SYSTEM_PRINCIPAL, 'services.step.escalated', t.application_id, {
              item: t.item,
              department: step.department,
            });
            await core.notify(
              trx,
              [ESCALATION_RECIPIENT, `department:${step.department}`],
              t.application_id,
              {
                code: 'services.stepEscalated',
                params: { item: t.item, department: step.department, due: dueAt },
                title: `已超期：${t.item}（${step.department}）`,
                body: `办理时限 ${dueAt} 已过，已上报政务服务督办。`,
              },
            );
            counts.escalated++;
          }
        }
        return due.length;
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
        .catch((err) => this.core.deps.logger?.error({ err }, 'services timer sweep failed'))
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
