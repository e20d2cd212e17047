import { type Principal, ROLE_GROUPS, requireRole } from '../../platform/access.ts';
import { type Db, forTables } from '../../platform/db/database.ts';
import { AppError } from '../../platform/errors.ts';
import type { EventCore } from './events.core.ts';
import { noteColumns, notes } from './events.notes.ts';
import type { EventRow } from './events.repository.ts';
import type { EventDetail } from './events.schema.ts';
import type { EventTables } from './events.tables.ts';

// The centre's review of events: categorising those in triage and verifying resolved ones.

/**
 * A dispatcher categorises an event in triage (or re-routes one whose task was returned): the
 * classifier learns the correction, the registry records it as an override, and tasks are made.
 */
export async function categorise(
  core: EventCore,
  principal: Principal,
  id: string,
  input: { category: string; reason: string },
): Promise<EventDetail> {
  const result = await core.refusals.refusing(principal, id, 'event.categorise', async () => {
    requireRole(principal, ...ROLE_GROUPS.operators);
    const rule = await core.ruleOrThrow(principal, input.category);
    const seen = await core.visibleRow(core.db(), principal, id, false);
    const routing = await core.prepareRoute(principal, seen, rule);
    return core.deps.routing.transaction(async (trx) => {
      const db = forTables<EventTables>(trx);
      const row = await core.visibleRow(db, principal, id, true);
      if (row.status !== 'triage') {
        throw new AppError(
          'invalid_transition',
          `event ${id} is ${row.status}; only events in triage are categorised`,
          { from: row.status },
        );
      }
      await core.deps.dispatch.cancelOpen(trx, principal, id, `re-routed: ${input.reason}`);
      const before = row.category;
      const { row: updated } = await core.route(trx, principal, { ...row, category: rule.category }, routing);
      await core.repo.update(db, id, { classified_by: 'dispatcher', confidence: 1 });
      await core.deps.audit.append(trx, {
        actor: principal,
        action: 'event.categorised',
        subjectType: 'event',
        subjectId: id,
        jurisdictionPath: row.jurisdiction_path,
        details: { from: before, to: rule.category, reason: input.reason },
      });
      await core.statusChanged(trx, row, updated.status);
      return { row, before };
    });
  });
  const { row, before } = result;
  if (before !== input.category) core.deps.classifier.learn(row.description, input.category);
  if (row.classify_decision_id && before !== input.category) {
    await core.deps.algorithms
      .recordOverride(row.classify_decision_id, principal, input.reason, { category: input.category })
      .catch((err) => core.deps.logger.warn({ err, eventId: id }, 'classification override not recorded'));
  }
  return core.get(principal, id);
}

/** The centre verifies a resolved event: approve → closed and every reporter is told; reject → back to the teams. */
export async function verify(
  core: EventCore,
  principal: Principal,
  id: string,
  input: { approve: boolean; note: string },
): Promise<EventDetail> {
  await core.refusals.refusing(principal, id, 'event.verify', async () => {
    requireRole(principal, ...ROLE_GROUPS.operators);
    await core.deps.db.transaction().execute(async (trx) => {
      const db = forTables<EventTables>(trx);
      const row = await core.visibleRow(db, principal, id, true);
      if (row.status !== 'resolved') {
        throw new AppError(
          'invalid_transition',
          `event ${id} is ${row.status}; only resolved events are verified`,
          { from: row.status },
        );
      }
      const now = core.deps.clock.now();
      if (input.approve) await close(core, trx, principal, row, input.note, now);
      else await reject(core, trx, principal, row, input.note, now);
    });
  });
  return core.get(principal, id);
}

/** Verification failed: the completed tasks go back to their teams, the event is in progress again. */
async function reject(
  core: EventCore,
  trx: Db,
  principal: Principal,
  row: EventRow,
  note: string,
  now: Date,
) {
  const db = forTables<EventTables>(trx);
  const id = row.id;
  await core.deps.dispatch.redo(trx, principal, id, note);
  const updated = await core.repo.update(db, id, {
    status: 'in_progress',
    resolved_at: null,
    ...noteColumns(notes.verificationFailed(note)),
    updated_at: now,
  });
  await core.deps.audit.append(trx, {
    actor: principal,
    action: 'event.verification_rejected',
    subjectType: 'event',
    subjectId: id,
    jurisdictionPath: row.jurisdiction_path,
    details: { note: note },
  });
  await core.statusChanged(trx, row, updated.status);
}

/** Verification passed: the event is closed, audited, published, and every reporter is told. */
async function close(core: EventCore, trx: Db, principal: Principal, row: EventRow, note: string, now: Date) {
  const db = forTables<EventTables>(trx);
  const id = row.id;
  await core.repo.update(db, id, {
    status: 'closed',
    closed_at: now,
    verified_by: `${principal.kind}:${principal.id}`,
    ...noteColumns(notes.closed(note)),
    updated_at: now,
  });
  const reporters = await core.repo.reporters(db, id);
  await core.deps.audit.append(trx, {
    actor: principal,
    action: 'event.closed',
    subjectType: 'event',
    subjectId: id,
    jurisdictionPath: row.jurisdiction_path,
    details: { note: note, reporters: reporters.length },
  });
  const minutes = Math.round((now.getTime() - row.created_at.getTime()) / 60_000);
  await core.outbox.enqueue(
    trx,
    'events.event.closed',
    {
      eventId: id,
      category: row.category,
      status: 'closed',
      jurisdictionPath: row.jurisdiction_path,
      minutesToClose: minutes,
      reporters: reporters.length,
    },
    { key: id },
  );
  await core.deps.notifier.send(
    trx,
    reporters.map((r) => ({
      id: `reporter:${r.id}`,
      webhookUrl: r.notify_url,
      phone: r.phone,
      email: r.email,
    })),
    {
      subjectType: 'event',
      subjectId: id,
      jurisdictionPath: row.jurisdiction_path,
      title: '您反映的问题已办结 Your report has been resolved',
      body: `${note}（请对办理结果评价 1–5 星 / please rate the result 1–5）`,
      code: 'event.closed',
      params: { note },
    },
  );
}
