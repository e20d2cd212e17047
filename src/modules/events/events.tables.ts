import type { ColumnType } from 'kysely';

type Created = ColumnType<Date, Date, never>;
type Json<T> = ColumnType<T, string, string>;

/** Tables owned by the events module. */
export interface EventTables {
  ev_event: {
    id: string;
    /** `CQ-20261207-000123` (events.tracking.ts); unique. */
    tracking_no: string;
    source: string;
    external_ref: string | null;
    service_code: string | null;
    category: string | null;
    confidence: number | null;
    classified_by: string | null;
    classify_decision_id: string | null;
    status: string;
    priority: string;
    description: string;
    address: string | null;
    lon: number;
    lat: number;
    jurisdiction_code: string;
    jurisdiction_path: string;
    chain: Json<{ code: string; name: string; level: string }[]>;
    handling_level: string | null;
    agency: string | null;
    media: Json<string[]>;
    merged_into: string | null;
    dedupe_decision_id: string | null;
    triage_reason: string | null;
    status_note: string | null;
    /** See events.notes.ts; null on rows written before codes. */
    status_note_code: string | null;
    status_note_params: Record<string, string | number | null> | null;
    created_by: string;
    created_at: Created;
    updated_at: Date;
    expected_at: Date | null;
    resolved_at: Date | null;
    closed_at: Date | null;
    verified_by: string | null;
    reopened: ColumnType<number, number | undefined, number>;
    multi_department: ColumnType<boolean, boolean | undefined, boolean>;
  };
  /** The last tracking number given on each local day (`YYYYMMDD`). */
  ev_tracking_day: { day: string; last: number };
  ev_reporter: {
    id: string;
    event_id: string;
    filed_event_id: string;
    kind: string;
    name: string | null;
    email: string | null;
    phone: string | null;
    account_id: string | null;
    device_id: string | null;
    notify_url: string | null;
    token: string;
    rating: number | null;
    rating_comment: string | null;
    rated_at: Date | null;
    created_at: Created;
  };
}
