import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import { escapeLike, inScope, type Principal, withinPath } from '../../platform/access.ts';
import type { EventDto, EventQuery } from './events.schema.ts';
import type { EventTables } from './events.tables.ts';
import { isTrackingNumber } from './events.tracking.ts';

/** A stored event row. */
export type EventRow = Selectable<EventTables['ev_event']>;
/** A stored reporter row. */
export type ReporterRow = Selectable<EventTables['ev_reporter']>;
type Db = Kysely<EventTables>;

/** All SQL of the events module. */
export class EventRepository {
  async insert(db: Db, row: Insertable<EventTables['ev_event']>): Promise<void> {
    await db.insertInto('ev_event').values(row).execute();
  }

  async find(db: Db, id: string, lock = false): Promise<EventRow | undefined> {
    let q = db.selectFrom('ev_event').selectAll().where('id', '=', id);
    if (lock) q = q.forUpdate();
    return q.executeTakeFirst();
  }

  /** The id of the event a reference names: an event id as it is, a tracking number resolved (events.tracking.ts). */
  async idOf(db: Db, ref: string): Promise<string> {
    if (!isTrackingNumber(ref)) return ref;
    const row = await db
      .selectFrom('ev_event')
      .select('id')
      .where('tracking_no', '=', ref)
      .executeTakeFirst();
    return row?.id ?? ref;
  }

  async byExternalRef(db: Db, source: string, ref: string): Promise<EventRow | undefined> {
    return db
      .selectFrom('ev_event')
      .selectAll()
      .where('source', '=', source)
      .where('external_ref', '=', ref)
      .executeTakeFirst();
  }

  async update(db: Db, id: string, changes: Updateable<EventTables['ev_event']>): Promise<EventRow> {
    return db
      .updateTable('ev_event')
      .set(changes)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Unclosed, unmerged events of a category inside a box, raised since `since` (duplicate candidates). */
  async nearbyOpen(
    db: Db,
    q: { category: string; since: Date; box: [number, number, number, number] },
  ): Promise<EventRow[]> {
    const [w, s, e, n] = q.box;
    return db
      .selectFrom('ev_event')
      .selectAll()
      .where('category', '=', q.category)
      .where('created_at', '>=', q.since)
      .where('status', 'not in', ['closed', 'merged'])
      .where('lon', '>=', w)
      .where('lon', '<=', e)
      .where('lat', '>=', s)
      .where('lat', '<=', n)
      .orderBy('created_at', 'desc')
      .limit(20)
      .execute();
  }

  /** Events in the principal's jurisdiction. */
  async list(db: Db, principal: Principal, q: EventQuery): Promise<EventRow[]> {
    let query = db.selectFrom('ev_event').selectAll().where(inScope(principal, 'jurisdiction_path'));
    if (q.status) query = query.where('status', '=', q.status);
    if (q.category) query = query.where('category', '=', q.category);
    if (q.source) query = query.where('source', '=', q.source);
    if (q.within) query = query.where(withinPath(q.within, 'jurisdiction_path'));
    if (q.priority) query = query.where('priority', '=', q.priority);
    if (q.q) {
      const words = q.q;
      const text = escapeLike(words);
      query = query.where((eb) =>
        eb.or([
          eb('description', 'ilike', `%${text}%`),
          eb('address', 'ilike', `%${text}%`),
          eb('id', 'like', `${text}%`),
          eb('tracking_no', '=', words.toUpperCase()),
        ]),
      );
    }
    if (q.ids) query = q.ids.length ? query.where('id', 'in', q.ids) : query.where('id', '=', '');
    if (q.from) query = query.where('created_at', '>=', new Date(q.from));
    if (q.to) query = query.where('created_at', '<=', new Date(q.to));
    return query.orderBy('created_at', 'desc').limit(q.limit).execute();
  }

  async insertReporter(db: Db, row: Insertable<EventTables['ev_reporter']>): Promise<void> {
    await db.insertInto('ev_reporter').values(row).execute();
  }

  async reporters(db: Db, eventId: string): Promise<ReporterRow[]> {
    return db.selectFrom('ev_reporter').selectAll().where('event_id', '=', eventId).execute();
  }

  async reporterCount(db: Db, eventId: string): Promise<number> {
    const r = await db
      .selectFrom('ev_reporter')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('event_id', '=', eventId)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async reporterByToken(db: Db, token: string): Promise<ReporterRow | undefined> {
    return db.selectFrom('ev_reporter').selectAll().where('token', '=', token).executeTakeFirst();
  }

  async rate(db: Db, reporterId: string, rating: number, comment: string | null, at: Date): Promise<void> {
    await db
      .updateTable('ev_reporter')
      .set({ rating, rating_comment: comment, rated_at: at })
      .where('id', '=', reporterId)
      .execute();
  }

  /** Ratings given for the events (satisfaction KPI). */
  async ratings(db: Db, eventIds: string[]): Promise<{ event_id: string; rating: number }[]> {
    if (eventIds.length === 0) return [];
    const rows = await db
      .selectFrom('ev_reporter')
      .select(['event_id', 'rating'])
      .where('event_id', 'in', eventIds)
      .where('rating', 'is not', null)
      .execute();
    return rows.map((r) => ({ event_id: r.event_id, rating: Number(r.rating) }));
  }
}

/** A row as the API returns it. */
export function toEventDto(r: EventRow): EventDto {
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return {
    id: r.id,
    trackingNo: r.tracking_no,
    source: r.source as EventDto['source'],
    externalRef: r.external_ref,
    serviceCode: r.service_code,
    category: r.category,
    confidence: r.confidence,
    classifiedBy: r.classified_by,
    classifyDecisionId: r.classify_decision_id,
    status: r.status as EventDto['status'],
    priority: r.priority as EventDto['priority'],
    description: r.description,
    address: r.address,
    location: { lon: r.lon, lat: r.lat },
    jurisdictionCode: r.jurisdiction_code,
    jurisdictionPath: r.jurisdiction_path,
    chain: r.chain,
    handlingLevel: r.handling_level,
    agency: r.agency,
    media: r.media,
    mergedInto: r.merged_into,
    dedupeDecisionId: r.dedupe_decision_id,
    triageReason: r.triage_reason,
    statusNote: r.status_note,
    statusNoteCode: r.status_note_code as EventDto['statusNoteCode'],
    statusNoteParams: r.status_note_params,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
    expectedAt: iso(r.expected_at),
    resolvedAt: iso(r.resolved_at),
    closedAt: iso(r.closed_at),
    reopened: r.reopened,
    multiDepartment: r.multi_department,
  };
}
