import type { Logger } from '../../../platform/logger.ts';
import type { Notifier } from '../../notify/index.ts';
import type { DatahubDeps } from '../datahub.deps.ts';
import type { QuotaLimit } from '../exchange/index.ts';

/** Issues the key of a consumer application (app.ts: an identity API key without roles, stored hashed there). */
export interface KeyIssuer {
  issue(name: string, departmentCode: string): Promise<{ id: string; secret: string }>;
}

/** What the gateway needs besides the datahub's own services. */
export interface GatewayDeps extends DatahubDeps {
  keys: KeyIssuer;
  /** Notices to requesters and owner departments (the notify module's port), when wired. */
  notifier?: Notifier;
  /** Default quota per consumer application (default 200/s, burst 400). */
  quota?: QuotaLimit;
  /**
   * How long the log appender gathers exchanges before it writes a batch (ms; default 0: the
   * current turn of the event loop). While a batch is written the next one gathers anyway.
   */
  batchWindowMs?: number;
  /** How long an owner department has to answer an application (ms, default 48 h ≈ 2 working days). */
  applicationDueMs?: number;
  /** Where a failed sweep of the applications' time limits is reported (gateway.timers.ts). */
  logger?: Pick<Logger, 'error'>;
}
