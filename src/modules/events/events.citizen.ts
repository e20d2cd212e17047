import type { Principal } from '../../platform/access.ts';
import { forTables } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import type { EventCore } from './events.core.ts';
import { type EventPhoto, type PhotoRow, reportPhoto } from './events.photos.ts';
import { toEventDto } from './events.repository.ts';
import type { EventDto } from './events.schema.ts';
import type { EventTables } from './events.tables.ts';

// What citizens do with their request through its token: rate, reopen, see its photos.

/** A reporter rates the outcome of a closed request (1–5); a later rating by the same reporter replaces theirs. */
export async function rate(
  core: EventCore,
  id: string,
  input: { token: string; rating: number; comment?: string },
): Promise<EventDto> {
  const { reporter, master } = await core.reporterFor(id, input.token, 'event.rate');
  const actor = { kind: 'anonymous' as const, id: `reporter:${reporter.id}` };
  try {
    return await core.deps.db.transaction().execute(async (trx) => {
      const db = forTables<EventTables>(trx);
      const row = await core.repo.find(db, master, true);
      if (row?.status !== 'closed') {
        throw new AppError('invalid_transition', `request ${id} is not closed yet; rate it once it is`, {
          from: row?.status,
        });
      }
      await core.repo.rate(db, reporter.id, input.rating, input.comment ?? null, core.deps.clock.now());
      await core.deps.audit.append(trx, {
        actor,
        action: 'event.rated',
        subjectType: 'event',
        subjectId: master,
        jurisdictionPath: row.jurisdiction_path,
        details: { rating: input.rating, comment: input.comment ?? null },
      });
      await core.outbox.enqueue(
        trx,
        'events.event.rated',
        {
          eventId: master,
          category: row.category,
          status: row.status,
          jurisdictionPath: row.jurisdiction_path,
          rating: input.rating,
        },
        { key: master },
      );
      return toEventDto(row);
    });
  } catch (err) {
    // Audited after the rollback, in a transaction of its own.
    if (err instanceof AppError) await core.refused(actor, 'event.rate', id, err.code, err.message);
    throw err;
  }
}

/** A reporter reopens a closed request within the configured period: it is routed again. */
export async function reopen(
  core: EventCore,
  id: string,
  input: { token: string; reason: string },
): Promise<EventDto> {
  const { reporter, master } = await core.reporterFor(id, input.token, 'event.reopen');
  const actor = { kind: 'anonymous' as const, id: `reporter:${reporter.id}` };
  const principal: Principal = {
    kind: 'system',
    id: `reporter:${reporter.id}`,
    name: 'citizen',
    roles: [],
    jurisdictionCode: '',
    jurisdictionPath: '',
    departmentCode: null,
  };
  try {
    const seen = await core.repo.find(core.db(), master);
    const routing = seen?.category
      ? await core.prepareRoute(principal, seen, await core.deps.rule(seen.category))
      : null;
    return await core.deps.routing.transaction(async (trx) => {
      const db = forTables<EventTables>(trx);
      const row = await core.repo.find(db, master, true);
      if (row?.status !== 'closed' || !row.closed_at || !row.category || !routing) {
        throw new AppError(
          'invalid_transition',
          `request ${id} is not closed; only closed requests are reopened`,
          { from: row?.status },
        );
      }
      const limit = row.closed_at.getTime() + core.options.reopenWithinHours * 3_600_000;
      if (core.deps.clock.now().getTime() > limit) {
        throw new AppError(
          'conflict',
          `requests are reopened within ${core.options.reopenWithinHours} h of closing`,
          { reason: 'reopen_period_over' },
        );
      }
      await core.repo.update(db, master, {
        reopened: row.reopened + 1,
        closed_at: null,
        resolved_at: null,
        verified_by: null,
      });
      const { row: updated } = await core.route(
        trx,
        principal,
        { ...row, reopened: row.reopened + 1 },
        routing,
      );
      await core.deps.audit.append(trx, {
        actor,
        action: 'event.reopened',
        subjectType: 'event',
        subjectId: master,
        jurisdictionPath: row.jurisdiction_path,
        details: { reason: input.reason },
      });
      await core.outbox.enqueue(
        trx,
        'events.event.reopened',
        {
          eventId: master,
          category: row.category,
          status: updated.status,
          jurisdictionPath: row.jurisdiction_path,
          reason: input.reason,
        },
        { key: master },
      );
      await core.notifyCentre(trx, row, '市民要求重办 Reopened by the citizen', input.reason, {
        code: 'event.reopened',
        params: { reason: input.reason },
      });
      return toEventDto(updated);
    });
  } catch (err) {
    if (err instanceof AppError) await core.refused(actor, 'event.reopen', id, err.code, err.message);
    throw err;
  }
}

/** A citizen photo for the reporter who sent it (their token); anyone else → not_found. */
export async function photoForReporter(core: EventCore, photoId: string, token: string): Promise<PhotoRow> {
  const reporter = await core.repo.reporterByToken(core.db(), token);
  const photo = reporter ? await core.photos.attached(photoId).catch(() => undefined) : undefined;
  if (!reporter || photo?.event_id !== reporter.filed_event_id) {
    await core.refused(
      { kind: 'anonymous', id: 'citizen' },
      'event.photo',
      photoId,
      'not_found',
      'unknown photo or token',
    );
    throw notFound('photo', photoId);
  }
  return photo;
}

/**
 * What a reporter sees of their request's photos: the ones they sent, and — once the centre
 * closed it — the proof photos of its completed tasks (`result`).
 */
export async function reporterPhotos(
  core: EventCore,
  requestId: string,
  token: string,
): Promise<EventPhoto[]> {
  const { reporter, master } = await core.reporterFor(requestId, token, 'event.photos');
  const own = (await core.photos.ofEvents([reporter.filed_event_id])).map(reportPhoto);
  return [...own, ...(await resultPhotos(core, master, requestId))];
}

/** One proof photo of a closed request, for its reporter (their token). */
export async function resultPhotoForReporter(
  core: EventCore,
  requestId: string,
  evidenceId: string,
  token: string,
) {
  const { master } = await core.reporterFor(requestId, token, 'event.photos');
  const found = (await closedEvidence(core, master)).find((e) => e.id === evidenceId);
  if (!found) throw notFound('photo', evidenceId);
  return found;
}

/**
 * Public facts about a request's photos (Open311 `media_url`): its first report photo and the
 * first proof photo once closed. The bytes still need the reporter's token or staff scope.
 */
export async function photoRefs(
  core: EventCore,
  filedId: string,
): Promise<{ report?: EventPhoto; result?: EventPhoto }> {
  const row = await core.repo.find(core.db(), filedId);
  if (!row) return {};
  const [report] = (await core.photos.ofEvents([row.id])).map(reportPhoto);
  const [result] = await resultPhotos(core, row.merged_into ?? row.id, row.id);
  return { ...(report ? { report } : {}), ...(result ? { result } : {}) };
}

async function resultPhotos(core: EventCore, masterId: string, requestId: string): Promise<EventPhoto[]> {
  return (await closedEvidence(core, masterId)).map((e) => ({
    id: e.id,
    kind: 'result' as const,
    url: `/api/v1/citizen/requests/${requestId}/evidence/${e.id}`,
    sha256: e.sha256,
    mime: e.mime,
    bytes: e.bytes,
    at: e.at,
  }));
}

/** The proof photos of a closed event's completed tasks; none before the centre closes it. */
async function closedEvidence(core: EventCore, masterId: string) {
  const master = await core.repo.find(core.db(), masterId);
  if (master?.status !== 'closed') return [];
  return core.deps.dispatch.completionEvidence(masterId);
}
