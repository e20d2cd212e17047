import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** Tables owned by the sensing module. */
export interface SensingTables {
  sensing_devices: {
    id: string;
    type: string;
    model: string;
    name: string;
    lon: number;
    lat: number;
    jurisdiction_path: string;
    jurisdiction_code: string;
    department_code: string | null;
    metrics: ColumnType<string[], string, string>;
    section_name: string | null;
    target_class: string | null;
    water_body: string | null;
    secret_hash: string;
    status: string;
    last_seen_at: Timestamp | null;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  /** Range-partitioned by day on observed_at; partitions are created ahead on demand. */
  sensing_observations: {
    device_id: string;
    metric: string;
    observed_at: Timestamp;
    value: number;
    jurisdiction_path: string;
    batch: number;
  };
  sensing_rollups_hour: Rollup;
  sensing_rollups_day: Rollup;
  sensing_batches: { id: number };
  sensing_rollup_dirty_days: { day: Timestamp };
  sensing_dead_letters: {
    id: Generated<number>;
    received_at: Timestamp;
    device_id: string | null;
    reason: string;
    detail: string;
    payload: string;
    jurisdiction_path: string;
  };
  sensing_rule_state: {
    rule_id: string;
    subject: string;
    version: number;
    active: boolean;
    state: string;
    updated_at: Timestamp;
  };
  sensing_alerts: {
    id: string;
    rule_id: string;
    rule_version: number;
    subject: string;
    status: string;
    category: string;
    sub_category: string | null;
    severity: string;
    alert_source: string;
    lon: number;
    lat: number;
    description: string;
    date_issued: Timestamp;
    valid_from: Timestamp;
    valid_to: Timestamp | null;
    jurisdiction_path: string;
    details: ColumnType<Record<string, unknown>, string, string>;
    acknowledged_at: Timestamp | null;
    acknowledged_by: string | null;
    cleared_at: Timestamp | null;
    cleared_by: string | null;
    clear_reason: string | null;
  };
}

/** One rollup bucket: running count, sum, min, max and the latest reading in it. */
export interface Rollup {
  device_id: string;
  metric: string;
  bucket: Timestamp;
  jurisdiction_path: string;
  n: number;
  sum: number;
  min: number;
  max: number;
  last_at: Timestamp;
  last_value: number;
}
