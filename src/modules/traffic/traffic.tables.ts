import type { ColumnType, Generated } from 'kysely';

/** The traffic module's tables. */
export interface TrafficTables {
  /** A road link: a directed-agnostic LineString with its class, length and free-flow speed. */
  tr_link: {
    id: string;
    name: string;
    road_class: string;
    /** The LineString's positions, [[lon, lat], …]. */
    coordinates: ColumnType<[number, number][], string, string>;
    length_m: number;
    free_flow_kmh: number;
    approximate: boolean;
    mid_lon: number;
    mid_lat: number;
    /** Where the link's midpoint lies (`50/500103/500103001`). */
    jurisdiction_path: string;
    /** The district (6-digit code) the link counts towards. */
    district_code: string;
    imported_at: ColumnType<Date, Date, Date>;
  };
  /** Which link a detector (a TrafficFlowObserved device) measures. */
  tr_detector: {
    device_id: string;
    link_id: string;
    distance_m: number;
  };
  /** Running sums of the detector readings per link and 5-minute slot. */
  tr_link_slot: {
    link_id: string;
    slot_start: ColumnType<Date, Date, never>;
    speed_sum: number;
    speed_n: number;
    flow_sum: number;
    flow_n: number;
  };
  /** A congestion alert of a link: raised after N minutes at or above a level, cleared on recovery. */
  tr_alert: {
    id: string;
    link_id: string;
    level: string;
    /** First slot of the congested run. */
    started_at: ColumnType<Date, Date, never>;
    /** End of the slot that made the run N minutes long. */
    raised_at: ColumnType<Date, Date, never>;
    peak_tti: number;
    /** End of the last congested slot, once the link has recovered. */
    cleared_at: Date | null;
    jurisdiction_path: string;
    created_at: Generated<Date>;
  };
}
