import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import type { AuditLog } from '../audit/index.ts';
import type { Segmenter } from '../classification/index.ts';
import type { DepartmentDto } from '../organisation/index.ts';
import type { CacheLimits } from './datahub.cache.ts';
import type { ChangeSource } from './datahub.changes.ts';

/** A department as a consumer application's scope needs it: its level and the jurisdiction it serves. */
export type ScopedDepartment = Pick<DepartmentDto, 'code' | 'level' | 'jurisdictionCode'>;

/** The organisation module's departments as the datahub sees them. */
export interface DepartmentDirectory {
  /** The departments that may own resources: the city-level ones. */
  list(): Promise<Pick<DepartmentDto, 'code' | 'type' | 'name'>[]>;
  /** Any department of any level (a consumer may be a district's or a street's), or undefined when unknown. */
  find(code: string): Promise<ScopedDepartment | undefined>;
}

/** What the datahub services need. */
export interface DatahubDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  departments: DepartmentDirectory;
  /** jieba segmenter for Chinese keyword search; built on first use when absent (~0.5 s). */
  segmenter?: Segmenter;
  /**
   * Where the gateway hears catalogue and list changes made by other processes (the database's
   * LISTEN: `Database.listen`); without it only this process's changes and the TTL refresh its caches.
   */
  changes?: ChangeSource;
  /** The gateway's per-process caches of resources and of the list-version check. */
  cache?: CacheLimits;
}
