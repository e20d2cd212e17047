import { type Kysely, type Selectable, sql } from 'kysely';
import type { ListEntry, ProposalDto } from './datahub.schema.ts';
import type { DatahubTables } from './datahub.tables.ts';

type ProposalRow = Selectable<DatahubTables['dh_list_proposal']>;

/** Advisory lock key of the negative list (any constant no other module uses). */
const LIST_LOCK = 1_300_001;

/** All SQL of the negative list: its versions and change proposals. */
export class NegativeListRepository {
  /** Serialises changes to the list for the rest of the transaction (two approvals cannot both make version n+1). */
  async lockList(db: Kysely<DatahubTables>): Promise<void> {
    await sql`select pg_advisory_xact_lock(${LIST_LOCK})`.execute(db);
  }

  /** The newest version, if any. */
  async latest(
    db: Kysely<DatahubTables>,
  ): Promise<{ version: number; entries: ListEntry[]; createdAt: Date } | undefined> {
    const row = await db
      .selectFrom('dh_list_version')
      .selectAll()
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row && { version: row.version, entries: row.entries as ListEntry[], createdAt: row.created_at };
  }

  /** The newest version number (0 when none), cheap enough to ask on every decision request. */
  async latestVersion(db: Kysely<DatahubTables>): Promise<number> {
    const row = await db
      .selectFrom('dh_list_version')
      .select((eb) => eb.fn.max('version').as('v'))
      .executeTakeFirst();
    return Number(row?.v ?? 0);
  }

  /** Stores a new version; the primary key refuses a second writer of the same number. */
  async insertVersion(
    db: Kysely<DatahubTables>,
    v: { version: number; entries: ListEntry[]; proposalId: string | null; at: Date },
  ): Promise<void> {
    await db
      .insertInto('dh_list_version')
      .values({
        version: v.version,
        entries: JSON.stringify(v.entries),
        proposal_id: v.proposalId,
        created_at: v.at,
      })
      .execute();
  }

  /** Stores a pending proposal. */
  async insertProposal(db: Kysely<DatahubTables>, p: ProposalDto): Promise<void> {
    await db
      .insertInto('dh_list_proposal')
      .values({
        id: p.id,
        base_version: p.baseVersion,
        changes: JSON.stringify({ upsert: p.upsert, remove: p.remove }),
        note: p.note,
        status: p.status,
        proposed_by: p.proposedBy,
        proposed_at: new Date(p.proposedAt),
        decided_by: null,
        decided_at: null,
        result_version: null,
      })
      .execute();
  }

  /** One proposal, locked for the rest of the transaction. */
  async lockProposal(db: Kysely<DatahubTables>, id: string): Promise<ProposalDto | undefined> {
    const row = await db
      .selectFrom('dh_list_proposal')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    return row && toDto(row);
  }

  /** Records the decision on a proposal. */
  async decide(
    db: Kysely<DatahubTables>,
    id: string,
    d: { status: ProposalDto['status']; by: string; at: Date; resultVersion: number | null },
  ): Promise<void> {
    await db
      .updateTable('dh_list_proposal')
      .set({ status: d.status, decided_by: d.by, decided_at: d.at, result_version: d.resultVersion })
      .where('id', '=', id)
      .execute();
  }

  /** Proposals, newest first. */
  async proposals(db: Kysely<DatahubTables>, status?: ProposalDto['status']): Promise<ProposalDto[]> {
    let q = db.selectFrom('dh_list_proposal').selectAll();
    if (status) q = q.where('status', '=', status);
    return (await q.orderBy('seq', 'desc').limit(200).execute()).map(toDto);
  }
}

function toDto(r: ProposalRow): ProposalDto {
  const changes = r.changes as { upsert: ListEntry[]; remove: string[] };
  return {
    id: r.id,
    baseVersion: r.base_version,
    upsert: changes.upsert,
    remove: changes.remove,
    note: r.note,
    status: r.status as ProposalDto['status'],
    proposedBy: r.proposed_by,
    proposedAt: r.proposed_at.toISOString(),
    decidedBy: r.decided_by,
    decidedAt: r.decided_at?.toISOString() ?? null,
    resultVersion: r.result_version,
  };
}
