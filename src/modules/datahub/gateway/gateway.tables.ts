import type { ColumnType } from 'kysely';

/** Tables of the exchange gateway: consumer applications and conditional-access applications. */
export interface GatewayTables {
  /** A department's application allowed to call the gateway; its key is an identity API key (stored hashed there). */
  dh_consumer: {
    id: string;
    name: string;
    department_code: string;
    jurisdiction_code: string;
    jurisdiction_level: 'city' | 'district' | 'street';
    created_by: string;
    created_at: ColumnType<Date, Date, never>;
  };
  /** A request the negative list lets through only with the owner department's approval. */
  dh_application: {
    id: string;
    consumer_id: string;
    consumer_dept: string;
    owner_dept: string;
    resource_id: string;
    purpose: string;
    entries: ColumnType<string[], string[], never>;
    status: string;
    requested_at: ColumnType<Date, Date, never>;
    due_at: ColumnType<Date, Date, never>;
    decided_by: string | null;
    decided_at: Date | null;
    valid_until: Date | null;
    /** When the owner department was reminded (at 75 % of the time limit). */
    reminded_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
    /** When the missed time limit escalated it to the data authority. */
    escalated_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  };
}
