import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import type { Logger } from '../../platform/logger.ts';
import type { AuditLog } from '../audit/index.ts';
import type { Classifier } from '../classification/index.ts';
import type { DispatchService, Gatekeeper, RuleForDispatch, TaskRouting } from '../dispatch/index.ts';
import type { Located } from '../jurisdictions/index.ts';
import type { Notifier } from '../notify/index.ts';
import type { PhotoLimits } from './events.photos.ts';

/** Tunables of the event centre, each with a default. */
export interface EventOptions {
  /** Reports closer than this (metres) may be duplicates. Default 200. */
  dedupeRadiusM: number;
  /** …and raised within this many minutes. Default 120. */
  dedupeWindowMinutes: number;
  /** …and at least this similar in text (classifier similarity 0–1). Default 0.35. */
  dedupeMinSimilarity: number;
  /** A citizen may reopen a closed request within this many hours. Default 72. */
  reopenWithinHours: number;
  /** Prefix of tracking numbers (events.tracking.ts). Default `CQ`. */
  trackingPrefix: string;
}

/** Defaults of the event centre's options. */
export const DEFAULT_EVENT_OPTIONS: EventOptions = {
  dedupeRadiusM: 200,
  dedupeWindowMinutes: 120,
  dedupeMinSimilarity: 0.35,
  reopenWithinHours: 72,
  trackingPrefix: 'CQ',
};

/** A responsibility-list rule with its display names (organisation's RuleVersion fits). */
export type Rule = RuleForDispatch & { zh: string; en: string };

/** What the event service is built from. */
export interface EventDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
  /** Dispatch's reads and bulk changes (tasks of an event, redo, cancel the open ones, proof photos). */
  dispatch: Pick<DispatchService, 'tasksOf' | 'redo' | 'cancelOpen' | 'completionEvidence' | 'worksOnEvent'>;
  /** Plans and writes an event's tasks (the event-centre workflow's steps over dispatch). */
  routing: TaskRouting;
  algorithms: Gatekeeper;
  classifier: Pick<Classifier, 'classify' | 'learn' | 'similarity'>;
  /** The jurisdictions module's locate. */
  locate(lon: number, lat: number): Promise<Located | undefined>;
  /** The responsibility list (organisation): throws not_found for an unknown category. */
  rule(category: string): Promise<Rule>;
  /** Department display name, e.g. 渝中区解放碑街道综合行政执法大队 (best effort). */
  departmentName(code: string): Promise<string | null>;
  options?: Partial<EventOptions>;
  /** Where citizens' complaint photos are stored (a folder under the app's data dir). */
  photoDir: string;
  /** Upload size and rate allowances (defaults: 10 MiB; 20 per 10 min per address, 300 per key or user). */
  photoLimits?: Partial<PhotoLimits>;
}
