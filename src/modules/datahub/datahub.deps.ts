import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../../platform/db/database.ts';
import type { AuditLog } from '../audit/index.ts';
import type { Segmenter } from '../classification/index.ts';
import type { DepartmentDto } from '../organisation/index.ts';

/** The departments that may own resources: the organisation module's city-level departments. */
export interface DepartmentDirectory {
  list(): Promise<Pick<DepartmentDto, 'code' | 'type' | 'name'>[]>;
}

/** What the datahub services need. */
export interface DatahubDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  departments: DepartmentDirectory;
  /** jieba segmenter for Chinese keyword search; built on first use when absent (~0.5 s). */
  segmenter?: Segmenter;
}
