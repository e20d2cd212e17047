import { type Principal, ROLE_GROUPS, requireRole } from '../../platform/access.ts';
import { forTables } from '../../platform/db/database.ts';
import { AppError, notFound } from '../../platform/errors.ts';
import { DEFAULT_MAX_PHOTO_BYTES, storePhoto } from '../../platform/photos.ts';
import type { DispatchCore } from './dispatch.core.ts';
import type { TaskRow } from './dispatch.repository.ts';
import type { EvidenceDto, TaskAction, TaskDto } from './dispatch.schema.ts';
import type { DispatchTables } from './dispatch.tables.ts';

// The field's work on a task: the field actions and the photo proof.

/** What a field action carries. */
export interface FieldInput {
  reason?: string;
  note?: string;
  position?: { lon: number; lat: number };
}

/** A field action: accept, en_route, arrive, complete, unable, return. */
export async function act(
  core: DispatchCore,
  principal: Principal,
  id: string,
  action: TaskAction,
  input: FieldInput = {},
): Promise<TaskDto> {
  return core.refusals.refusing(principal, id, `task.${action}`, async () => {
    requireRole(principal, 'field_officer', ...ROLE_GROUPS.operators);
    return core
      .change(principal, id, action, async (trx, task) => {
        const now = core.deps.clock.now();
        const changes: Partial<TaskRow> = { note: input.note ?? input.reason ?? task.note };
        if (input.position) {
          Object.assign(changes, {
            position_lon: input.position.lon,
            position_lat: input.position.lat,
            position_at: now,
          });
        }
        if (action === 'accept') changes.accepted_at = now;
        if (action === 'arrive') changes.arrived_at = now;
        if (action === 'complete') {
          const photos = await core.repo.evidence(forTables<DispatchTables>(trx), task.id);
          if (photos.length === 0) {
            throw new AppError('invalid_data', 'a task is completed with at least one photo as proof', {
              reason: 'evidence_required',
            });
          }
          Object.assign(changes, { completed_at: now, arrived_at: task.arrived_at ?? now });
        }
        if ((action === 'unable' || action === 'return') && !input.reason) {
          throw new AppError('invalid_data', `${action} needs a reason`, { field: 'reason' });
        }
        return changes;
      })
      .then(async (task) => {
        if (input.position && task.team) {
          await core.deps.teams
            .report(principal, task.team.id, input.position)
            .catch((err) =>
              core.deps.logger.warn({ err, teamId: task.team?.id }, 'team position not recorded'),
            );
        }
        return task;
      });
  });
}

/** Stores a photo for a task being worked on; JPEG/PNG/WebP by content, size-limited, by SHA-256. */
export async function addEvidence(
  core: DispatchCore,
  principal: Principal,
  id: string,
  bytes: Uint8Array,
): Promise<EvidenceDto> {
  return core.refusals.refusing(principal, id, 'task.evidence_added', async () => {
    requireRole(principal, 'field_officer', ...ROLE_GROUPS.operators);
    const task = core.visible(principal, await core.repo.find(core.db(), id), id);
    if (!['accepted', 'en_route', 'arrived'].includes(task.status)) {
      throw new AppError(
        'invalid_transition',
        `photos are added to a task being worked on, not one that is ${task.status}`,
        {
          status: task.status,
        },
      );
    }
    const photo = await storePhoto(
      core.deps.storageDir,
      bytes,
      core.deps.maxEvidenceBytes ?? DEFAULT_MAX_PHOTO_BYTES,
    );
    const at = core.deps.clock.now();
    const actor = `${principal.kind}:${principal.id}`;
    await core.deps.db.transaction().execute(async (trx) => {
      await core.repo.insertEvidence(forTables<DispatchTables>(trx), {
        id: photo.id,
        task_id: id,
        sha256: photo.sha256,
        mime: photo.mime,
        bytes: photo.bytes,
        stored_path: photo.storedPath,
        uploaded_by: actor,
        at,
      });
      await core.deps.audit.append(trx, {
        actor: principal,
        action: 'task.evidence_added',
        subjectType: 'task',
        subjectId: id,
        jurisdictionPath: task.jurisdiction_path,
        details: { evidenceId: photo.id, sha256: photo.sha256, mime: photo.mime, bytes: photo.bytes },
      });
    });
    return {
      id: photo.id,
      taskId: id,
      sha256: photo.sha256,
      mime: photo.mime,
      bytes: photo.bytes,
      uploadedBy: actor,
      at: at.toISOString(),
    };
  });
}

/** A task's photos. */
export async function evidence(core: DispatchCore, principal: Principal, id: string): Promise<EvidenceDto[]> {
  core.visible(principal, await core.repo.find(core.db(), id), id);
  const rows = await core.repo.evidence(core.db(), id);
  return rows.map(evidenceDto);
}

/** One photo of a task, with where its bytes are (same visibility as the task; else not_found). */
export async function evidenceFile(
  core: DispatchCore,
  principal: Principal,
  taskId: string,
  evidenceId: string,
): Promise<EvidenceDto & { storedPath: string }> {
  core.visible(principal, await core.repo.find(core.db(), taskId), taskId);
  const row = (await core.repo.evidence(core.db(), taskId)).find((r) => r.id === evidenceId);
  if (!row) throw notFound('photo', evidenceId);
  return { ...evidenceDto(row), storedPath: row.stored_path };
}

/**
 * The photos of an event's completed tasks (the closing proof), with where their bytes are.
 * Not scoped: the event centre decides who may see them (a reporter of a closed request).
 */
export async function completionEvidence(
  core: DispatchCore,
  eventId: string,
): Promise<(EvidenceDto & { storedPath: string })[]> {
  const tasks = (await core.repo.ofEvent(core.db(), eventId)).filter((t) => t.status === 'completed');
  const rows = (await Promise.all(tasks.map((t) => core.repo.evidence(core.db(), t.id)))).flat();
  return rows.map((r) => ({ ...evidenceDto(r), storedPath: r.stored_path }));
}

/** A stored photo row as the API returns it. */
export function evidenceDto(r: {
  id: string;
  task_id: string;
  sha256: string;
  mime: string;
  bytes: number;
  uploaded_by: string;
  at: Date;
}): EvidenceDto {
  return {
    id: r.id,
    taskId: r.task_id,
    sha256: r.sha256,
    mime: r.mime,
    bytes: r.bytes,
    uploadedBy: r.uploaded_by,
    at: r.at.toISOString(),
  };
}
