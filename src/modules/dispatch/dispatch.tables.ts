import type { ColumnType, Generated } from 'kysely';

type Created = ColumnType<Date, Date, never>;

/** Tables owned by the dispatch module. */
export interface DispatchTables {
  dp_task: {
    id: string;
    event_id: string;
    category: string;
    role: string;
    department_type: string;
    department_code: string;
    skill: string;
    handling_level: string;
    level: string;
    centre_code: string;
    centre_path: string;
    jurisdiction_path: string;
    lon: number;
    lat: number;
    status: string;
    team_id: string | null;
    team_code: string | null;
    team_name: string | null;
    team_department_code: string | null;
    team_path: string | null;
    assign_decision_id: string | null;
    assign_reason: string | null;
    /** See dispatch.reasons.ts; null on rows written before codes. */
    assign_reason_code: string | null;
    assign_reason_params: Record<string, string | number | null> | null;
    accept_due_at: Date;
    arrive_due_at: Date;
    resolve_due_at: Date;
    assigned_at: Date | null;
    accepted_at: Date | null;
    arrived_at: Date | null;
    completed_at: Date | null;
    escalations: ColumnType<number, number | undefined, number>;
    note: string | null;
    position_lon: number | null;
    position_lat: number | null;
    position_at: Date | null;
    created_at: Created;
    updated_at: Date;
  };
  dp_timer: {
    id: Generated<number>;
    task_id: string;
    kind: string;
    due_at: Date;
    fired_at: Date | null;
  };
  dp_evidence: {
    id: string;
    task_id: string;
    sha256: string;
    mime: string;
    bytes: number;
    stored_path: string;
    uploaded_by: string;
    at: Created;
  };
}
