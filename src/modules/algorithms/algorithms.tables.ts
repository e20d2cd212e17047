import type { ColumnType, Generated } from 'kysely';

type Json<T = unknown> = ColumnType<T, string, string>;
type Stamp = ColumnType<Date, Date, Date>;

/** Tables owned by the algorithms module. */
export interface AlgorithmTables {
  algorithm: {
    key: string;
    owner_department_code: string;
    created_at: ColumnType<Date, Date, never>;
  };
  algorithm_version: {
    key: string;
    version: string;
    status: string;
    decision_type: string;
    risk_category: string;
    owner_department_code: string;
    register: Json<Record<string, unknown>>;
    created_by: string;
    created_at: ColumnType<Date, Date, never>;
    updated_at: Stamp;
    filed_by: string | null;
    filed_at: Date | null;
    approved_by: string | null;
    approved_at: Date | null;
    in_use_since: Date | null;
    retired_at: Date | null;
  };
  algorithm_transition: {
    id: Generated<number>;
    key: string;
    version: string;
    from_status: string | null;
    to_status: string;
    reason: string;
    actor: string;
    at: Stamp;
  };
  algorithm_state: {
    id: number;
    counter: number;
  };
  algorithm_decision: {
    id: string;
    at: Stamp;
    algorithm_key: string;
    version: string;
    outcome: string;
    reason: string | null;
    input_digest: string;
    inputs: Json;
    output: Json | null;
    explanation: Json | null;
    latency_us: number;
    principal: string;
    jurisdiction_path: string;
  };
  algorithm_decision_subject: {
    decision_id: string;
    subject_type: string;
    subject_id: string;
    at: Stamp;
  };
  algorithm_override: {
    id: Generated<number>;
    decision_id: string;
    decision_at: Stamp;
    algorithm_key: string;
    version: string;
    at: Stamp;
    by: string;
    reason: string;
    new_output: Json;
  };
  algorithm_review_alert: {
    id: Generated<number>;
    algorithm_key: string;
    version: string;
    status: string;
    raised_at: Stamp;
    decisions: number;
    overrides: number;
    override_rate: number;
    window_days: number;
    closed_at: Date | null;
  };
}
