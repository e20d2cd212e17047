import type { Principal } from '../../platform/access.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AlgorithmRegistry } from '../algorithms/index.ts';
import type { AuditLog } from '../audit/index.ts';
import type { Notifier } from '../notify/index.ts';
import type { FieldEvent, TaskDto } from './dispatch.schema.ts';
import type { TeamDirectory } from './dispatch.teams.ts';

/** The algorithm registry's gate and override record, as dispatch uses them. */
export type Gatekeeper = Pick<AlgorithmRegistry, 'runOrFallback' | 'recordOverride'>;

/**
 * Told of every task change inside its transaction (the event centre keeps the event's status in step).
 * `lockEvent` takes the task's event row before the task's own: every transaction locks an event
 * before its tasks and both before the audit chain's head, so concurrent writers never deadlock.
 */
export interface TaskListener {
  lockEvent(trx: Db, eventId: string): Promise<void>;
  taskChanged(
    trx: Db,
    task: TaskDto,
    change: { action: string; actor: Principal; reason?: string },
  ): Promise<void>;
}

/** What the dispatch service is built from. */
export interface DispatchDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
  teams: TeamDirectory;
  algorithms: Gatekeeper;
  /** Whether a department `<node>:<type>` exists (organisation module). */
  departmentExists(code: string): Promise<boolean>;
  /** Where photo evidence is stored (a folder under the app's data dir). */
  storageDir: string;
  /** Largest accepted photo in bytes (default 10 MiB). */
  maxEvidenceBytes?: number;
  /** Told of every task change (the event centre); given at construction, never set later. */
  listener?: TaskListener;
  /** What the field card shows of events (the event centre): description, place names, photos; by event id. */
  fieldContext?(eventIds: string[]): Promise<Map<string, FieldEvent>>;
}

/** The event as dispatch needs it to create tasks. */
export interface EventForDispatch {
  id: string;
  category: string;
  lon: number;
  lat: number;
  chain: { code: string; name: string; level: string }[];
  jurisdictionPath: string;
  raisedAt: Date;
}

/** The responsibility-list rule for the event's category (organisation's RuleVersion fits). */
export interface RuleForDispatch {
  category: string;
  departmentType: string;
  coDepartmentTypes: string[];
  level: string;
  skill: string;
  limits: { acceptMinutes: number; arriveMinutes: number; resolveMinutes: number };
}
