import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { CertificateClaims, MaterialDto } from './services.schema.ts';

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
    /** The applicant's webhook: notices are also POSTed there (notify's webhook channel). */
    notify_url: string | null;
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
  /** An electronic certificate (电子证照) of an approved item: the signed claims (compact JWS, EdDSA). */
  sv_certificate: {
    /** Taken from the table's sequence before the insert, so the number is signed with the rest. */
    id: number;
    /** `SV` + issue date + id, e.g. SV-20261202-000017. */
    number: string;
    application_id: string;
    item: string;
    holder_id: string;
    claims: JSONColumnType<CertificateClaims, string, never>;
    jws: string;
    kid: string;
    issued_at: ColumnType<Date, Date, never>;
  };
  /** A bundle the platform proposes to a citizen after an event (a registered birth), pre-filled. */
  sv_proposal: {
    id: string;
    bundle_id: string;
    trigger: string;
    /** The event's own number (the birth record): one proposal per event. */
    trigger_ref: string;
    parent_id: string;
    form: JSONColumnType<Record<string, unknown>, string, string>;
    /** The event as registered. */
    record: JSONColumnType<Record<string, unknown>, string, string>;
    status: string;
    application_id: string | null;
    registered_by: string;
    created_at: ColumnType<Date, Date, never>;
    decided_at: Date | null;
    decline_reason: string | null;
  };
}
