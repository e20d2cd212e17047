import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { MaterialDto } from './services.schema.ts';

/** Tables of the integrated-services module. */
export interface ServicesTables {
  /** Every version of every bundle definition ever loaded (never changed; running applications read theirs). */
  sv_bundle_version: {
    bundle_id: string;
    version: number;
    hash: string;
    definition: JSONColumnType<Record<string, unknown>, string, never>;
    loaded_at: ColumnType<Date, Date, never>;
  };
  /** One application of a bundle by one applicant. */
  sv_application: {
    id: string;
    bundle_id: string;
    version: number;
    applicant_id: string;
    applicant_name: string;
    jurisdiction_path: string;
    status: string;
    form: JSONColumnType<Record<string, unknown>, string, string>;
    consent_at: Date | null;
    consent_text: string | null;
    materials: JSONColumnType<MaterialDto[], string, string>;
    reason: string | null;
    created_at: ColumnType<Date, Date, never>;
    submitted_at: Date | null;
    completed_at: Date | null;
    updated_at: Date;
  };
  /** One item's approval step: a task in the owning department's inbox. */
  sv_step: {
    application_id: string;
    item: string;
    department: string;
    status: string;
    /** Bumped each time the step is (re)opened; timers of an older round do nothing. */
    round: number;
    started_at: Date | null;
    due_at: Date | null;
    reminded_at: Date | null;
    escalated_at: Date | null;
    decided_by: string | null;
    decided_at: Date | null;
    decision_reason: string | null;
  };
  /** Durable timers (reminder, escalation) fired by the sweep; `fired_at` set once. */
  sv_timer: {
    id: Generated<number>;
    application_id: string;
    item: string;
    round: number;
    kind: string;
    fire_at: Date;
    fired_at: Date | null;
  };
}
