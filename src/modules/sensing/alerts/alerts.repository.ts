import type { Selectable } from 'kysely';
import { inScope, type Principal } from '../../../platform/access.ts';
import { type Db, forTables } from '../../../platform/db/database.ts';
import type { SensingTables } from '../sensing.tables.ts';
import { areaFilter } from '../store/series.repository.ts';
import type { AlertDto, AlertQuery } from './alerts.schema.ts';

type Row = Selectable<SensingTables['sensing_alerts']>;
type NewRow = Omit<Row, 'details'> & { details: Record<string, unknown> };

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Maps a stored alert to its API form. */
export function toAlertDto(r: Row): AlertDto {
  return {
    id: r.id,
    type: 'Alert',
    category: r.category,
    subCategory: r.sub_category,
    severity: r.severity as AlertDto['severity'],
    alertSource: r.alert_source,
    location: { lon: r.lon, lat: r.lat },
    description: r.description,
    dateIssued: r.date_issued.toISOString(),
    validFrom: r.valid_from.toISOString(),
    validTo: iso(r.valid_to),
    ruleId: r.rule_id,
    ruleVersion: r.rule_version,
    subject: r.subject,
    status: r.status as AlertDto['status'],
    jurisdictionPath: r.jurisdiction_path,
    details: r.details,
    acknowledgedAt: iso(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    clearedAt: iso(r.cleared_at),
    clearedBy: r.cleared_by,
    clearReason: r.clear_reason as AlertDto['clearReason'],
  };
}

/** All SQL of alerts. */
export class AlertRepository {
  /** Inserts an alert unless one is already open for its (rule, subject); returns it when inserted. */
  async insertIfNone(db: Db, row: NewRow): Promise<Row | undefined> {
    return forTables<SensingTables>(db)
      .insertInto('sensing_alerts')
      .values({ ...row, details: JSON.stringify(row.details) })
      .onConflict((oc) => oc.columns(['rule_id', 'subject']).where('status', '<>', 'cleared').doNothing())
      .returningAll()
      .executeTakeFirst();
  }

  /** Clears the open alert of (rule, subject), if any; returns it. */
  async clearOpen(
    db: Db,
    ruleId: string,
    subject: string,
    validTo: Date,
    at: Date,
  ): Promise<Row | undefined> {
    return forTables<SensingTables>(db)
      .updateTable('sensing_alerts')
      .set({
        status: 'cleared',
        valid_to: validTo,
        cleared_at: at,
        cleared_by: 'system',
        clear_reason: 'recovered',
      })
      .where('rule_id', '=', ruleId)
      .where('subject', '=', subject)
      .where('status', '<>', 'cleared')
      .returningAll()
      .executeTakeFirst();
  }

  /** One alert, locked for the rest of the transaction. */
  async getForUpdate(db: Db, id: string): Promise<Row | undefined> {
    return forTables<SensingTables>(db)
      .selectFrom('sensing_alerts')
      .selectAll()
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
  }

  /** Writes a lifecycle change. */
  async setStatus(db: Db, id: string, changes: Partial<Omit<Row, 'id' | 'details'>>): Promise<Row> {
    return forTables<SensingTables>(db)
      .updateTable('sensing_alerts')
      .set(changes)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** Alerts the principal may see, newest first. */
  async list(db: Db, principal: Principal, q: AlertQuery): Promise<Row[]> {
    let query = forTables<SensingTables>(db)
      .selectFrom('sensing_alerts')
      .selectAll()
      .where(inScope(principal, 'jurisdiction_path'));
    if (q.status) query = query.where('status', '=', q.status);
    if (q.ruleId) query = query.where('rule_id', '=', q.ruleId);
    if (q.subject) query = query.where('subject', '=', q.subject);
    if (q.area) query = query.where(areaFilter(q.area));
    return query.orderBy('date_issued', 'desc').orderBy('id').limit(q.limit).execute();
  }
}
