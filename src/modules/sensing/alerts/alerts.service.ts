import { randomUUID } from 'node:crypto';
import { assertVisible, type Principal, ROLE_GROUPS, requireRole } from '../../../platform/access.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { Db } from '../../../platform/db/database.ts';
import { AppError, notFound } from '../../../platform/errors.ts';
import type { AuditLog } from '../../audit/index.ts';
import type { Transition } from '../rules/engine.ts';
import { describeAlert } from './alerts.describe.ts';
import { AlertRepository, toAlertDto } from './alerts.repository.ts';
import type { AlertDto, AlertEvent, AlertPublisher, AlertQuery } from './alerts.schema.ts';

/** Dependencies of the alert service. */
export interface AlertServiceDeps {
  db: Db;
  audit: AuditLog;
  clock: Clock;
  publisher: AlertPublisher;
}

const SYSTEM_ACTOR = { kind: 'system' as const, id: 'sensing.rules' };

/**
 * Alerts: stores the rules engine's raise/clear transitions (one open alert per rule and
 * subject, enforced by a partial unique index), the operator lifecycle (acknowledge, clear),
 * audits every change and hands each to the publisher in the same transaction.
 */
export class AlertService {
  private readonly deps: AlertServiceDeps;
  private readonly repo = new AlertRepository();

  constructor(deps: AlertServiceDeps) {
    this.deps = deps;
  }

  /** Applies transitions inside the ingest (or timer) transaction; returns the alerts raised and cleared. */
  async apply(trx: Db, transitions: Transition[]): Promise<{ raised: AlertDto[]; cleared: AlertDto[] }> {
    const raised: AlertDto[] = [];
    const cleared: AlertDto[] = [];
    const now = this.deps.clock.now();
    for (const t of transitions) {
      if (t.kind === 'raise') {
        const row = await this.repo.insertIfNone(trx, {
          id: randomUUID(),
          rule_id: t.rule.id,
          rule_version: t.rule.version,
          subject: t.subject.id,
          status: 'open',
          category: t.rule.alert.category,
          sub_category: t.rule.alert.subCategory ?? null,
          severity: t.rule.alert.severity,
          alert_source: t.subject.id,
          lon: t.subject.lon,
          lat: t.subject.lat,
          description: describeAlert(t.rule, t.subject, t.facts),
          date_issued: now,
          valid_from: new Date(t.validFrom),
          valid_to: null,
          jurisdiction_path: t.subject.jurisdictionPath,
          details: {
            ...t.facts,
            ruleName: t.rule.name,
            section: t.subject.sectionName,
            decidedAt: new Date(t.at).toISOString(),
          },
          acknowledged_at: null,
          acknowledged_by: null,
          cleared_at: null,
          cleared_by: null,
          clear_reason: null,
        });
        if (row) raised.push(await this.changed(trx, SYSTEM_ACTOR, 'raised', toAlertDto(row)));
      } else {
        const row = await this.repo.clearOpen(trx, t.rule.id, t.subject.id, new Date(t.at), now);
        if (row) cleared.push(await this.changed(trx, SYSTEM_ACTOR, 'cleared', toAlertDto(row)));
      }
    }
    return { raised, cleared };
  }

  /** An operator acknowledges an open alert. */
  acknowledge(principal: Principal, id: string): Promise<AlertDto> {
    return this.transition(principal, id, ['open'], 'acknowledged', (now) => ({
      status: 'acknowledged',
      acknowledged_at: now,
      acknowledged_by: principal.id,
    }));
  }

  /** An operator clears an open or acknowledged alert by hand. */
  clear(principal: Principal, id: string): Promise<AlertDto> {
    return this.transition(principal, id, ['open', 'acknowledged'], 'cleared', (now) => ({
      status: 'cleared',
      valid_to: now,
      cleared_at: now,
      cleared_by: principal.id,
      clear_reason: 'manual',
    }));
  }

  /** Alerts visible to the principal. */
  async list(principal: Principal, q: AlertQuery): Promise<AlertDto[]> {
    return (await this.repo.list(this.deps.db, principal, q)).map(toAlertDto);
  }

  private transition(
    principal: Principal,
    id: string,
    from: string[],
    verb: 'acknowledged' | 'cleared',
    changes: (now: Date) => Parameters<AlertRepository['setStatus']>[2],
  ): Promise<AlertDto> {
    requireRole(principal, ...ROLE_GROUPS.responders);
    return this.deps.db.transaction().execute(async (trx) => {
      const current = await this.repo.getForUpdate(trx, id);
      if (!current) throw notFound('alert', id);
      assertVisible(principal, current.jurisdiction_path, 'alert', id);
      if (!from.includes(current.status)) {
        throw new AppError('invalid_transition', `alert is ${current.status}; cannot be ${verb}`, {
          status: current.status,
        });
      }
      const row = await this.repo.setStatus(trx, id, changes(this.deps.clock.now()));
      return this.changed(trx, principal, verb, toAlertDto(row));
    });
  }

  private async changed(
    trx: Db,
    actor: Pick<Principal, 'kind' | 'id'>,
    verb: 'raised' | 'acknowledged' | 'cleared',
    alert: AlertDto,
  ): Promise<AlertDto> {
    await this.deps.audit.append(trx, {
      actor,
      action: `sensing.alert.${verb}`,
      subjectType: 'alert',
      subjectId: alert.id,
      jurisdictionPath: alert.jurisdictionPath,
      details: { ruleId: alert.ruleId, subject: alert.subject, description: alert.description },
    });
    const event: AlertEvent = { subject: `sensing.alert.${verb}`, alert };
    await this.deps.publisher.publish(event, trx);
    return alert;
  }
}
