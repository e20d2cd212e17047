import type { Principal } from '../../platform/access.ts';
import type { Db } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AuditLog } from './audit.service.ts';

/** Who was refused: a signed-in principal, or an anonymous caller (a citizen with a token). */
export type RefusedActor =
  | (Pick<Principal, 'kind' | 'id'> & { jurisdictionPath?: string })
  | {
      kind: 'anonymous';
      id: string;
    };

/** Audits refusals of one subject type (`<subjectType>.refused`), each in a transaction of its own. */
export interface Refusals {
  /** Records one refusal; a failure to record is logged, never thrown. */
  refused(actor: RefusedActor, action: string, id: string, code: string, message: string): Promise<void>;
  /** Runs `run`; an AppError below 500 it throws is recorded as a refusal of `action`, then rethrown. */
  refusing<T>(principal: Principal, id: string, action: string, run: () => Promise<T>): Promise<T>;
}

/**
 * The refusal audit a service keeps for its subject type: the attempted action, the error's code
 * and message, under the actor's jurisdiction (empty for anonymous callers).
 */
export function refusals(
  deps: { db: Db; audit: Pick<AuditLog, 'record'>; logger: Logger },
  subjectType: string,
): Refusals {
  const refused: Refusals['refused'] = async (actor, action, id, code, message) => {
    await deps.audit
      .record(deps.db, {
        actor: { kind: actor.kind, id: actor.id },
        action: `${subjectType}.refused`,
        subjectType,
        subjectId: id || '-',
        jurisdictionPath: 'jurisdictionPath' in actor ? (actor.jurisdictionPath ?? '') : '',
        details: { attempted: action, code, message },
      })
      .catch((err) => deps.logger.error({ err }, 'refusal not audited'));
  };
  return {
    refused,
    async refusing(principal, id, action, run) {
      try {
        return await run();
      } catch (err) {
        if (err instanceof AppError && err.status < 500)
          await refused(principal, action, id, err.code, err.message);
        throw err;
      }
    },
  };
}
