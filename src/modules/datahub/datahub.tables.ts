import type { ColumnType, Generated } from 'kysely';

/** One field of a resource as stored (jsonb array element). */
export interface StoredField {
  name: string;
  titleZh: string;
  class: string;
}

/** Tables owned by the datahub module. */
export interface DatahubTables {
  /** The data resource catalogue (数据资源目录): one row per dataset or interface. */
  dh_resource: {
    id: string;
    kind: string;
    title_zh: string;
    description_zh: string;
    owner_department: string;
    theme: string;
    source_system: string;
    update_frequency: string;
    legal_basis: string;
    sharing: string;
    fields: ColumnType<StoredField[], string, string>;
    /** jieba tokens of title, description and field titles, for keyword search. */
    search_tokens: ColumnType<string[], string[], string[]>;
    synthetic: boolean;
    registered_at: ColumnType<Date, Date, never>;
  };
  /** Every version of the negative list, each a full snapshot of its entries. */
  dh_list_version: {
    version: number;
    entries: ColumnType<unknown[], string, never>;
    proposal_id: string | null;
    created_at: ColumnType<Date, Date, never>;
  };
  /** A proposed change to the negative list, waiting for a second data-authority user. */
  dh_list_proposal: {
    id: string;
    base_version: number;
    changes: ColumnType<Record<string, unknown>, string, never>;
    note: string;
    status: string;
    proposed_by: string;
    proposed_at: ColumnType<Date, Date, never>;
    decided_by: string | null;
    decided_at: Date | null;
    result_version: number | null;
    seq: Generated<number>;
  };
}
