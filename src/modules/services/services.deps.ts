import type { Principal } from '../../platform/access.ts';
import type { WorkingDayCalendar } from '../../platform/calendar/calendar.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AlgorithmRegistry } from '../algorithms/index.ts';
import type { AuditLog } from '../audit/index.ts';
import type { NotificationDto, Notifier } from '../notify/index.ts';

/** One read of an applicant's record from a department, through the data-sharing gateway. */
export interface EvidenceRequest {
  resourceId: string;
  filters: { field: string; value: string | number }[];
  fields: string[];
  /** The application the read is for (logged with the exchange). */
  applicationRef: string;
}

/** The gateway's answer: the record (as it was served: masked), none held, or why it was not served. */
export type EvidenceAnswer =
  | { found: true; exchangeId: string; row: Record<string, unknown> }
  | { found: false; exchangeId?: string; reason: string };

/** Reads applicants' records held by departments (src/wiring/services.ts: over the exchange gateway). */
export interface EvidenceSource {
  read(request: EvidenceRequest): Promise<EvidenceAnswer>;
}

/** Finds a citizen's account by username (identity), for a registered event's proposal. */
export interface ApplicantDirectory {
  byUsername(username: string): Promise<{ id: string; name: string } | undefined>;
}

/** A completed application, as told to the completion listener. */
export interface CompletedApplication {
  id: string;
  bundleId: string;
  bundleVersion: number;
  form: Record<string, unknown>;
  applicantId: string;
  completedAt: Date;
}

/**
 * Told inside the transaction in which an application becomes `completed`, after its audit entry
 * (src/workflows/credit-repair.ts hands a credit repair to enforcement). What it writes commits with
 * the completion; it throws only to roll the completion back.
 */
export interface CompletionListener {
  applicationCompleted(trx: Db, app: CompletedApplication, actor: Principal): Promise<void>;
}

/** The algorithm gate the material pre-check runs through, and where the desks' overrides of it go. */
export type PrecheckGate = Pick<AlgorithmRegistry, 'runOrFallback' | 'recordOverride'>;

/** What the services module is built from. */
export interface ServicesDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  notifier: Notifier & { inbox(recipients: string[], limit?: number): Promise<NotificationDto[]> };
  evidence: EvidenceSource;
  calendar: WorkingDayCalendar;
  /** Secret seed the certificates' Ed25519 key is derived from (kept in the data directory). */
  signingSeed: Uint8Array;
  accounts: ApplicantDirectory;
  logger?: Logger;
  /** Told when an application is completed (see CompletionListener). */
  completed?: CompletionListener;
  /** A department's name in Chinese by its code (organisation), drawn on certificate PDFs. */
  departmentName?: (code: string) => Promise<string | undefined>;
  /** The filing gate: without it materials are not pre-checked (services.precheck-gate.ts). */
  algorithms?: PrecheckGate;
}
