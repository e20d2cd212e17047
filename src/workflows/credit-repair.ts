// Credit repair (issue 15 → issue 14): when an enterprise's credit-repair application is completed at
// the integrated-services desks, enforcement lifts the penalties of its countersigned records, in the
// transaction that completes the application (so both commit, or neither). Services does not know
// enforcement; it is given this listener at construction.
import { CREDIT_REPAIR_BUNDLE, type CreditRepairService } from '../modules/enforcement/index.ts';
import type { CompletionListener } from '../modules/services/index.ts';
import type { Logger } from '../platform/logger.ts';

/** The listener services is built with: a completed `credit-repair` application repairs `form.enterpriseUscc`. */
export function creditRepairOnCompletion(deps: {
  credit: Pick<CreditRepairService, 'repairCredit'>;
  logger?: Logger;
}): CompletionListener {
  return {
    async applicationCompleted(trx, app, actor) {
      if (app.bundleId !== CREDIT_REPAIR_BUNDLE) return;
      const form = (typeof app.form === 'string' ? JSON.parse(app.form) : app.form) as Record<
        string,
        unknown
      >;
      const creditCode = String(form.enterpriseUscc ?? '')
        .trim()
        .toUpperCase();
      // Unknown or invalid codes are answered (and audited) by the repair, never thrown: the completion stands.
      const result = await deps.credit.repairCredit(trx, actor, {
        creditCode,
        applicationId: app.id,
        at: app.completedAt,
      });
      deps.logger?.info(
        { application: app.id, creditCode, reason: result.reason, scoreAfter: result.scoreAfter },
        'credit repair after a completed application',
      );
    },
  };
}
