import type { ColumnType, Generated } from 'kysely';

type WriteOnce<T> = ColumnType<T, T, never>;
type Json<T> = ColumnType<T, string, string>;

/** The joint-enforcement tables. Dates of windows are YYYY-MM-DD text. */
export interface EnforcementTables {
  /** The enterprise register: credit code, place, credit score and the risk class it gives. */
  en_enterprise: {
    credit_code: string;
    name: string;
    industry: string;
    street_code: string;
    district_code: string;
    jurisdiction_path: string;
    credit_score: number;
    risk_class: string;
    /** Ed25519 public key (base64url) the enterprise countersigns records with; null: one-time codes only. */
    public_key: string | null;
    synthetic: boolean;
    updated_at: Date;
  };
  /** Law-enforcement officers of a district department and the catalogue items they are qualified for. */
  en_inspector: {
    id: string;
    username: string | null;
    name: string;
    department: string;
    district_code: string;
    jurisdiction_path: string;
    qualifications: Json<string[]>;
    public_key: string | null;
  };
  /** A draw: commitment and inputs published first; seed and result after the reveal. */
  en_draw: {
    id: string;
    district_code: string;
    jurisdiction_path: string;
    month: string;
    departments: Json<string[]>;
    commitment: string;
    inputs: Json<unknown>;
    inputs_digest: string;
    seed: string | null;
    result: Json<unknown> | null;
    result_digest: string | null;
    status: string;
    committed_by: string;
    committed_at: WriteOnce<Date>;
    revealed_at: Date | null;
  };
  /** One department's planned inspection of one enterprise, placed into a visit. */
  en_inspection: {
    id: string;
    enterprise_code: string;
    department: string;
    start_date: string;
    end_date: string;
    items: Json<string[]>;
    inspectors: Json<string[]>;
    source: string;
    draw_id: string | null;
    visit_id: string;
    jurisdiction_path: string;
    created_at: WriteOnce<Date>;
  };
  /** A visit: the inspections carried out together (joint when more than one department). */
  en_visit: {
    id: string;
    enterprise_code: string;
    departments: Json<string[]>;
    lead_department: string;
    items: Json<string[]>;
    inspectors: Json<string[]>;
    start_date: string;
    end_date: string;
    status: string;
    flagged: boolean;
    reason: string | null;
    jurisdiction_path: string;
    created_at: WriteOnce<Date>;
    done_at: Date | null;
  };
  /** The countersigned on-site record of a visit. */
  en_record: {
    id: string;
    visit_id: string;
    enterprise_code: string;
    inspector_id: string;
    body: Json<unknown>;
    digest: string;
    inspector_signature: string;
    /** The keys the signatures were made with (keys may be replaced later; the record keeps its own). */
    inspector_key: string;
    enterprise_signature: string | null;
    enterprise_key: string | null;
    enterprise_otc: boolean;
    credit_before: number;
    credit_after: number;
    jurisdiction_path: string;
    countersigned_at: WriteOnce<Date>;
    /** The credit-repair application that lifted this record's penalty, and when (null: not repaired). */
    repaired_by: ColumnType<string | null, string | null | undefined, string | null>;
    repaired_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  };
  /** Issued codes; the serial is the index in the revocation status list. */
  en_code: {
    status_index: Generated<number>;
    kind: string;
    subject: string;
    qr: string;
    issued_at: WriteOnce<Date>;
    expires_at: Date;
    revoked_at: Date | null;
    revoke_reason: string | null;
  };
  /** One-time codes an enterprise countersigns with instead of a key (stored hashed). */
  en_otc: {
    id: string;
    enterprise_code: string;
    code_hash: string;
    expires_at: Date;
    used_at: Date | null;
  };
  /** A complaint about repeated inspections (12345 hotline, portal, Open311) and its assessment at intake. */
  en_complaint: {
    id: string;
    enterprise_code: string;
    jurisdiction_path: string;
    /** The department complained about, when the caller named one. */
    department: string | null;
    received_at: Date;
    /** The city's date (UTC+8) of received_at: the end of the quiet period assessed. */
    received_date: string;
    source: string;
    text: string;
    /** At least two visits within the quiet period ending at the complaint's date. */
    substantiated: boolean;
    visit_ids: Json<string[]>;
    synthetic: boolean;
    recorded_by: string;
    created_at: WriteOnce<Date>;
  };
}
